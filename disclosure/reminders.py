"""Reminders of open deadlines (`manage.py check_deadlines`, run daily by cron or a
systemd timer; see docs/deployment.md).

Who hears what: a result still undisclosed near or past its deadline goes to the
clerk who entered it and the unit head; once overdue also to the supervising 纪委
(seeds 000 监督问责办法). An objection to a 公示 goes at once to the unit's clerks
and head and to its 纪委, and again when its answer is due or overdue.

Other apps add their deadlines through `register_source` (the 两个责任 ledgers'
reports and rectifications): a source yields Candidates like the ones below and
the same notices, recipients and mail apply.

Each (record, stage, person) is noted once in DeadlineNotice — a unique row — so a
second run the same day, or a run racing another, sends nothing twice. Candidates
come from indexed, set-based queries on the stored due dates; only the open records
near a deadline are ever loaded.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from django_tasks import TaskResultStatus, task

from . import deadlines
from .models import DeadlineNotice, Objection, Result, UnitGroup, UnitPage
from .workdays import format_date, load_calendar

logger = logging.getLogger(__name__)
Role = UnitGroup.Role
Kind = DeadlineNotice.Kind
Stage = DeadlineNotice.Stage


@dataclass
class Summary:
    overdue: int = 0
    due_soon: int = 0
    objections_open: int = 0
    notices: int = 0
    emails: int = 0
    failed: list = field(default_factory=list)
    #: {label: count} reported by the registered sources.
    other: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Candidate:
    kind: str
    object_id: int
    stage: str
    unit_id: int
    due: object
    subject: str
    url: str
    clerk_id: int | None = None


#: Callables `source(today, soon, summary)` yielding Candidates (register_source).
_sources = []


def register_source(source):
    """Add a source of deadlines to `check_deadlines` (once, from an AppConfig)."""
    if source not in _sources:
        _sources.append(source)


def check_deadlines(today=None):
    """Find what is due soon or overdue, note and send the reminders not yet sent."""
    today = today or timezone.localdate()
    calendar = load_calendar()
    soon = deadlines.due_soon_limit(today, calendar)
    summary = Summary()
    candidates = list(_result_candidates(today, soon, summary))
    candidates += _objection_candidates(today, soon, summary)
    candidates += _rating_candidates(today, soon, summary)
    for source in _sources:
        candidates += list(source(today, soon, summary))
    summary.notices = _record(_notices(candidates))
    summary.emails, summary.failed = send_pending()
    return summary


def _edit_url(view_name):
    """The admin address pattern of `view_name`, filled per row without reversing
    each time (reverse() per row was most of a scan over ten thousand records)."""
    marker = "0000"
    template = reverse(view_name, args=[marker])
    return lambda pk: template.replace(marker, str(pk))


def _result_candidates(today, soon, summary):
    rows = (
        Result.objects.filter(disclosed_on__isnull=True, disclosure_due__lte=soon)
        .values_list("pk", "unit_id", "title", "disclosure_due", "entered_by_id")
        .order_by("disclosure_due", "pk")
    )
    edit_url = _edit_url("wagtailsnippets_disclosure_result:edit")
    for pk, unit_id, title, due, clerk_id in rows.iterator(chunk_size=2000):
        overdue = due < today
        summary.overdue += overdue
        summary.due_soon += not overdue
        stage = Stage.OVERDUE if overdue else Stage.DUE_SOON
        yield Candidate(
            Kind.DISCLOSURE,
            pk,
            stage,
            unit_id,
            due,
            f"一事一公开“{title}”{'已逾期未公开' if overdue else '即将到期'}"
            f"（公开期限 {format_date(due)}）",
            edit_url(pk),
            clerk_id,
        )


def due_candidates(rows, kind, today, url_of, subject, deadline):
    """One Candidate per row of (pk, unit id, label, due) that is due soon or overdue:
    `subject(label, overdue)` says what is late, then the `deadline` and its date."""
    found = []
    for pk, unit_id, label, due in rows.iterator(chunk_size=2000):
        overdue = due < today
        found.append(
            Candidate(
                kind,
                pk,
                Stage.OVERDUE if overdue else Stage.DUE_SOON,
                unit_id,
                due,
                f"{subject(label, overdue)}（{deadline} {format_date(due)}）",
                url_of(pk),
            )
        )
    return found


def _objection_candidates(today, soon, summary):
    rows = (
        Objection.objects.filter(answered_at__isnull=True, answer_due__lte=soon)
        .values_list("pk", "result__unit_id", "result__title", "answer_due")
        .order_by("answer_due", "pk")
    )
    found = due_candidates(
        rows,
        Kind.OBJECTION,
        today,
        _edit_url("disclosure_objections:edit"),
        lambda title, overdue: (
            f"对“{title}”的公示异议" + ("已逾期未答复" if overdue else "即将到期")
        ),
        "答复期限",
    )
    summary.objections_open += len(found)
    return found


def _rating_candidates(today, soon, summary):
    """Negative ratings whose comment the unit has not answered: like the results,
    the clerks and head when due soon, the 纪委 as well once overdue."""
    from .ratings import open_follow_ups

    rows = (
        open_follow_ups()
        .filter(reply_due__lte=soon)
        .values_list("pk", "unit_id", "result__title", "reply_due")
        .order_by("reply_due", "pk")
    )
    found = due_candidates(
        rows,
        Kind.RATING,
        today,
        _edit_url("disclosure_ratings:edit"),
        lambda title, overdue: (
            f"对“{title}”的不满意评议" + ("已逾期未回复" if overdue else "即将到期")
        ),
        "回复期限",
    )
    summary.other["待回复的不满意评议"] = len(found)
    return found


def _recipients(unit_ids):
    """{unit id: {role: [user ids]}} for the units and, under the 纪委 role, the
    members of each unit's supervising 纪委: two queries whatever the count."""
    if not unit_ids:
        return {}
    supervisors = dict(
        UnitPage.objects.filter(pk__in=unit_ids).values_list("pk", "supervisor_id")
    )
    memberships = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(groups__unit_role__unit_id__in=unit_ids)
            | Q(
                groups__unit_role__unit_id__in=set(supervisors.values()) - {None},
                groups__unit_role__role=Role.COMMISSION,
            )
        )
        .values_list("pk", "groups__unit_role__unit_id", "groups__unit_role__role")
    )
    by_unit = defaultdict(lambda: defaultdict(list))
    for user_id, unit_id, role in memberships:
        by_unit[unit_id][role].append(user_id)
    found = {}
    for unit_id in unit_ids:
        roles = dict(by_unit.get(unit_id, {}))
        roles["supervisor"] = by_unit.get(supervisors.get(unit_id), {}).get(
            Role.COMMISSION, []
        )
        found[unit_id] = roles
    return found


