"""一事一评议: storing a rating, the stored aggregates, the follow-up of negative
ratings and the statistics the 纪委 reads (seed 000 公开办法 第九条, 平台办法 第十五条).

A rating is stored, counted and given its follow-up deadline in one transaction, so
a submission either counts exactly once or not at all. Counts are kept per result,
power item and unit by row updates taken in a fixed order (no deadlocks between
concurrent raters); pages read those rows instead of counting ratings.
"""

import datetime
import hashlib
import hmac
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from sunlight import pagecache

from . import deadlines, pii
from .models import Result, UnitPage
from .models.ratings import (
    COMMENT_CONTEXT,
    LEVELS,
    NEGATIVE_LEVELS,
    SATISFIED_LEVELS,
    Level,
    Rating,
    RatingTally,
)

COMMENT_MAX_LENGTH = 500


class AlreadyRated(Exception):
    """This browser already rated this result."""


# Aggregates -------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """Counts per level, best first, and the satisfaction rate (非常满意 + 满意 +
    基本满意 over all ratings)."""

    counts: dict

    @property
    def total(self):
        return sum(self.counts.values())

    @property
    def negative(self):
        return sum(self.counts.get(level, 0) for level in NEGATIVE_LEVELS)

    @property
    def rate(self):
        """满意率 in percent with one decimal, or None before the first rating."""
        if not self.total:
            return None
        satisfied = sum(self.counts.get(level, 0) for level in SATISFIED_LEVELS)
        return percent(satisfied, self.total)

    def rows(self):
        """(label, count, share in percent) per level, best first."""
        return [
            (
                level.label,
                self.counts.get(level, 0),
                percent(self.counts.get(level, 0), self.total),
            )
            for level in LEVELS
        ]


EMPTY = Summary(dict.fromkeys(LEVELS, 0))


def percent(part, whole):
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def summary(scope, object_id):
    """The stored aggregate of one result, item or unit (one query)."""
    tally = RatingTally.objects.filter(scope=scope, object_id=object_id).first()
    return Summary(tally.counts()) if tally else EMPTY


def path_summary(path):
    """The aggregate of the unit at tree `path` and the units below it: one query
    over their tallies."""
    sums = RatingTally.objects.filter(
        scope=RatingTally.Scope.UNIT,
        object_id__in=UnitPage.objects.filter(path__startswith=path).values("pk"),
    ).aggregate(**{column: Sum(column) for column in RatingTally.COLUMNS.values()})
    return Summary(
        {level: sums[column] or 0 for level, column in RatingTally.COLUMNS.items()}
    )


# Submitting -----------------------------------------------------------------------


def voter_digest(token, result_id):
    """A keyed digest of the browser token and the result: it refuses a second
    rating of one result without linking a person's ratings across results."""
    secret = hmac.new(
        settings.SECRET_KEY.encode(), b"sunlight rater v1", hashlib.sha256
    ).digest()
    message = f"{token}:{result_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def has_rated(result_id, token):
    return (
        bool(token)
        and Rating.objects.filter(
            result_id=result_id, voter=voter_digest(token, result_id)
        ).exists()
    )


def submit(result, level, comment, token, now=None):
    """Store and count one rating; AlreadyRated if this browser rated before."""
    from sunlight import crypto

    from .workdays import due_date

    now = now or timezone.now()
    level = Level(level)
    comment = (comment or "").strip()
    masked = pii.redact(comment)
    rating = Rating(
        result=result,
        unit_id=result.unit_id,
        handling_post=result.handling_post,
        level=level,
        voter=voter_digest(token, result.pk),
        created_at=now,
        comment=masked,
        # The original is kept (encrypted) only when masking changed it.
        comment_original=(
            crypto.encrypt(comment, COMMENT_CONTEXT) if masked != comment else ""
        ),
        moderation=Rating.Moderation.PENDING if comment else Rating.Moderation.NONE,
    )
    if comment and level in NEGATIVE_LEVELS:
        deadline = due_date(
            timezone.localdate(now), deadlines.RATING_REPLY_WORKING_DAYS
        )
        rating.reply_due = deadline.due
        rating.reply_provisional = deadline.provisional
    with transaction.atomic():
        try:
            with transaction.atomic():
                rating.save()
        except IntegrityError as error:
            raise AlreadyRated from error
        unit = result.unit if Result.unit.is_cached(result) else None
        count(rating, result.item_id, unit_path=unit.path if unit else None)
    return rating


