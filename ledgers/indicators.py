"""Indicators computed from the system for a year's assessment, per assessed unit
and its whole subtree (a township answers for its offices and villages).

Each is one grouped query whatever the number of units or records:
- 逾期公开: results of the year disclosed after their deadline, or still undisclosed
  past it (the lateness rule of `disclosure.results.with_states`). Not
  `overdue_by_unit`, which counts only what is open today: a year-end assessment
  also counts what was disclosed late and has since been put right.
- 负面评议: ratings of the year at 不满意 or 非常不满意.
- 督办按时回复率: 督办 orders of the year answered within their deadline, of those
  answered or already past it (`supervision.SupervisionOrder`).
- 问题整改按期完成率 and 责任报告按时报送率: from this app's own rows.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.utils import timezone

from disclosure.models import Rating, Result, UnitPage
from disclosure.models.ratings import NEGATIVE_LEVELS
from disclosure.workdays import start_of_day
from supervision.models import SupervisionOrder

from . import rectification, scoring
from .models import Indicator, Problem, WorkReport

Source = Indicator.Source
COUNTED = {Source.OVERDUE_DISCLOSURES, Source.NEGATIVE_RATINGS}
RATES = {Source.ORDERS_ON_TIME, Source.RECTIFIED_ON_TIME, Source.REPORTS_ON_TIME}


@dataclass(frozen=True)
class Value:
    """A computed figure: a count, or `done` of `total` for a rate."""

    count: int | None = None
    done: int = 0
    total: int = 0

    @property
    def text(self):
        if self.count is not None:
            return f"{self.count} 次"
        if not self.total:
            return "无应办事项"
        return f"{self.done}/{self.total}（{100 * self.done / self.total:.0f}%）"

    def score(self, deduction):
        if self.count is not None:
            return scoring.count_score(self.count, deduction)
        return scoring.rate_score(self.done, self.total)


def subtree_owner(units):
    """{unit id: assessed unit id} for every unit in the assessed units' subtrees
    (the deepest assessed ancestor wins): one query."""
    by_path = {unit.path: unit.pk for unit in units}
    condition = Q(pk__in=[])
    for unit in units:
        condition |= Q(path__startswith=unit.path)
    owner = {}
    for pk, path in UnitPage.objects.filter(condition).values_list("pk", "path"):
        prefixes = [p for p in by_path if path.startswith(p)]
        owner[pk] = by_path[max(prefixes, key=len)]
    return owner


def _grouped(queryset, owner, **aggregates):
    """Sum grouped rows by assessed unit: {assessed id: {name: value}}."""
    totals = {}
    rows = queryset.order_by().values("unit_id").annotate(**aggregates)
    for row in rows:
        target = owner.get(row.pop("unit_id"))
        if target is None:
            continue
        bucket = totals.setdefault(target, dict.fromkeys(aggregates, 0))
        for name, value in row.items():
            bucket[name] += value
    return totals


def compute(sources, units, year, today=None):
    """{source: {assessed unit id: Value}} for the computed `sources`."""
    today = today or timezone.localdate()
    owner = subtree_owner(units)
    ids = list(owner)
    found = {}
    for source in sources:
        figures = COMPUTE[source](ids, owner, year, today)
        empty = Value(count=0) if source in COUNTED else Value()
        found[source] = {unit.pk: figures.get(unit.pk, empty) for unit in units}
    return found


def _overdue_disclosures(ids, owner, year, today):
    results = Result.objects.filter(unit_id__in=ids, result_date__year=year)
    late = Q(disclosed_on__gt=F("disclosure_due")) | Q(
        disclosed_on__isnull=True, disclosure_due__lt=today
    )
    rows = _grouped(results, owner, n=Count("pk", filter=late))
    return {unit: Value(count=row["n"]) for unit, row in rows.items()}


def _negative_ratings(ids, owner, year, today):
    ratings = Rating.objects.filter(
        unit_id__in=ids,
        level__in=NEGATIVE_LEVELS,
        created_at__gte=start_of_day(datetime.date(year, 1, 1)),
        created_at__lt=start_of_day(datetime.date(year + 1, 1, 1)),
    )
    rows = _grouped(ratings, owner, n=Count("pk"))
    return {unit: Value(count=row["n"]) for unit, row in rows.items()}


def _orders_on_time(ids, owner, year, today):
    orders = SupervisionOrder.objects.filter(unit_id__in=ids, issued_on__year=year)
    answered_or_due = Q(replied_on__isnull=False) | Q(due__lt=today)
    rows = _grouped(
        orders,
        owner,
        total=Count("pk", filter=answered_or_due),
        done=Count("pk", filter=Q(replied_on__lte=F("due"))),
    )
    return {u: Value(done=r["done"], total=r["total"]) for u, r in rows.items()}


def _rectified_on_time(ids, owner, year, today):
    problems = Problem.objects.filter(unit_id__in=ids, year=year, due__isnull=False)
    accepted = Q(state=rectification.ACCEPTED)
    rows = _grouped(
        problems,
        owner,
        total=Count("pk", filter=accepted | Q(due__lt=today)),
        done=Count("pk", filter=accepted & Q(submitted_on__lte=F("due"))),
    )
    return {u: Value(done=r["done"], total=r["total"]) for u, r in rows.items()}


def _reports_on_time(ids, owner, year, today):
    reports = WorkReport.objects.filter(unit_id__in=ids, year=year)
    rows = _grouped(
        reports,
        owner,
        total=Count("pk", filter=Q(submitted_on__isnull=False) | Q(due__lt=today)),
        done=Count("pk", filter=Q(submitted_on__lte=F("due"))),
    )
    return {u: Value(done=r["done"], total=r["total"]) for u, r in rows.items()}


COMPUTE = {
    Source.OVERDUE_DISCLOSURES: _overdue_disclosures,
    Source.NEGATIVE_RATINGS: _negative_ratings,
    Source.ORDERS_ON_TIME: _orders_on_time,
    Source.RECTIFIED_ON_TIME: _rectified_on_time,
    Source.REPORTS_ON_TIME: _reports_on_time,
}


def unit_statistics(unit, year, today=None):
    """The figures a 约谈 may cite for one unit (its subtree): overdue disclosures,
    negative ratings and reports received."""
    from complaints.models import Report

    found = compute(
        [Source.OVERDUE_DISCLOSURES, Source.NEGATIVE_RATINGS], [unit], year, today
    )
    reports = Report.objects.filter(
        accused_unit__path__startswith=unit.path, received_on__year=year
    ).count()
    return {
        "disclosure": f"{year}年逾期公开 {found[Source.OVERDUE_DISCLOSURES][unit.pk].count} 次",
        "ratings": f"{year}年负面评议 {found[Source.NEGATIVE_RATINGS][unit.pk].count} 条",
        "reports": f"{year}年收到信访举报 {reports} 件",
    }
