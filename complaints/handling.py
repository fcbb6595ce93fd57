"""What a 纪委 does with a report, and who may (DESIGN rules 6 and 9).

Only members of the handling 纪委's 纪委 group see a report — not site admins, not
the unit's own staff, not the 纪委s above or below. Among them, whoever holds a role
in the accused unit or bears the accused's name never sees it (routing.recused).

Every step is one transaction that writes the state, a history event (with what the
reporter may read) and an entry in Wagtail's audit log; reading the reporter's
identity or downloading an attachment is audited too.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from wagtail.log_actions import log

from disclosure.models import UnitGroup, UnitPage
from disclosure.staff import units_of
from disclosure.workdays import due_date

from . import intake, routing
from .models import Report, ReportEvent
from .status import public_announcement

State = Report.State
COMMISSION = UnitGroup.Role.COMMISSION

#: state → the states a 纪委 may move it to.
TRANSITIONS = {
    State.PENDING: (State.ACCEPTED, State.REJECTED, State.TRANSFERRED),
    State.TRANSFERRED: (State.ACCEPTED, State.REJECTED, State.TRANSFERRED),
    State.ACCEPTED: (State.INVESTIGATING, State.CLOSED, State.TRANSFERRED),
    State.INVESTIGATING: (State.CLOSED,),
    State.REJECTED: (),
    State.CLOSED: (),
}
AWAITING = (State.PENDING, State.TRANSFERRED)


class HandlingError(ValueError):
    """A step that cannot be taken now; the message is for the 纪委 staff."""


def display_name(user):
    return f"{user.last_name}{user.first_name}".strip()


def commissions_of(user):
    if not (user.is_authenticated and user.is_active):
        return UnitPage.objects.none()
    return units_of(user, [COMMISSION])


def is_handler(user):
    return commissions_of(user).exists()


def visible_reports(user):
    """Reports this user may see: their 纪委's, minus those they are recused from."""
    commissions = commissions_of(user)
    reports = Report.objects.filter(handler__in=commissions)
    own_units = units_of(user).values("pk")
    reports = reports.exclude(accused_unit__in=own_units)
    name = display_name(user)
    if name:
        reports = reports.exclude(
            Q(accused_person=name)
            | Q(accused_person__startswith=name + "（")
            | Q(accused_person__startswith=name + "(")
        )
    return reports


def can_view(user, report):
    if not commissions_of(user).filter(pk=report.handler_id).exists():
        return False
    member = routing.Staff(
        user.pk,
        display_name(user),
        frozenset(units_of(user).values_list("code", flat=True)),
    )
    return not routing.recused(
        [member], report.accused_unit.code, report.accused_person
    )


def require(user, report):
    if not can_view(user, report):
        raise PermissionDenied("无权查看该举报")


def overdue_flags(report, today=None):
    """The timers a report is past (Chinese labels for the admin)."""
    today = today or timezone.localdate()
    flags = []
    if report.state in AWAITING:
        if today > report.acknowledge_due:
            flags.append("逾期未受理")
        elif today > report.transfer_due:
            flags.append("已过移送时限")
    return flags


def _event(report, kind, user, **fields):
    return ReportEvent.objects.create(report=report, kind=kind, actor=user, **fields)


def _audit(report, action, user, **data):
    log(report, action, user=user, data=data or None)


def _lock(report):
    """Re-read the report under a row lock: two staff acting at once take turns,
    and the second sees the state the first left."""
    report.refresh_from_db(from_queryset=Report.objects.select_for_update())


def _move(report, user, target):
    require(user, report)
    _lock(report)
    if target not in TRANSITIONS[State(report.state)]:
        raise HandlingError(
            f"当前状态为“{report.get_state_display()}”，不能改为"
            f"“{State(target).label}”。"
        )


@transaction.atomic
def accept(report, user, category="", message=""):
    _move(report, user, State.ACCEPTED)
    report.state = State.ACCEPTED
    report.category = category or report.category
    report.acknowledged_on = timezone.localdate()
    report.save()
    _event(
        report,
        ReportEvent.Kind.ACCEPTED,
        user,
        public_message=message or "您的举报已受理。",
    )
    _audit(report, "complaints.accepted", user)


@transaction.atomic
def reject(report, user, reason, message):
    if not (reason.strip() and message.strip()):
        raise HandlingError("不予受理须填写理由和告知举报人的说明。")
    _move(report, user, State.REJECTED)
    report.state = State.REJECTED
    report.acknowledged_on = timezone.localdate()
    report.save()
    _event(
        report,
        ReportEvent.Kind.REJECTED,
        user,
        public_message=message,
        note=reason,
    )
    _audit(report, "complaints.rejected", user)


@transaction.atomic
def transfer(report, user, to_unit, reason, message=""):
    """移送 to another 纪委 按管理权限: it gets the report with fresh timers."""
    if not reason.strip():
        raise HandlingError("移送须填写理由。")
    if not to_unit.is_commission:
        raise HandlingError("只能移送给纪委。")
    if to_unit.pk == report.handler_id:
        raise HandlingError("不能移送给本纪委。")
    _move(report, user, State.TRANSFERRED)
    _hand_over(
        report,
        user,
        to_unit,
        reason,
        message or f"您的举报已按管理权限移送{to_unit.title}办理。",
    )
    _audit(report, "complaints.transferred", user, to=to_unit.code)


