"""问责 records and their public 通报 (seeds 000 监督问责办法 第十、十四条).

A record is kept by the 纪委 that decided it, for a person in a unit it supervises.
Publishing makes it a 问责通报 on the public site: only 通报批评, 组织处理 and
纪律处分 are published (第十四条; a 谈话提醒 or 诫勉谈话 stays internal), and never
with personal data in its text (DESIGN rule 2) — checked when the record is kept
and again when it is published.
"""

from django.db import transaction
from django.utils import timezone

from wagtail.log_actions import log

from disclosure import pii
from disclosure.models.results import EARLIEST_DATE
from disclosure.workdays import format_date

from . import access
from .circumstances import ACCOUNTABILITY_LABELS, PUBLIC_METHODS
from .errors import SupervisionError
from .models import Accountability


def personal_data_problems(record):
    """Messages naming each published field that holds personal data."""
    problems = []
    for name in Accountability.PUBLIC_TEXT_FIELDS:
        findings = pii.find_personal_data(getattr(record, name) or "")
        if findings:
            label = Accountability._meta.get_field(name).verbose_name
            problems.append(pii.describe(label, findings))
    return problems


@transaction.atomic
def record(user, commission, unit, **fields):
    """Keep a 问责 record; `fields` are the model's text, choice and date fields."""
    if not access.may_act_for(user, commission):
        raise SupervisionError("您不是该纪委的工作人员，不能以其名义登记问责。")
    if unit.pk not in access.supervised_by(commission):
        raise SupervisionError(f"{unit.title}不在{commission.title}的监督范围内。")
    if fields.get("circumstance") not in ACCOUNTABILITY_LABELS:
        raise SupervisionError("请从《权力运行监督问责办法》所列情形中选择问责情形。")
    decided_on = fields["decided_on"]
    if decided_on > timezone.localdate() or decided_on < EARLIEST_DATE:
        raise SupervisionError("问责日期须在2000年1月1日至今天之间。")
    entry = Accountability(commission=commission, unit=unit, created_by=user, **fields)
    problems = personal_data_problems(entry)
    if problems:
        raise SupervisionError(" ".join(problems))
    entry.save()
    log(entry, "supervision.accountability_recorded", user=user)
    return entry


@transaction.atomic
def publish(user, entry, on=None):
    if not access.may_act_for(user, entry.commission):
        raise SupervisionError("只有作出问责决定的纪委可以发布通报。")
    entry.refresh_from_db(from_queryset=Accountability.objects.select_for_update())
    if entry.is_published:
        raise SupervisionError(f"该问责已于{format_date(entry.published_on)}通报。")
    if entry.method not in PUBLIC_METHODS:
        raise SupervisionError(
            f"“{entry.method}”一般不向社会公开；只有通报批评、组织处理和纪律处分"
            "发布问责通报（《权力运行监督问责办法》第十四条）。"
        )
    problems = personal_data_problems(entry)
    if problems:
        raise SupervisionError(" ".join(problems))
    entry.published_on = on or timezone.localdate()
    entry.save(update_fields=["published_on"])
    log(entry, "supervision.accountability_published", user=user)
    from .search import index_notice

    index_notice(entry)
    return entry


@transaction.atomic
def withdraw(user, entry):
    if not access.may_act_for(user, entry.commission):
        raise SupervisionError("只有作出问责决定的纪委可以撤回通报。")
    entry.refresh_from_db(from_queryset=Accountability.objects.select_for_update())
    if not entry.is_published:
        raise SupervisionError("该问责尚未通报。")
    entry.published_on = None
    entry.save(update_fields=["published_on"])
    log(entry, "supervision.accountability_withdrawn", user=user)
    from .search import index_notice

    index_notice(entry)
    return entry


def published_notices():
    return Accountability.objects.filter(published_on__isnull=False)
