"""一事一公开 results in bulk: where each deadline stands, set-based, and keeping the
stored due dates true to the working calendar.

Dashboards, the reminder command and the public lists read deadline states from one
SQL expression over the stored due dates (`with_states`), so a scan over a million
records is one indexed query rather than a Python loop.
"""

from django.db import transaction
from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.utils import timezone

from . import deadlines
from .models import Objection, Result
from .workdays import WorkCalendar, load_calendar

BATCH = 2000


def with_states(results, today, calendar: WorkCalendar):
    """Annotate `disclosure_state` (按时 / 即将到期 / 逾期) and `entry_state`."""
    soon = deadlines.due_soon_limit(today, calendar)
    return results.annotate(
        disclosure_state=Case(
            When(
                disclosed_on__isnull=False,
                disclosed_on__gt=F("disclosure_due"),
                then=Value(deadlines.OVERDUE),
            ),
            When(disclosed_on__isnull=False, then=Value(deadlines.ON_TIME)),
            When(disclosure_due__lt=today, then=Value(deadlines.OVERDUE)),
            When(disclosure_due__lte=soon, then=Value(deadlines.DUE_SOON)),
            default=Value(deadlines.ON_TIME),
            output_field=CharField(),
        ),
        entry_state=Case(
            When(entered_on__gt=F("entry_due"), then=Value(deadlines.OVERDUE)),
            default=Value(deadlines.ON_TIME),
            output_field=CharField(),
        ),
    )


def published_results():
    """Results the public may see wherever their unit is public: live, of a live
    and disclosed item (the unit check is the caller's — pages filter public
    units, the search index builds from public units only)."""
    return Result.objects.filter(live=True, item__live=True, item__disclosed=True)


def open_overdue(today=None):
    """Results not yet disclosed whose disclosure deadline has passed."""
    today = today or timezone.localdate()
    return Result.objects.filter(disclosed_on__isnull=True, disclosure_due__lt=today)


def overdue_by_unit(today=None, calendar=None):
    """{unit id: (overdue, due soon)} of open disclosures: one grouped query."""
    today = today or timezone.localdate()
    soon = deadlines.due_soon_limit(today, calendar or load_calendar())
    rows = (
        Result.objects.filter(disclosed_on__isnull=True, disclosure_due__lte=soon)
        .values("unit_id")
        .annotate(
            overdue=Count("pk", filter=Q(disclosure_due__lt=today)),
            soon=Count("pk", filter=Q(disclosure_due__gte=today)),
        )
    )
    return {row["unit_id"]: (row["overdue"], row["soon"]) for row in rows}


def mark_disclosed(result, on=None):
    """Publication fixes the disclosure date (once) and the end of the 公示 period;
    written with an UPDATE so that no revision is created for a system field."""
    if not result.mark_disclosed(on or timezone.localdate()):
        return False
    Result.objects.filter(pk=result.pk).update(
        disclosed_on=result.disclosed_on, publicity_ends=result.publicity_ends
    )
    return True


def recompute_deadlines(calendar=None):
    """After a calendar change: recompute the due dates that can still change
    something — open disclosures, provisional ones, and open objection answers.

    Returns the number of records whose dates moved.
    """
    calendar = calendar or load_calendar()
    changed = 0
    open_results = Result.objects.filter(
        Q(disclosed_on__isnull=True)
        | Q(entry_provisional=True)
        | Q(disclosure_provisional=True)
    ).only(
        "pk",
        "act_date",
        "result_date",
        "entry_due",
        "entry_provisional",
        "disclosure_due",
        "disclosure_provisional",
    )
    fields = [
        "entry_due",
        "entry_provisional",
        "disclosure_due",
        "disclosure_provisional",
    ]
    batch = []
    for result in open_results.order_by("pk").iterator(chunk_size=BATCH):
        before = tuple(getattr(result, name) for name in fields)
        result.compute_deadlines(calendar)
        if tuple(getattr(result, name) for name in fields) != before:
            batch.append(result)
        if len(batch) >= BATCH:
            changed += _bulk_update(Result, batch, fields)
            batch = []
    changed += _bulk_update(Result, batch, fields)
    changed += _recompute_objections(calendar)
    return changed


def _recompute_objections(calendar):
    from .workdays import add_working_days

    batch = []
    for objection in Objection.objects.filter(answered_at__isnull=True).iterator():
        created = timezone.localdate(objection.created_at)
        deadline = add_working_days(created, objection_working_days(), calendar)
        if (deadline.due, deadline.provisional) != (
            objection.answer_due,
            objection.answer_provisional,
        ):
            objection.answer_due = deadline.due
            objection.answer_provisional = deadline.provisional
            batch.append(objection)
    return _bulk_update(Objection, batch, ["answer_due", "answer_provisional"])


def _bulk_update(model, objects, fields):
    if not objects:
        return 0
    with transaction.atomic():
        model.objects.bulk_update(objects, fields, batch_size=BATCH)
    return len(objects)


def objection_working_days():
    from django.conf import settings

    return settings.SUNLIGHT_OBJECTION_ANSWER_WORKING_DAYS


def raise_objection(result, content, today=None):
    """Store an objection with its answer deadline; the caller has checked that
    the 公示 period is running."""
    from .workdays import due_date

    today = today or timezone.localdate()
    deadline = due_date(today, objection_working_days())
    return Objection.objects.create(
        result=result,
        content=content,
        answer_due=deadline.due,
        answer_provisional=deadline.provisional,
    )
