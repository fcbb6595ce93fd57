"""容错纠错 (seeds 004 二(三) 容错程序) and its timers.

- 提出和受理: by the person's written application or a 纪委/department's referral;
  accepted or refused within 10 working days of receipt (告知当事人).
- 调查核实: within 30 working days of acceptance; longer only with the working
  group's agreement, so an extension needs a reason.
- 审议和认定: the decision; filed with the level above within 5 working days.
- 反馈意见: the result goes back to the applicant; where the person needs clearing,
  a public 澄清 (消除负面影响).

Deadlines count from the day after (DESIGN rule 7) and are stored with a provisional
flag; `recompute` brings them up to date after a calendar change.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from wagtail.log_actions import log

from disclosure import deadlines, pii
from disclosure.models.results import EARLIEST_DATE
from disclosure.workdays import WorkCalendar, add_working_days, format_date

from . import access
from .circumstances import TOLERANCE_LABELS
from .errors import SupervisionError
from .models import FaultTolerance

ACCEPT_WORKING_DAYS = 10
INVESTIGATE_WORKING_DAYS = 30
FILE_WORKING_DAYS = 5
State = FaultTolerance.State
Decision = FaultTolerance.Decision


def _calendar(calendar):
    if calendar is not None:
        return calendar
    from disclosure.workdays import load_calendar

    return load_calendar()


def _check_day(day, not_before, what):
    today = timezone.localdate()
    if day > today:
        raise SupervisionError(f"{what}不能晚于今天。")
    if day < max(not_before, EARLIEST_DATE):
        raise SupervisionError(
            f"{what}不能早于{format_date(max(not_before, EARLIEST_DATE))}。"
        )


def _require(user, case):
    if not access.may_act_for(user, case.commission):
        raise SupervisionError("只有承办该案件的纪委可以办理。")


def _lock(case):
    case.refresh_from_db(from_queryset=FaultTolerance.objects.select_for_update())


def _pii_check(label, text):
    findings = pii.find_personal_data(text)
    if findings:
        raise SupervisionError(pii.describe(label, findings))


@transaction.atomic
def register(
    user,
    commission,
    unit,
    person,
    post,
    origin,
    matter,
    circumstances,
    received_on,
    referred_by="",
    calendar=None,
):
    if not access.may_act_for(user, commission):
        raise SupervisionError("您不是该纪委的工作人员，不能以其名义登记。")
    if unit.pk not in access.supervised_by(commission):
        raise SupervisionError(f"{unit.title}不在{commission.title}的监督范围内。")
    unknown = [code for code in circumstances if code not in TOLERANCE_LABELS]
    if unknown or not circumstances:
        raise SupervisionError("请从所列容错情形中选择至少一项。")
    if origin == FaultTolerance.Origin.REFERRAL and not referred_by.strip():
        raise SupervisionError("报送的案件请填写报送单位。")
    _check_day(received_on, EARLIEST_DATE, "收到日期")
    deadline = add_working_days(received_on, ACCEPT_WORKING_DAYS, _calendar(calendar))
    case = FaultTolerance.objects.create(
        commission=commission,
        unit=unit,
        person=person.strip(),
        post=post.strip(),
        origin=origin,
        referred_by=referred_by.strip(),
        matter=matter.strip(),
        circumstances=list(circumstances),
        received_on=received_on,
        accept_due=deadline.due,
        accept_provisional=deadline.provisional,
        created_by=user,
    )
    log(case, "supervision.tolerance_registered", user=user)
    return case


@transaction.atomic
def accept(user, case, on, calendar=None):
    _require(user, case)
    _lock(case)
    if case.state != State.RECEIVED:
        raise SupervisionError(
            f"案件当前状态为“{case.get_state_display()}”，不能受理。"
        )
    _check_day(on, case.received_on, "受理日期")
    deadline = add_working_days(on, INVESTIGATE_WORKING_DAYS, _calendar(calendar))
    case.state = State.INVESTIGATING
    case.accepted_on = on
    case.investigation_due = deadline.due
    case.investigation_provisional = deadline.provisional
    case.save()
    log(case, "supervision.tolerance_accepted", user=user)
    return case


@transaction.atomic
def refuse(user, case, on, reason):
    _require(user, case)
    _lock(case)
    if case.state != State.RECEIVED:
        raise SupervisionError(
            f"案件当前状态为“{case.get_state_display()}”，不能作出不予受理决定。"
        )
    _check_day(on, case.received_on, "决定日期")
    if not reason.strip():
        raise SupervisionError("请填写不予受理的理由（将书面告知当事人）。")
    case.state = State.REFUSED
    case.accepted_on = on
    case.refusal_reason = reason.strip()
    case.save()
    log(case, "supervision.tolerance_refused", user=user)
    return case


@transaction.atomic
def extend(user, case, new_due, reason):
    _require(user, case)
    _lock(case)
    if case.state != State.INVESTIGATING:
        raise SupervisionError("只有调查中的案件可以延长调查期限。")
    if not reason.strip():
        raise SupervisionError("延长调查期限须写明理由（经容错调查工作小组研究同意）。")
    current = case.effective_investigation_due
    if new_due <= current:
        raise SupervisionError(
            f"延长后的期限必须晚于现在的调查期限{format_date(current)}。"
        )
    case.extended_due = new_due
    case.extension_reason = reason.strip()
    case.save()
    log(case, "supervision.tolerance_extended", user=user)
    return case


@transaction.atomic
def decide(user, case, decision, reason, on, calendar=None):
    _require(user, case)
    _lock(case)
    if case.state == State.RECEIVED:
        raise SupervisionError("案件尚未受理，不能作出认定决定；请先作出受理决定。")
    if case.state != State.INVESTIGATING:
        raise SupervisionError(
            f"案件当前状态为“{case.get_state_display()}”，不能作出认定决定。"
        )
    if decision not in Decision.values:
        raise SupervisionError("请选择认定结论。")
    if not reason.strip():
        raise SupervisionError("请填写认定意见。")
    _check_day(on, case.accepted_on, "决定日期")
    deadline = add_working_days(on, FILE_WORKING_DAYS, _calendar(calendar))
    case.state = State.DECIDED
    case.decision = decision
    case.decision_reason = reason.strip()
    case.decided_on = on
    case.filing_due = deadline.due
    case.filing_provisional = deadline.provisional
    case.save()
    log(case, "supervision.tolerance_decided", user=user)
    return case


def _require_decided(case, action):
    if case.state != State.DECIDED:
        raise SupervisionError(f"案件尚未作出认定决定，不能{action}。")


@transaction.atomic
def file_upward(user, case, on, filed_to):
    _require(user, case)
    _lock(case)
    _require_decided(case, "报备")
    if case.filed_on:
        raise SupervisionError(f"已于{format_date(case.filed_on)}报备，不能重复报备。")
    _check_day(on, case.decided_on, "报备日期")
    case.filed_on = on
    case.filed_to = filed_to.strip() or default_filed_to(case)
    case.save()
    log(case, "supervision.tolerance_filed", user=user)
    return case


def default_filed_to(case):
    above = case.commission.supervisor
    return above.title if above else "上级容错调查工作小组"


@transaction.atomic
def give_feedback(user, case, on, text):
    _require(user, case)
    _lock(case)
    _require_decided(case, "反馈")
    if not text.strip():
        raise SupervisionError("请填写反馈给申请人的意见。")
    _check_day(on, case.decided_on, "反馈日期")
    case.feedback_on = on
    case.feedback = text.strip()
    case.save()
    log(case, "supervision.tolerance_feedback", user=user)
    return case


@transaction.atomic
def clarify(user, case, text, on=None):
    """The public 澄清: only for a decided case that excused or lightened."""
    _require(user, case)
    _lock(case)
    _require_decided(case, "发布澄清")
    if case.decision == Decision.REJECTED:
        raise SupervisionError("不予容错的案件不发布澄清。")
    text = text.strip()
    if not text:
        raise SupervisionError("请填写澄清内容。")
    _pii_check("澄清正名内容", text)
    _pii_check("履职事项及问题", case.matter)
    case.clarification = text
    case.clarified_on = on or timezone.localdate()
    case.save()
    log(case, "supervision.tolerance_clarified", user=user)
    from .search import index_clarification

    index_clarification(case)
    return case


# Timers --------------------------------------------------------------------------


@dataclass(frozen=True)
class Timer:
    label: str
    start: datetime.date
    working_days: int
    due: datetime.date
    done_on: datetime.date | None
    standing: deadlines.Standing
    explanation: str
    extended_due: datetime.date | None = None


def timers(case, today, calendar: WorkCalendar):
    """The running and finished timers of a case, each able to say how its due
    date was computed."""
    result = [
        _timer(
            "受理期限",
            case.received_on,
            ACCEPT_WORKING_DAYS,
            case.accepted_on,
            today,
            calendar,
        )
    ]
    if case.accepted_on and case.state != State.REFUSED:
        timer = _timer(
            "调查期限",
            case.accepted_on,
            INVESTIGATE_WORKING_DAYS,
            case.decided_on,
            today,
            calendar,
            extended_due=case.extended_due,
        )
        result.append(timer)
    if case.decided_on:
        result.append(
            _timer(
                "报备期限",
                case.decided_on,
                FILE_WORKING_DAYS,
                case.filed_on,
                today,
                calendar,
            )
        )
    return result


def _timer(label, start, days, done_on, today, calendar, extended_due=None):
    deadline = add_working_days(start, days, calendar)
    due = extended_due or deadline.due
    explanation = deadline.explanation
    if extended_due:
        explanation += f"\n经研究同意延长至{format_date(extended_due)}。"
    return Timer(
        label=label,
        start=start,
        working_days=days,
        due=due,
        done_on=done_on,
        standing=deadlines.standing(
            due, done_on, today, calendar, deadline.provisional and not extended_due
        ),
        explanation=explanation,
        extended_due=extended_due,
    )


def recompute(calendar):
    """After a calendar change: the stored due dates of open timers follow it."""
    changed = []
    for case in FaultTolerance.objects.exclude(state=State.REFUSED):
        before = (
            case.accept_due,
            case.accept_provisional,
            case.investigation_due,
            case.investigation_provisional,
            case.filing_due,
            case.filing_provisional,
        )
        accept = add_working_days(case.received_on, ACCEPT_WORKING_DAYS, calendar)
        case.accept_due, case.accept_provisional = accept.due, accept.provisional
        if case.accepted_on:
            run = add_working_days(case.accepted_on, INVESTIGATE_WORKING_DAYS, calendar)
            case.investigation_due = run.due
            case.investigation_provisional = run.provisional
        if case.decided_on:
            filing = add_working_days(case.decided_on, FILE_WORKING_DAYS, calendar)
            case.filing_due, case.filing_provisional = filing.due, filing.provisional
        after = (
            case.accept_due,
            case.accept_provisional,
            case.investigation_due,
            case.investigation_provisional,
            case.filing_due,
            case.filing_provisional,
        )
        if after != before:
            changed.append(case)
    FaultTolerance.objects.bulk_update(
        changed,
        [
            "accept_due",
            "accept_provisional",
            "investigation_due",
            "investigation_provisional",
            "filing_due",
            "filing_provisional",
        ],
    )
    return len(changed)
