"""Ledger operations: each checks its rule (the pure modules), changes the rows in
one transaction under a row lock and writes the audit log. Views only call these
and show the message of a LedgerError; nothing is changed when one is raised.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from wagtail.log_actions import log

from disclosure.workdays import due_date, format_date, load_calendar

from . import access, cadence, rectification, signing
from .evidence import EvidenceError, cleaned
from .models import (
    Evidence,
    Problem,
    ProblemEvent,
    ResponsibilityItem,
    ResponsibilityList,
    SignOff,
    WorkReport,
)

Subject = SignOff.Subject


class LedgerError(ValueError):
    """Refused; the message is for staff."""


#: Every refusal a view turns into a message.
ERRORS = (
    LedgerError,
    EvidenceError,
    rectification.RectificationError,
    signing.SigningError,
    cadence.PeriodError,
)


def _require(allowed, message="您无权办理此事项。"):
    if not allowed:
        raise LedgerError(message)


def person(user):
    return user.get_full_name() or user.get_username()


# Responsibility lists ------------------------------------------------------------


def list_snapshot(responsibility_list, items):
    """What a sign-off of a responsibility list covers: the commitments, not the
    progress recorded against them through the year."""
    return {
        "unit": responsibility_list.unit_id,
        "year": responsibility_list.year,
        "kind": responsibility_list.kind,
        "version": responsibility_list.version,
        "first_responsible": responsibility_list.first_responsible,
        "basis": responsibility_list.basis,
        "items": [
            {
                "category": item.category,
                "content": item.content,
                "owner": item.owner,
                "owner_post": item.owner_post,
                "due_on": item.due_on.isoformat() if item.due_on else None,
            }
            for item in items
        ],
    }


def latest_signoffs(unit_ids, year, subjects=None):
    """{(unit id, subject, object id): newest SignOff} in one query."""
    rows = SignOff.objects.filter(unit_id__in=unit_ids, year=year).order_by(
        "signed_at", "pk"
    )
    if subjects:
        rows = rows.filter(subject__in=subjects)
    return {(s.unit_id, s.subject, s.object_id): s for s in rows}


def list_sign_state(responsibility_list, items, latest):
    return signing.state_of(
        signing.content_hash(list_snapshot(responsibility_list, items)), latest
    )


def _latest(unit_id, year, subject, object_id):
    return (
        SignOff.objects.filter(
            unit_id=unit_id, year=year, subject=subject, object_id=object_id
        )
        .order_by("-signed_at", "-pk")
        .first()
    )


def _locked_list(pk):
    """The list under a row lock with its items, refused while signed."""
    responsibility_list = ResponsibilityList.objects.select_for_update().get(pk=pk)
    items = list(responsibility_list.items.all())
    latest = _latest(
        responsibility_list.unit_id,
        responsibility_list.year,
        Subject.RESPONSIBILITY,
        responsibility_list.pk,
    )
    state = list_sign_state(responsibility_list, items, latest)
    if state.is_signed:
        raise LedgerError(
            f"该清单（第{responsibility_list.version}版）已于"
            f"{format_date(timezone.localtime(latest.signed_at))}由{latest.signer_name}"
            "签字背书，不能直接修改。如需修改，请先“修订清单”开启新版本，"
            "修改后须重新签字背书。"
        )
    return responsibility_list, items


def create_list(user, unit, year, kind, first_responsible, basis=""):
    _require(access.can_edit(user, unit.pk))
    if kind == ResponsibilityList.Kind.SUPERVISORY and not unit.is_commission:
        raise LedgerError("监督责任清单只能为纪委（纪检监察组织）建立。")
    if kind == ResponsibilityList.Kind.PRINCIPAL and unit.is_commission:
        raise LedgerError("纪委建立的是监督责任清单，主体责任清单由同级党委建立。")
    try:
        with transaction.atomic():
            created = ResponsibilityList.objects.create(
                unit=unit,
                year=year,
                kind=kind,
                first_responsible=first_responsible,
                basis=basis,
                created_by=user,
            )
    except IntegrityError:
        raise LedgerError(
            f"{unit.title}{year}年的{ResponsibilityList.Kind(kind).label}已经建立，"
            "请在原清单中修改。"
        ) from None
    log(created, "ledgers.list_created", user=user)
    return created


@transaction.atomic
def update_list(user, pk, first_responsible, basis):
    responsibility_list, _ = _locked_list(pk)
    _require(access.can_edit(user, responsibility_list.unit_id))
    responsibility_list.first_responsible = first_responsible
    responsibility_list.basis = basis
    responsibility_list.save()
    log(responsibility_list, "ledgers.list_changed", user=user)
    return responsibility_list


ITEM_FIELDS = ("category", "content", "owner", "owner_post", "due_on")


@transaction.atomic
def save_item(user, list_pk, values, item_pk=None):
    """Add an item, or change one (`item_pk`), while the list is not signed."""
    responsibility_list, items = _locked_list(list_pk)
    _require(access.can_edit(user, responsibility_list.unit_id))
    if item_pk is None:
        item = ResponsibilityItem(
            responsibility_list=responsibility_list,
            sort_order=max((i.sort_order for i in items), default=0) + 1,
        )
    else:
        item = next((i for i in items if i.pk == item_pk), None)
        if item is None:
            raise LedgerError("该责任事项不存在或已删除。")
    for name in ITEM_FIELDS:
        setattr(item, name, values[name])
    item.save()
    log(responsibility_list, "ledgers.list_changed", user=user)
    return item


@transaction.atomic
def delete_item(user, list_pk, item_pk):
    responsibility_list, _ = _locked_list(list_pk)
    _require(access.can_edit(user, responsibility_list.unit_id))
    deleted, _ = responsibility_list.items.filter(pk=item_pk).delete()
    if not deleted:
        raise LedgerError("该责任事项不存在或已删除。")
    log(responsibility_list, "ledgers.list_changed", user=user)


@transaction.atomic
def record_progress(user, item_pk, done_on, progress, uploads=()):
    """履责情况 and evidence: recorded through the year, signed or not."""
    item = (
        ResponsibilityItem.objects.select_for_update()
        .select_related("responsibility_list")
        .get(pk=item_pk)
    )
    _require(access.can_edit(user, item.responsibility_list.unit_id))
    files = cleaned(list(uploads))
    item.done_on = done_on
    item.progress = progress
    item.save(update_fields=["done_on", "progress"])
    _store(files, user, item=item)
    log(item.responsibility_list, "ledgers.progress_recorded", user=user)
    return item


@transaction.atomic
def reopen_list(user, pk):
    """修订: a new version of a signed list, open for edits and a new sign-off."""
    responsibility_list = ResponsibilityList.objects.select_for_update().get(pk=pk)
    _require(access.can_edit(user, responsibility_list.unit_id))
    items = list(responsibility_list.items.all())
    latest = _latest(
        responsibility_list.unit_id,
        responsibility_list.year,
        Subject.RESPONSIBILITY,
        responsibility_list.pk,
    )
    if not list_sign_state(responsibility_list, items, latest).is_signed:
        raise LedgerError("该清单当前没有有效的签字背书，可以直接修改，无需修订。")
    responsibility_list.version += 1
    responsibility_list.save(update_fields=["version", "updated_at"])
    log(
        responsibility_list,
        "ledgers.list_reopened",
        user=user,
        data={"version": responsibility_list.version},
    )
    return responsibility_list


# Problems and rectifications -----------------------------------------------------


def record_problem(user, unit, values):
    """The level above lists a problem it found (问题清单)."""
    _require(
        access.can_act_above(user, unit.pk),
        "只有上级（监督该单位的纪委）可以为该单位录入问题。",
    )
    found_on = values["found_on"]
    if found_on > timezone.localdate():
        raise LedgerError("发现日期不能晚于今天。")
    report = values.get("report")
    if report is not None and not access.can_view(user, report.accused_unit_id):
        raise LedgerError("关联的举报不在您的监督范围内。")
    finding = values.get("finding")
    if finding is not None and not (
        access.can_view(user, finding.unit_id) and finding.unit_id in _subtree(unit)
    ):
        raise LedgerError("关联的巡查发现不属于该单位或不在您的监督范围内。")
    with transaction.atomic():
        problem = Problem.objects.create(
            unit=unit,
            year=found_on.year,
            source=values["source"],
            description=values["description"],
            requirement=values.get("requirement", ""),
            found_on=found_on,
            report=report,
            finding=finding,
            recorded_by=user,
        )
        ProblemEvent.objects.create(problem=problem, action="recorded", actor=user)
    log(problem, "ledgers.problem_recorded", user=user)
    return problem


def _subtree(unit):
    from disclosure.models import UnitPage

    return set(
        UnitPage.objects.filter(path__startswith=unit.path).values_list("pk", flat=True)
    )


def act(user, pk, action, values, uploads=()):
    """One step of a rectification (`rectification.ACTIONS`), or an error."""
    files = cleaned(list(uploads)) if action == "submit" else []
    today = timezone.localdate()
    with transaction.atomic():
        problem = Problem.objects.select_for_update().get(pk=pk)
        side = access.side_of(user, problem.unit_id)
        if side is None:
            raise LedgerError("该问题不在您的办理范围内。")
        note = values.get("note", "")
        target = rectification.next_state(
            action,
            problem.state,
            side,
            evidence_count=problem.evidence.count() + len(files),
            note=note,
            working_days=values.get("working_days"),
        )
        if action == "plan":
            deadline = due_date(today, values["working_days"])
            problem.plan = values["plan"]
            problem.owner = values["owner"]
            problem.working_days = values["working_days"]
            problem.planned_on = today
            problem.due = deadline.due
            problem.due_provisional = deadline.provisional
            note = deadline.explanation
        elif action == "submit":
            problem.completion = note
            problem.submitted_on = today
            _store(files, user, problem=problem)
        else:
            problem.review_note = note
            problem.reviewed_by = user
            if action == "accept":
                problem.accepted_on = today
        problem.state = target
        problem.save()
        ProblemEvent.objects.create(
            problem=problem, action=action, note=note, actor=user
        )
    log(problem, f"ledgers.problem_{action}", user=user)
    return problem


def _store(files, user, problem=None, item=None):
    for name, content in files:
        Evidence.objects.create(
            problem=problem,
            item=item,
            file=content,
            name=name,
            size=content.size,
            uploaded_by=user,
        )


def problem_snapshot(problems):
    return [
        {
            "id": p.pk,
            "source": p.source,
            "description": p.description,
            "requirement": p.requirement,
            "found_on": p.found_on.isoformat(),
        }
        for p in problems
    ]


def rectification_snapshot(problems, evidence_names):
    return [
        {
            "id": p.pk,
            "state": p.state,
            "plan": p.plan,
            "owner": p.owner,
            "working_days": p.working_days,
            "due": p.due.isoformat() if p.due else None,
            "completion": p.completion,
            "submitted_on": p.submitted_on.isoformat() if p.submitted_on else None,
            "accepted_on": p.accepted_on.isoformat() if p.accepted_on else None,
            "evidence": evidence_names.get(p.pk, []),
        }
        for p in problems
        if p.planned_on
    ]


# Reports --------------------------------------------------------------------------


def report_snapshot(report):
    return {
        "unit": report.unit_id,
        "kind": report.kind,
        "year": report.year,
        "period": report.period,
        "title": report.title,
        "content": report.content,
        "submitted_on": report.submitted_on.isoformat()
        if report.submitted_on
        else None,
    }


def reporting_units(year, unit_ids=None):
    """The units that owe reports for `year`: a 党委 or 纪委 keeping a
    responsibility list that year (the ledgers start with the list)."""
    from disclosure.models import UnitPage

    units = UnitPage.objects.filter(
        unit_type__in=list(cadence.OWED_BY),
        pk__in=ResponsibilityList.objects.filter(year=year).values("unit_id"),
    )
    if unit_ids is not None:
        units = units.filter(pk__in=unit_ids)
    return units.only("pk", "unit_type")


def ensure_reports(year, units, calendar=None):
    """Create the rows of the reports `units` owe for `year` (idempotent): two
    queries whatever the count."""
    calendar = calendar or load_calendar()
    wanted = []
    dues = {}
    for unit in units:
        for period in cadence.obligations(unit.unit_type, year):
            if period not in dues:
                dues[period] = cadence.due(period, calendar)
            wanted.append(
                WorkReport(
                    unit_id=unit.pk,
                    kind=period.kind,
                    year=year,
                    period=period.number,
                    due=dues[period].date,
                    due_provisional=dues[period].provisional,
                )
            )
    WorkReport.objects.bulk_create(wanted, ignore_conflicts=True, batch_size=1000)
    return len(wanted)


def file_report(user, unit, kind, year, period, title, content, today=None):
    """File (or, while unsigned, revise) the report for one period."""
    _require(access.can_edit(user, unit.pk), "只有本单位人员可以报送本单位的报告。")
    today = today or timezone.localdate()
    checked = cadence.check_period(unit.unit_type, kind, year, period, today)
    if not content.strip():
        raise LedgerError("请填写报告正文。")
    due = cadence.due(checked, load_calendar())
    with transaction.atomic():
        report, _ = WorkReport.objects.select_for_update().get_or_create(
            unit=unit,
            kind=kind,
            year=year,
            period=period,
            defaults={"due": due.date, "due_provisional": due.provisional},
        )
        if report.submitted_on is not None:
            latest = _latest(unit.pk, year, Subject.REPORT, report.pk)
            current = signing.content_hash(report_snapshot(report))
            if signing.state_of(current, latest).is_signed:
                raise LedgerError(
                    "该报告已签字背书，不能再修改；如有补充，请另行报送情况说明。"
                )
        report.title = title or checked.title
        report.content = content
        if report.submitted_on is None:
            report.submitted_on = today
            report.submitted_by = user
        report.save()
    log(report, "ledgers.report_filed", user=user)
    return report


# Sign-offs ------------------------------------------------------------------------


def sign(user, subject, *, unit, year, target=None, opinion):
    """签字背书 of a list or report as it stands now."""
    _require(
        access.can_sign(user, unit.pk),
        "只有本单位主要负责人可以签字背书。",
    )
    with transaction.atomic():
        snapshot, count, object_id, version = _subject_content(
            subject, unit, year, target
        )
        current = signing.content_hash(snapshot)
        latest = _latest(unit.pk, year, subject, object_id)
        signing.check_sign(current, latest, opinion, count)
        if subject not in (Subject.RESPONSIBILITY,):
            version = (latest.version + 1) if latest else 1
        signoff = SignOff.objects.create(
            unit=unit,
            year=year,
            subject=subject,
            object_id=object_id,
            version=version,
            content_hash=current,
            snapshot=snapshot,
            opinion=opinion.strip(),
            signed_by=user,
            signer_name=person(user),
        )
    log(
        signoff,
        "ledgers.signed",
        user=user,
        data={"subject": subject, "version": version, "hash": current},
    )
    return signoff


def _subject_content(subject, unit, year, target):
    """(snapshot, how many entries, object id, version) of what is to be signed,
    read under a lock so it cannot change while being signed."""
    if subject == Subject.RESPONSIBILITY:
        locked = ResponsibilityList.objects.select_for_update().get(pk=target.pk)
        items = list(locked.items.all())
        return list_snapshot(locked, items), len(items), locked.pk, locked.version
    if subject == Subject.REPORT:
        report = WorkReport.objects.select_for_update().get(pk=target.pk)
        if report.submitted_on is None:
            raise LedgerError("报告尚未报送，不能签字背书。")
        return report_snapshot(report), 1, report.pk, 1
    problems = list(
        Problem.objects.select_for_update().filter(unit=unit, year=year).order_by("pk")
    )
    if subject == Subject.PROBLEMS:
        return problem_snapshot(problems), len(problems), None, 1
    snapshot = rectification_snapshot(problems, evidence_names(problems))
    return snapshot, len(snapshot), None, 1


def evidence_names(problems):
    names = {}
    rows = Evidence.objects.filter(problem__in=problems).order_by("pk")
    for problem_id, name in rows.values_list("problem_id", "name"):
        names.setdefault(problem_id, []).append(name)
    return names
