"""Storing a new report: routed, timed, complete or not at all (DESIGN rules 6, 8, 11).

Online submissions and reports staff register from a letter, call or visit go
through `file_report`, so both follow the same routing, timers and protection. The
whole report — row, history and attachments — is written in one transaction; files
written before a failed commit are removed again. A form's one-time token is stored
as a digest: the same form sent twice (a double click, a retry after a timeout)
finds the report it already created instead of storing a second one.
"""

import contextlib
import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from disclosure.models import UnitPage
from disclosure.workdays import due_date
from sunlight import pagecache

from . import access, routing
from .attachments import CleanFile
from .models import Report, ReportAttachment, ReportEvent

CODE_ATTEMPTS = 5


class IntakeError(ValueError):
    """The report cannot be taken as given; the message is for the reporter."""


@dataclass
class Submission:
    accused_person: str
    accused_post: str
    accused_unit: UnitPage
    content: str
    password: str
    anonymous: bool = True
    name: str = ""
    id_number: str = ""
    phone: str = ""
    files: list[CleanFile] = field(default_factory=list)
    channel: str = Report.Channel.ONLINE
    received_on: object = None
    token: str = ""
    registered_by: object = None


@dataclass(frozen=True)
class Filed:
    report: Report
    repeated: bool = False


def unit_records():
    """The unit tree as routing.Unit records: read in one query, then kept per
    generation of published content (a unit saved, moved or deleted, or its
    supervisor changed, starts a new one) in each process, so a report does not
    read 1,000 units (nor unpickle them: slower than the query)."""
    return pagecache.fragment("report-routing-units", _read_unit_records, local=True)


def _read_unit_records():
    rows = list(
        UnitPage.objects.values_list(
            "code", "unit_type", "level", "path", "supervisor__code"
        )
    )
    code_by_path = {path: code for code, _, _, path, _ in rows}
    step = UnitPage.steplen
    return {
        code: routing.Unit(code, unit_type, level, code_by_path.get(path[:-step]), sup)
        for code, unit_type, level, path, sup in rows
    }


def route_for(unit, post, marked=False):
    kind = routing.leader_kind(post, unit.unit_type)
    if marked and not kind:
        kind = routing.UNIT_HEAD
    return routing.route(unit.code, unit_records(), kind)


def deadlines(received_on):
    acknowledge = due_date(received_on, settings.REPORT_ACKNOWLEDGE_WORKING_DAYS)
    transfer = due_date(received_on, settings.REPORT_TRANSFER_WORKING_DAYS)
    return acknowledge, transfer


def apply_deadlines(report, received_on):
    acknowledge, transfer = deadlines(received_on)
    report.received_on = received_on
    report.acknowledge_due = acknowledge.due
    report.transfer_due = transfer.due
    report.due_provisional = acknowledge.provisional or transfer.provisional


def existing(token):
    if not token:
        return None
    return (
        Report.objects.select_related("handler")
        .filter(submission_key=access.submission_key(token))
        .first()
    )


def file_report(sub: Submission) -> Filed:
    previous = existing(sub.token)
    if previous is not None:
        return Filed(previous, repeated=True)
    route = route_for(sub.accused_unit, sub.accused_post)
    if route.handler is None:
        raise IntakeError(
            "该单位的监督纪委不在本平台，无法在此受理，请直接向上级纪检监察机关举报。"
        )
    handler = UnitPage.objects.get(code=route.handler)
    password_hash = access.hash_password(sub.password)
    saved_files = []
    try:
        report = _store(sub, route, handler, password_hash, saved_files)
    except IntegrityError:
        remove_files(saved_files)
        previous = existing(sub.token)
        if previous is not None:
            return Filed(previous, repeated=True)
        raise
    except BaseException:
        remove_files(saved_files)
        raise
    return Filed(report)


def _store(sub, route, handler, password_hash, saved_files):
    with transaction.atomic():
        report = Report(
            password_hash=password_hash,
            submission_key=access.submission_key(sub.token) if sub.token else None,
            channel=sub.channel,
            anonymous=sub.anonymous,
            accused_person=sub.accused_person,
            accused_post=sub.accused_post,
            accused_unit=sub.accused_unit,
            content=sub.content,
            principal=route.principal,
            escalation_missing=route.escalation_missing,
            routing_reason=route.reason,
            handler=handler,
            registered_by=sub.registered_by,
        )
        apply_deadlines(report, sub.received_on or timezone.localdate())
        if not sub.anonymous:
            report.set_identity(sub.name, sub.id_number, sub.phone)
        _insert_with_new_code(report)
        registered = sub.channel != Report.Channel.ONLINE
        ReportEvent.objects.create(
            report=report,
            kind=ReportEvent.Kind.REGISTERED
            if registered
            else ReportEvent.Kind.SUBMITTED,
            public_message="举报已收到，等待纪委受理。",
            actor=sub.registered_by,
            created_at=report.created_at,
        )
        ReportEvent.objects.create(
            report=report,
            kind=ReportEvent.Kind.ROUTED,
            note=route.reason,
            to_unit=handler,
            created_at=report.created_at,
        )
        for position, clean in enumerate(sub.files, start=1):
            store_attachment(report, clean, position, saved_files)
    return report


def _insert_with_new_code(report):
    """Save with a fresh 查询码; a collision (one in 10^16) draws again."""
    for attempt in range(CODE_ATTEMPTS):
        report.code = access.new_code()
        try:
            with transaction.atomic():
                report.save()
            return
        except IntegrityError:
            if (
                attempt == CODE_ATTEMPTS - 1
                or Report.objects.filter(submission_key=report.submission_key)
                .exclude(submission_key=None)
                .exists()
            ):
                raise


def store_attachment(report, clean: CleanFile, position, saved_files, event=None):
    attachment = ReportAttachment(
        report=report,
        event=event,
        name=f"附件{position}.{clean.extension}",
        kind=clean.kind,
        size=len(clean.data),
        sha256=hashlib.sha256(clean.data).hexdigest(),
    )
    attachment.file.save(
        f"{access.new_form_token()}.{clean.extension}",
        ContentFile(clean.data),
        save=False,
    )
    saved_files.append(attachment.file)
    attachment.save()
    return attachment


def remove_files(files):
    for stored in files:
        with contextlib.suppress(OSError):
            stored.storage.delete(stored.name)
