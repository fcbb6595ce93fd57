"""Statistics for the units a 纪委 supervises (seeds 000 平台办法 第十五条: 定期统计
分析 干部负面评价、投诉举报及问责处理情况, reported to the level above).

Five measures — overdue disclosures (一事一公开 逾期), negative ratings (不满意 and
非常不满意), reports (举报), 问责 and overdue 督办 — per unit, per cadre (the person
or handling post the record names), per month, and rolled up per supervising 纪委
for the level above. Each measure is one grouped query at the finest grain (unit and
person); units, cadres and roll-ups are summed in Python from those rows, so a page
costs the same dozen queries whatever the number of records.

Rows past a threshold are flagged for 谈话提醒 (seeds 000 重点岗位 第十五条: 评议较差的
进行约谈或诫勉). The negative-rating thresholds are the site's RatingSettings; the
others default to THRESHOLDS and can be set in settings.SUPERVISION_TALK_THRESHOLDS.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, F, Q
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from complaints.models import Report
from disclosure.models import Rating, RatingSettings, Result, UnitPage
from disclosure.models.ratings import NEGATIVE_LEVELS
from disclosure.workdays import start_of_day

from .models import Accountability, SupervisionOrder

OVERDUE = "overdue"
NEGATIVE = "negative"
REPORTS = "reports"
ACCOUNTABILITY = "accountability"
ORDERS = "orders"
MEASURES = (
    (OVERDUE, "逾期公开"),
    (NEGATIVE, "不良评价"),
    (REPORTS, "举报"),
    (ACCOUNTABILITY, "问责"),
    (ORDERS, "督办逾期"),
)
LABELS = dict(MEASURES)
#: Measures that name a person or post, and so have a per-cadre row.
CADRE_MEASURES = (OVERDUE, NEGATIVE, REPORTS, ACCOUNTABILITY)

MONTHLY, QUARTERLY, YEARLY = "monthly", "quarterly", "yearly"
PERIOD_KINDS = ((MONTHLY, "月"), (QUARTERLY, "季度"), (YEARLY, "年"))

#: {measure: {period kind: count that calls for a 谈话提醒}}, per unit and per cadre.
THRESHOLDS = {
    "unit": {
        OVERDUE: {MONTHLY: 3, QUARTERLY: 6, YEARLY: 15},
        REPORTS: {MONTHLY: 3, QUARTERLY: 5, YEARLY: 10},
        ACCOUNTABILITY: {MONTHLY: 2, QUARTERLY: 3, YEARLY: 5},
        ORDERS: {MONTHLY: 1, QUARTERLY: 2, YEARLY: 3},
    },
    "cadre": {
        OVERDUE: {MONTHLY: 2, QUARTERLY: 4, YEARLY: 8},
        REPORTS: {MONTHLY: 2, QUARTERLY: 2, YEARLY: 3},
        # 第十二条（四）: a second 问责 within a year.
        ACCOUNTABILITY: {MONTHLY: 2, QUARTERLY: 2, YEARLY: 2},
    },
}


# Periods ------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    kind: str
    year: int
    number: int = 1  # the month or the quarter

    @property
    def first_day(self):
        if self.kind == MONTHLY:
            return datetime.date(self.year, self.number, 1)
        if self.kind == QUARTERLY:
            return datetime.date(self.year, 3 * self.number - 2, 1)
        return datetime.date(self.year, 1, 1)

    @property
    def last_day(self):
        if self.kind == YEARLY or (self.kind == QUARTERLY and self.number == 4):
            return datetime.date(self.year, 12, 31)
        if self.kind == MONTHLY and self.number == 12:
            return datetime.date(self.year, 12, 31)
        step = 1 if self.kind == MONTHLY else 3
        month = (self.number if self.kind == MONTHLY else 3 * self.number - 2) + step
        return datetime.date(self.year, month, 1) - datetime.timedelta(days=1)

    @property
    def label(self):
        if self.kind == MONTHLY:
            return f"{self.year}年{self.number}月"
        if self.kind == QUARTERLY:
            return f"{self.year}年第{'一二三四'[self.number - 1]}季度"
        return f"{self.year}年"

    @property
    def slug(self):
        return f"{self.year}-{self.kind}-{self.number}"


class PeriodError(ValueError):
    pass


def parse_period(kind, year, number, today):
    """The period asked for in a query string; PeriodError with a Chinese message
    for anything else. Empty values mean the current month."""
    kind = kind or MONTHLY
    if kind not in dict(PERIOD_KINDS):
        raise PeriodError("统计周期只能是月、季度或年。")
    try:
        year = int(year) if year else today.year
        number = int(number) if number else _current_number(kind, today)
    except ValueError as error:
        raise PeriodError("年份和月份（季度）须为数字。") from error
    if not 2000 <= year <= today.year:
        raise PeriodError(f"年份须在2000年至{today.year}年之间。")
    limit = {MONTHLY: 12, QUARTERLY: 4, YEARLY: 1}[kind]
    if kind == YEARLY:
        number = 1
    if not 1 <= number <= limit:
        raise PeriodError("月份须为1至12，季度须为1至4。")
    return Period(kind, year, number)


def _current_number(kind, today):
    if kind == MONTHLY:
        return today.month
    if kind == QUARTERLY:
        return (today.month - 1) // 3 + 1
    return 1


# Counting ------------------------------------------------------------------------


def _within(queryset, units, field):
    return queryset if units is None else queryset.filter(**{f"{field}__in": units})


def _overdue_results(units, first, last, today):
    """Results due in the period and disclosed after the due date, or still open
    past it (disclosure.results' rule)."""
    late = Q(disclosed_on__gt=F("disclosure_due")) | Q(
        disclosed_on__isnull=True, disclosure_due__lt=today
    )
    results = Result.objects.order_by().filter(
        late, disclosure_due__range=(first, last)
    )
    return _within(results, units, "unit_id")


def _negative_ratings(units, first, last):
    ratings = Rating.objects.order_by().filter(
        level__in=NEGATIVE_LEVELS,
        created_at__gte=start_of_day(first),
        created_at__lt=start_of_day(last + datetime.timedelta(days=1)),
    )
    return _within(ratings, units, "unit_id")


def _reports(units, handlers, first, last):
    reports = Report.objects.order_by().filter(received_on__range=(first, last))
    if handlers is not None:
        reports = reports.filter(handler_id__in=handlers)
    return _within(reports, units, "accused_unit_id")


def _accountabilities(units, first, last):
    records = Accountability.objects.order_by().filter(decided_on__range=(first, last))
    return _within(records, units, "unit_id")


def _late_orders(units, first, last, today):
    late = Q(replied_on__gt=F("due")) | Q(
        state=SupervisionOrder.State.ISSUED, due__lt=today
    )
    orders = SupervisionOrder.objects.order_by().filter(
        late, issued_on__range=(first, last)
    )
    return _within(orders, units, "unit_id")


#: Beyond this many units an IN list costs more than it saves (PostgreSQL turns a
#: parallel scan into a bitmap scan of most of the table): the rows of every unit
#: are grouped, and those out of scope dropped in Python.
SQL_SCOPE_LIMIT = 300


def grouped_counts(units, handlers, year, today, exclude_person=""):
    """{measure: [(unit id, cadre, month, count)]} over `year`: one grouped query
    per measure, from which the period's tables and the monthly series are both
    summed.

    The cadre is the clerk who entered a late result, the handling post of a
    negatively rated result, the person reported, the person held accountable.
    """
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    sql_units = units if units is not None and len(units) <= SQL_SCOPE_LIMIT else None
    reports = _reports(sql_units, handlers, first, last)
    accountable = _accountabilities(sql_units, first, last)
    if exclude_person:
        reports = reports.exclude(accused_person=exclude_person)
        accountable = accountable.exclude(person=exclude_person)
    queries = {
        OVERDUE: (
            _overdue_results(sql_units, first, last, today),
            "disclosure_due",
            ("unit_id", "entered_by__last_name", "entered_by__first_name"),
        ),
        NEGATIVE: (
            _negative_ratings(sql_units, first, last),
            "created_at",
            ("unit_id", "handling_post"),
        ),
        REPORTS: (reports, "received_on", ("accused_unit_id", "accused_person")),
        ACCOUNTABILITY: (accountable, "decided_on", ("unit_id", "person")),
        ORDERS: (
            _late_orders(sql_units, first, last, today),
            "issued_on",
            ("unit_id",),
        ),
    }
    found = {}
    for measure, (queryset, date_field, keys) in queries.items():
        rows = (
            queryset.annotate(month=ExtractMonth(date_field))
            .values_list(*keys, "month")
            .annotate(n=Count("pk"))
        )
        found[measure] = [
            (row[0], _cadre(measure, row[1:-2]), row[-2], row[-1])
            for row in rows
            if units is None or row[0] in units
        ]
    return found


def _cadre(measure, parts):
    if measure == OVERDUE:
        last_name, first_name = parts
        return f"{last_name or ''}{first_name or ''}" or "（未记录录入人）"
    if measure == NEGATIVE:
        return f"{parts[0]}（岗位）"
    return parts[0] if parts else ""


# Tables --------------------------------------------------------------------------


@dataclass
class Row:
    key: object
    label: str
    unit_title: str = ""
    counts: dict = field(default_factory=dict)
    flags: list = field(default_factory=list)
    sort: str = ""

    def count(self, measure):
        return self.counts.get(measure, 0)

    @property
    def total(self):
        return sum(self.counts.values())

    @property
    def values(self):
        return [self.count(measure) for measure, _ in MEASURES]

    @property
    def cadre_values(self):
        return [self.count(measure) for measure in CADRE_MEASURES]


def thresholds(level, kind):
    """{measure: threshold} for `level` ("unit" or "cadre") and the period kind."""
    configured = getattr(settings, "SUPERVISION_TALK_THRESHOLDS", {}) or {}
    table = {**THRESHOLDS[level], **configured.get(level, {})}
    found = {measure: by_kind[kind] for measure, by_kind in table.items()}
    found[NEGATIVE] = RatingSettings.load().threshold(kind)
    return found


def talk_flags(counts, limits):
    """Labels of the measures at or past their threshold: 谈话提醒 is suggested."""
    return [
        f"{LABELS[measure]} {counts[measure]} 件（提醒线 {limit}）"
        for measure, limit in limits.items()
        if limit and counts.get(measure, 0) >= limit
    ]


@dataclass
class Statistics:
    period: Period
    units: list
    cadres: list
    rollup: list
    months: list
    totals: dict

    @property
    def total_values(self):
        return [self.totals[measure] for measure, _ in MEASURES]


def compute(units, handlers, period, today=None, exclude_person=""):
    """The statistics of `units` (ids; None = all) for `period`. `handlers`
    narrows reports to those handled by these 纪委s (None = all)."""
    today = today or timezone.localdate()
    by_month = grouped_counts(units, handlers, period.year, today, exclude_person)
    in_period = range(period.first_day.month, period.last_day.month + 1)
    monthly = {measure: dict.fromkeys(range(1, 13), 0) for measure, _ in MEASURES}
    grouped = {}
    for measure, rows in by_month.items():
        kept = grouped[measure] = []
        for unit_id, cadre, month, n in rows:
            monthly[measure][month] += n
            if month in in_period:
                kept.append((unit_id, cadre, n))
    ids = {unit for rows in grouped.values() for unit, _, _ in rows}
    named = {
        unit.pk: unit
        for unit in UnitPage.objects.filter(pk__in=ids)
        .select_related("supervisor")
        .only("pk", "code", "title", "path", "supervisor__title", "supervisor__path")
    }
    unit_rows, cadre_rows, rollup_rows = {}, {}, {}
    for measure, rows in grouped.items():
        for unit_id, cadre, n in rows:
            unit = named.get(unit_id)
            if unit is None:
                continue
            _add(unit_rows, unit.pk, unit.title, "", measure, n, unit.path)
            if measure in CADRE_MEASURES:
                _add(cadre_rows, (unit.pk, cadre), cadre, unit.title, measure, n)
            supervisor = unit.supervisor
            key = supervisor.pk if supervisor else 0
            title = supervisor.title if supervisor else "（无上级纪委）"
            _add(rollup_rows, key, title, "", measure, n)
    unit_limits = thresholds("unit", period.kind)
    cadre_limits = thresholds("cadre", period.kind)
    for row in unit_rows.values():
        row.flags = talk_flags(row.counts, unit_limits)
    for row in cadre_rows.values():
        row.flags = talk_flags(
            row.counts, {k: v for k, v in cadre_limits.items() if k in CADRE_MEASURES}
        )
    units_sorted = sorted(
        unit_rows.values(), key=lambda r: (-len(r.flags), -r.total, r.sort)
    )
    cadres_sorted = sorted(
        cadre_rows.values(),
        key=lambda r: (-len(r.flags), -r.total, r.unit_title, r.label),
    )
    rollup_sorted = sorted(rollup_rows.values(), key=lambda r: (-r.total, r.label))
    months = [
        Row(
            month,
            f"{month}月",
            counts={m: monthly[m].get(month, 0) for m, _ in MEASURES},
        )
        for month in range(1, 13)
    ]
    totals = {
        measure: sum(row.count(measure) for row in units_sorted)
        for measure, _ in MEASURES
    }
    return Statistics(
        period, units_sorted, cadres_sorted, rollup_sorted, months, totals
    )


def _add(table, key, label, unit_title, measure, n, sort=""):
    row = table.get(key)
    if row is None:
        row = table[key] = Row(key, label, unit_title, sort=sort)
    row.counts[measure] = row.counts.get(measure, 0) + n


# Export --------------------------------------------------------------------------


def sheets(stats):
    """(name, header, rows) for disclosure.exports.to_xlsx."""
    measures = [label for _, label in MEASURES]
    return [
        (
            "按单位",
            ("单位", *measures, "合计", "谈话提醒"),
            [
                (row.label, *row.values, row.total, "；".join(row.flags))
                for row in stats.units
            ],
        ),
        (
            "按干部岗位",
            ("单位", "干部/岗位", *measures[:4], "谈话提醒"),
            [
                (
                    row.unit_title,
                    row.label,
                    *[row.count(m) for m in CADRE_MEASURES],
                    "；".join(row.flags),
                )
                for row in stats.cadres
            ],
        ),
        (
            "按月",
            ("月份", *measures),
            [(row.label, *row.values) for row in stats.months],
        ),
        (
            "按监督纪委汇总",
            ("监督纪委", *measures, "合计"),
            [(row.label, *row.values, row.total) for row in stats.rollup],
        ),
    ]


def handler_scope(user, visible_units):
    """Report handlers whose reports count for `user`: its own 纪委s and those in
    its scope (a township 纪委 never counts reports sent over its head)."""
    if user.is_superuser:
        return None
    from . import access

    return access.own_commission_ids(user) | (visible_units or frozenset())