def _hand_over(report, user, to_unit, reason, message):
    today = timezone.localdate()
    from_unit = report.handler
    late = today > report.transfer_due
    report.state = State.TRANSFERRED
    report.handler = to_unit
    report.acknowledged_on = today
    intake.apply_deadlines(report, today)
    report.save()
    note = reason + ("（超过移送时限）" if late else "")
    _event(
        report,
        ReportEvent.Kind.TRANSFERRED,
        user,
        public_message=message,
        note=note,
        from_unit=from_unit,
        to_unit=to_unit,
    )


@transaction.atomic
def investigate(report, user, note=""):
    _move(report, user, State.INVESTIGATING)
    report.state = State.INVESTIGATING
    report.save()
    _event(
        report,
        ReportEvent.Kind.INVESTIGATING,
        user,
        public_message="您的举报正在核查中。",
        note=note,
    )
    _audit(report, "complaints.investigating", user)


@transaction.atomic
def close(report, user, result, scope="", announcement=""):
    """办结. Real-name: the result goes back to the reporter (status page).
    Anonymous: the result is announced within a chosen scope, which is recorded."""
    if not result.strip():
        raise HandlingError("办结须填写办理结果。")
    if report.anonymous and not (scope and announcement.strip()):
        raise HandlingError("匿名举报办结时须选择通报范围并填写通报内容。")
    _move(report, user, State.CLOSED)
    today = timezone.localdate()
    report.state = State.CLOSED
    report.closed_on = today
    report.result = result
    if report.anonymous:
        report.announcement_scope = scope
        report.announcement = announcement
        report.announced_on = today
    report.save()
    _event(
        report,
        ReportEvent.Kind.CLOSED,
        user,
        public_message=result if not report.anonymous else "您的举报已办结。",
    )
    if report.anonymous:
        _event(
            report,
            ReportEvent.Kind.ANNOUNCED,
            user,
            public_message=public_announcement(report),
            note=f"通报范围：{report.get_announcement_scope_display()}",
        )
    _audit(report, "complaints.closed", user, scope=scope or "feedback")


@transaction.atomic
def reply(report, user, message):
    if not message.strip():
        raise HandlingError("请填写答复内容。")
    require(user, report)
    _event(report, ReportEvent.Kind.MESSAGE, user, public_message=message)
    _audit(report, "complaints.replied", user)


@transaction.atomic
def mark_principal(report, user, reason):
    """The receiving 纪委 recognises the accused as the unit's principal leader:
    the report is routed again, and goes up if that is where it belongs."""
    require(user, report)
    _lock(report)
    if report.state not in AWAITING + (State.ACCEPTED, State.INVESTIGATING):
        raise HandlingError("已办结或不予受理的举报不能再改变分办。")
    if not reason.strip():
        raise HandlingError("请说明认定为主要负责人的依据。")
    route = intake.route_for(report.accused_unit, report.accused_post, marked=True)
    report.principal = True
    report.principal_marked = True
    report.escalation_missing = route.escalation_missing
    report.routing_reason = route.reason
    report.save()
    _event(report, ReportEvent.Kind.PRINCIPAL, user, note=reason)
    _audit(report, "complaints.marked_principal", user)
    if route.handler and route.handler != report.handler.code:
        target = UnitPage.objects.get(code=route.handler)
        _hand_over(
            report,
            user,
            target,
            f"认定被举报人为单位主要负责人，按规定报{target.title}办理：{reason}",
            f"您的举报已按规定移送{target.title}办理。",
        )
        _audit(report, "complaints.transferred", user, to=target.code)
        return target
    return None


def reveal_identity(report, user):
    """The real-name reporter's identity, for this user, written to the audit log."""
    require(user, report)
    if report.anonymous:
        return None
    identity = report.read_identity()
    _audit(report, "complaints.identity_viewed", user)
    return identity


def open_attachment(report, attachment, user):
    require(user, report)
    if attachment.report_id != report.pk:
        raise PermissionDenied("附件不属于该举报")
    _audit(report, "complaints.attachment_downloaded", user, attachment=attachment.pk)
    return attachment.file.open("rb")


def refresh_deadlines(today=None):
    """Recompute provisional deadlines once a year's calendar is known; returns how
    many reports changed. Run daily (check_report_deadlines)."""
    changed = 0
    for report in Report.objects.filter(due_provisional=True, state__in=AWAITING):
        acknowledge = due_date(
            report.received_on, settings.REPORT_ACKNOWLEDGE_WORKING_DAYS
        )
        transfer_ = due_date(report.received_on, settings.REPORT_TRANSFER_WORKING_DAYS)
        provisional = acknowledge.provisional or transfer_.provisional
        values = (acknowledge.due, transfer_.due, provisional)
        if values != (
            report.acknowledge_due,
            report.transfer_due,
            report.due_provisional,
        ):
            report.acknowledge_due, report.transfer_due = values[:2]
            report.due_provisional = provisional
            report.save(
                update_fields=["acknowledge_due", "transfer_due", "due_provisional"]
            )
            changed += 1
    return changed