def count(rating, item_id, unit_path=None):
    """Add the rating to its result's, item's and unit's tallies and to the
    result's `rating_total`, in the caller's transaction (`unit_path`: the rating
    unit's tree path, when the caller has it)."""
    keys = sorted(
        [
            (RatingTally.Scope.ITEM, item_id),
            (RatingTally.Scope.RESULT, rating.result_id),
            (RatingTally.Scope.UNIT, rating.unit_id),
        ]
    )
    column = RatingTally.COLUMNS[Level(rating.level)]
    _add_to_tallies(keys, column)
    Result.objects.filter(pk=rating.result_id).update(
        rating_total=F("rating_total") + 1
    )
    _expire_pages(rating, item_id, unit_path)


def _add_to_tallies(keys, column):
    """One upsert adds 1 to `column` of each (scope, object id) tally, creating the
    missing ones — one statement instead of an insert and three updates (the ORM
    cannot add on conflict). Rows are locked in the order given (sorted by the
    caller), so concurrent ratings cannot deadlock. Same SQL on PostgreSQL and
    SQLite (3.24+)."""
    quote = connection.ops.quote_name
    names = ["scope", "object_id", *RatingTally.COLUMNS.values()]
    table, target = quote(RatingTally._meta.db_table), quote(column)
    row = "(" + ", ".join(["%s"] * len(names)) + ")"
    params = [
        value
        for scope, pk in keys
        for value in (scope, pk, *(int(n == column) for n in names[2:]))
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(map(quote, names))}) "  # noqa: S608 - quoted names, bound values
            f"VALUES {', '.join([row] * len(keys))} "
            f"ON CONFLICT ({quote('scope')}, {quote('object_id')}) "
            f"DO UPDATE SET {target} = {table}.{target} + 1",
            params,
        )


def _expire_pages(rating, item_id, path=None):
    """Cached pages showing these counts: its item's, its unit's and every unit
    above (their aggregates include the units below), the lists, and the result's
    own counts (a hole of its cached page, kept per `counts:` tag)."""
    if path is None:
        path = UnitPage.objects.filter(pk=rating.unit_id).values_list("path", flat=True)
        path = path.first() or ""
    step = UnitPage.steplen
    pagecache.bump(
        "ratings",
        f"counts:{rating.result_id}",
        f"item:{item_id}",
        *(f"unit-path:{path[:end]}" for end in range(step, len(path) + 1, step)),
    )


def recount():
    """Rebuild every tally and `rating_total` from the ratings themselves (a repair
    tool, and the reference the concurrency test compares with)."""
    with transaction.atomic():
        RatingTally.objects.all().delete()
        tallies = {}
        grouped = Rating.objects.values(
            "result_id", "result__item_id", "unit_id", "level"
        )
        for row in grouped.annotate(n=Count("pk")).order_by():
            column = RatingTally.COLUMNS[Level(row["level"])]
            for key in (
                (RatingTally.Scope.RESULT, row["result_id"]),
                (RatingTally.Scope.ITEM, row["result__item_id"]),
                (RatingTally.Scope.UNIT, row["unit_id"]),
            ):
                tally = tallies.setdefault(
                    key, RatingTally(scope=key[0], object_id=key[1])
                )
                setattr(tally, column, getattr(tally, column) + row["n"])
        RatingTally.objects.bulk_create(tallies.values(), batch_size=1000)
        totals = Rating.objects.values("result_id").annotate(n=Count("pk")).order_by()
        Result.objects.filter(rating_total__gt=0).update(rating_total=0)
        for row in totals:
            Result.objects.filter(pk=row["result_id"]).update(rating_total=row["n"])
        pagecache.bump_all()  # bulk writes send no signals
    return len(tallies)


# Moderation and follow-up -----------------------------------------------------------


def moderate(rating, shown, reason, user):
    """Show or withhold a comment (a reason is required to withhold it)."""
    from wagtail.log_actions import log

    rating.moderation = Rating.Moderation.SHOWN if shown else Rating.Moderation.HIDDEN
    rating.moderation_reason = "" if shown else reason.strip()
    rating.moderated_at = timezone.now()
    rating.moderated_by = user
    rating.save(
        update_fields=[
            "moderation",
            "moderation_reason",
            "moderated_at",
            "moderated_by",
        ]
    )
    log(
        rating,
        "sunlight.rating_shown" if shown else "sunlight.rating_hidden",
        user=user,
        data={"reason": rating.moderation_reason},
    )
    return rating


def reply(rating, text, user):
    from wagtail.log_actions import log

    rating.reply = text.strip()
    rating.replied_at = timezone.now()
    rating.replied_by = user
    rating.save(update_fields=["reply", "replied_at", "replied_by"])
    log(rating, "sunlight.rating_replied", user=user)
    return rating


def shown_comments(result):
    """The comments the public reads under a result (with the unit's replies)."""
    return (
        Rating.objects.filter(result=result, moderation=Rating.Moderation.SHOWN)
        .only(
            "level",
            "comment",
            "created_at",
            "reply",
            "replied_at",
            "reply_due",
            "result_id",
        )
        .order_by("created_at")
    )


