"""The ledgers' deadlines in `check_deadlines` (registered in LedgersConfig.ready):
reports owed to the level above and rectifications, due soon or overdue. The
unit's 录入员 and 主要领导 hear of them; once overdue, the supervising 纪委 too.
A unit nobody holds a role in is kept by the unit above it (`_keepers`)."""

from dataclasses import replace

from disclosure.models import DeadlineNotice, UnitGroup, UnitPage
from disclosure.reminders import Candidate, _edit_url, due_candidates
from disclosure.workdays import format_date

from . import rectification
from .models import Problem, WorkReport

Kind = DeadlineNotice.Kind
Stage = DeadlineNotice.Stage
OPEN_RECTIFICATION = (rectification.PLANNED, rectification.RETURNED)


def ledger_candidates(today, soon, summary):
    _ensure_current_reports(today)
    reports = list(_report_candidates(today, soon))
    problems = list(_problem_candidates(today, soon))
    summary.other["未报送的责任报告"] = len(reports)
    summary.other["未完成的问题整改"] = len(problems)
    keepers = _keepers({c.unit_id for c in reports + problems})
    return [
        replace(c, unit_id=keepers.get(c.unit_id, c.unit_id))
        for c in reports + problems
    ]


def _keepers(unit_ids):
    """{unit id: the unit whose staff hear of it}: the unit itself when anyone
    holds a role there, else the unit it sits under — a township's 党委 is often
    kept by the township's staff (its 主要领导 is the 党委书记). Two queries."""
    if not unit_ids:
        return {}
    staffed = set(
        UnitGroup.objects.filter(
            unit_id__in=unit_ids, group__user__isnull=False
        ).values_list("unit_id", flat=True)
    )
    lonely = dict(
        UnitPage.objects.filter(pk__in=unit_ids - staffed).values_list("pk", "path")
    )
    step = UnitPage.steplen
    parents = dict(
        UnitPage.objects.filter(
            path__in={path[:-step] for path in lonely.values()}
        ).values_list("path", "pk")
    )
    return {pk: parents.get(path[:-step], pk) for pk, path in lonely.items()}


def _ensure_current_reports(today):
    """Last year's reports fall due in January, this year's through the year."""
    from .services import ensure_reports, reporting_units

    for year in (today.year - 1, today.year):
        ensure_reports(year, reporting_units(year))


def _report_candidates(today, soon):
    rows = (
        WorkReport.objects.filter(submitted_on__isnull=True, due__lte=soon)
        .values_list("pk", "unit_id", "kind", "year", "period", "due")
        .order_by("due", "pk")
    )
    url = _edit_url("ledgers_report")
    for pk, unit_id, kind, year, period, due in rows.iterator(chunk_size=2000):
        overdue = due < today
        title = WorkReport(kind=kind, year=year, period=period).period_info.title
        yield Candidate(
            Kind.WORK_REPORT,
            pk,
            Stage.OVERDUE if overdue else Stage.DUE_SOON,
            unit_id,
            due,
            f"{title}{'已逾期未报送' if overdue else '即将到期'}（报送期限 {format_date(due)}）",
            url(pk),
        )


def _problem_candidates(today, soon):
    rows = (
        Problem.objects.filter(state__in=OPEN_RECTIFICATION, due__lte=soon)
        .values_list("pk", "unit_id", "description", "due")
        .order_by("due", "pk")
    )
    return due_candidates(
        rows,
        Kind.RECTIFICATION,
        today,
        _edit_url("ledgers_problem"),
        lambda description, overdue: (
            f"问题“{description[:30]}”的整改" + ("已逾期" if overdue else "即将到期")
        ),
        "整改期限",
    )
