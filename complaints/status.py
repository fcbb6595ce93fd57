"""What a reporter may read about their report (DESIGN rule 6).

Only what the 纪委 wrote for the reporter (`public_message`) and the outward state
are shown — never internal notes, the names of staff, or who else was involved.
A transferred report says so and to which 纪委. A real-name reporter reads the
result; an anonymous one reads that the result was announced, and within which
scope (the text itself only when the announcement was public).
"""

from dataclasses import dataclass

from django.utils import timezone

from disclosure.workdays import format_date

from .models import Report, ReportEvent

STATE_NOTES = {
    Report.State.PENDING: "举报已收到，纪委将在规定时限内决定是否受理。",
    Report.State.ACCEPTED: "纪委已受理您的举报。",
    Report.State.REJECTED: "纪委决定不予受理，理由见下方答复。",
    Report.State.TRANSFERRED: "您的举报已按管理权限移送其他纪委办理。",
    Report.State.INVESTIGATING: "纪委正在核查您反映的问题。",
    Report.State.CLOSED: "您的举报已办结。",
}


@dataclass(frozen=True)
class Entry:
    date: str
    title: str
    message: str
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class PublicView:
    report: Report
    state: str
    note: str
    handler: str
    received: str
    deadline: str
    result: str
    announcement: str
    entries: list[Entry]


def public_view(report: Report) -> PublicView:
    events = report.events.prefetch_related("attachments").select_related("to_unit")
    entries = []
    for event in events:
        if event.kind == ReportEvent.Kind.SUPPLEMENT:
            files = tuple(a.name for a in event.attachments.all())
            entries.append(
                Entry(_day(event), "您补充的材料", event.text or "（仅附件）", files)
            )
        elif event.public_message:
            entries.append(
                Entry(_day(event), event.get_kind_display(), event.public_message)
            )
    state = report.get_state_display()
    if report.state == Report.State.TRANSFERRED:
        state = f"已移送（{report.handler.title}）"
    deadline = ""
    if report.state in (Report.State.PENDING, Report.State.TRANSFERRED):
        deadline = format_date(report.acknowledge_due)
        if report.due_provisional:
            deadline += "（暂定：该年节假日安排尚未公布）"
    return PublicView(
        report=report,
        state=state,
        note=STATE_NOTES[Report.State(report.state)],
        handler=report.handler.title,
        received=format_date(report.received_on),
        deadline=deadline,
        result=report.result
        if report.state == Report.State.CLOSED and not report.anonymous
        else "",
        announcement=_announcement(report),
        entries=entries,
    )


def public_announcement(report):
    """What an anonymous reporter reads: the text only when it was made public."""
    if report.announcement_scope == Report.Announcement.PUBLIC:
        return f"核查结果已公开通报：{report.announcement}"
    return f"核查结果已{report.get_announcement_scope_display()}。"


def _announcement(report):
    if not (report.anonymous and report.state == Report.State.CLOSED):
        return ""
    return public_announcement(report)


def _day(event):
    return format_date(timezone.localtime(event.created_at).date())