def open_follow_ups():
    """Follow-ups still waiting for the unit's reply."""
    return Rating.objects.filter(reply_due__isnull=False, replied_at__isnull=True)


def overdue_follow_ups(today=None):
    return open_follow_ups().filter(reply_due__lt=today or timezone.localdate())


# Statistics ---------------------------------------------------------------------------

BY_UNIT = "unit"
BY_POST = "post"


@dataclass
class StatisticsRow:
    unit_id: int
    unit_code: str
    unit_title: str
    handling_post: str
    total: int
    negative: int
    very_dissatisfied: int
    commented: int
    open_follow_ups: int
    overdue_follow_ups: int
    flagged: bool = False

    @property
    def negative_share(self):
        return percent(self.negative, self.total)


def statistics(ratings, by=BY_UNIT, threshold=None, today=None):
    """Negative ratings grouped per unit (or per unit and handling post) in one
    grouped query; rows with at least `threshold` negative ratings are flagged for
    谈话提醒. `ratings` is already narrowed to the units and period wanted."""
    today = today or timezone.localdate()
    negative = Q(level__in=NEGATIVE_LEVELS)
    waiting = Q(reply_due__isnull=False, replied_at__isnull=True)
    keys = ["unit_id"] + (["handling_post"] if by == BY_POST else [])
    rows = (
        ratings.order_by()
        .values(*keys)
        .annotate(
            total=Count("pk"),
            negative=Count("pk", filter=negative),
            very_dissatisfied=Count("pk", filter=Q(level=Level.VERY_DISSATISFIED)),
            commented=Count("pk", filter=negative & ~Q(comment="")),
            open_follow_ups=Count("pk", filter=waiting),
            overdue_follow_ups=Count("pk", filter=waiting & Q(reply_due__lt=today)),
        )
    )
    rows = list(rows)
    units = {
        unit.pk: unit
        for unit in UnitPage.objects.filter(pk__in={r["unit_id"] for r in rows}).only(
            "code", "title", "path"
        )
    }
    table = []
    for row in rows:
        unit = units.get(row["unit_id"])
        if unit is None:
            continue
        table.append(
            StatisticsRow(
                unit_id=unit.pk,
                unit_code=unit.code,
                unit_title=unit.title,
                handling_post=row.get("handling_post", ""),
                total=row["total"],
                negative=row["negative"],
                very_dissatisfied=row["very_dissatisfied"],
                commented=row["commented"],
                open_follow_ups=row["open_follow_ups"],
                overdue_follow_ups=row["overdue_follow_ups"],
                flagged=bool(threshold) and row["negative"] >= threshold,
            )
        )
    table.sort(
        key=lambda r: (-r.negative, -r.total, units[r.unit_id].path, r.handling_post)
    )
    return table


# Periods --------------------------------------------------------------------------

MONTHLY, QUARTERLY, YEARLY = "monthly", "quarterly", "yearly"


@dataclass(frozen=True)
class Period:
    """A statistics period: [start, end) with its kind and Chinese label."""

    kind: str
    start: datetime.date
    end: datetime.date
    value: str
    label: str


def month_period(year, month):
    start = datetime.date(year, month, 1)
    end = datetime.date(year + month // 12, month % 12 + 1, 1)
    return Period(MONTHLY, start, end, f"{year}-{month:02d}", f"{year}年{month}月")


def quarter_period(year, quarter):
    start = datetime.date(year, 3 * quarter - 2, 1)
    end = month_period(year, 3 * quarter).end
    return Period(
        QUARTERLY, start, end, f"{year}-Q{quarter}", f"{year}年第{quarter}季度"
    )


def year_period(year):
    return Period(
        YEARLY,
        datetime.date(year, 1, 1),
        datetime.date(year + 1, 1, 1),
        str(year),
        f"{year}年",
    )


def recent_periods(today, months=12, quarters=8, years=3):
    """The periods offered in the statistics filter, newest first per kind."""
    found = []
    year, month = today.year, today.month
    for _ in range(months):
        found.append(month_period(year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    year, quarter = today.year, (today.month - 1) // 3 + 1
    for _ in range(quarters):
        found.append(quarter_period(year, quarter))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    found += [year_period(today.year - n) for n in range(years)]
    return found


def parse_period(value, today):
    """The period named by `value` ("2026-11", "2026-Q4" or "2026"); the current
    month for anything else."""
    value = (value or "").strip()
    try:
        if len(value) == 4 and value.isdigit():
            return year_period(int(value))
        year, _, part = value.partition("-")
        if part.upper().startswith("Q"):
            quarter = int(part[1:])
            if 1 <= quarter <= 4:
                return quarter_period(int(year), quarter)
        elif part:
            return month_period(int(year), int(part))
    except ValueError:
        pass
    return month_period(today.year, today.month)