def _people(candidate, recipients):
    """The clerk who entered it (while still a clerk of the unit, else the unit's
    clerks) and the unit head; the 纪委 once overdue, and for every objection."""
    roles = recipients.get(candidate.unit_id, {})
    unit_clerks = roles.get(Role.CLERK, [])
    clerks = [candidate.clerk_id] if candidate.clerk_id in unit_clerks else unit_clerks
    people = {*clerks, *roles.get(Role.HEAD, [])}
    if candidate.stage == Stage.OVERDUE or candidate.kind == Kind.OBJECTION:
        people |= set(roles.get("supervisor", []))
    if candidate.kind == Kind.OBJECTION and candidate.stage == Stage.NEW:
        people |= set(roles.get(Role.CLERK, []))
    return sorted(people)


def _notices(candidates):
    """One unsaved notice per candidate and person to tell."""
    recipients = _recipients({c.unit_id for c in candidates})
    return [
        DeadlineNotice(
            kind=c.kind,
            object_id=c.object_id,
            stage=c.stage,
            recipient_id=user_id,
            due=c.due,
            subject=c.subject,
            url=c.url,
        )
        for c in candidates
        for user_id in _people(c, recipients)
    ]


def _record(notices):
    """Insert the notices not yet recorded and return how many were new. The
    existing ones are read first (through the unique index), so a daily run over
    thousands of open records writes only what changed; the unique constraint
    still settles a race between two runs."""
    if not notices:
        return 0
    seen = set()
    by_kind = defaultdict(set)
    for notice in notices:
        by_kind[notice.kind].add(notice.object_id)
    for kind, object_ids in by_kind.items():
        ids = sorted(object_ids)
        for start in range(0, len(ids), 2000):
            seen.update(
                DeadlineNotice.objects.filter(
                    kind=kind, object_id__in=ids[start : start + 2000]
                ).values_list("kind", "object_id", "stage", "recipient_id")
            )
    new = [
        n for n in notices if (n.kind, n.object_id, n.stage, n.recipient_id) not in seen
    ]
    DeadlineNotice.objects.bulk_create(new, ignore_conflicts=True, batch_size=2000)
    return len(new)


def notify_new_objection(objection):
    """An objection reaches the unit and its 纪委 at once (DESIGN rule 10)."""
    result = objection.result
    candidate = Candidate(
        Kind.OBJECTION,
        objection.pk,
        Stage.NEW,
        result.unit_id,
        objection.answer_due,
        f"收到对“{result.title}”的公示异议，请在 {format_date(objection.answer_due)} 前答复",
        reverse("disclosure_objections:edit", args=[objection.pk]),
    )
    return _record(_notices([candidate])) and send_pending(
        kind=Kind.OBJECTION, object_id=objection.pk
    )


def send_pending(**only):
    """E-mail each person their notices not yet e-mailed, in one message.

    A notice is claimed (emailed=True) before sending, so two runs never send it
    twice; if the mail server refuses, the claim is released for the next run.
    """
    pending = defaultdict(list)
    rows = DeadlineNotice.objects.filter(emailed=False, **only).select_related(
        "recipient"
    )
    for notice in rows.order_by("recipient_id", "due", "pk"):
        pending[notice.recipient].append(notice)
    sent, failed = 0, []
    for user, notices in pending.items():
        ids = [n.pk for n in notices]
        claimed = DeadlineNotice.objects.filter(pk__in=ids, emailed=False).update(
            emailed=True
        )
        if not claimed:
            continue
        if not user.email:
            continue
        try:
            outcome = send_digest.enqueue(user.email, _digest(user, notices))
            error = (
                outcome.errors[-1].exception_class_path
                if outcome.status == TaskResultStatus.FAILED
                else None
            )
        except Exception as raised:  # noqa: BLE001 - any mail failure is retried
            error = str(raised)
        if error:
            DeadlineNotice.objects.filter(pk__in=ids).update(emailed=False)
            failed.append(f"{user.get_username()}：{error}")
            logger.warning("deadline reminder to user %s not sent: %s", user.pk, error)
        else:
            sent += 1
    return sent, failed


def _digest(user, notices):
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    lines = [f"{user.get_full_name() or user.get_username()}，您好：", ""]
    lines += [
        f"· {n.get_stage_display()}：{n.subject}\n  {base}{n.url}" for n in notices
    ]
    lines += ["", "此邮件由阳光权力平台按工作日期限自动发送，请勿回复。"]
    return "\n".join(lines)


@task()
def send_digest(address, body):
    send_mail(
        subject="【阳光权力】到期提醒",
        message=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[address],
    )
