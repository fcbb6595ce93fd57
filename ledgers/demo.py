"""A year of 两个责任 ledgers for the demo townships 柳溪镇 (QS-A) and 石桥乡 (QS-B):
responsibility lists (signed, awaiting signature, revised after signing), problems
recorded by the county 纪委 in every rectification state with evidence, reports
filed on time, late or not at all, a 约谈 and a year's assessment being scored.

Runs through the services (so the rules, versions and hashes are the real ones)
with the demo accounts. Safe to rerun: when the demo lists exist, it only looks
(one query) and creates nothing.
"""

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from disclosure.models import UnitPage

from . import assessing, rectification, services
from .assessment_views import DEFAULT_INDICATORS
from .models import (
    Interview,
    Problem,
    ResponsibilityItem,
    ResponsibilityList,
    SignOff,
    WorkReport,
)

Kind = ResponsibilityList.Kind
Category = ResponsibilityItem.Category
Source = Problem.Source

PRINCIPAL_ITEMS = (
    (
        Category.COLLECTIVE,
        "年初召开专题会议部署全年党风廉政建设工作，制定工作计划并分解责任",
        "镇党委领导班子",
        "",
        2,
        28,
    ),
    (
        Category.COLLECTIVE,
        "每季度召开一次党风廉政建设专题例会，分析研判、解决问题",
        "镇党委领导班子",
        "",
        12,
        31,
    ),
    (
        Category.FIRST,
        "重要工作亲自部署、重大问题亲自过问、重点环节亲自协调、重要案件亲自督办",
        "李明辉",
        "镇党委书记",
        12,
        31,
    ),
    (
        Category.FIRST,
        "每年至少讲一次廉政党课，与班子成员和村党组织书记逐一开展廉政谈话",
        "李明辉",
        "镇党委书记",
        6,
        30,
    ),
    (
        Category.MEMBER,
        "分管社会救助领域廉政风险防控，低保、临时救助审批全程留痕、按期公示",
        "张建国",
        "党委委员、副镇长（分管民政）",
        12,
        31,
    ),
    (
        Category.MEMBER,
        "分管村镇建设领域，农村建房审批一次性告知、限时办结，杜绝吃拿卡要",
        "钟国强",
        "党委委员、副镇长（分管村镇建设）",
        12,
        31,
    ),
)
SUPERVISORY_ITEMS = (
    (
        Category.SUPERVISION,
        "每个工作日上午、下午各巡查一次权力运行平台，发现问题及时督办",
        "刘芳",
        "镇纪委书记",
        12,
        31,
    ),
    (
        Category.SUPERVISION,
        "每半年向县纪委书面报告履行监督责任情况，每月报告作风问题查处情况",
        "刘芳",
        "镇纪委书记",
        12,
        31,
    ),
    (
        Category.SUPERVISION,
        "对一事一公开逾期、负面评议集中的单位及时约谈提醒",
        "刘芳",
        "镇纪委书记",
        12,
        31,
    ),
)


@dataclass(frozen=True)
class ProblemSpec:
    unit: str
    source: str
    description: str
    requirement: str
    days_ago: int
    #: The steps after recording: ("plan", working days), "submit", "accept", "return".
    steps: tuple = ()


PROBLEMS = (
    ProblemSpec(
        "QS-A-P",
        Source.PATROL,
        "部分村低保公示未张贴到村民小组，公示照片未上传平台",
        "全面排查各村低保公示情况，补齐公示照片",
        200,
        (("plan", 10), "submit", "accept"),
    ),
    ProblemSpec(
        "QS-A-P",
        Source.INSPECTION,
        "三重一大会议记录中个别班子成员表态理由记录过简",
        "规范会议记录，每位成员的表态理由完整记录",
        120,
        (("plan", 20), "submit"),
    ),
    ProblemSpec(
        "QS-A-P",
        Source.REPORT,
        "群众反映农村建房审批材料多次退回、一次性告知不到位",
        "梳理农村建房审批材料清单，落实一次性告知",
        90,
        (("plan", 15), "submit", "return"),
    ),
    ProblemSpec(
        "QS-A-P",
        Source.PATROL,
        "财政所惠民补贴发放台账与一卡通数据未按月核对",
        "建立按月核对制度，补核本年度台账",
        75,
        (("plan", 10),),
    ),
    ProblemSpec(
        "QS-A-P",
        Source.AUDIT,
        "村级财务委托代理中报账凭证审核签字不全",
        "完善报账审核流程，补签审核意见",
        20,
        (),
    ),
    ProblemSpec(
        "QS-B-P",
        Source.PATROL,
        "一事一公开结果录入多次超过3个工作日",
        "明确录入岗位责任，每周自查录入时限",
        150,
        (("plan", 10), "submit", "accept"),
    ),
    ProblemSpec(
        "QS-B-P",
        Source.INSPECTION,
        "乡纪委对村务监督委员会的指导记录缺失",
        "建立指导台账，每季度至少指导一次",
        40,
        (("plan", 30),),
    ),
)


@dataclass
class Summary:
    lists: int = 0
    problems: int = 0
    signoffs: int = 0
    reports: int = 0
    assessments: int = 0
    states: dict = field(default_factory=dict)

    @property
    def created(self):
        return bool(self.lists)


def load_demo(today=None) -> Summary:
    """Create the demo ledgers unless they exist (one query when they do)."""
    today = today or timezone.localdate()
    if ResponsibilityList.objects.filter(unit__code="QS-A-P", year=today.year).exists():
        return Summary()
    users = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in=(
                "liuxi_head",
                "liuxi_clerk",
                "liuxi_jiwei",
                "shiqiao_head",
                "shiqiao_clerk",
                "county_jiwei",
            )
        )
    }
    units = {
        u.code: u for u in UnitPage.objects.filter(code__regex=r"^QS(-[AB])?(-[PJ])?$")
    }
    if len(users) < 6 or len(units) < 7:
        return Summary()
    summary = Summary()
    with transaction.atomic():
        _lists(units, users, today, summary)
        _problems(units, users, today, summary)
        _reports(units, users, today, summary)
        _interview(units, users, today)
        _assessment(units, users, today, summary)
    return summary


def _date(today, month, day):
    return datetime.date(today.year, month, day)


def _lists(units, users, today, summary):
    specs = (
        (
            "QS-A-P",
            Kind.PRINCIPAL,
            "李明辉（镇党委书记）",
            PRINCIPAL_ITEMS,
            "liuxi_clerk",
            "sign",
        ),
        (
            "QS-B-P",
            Kind.PRINCIPAL,
            "陈国平（乡党委书记）",
            PRINCIPAL_ITEMS[:4],
            "shiqiao_clerk",
            "revise",
        ),
        (
            "QS-A-J",
            Kind.SUPERVISORY,
            "刘芳（镇纪委书记）",
            SUPERVISORY_ITEMS,
            "liuxi_jiwei",
            None,
        ),
    )
    for code, kind, first, items, clerk, then in specs:
        basis = (
            f"{today.year}年度党风廉政建设监督责任书（{today.year}年1月8日与县纪委签订）"
            if kind == Kind.SUPERVISORY
            else f"青山县{today.year}年全面从严治党主体责任清单（县委印发）"
        )
        ledger = services.create_list(
            users[clerk], units[code], today.year, kind, first, basis
        )
        for category, content, owner, post, month, day in items:
            services.save_item(
                users[clerk],
                ledger.pk,
                {
                    "category": category,
                    "content": content,
                    "owner": owner,
                    "owner_post": post,
                    "due_on": _date(today, month, day),
                },
            )
        summary.lists += 1
        head = "liuxi_head" if code.startswith("QS-A") else "shiqiao_head"
        if then:
            services.sign(
                users[head],
                SignOff.Subject.RESPONSIBILITY,
                unit=units[code],
                year=today.year,
                target=ledger,
                opinion="已逐项审阅，责任分解到人、时限明确，同意。",
            )
            summary.signoffs += 1
        if then == "revise":
            services.reopen_list(users[clerk], ledger.pk)
            services.save_item(
                users[clerk],
                ledger.pk,
                {
                    "category": Category.MEMBER,
                    "content": "分管财政领域，惠民补贴资金一卡通发放按月核对、公开",
                    "owner": "杨志强",
                    "owner_post": "党委委员、副乡长（分管财政）",
                    "due_on": _date(today, 12, 31),
                },
            )
    first = ResponsibilityList.objects.get(unit=units["QS-A-P"], year=today.year)
    item = first.items.order_by("sort_order").first()
    services.record_progress(
        users["liuxi_clerk"],
        item.pk,
        _date(today, 2, 20),
        "2月20日召开党委会专题部署，印发《柳溪镇党风廉政建设工作要点》。",
        [_evidence_image("部署会议照片.png")],
    )


def _evidence_image(name):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 220, 240)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _problems(units, users, today, summary):
    jan_first = datetime.date(today.year, 1, 1)
    for spec in PROBLEMS:
        found_on = max(today - datetime.timedelta(days=spec.days_ago), jan_first)
        problem = services.record_problem(
            users["county_jiwei"],
            units[spec.unit],
            {
                "source": spec.source,
                "description": spec.description,
                "requirement": spec.requirement,
                "found_on": found_on,
                "report": None,
            },
        )
        unit_user = users[
            "liuxi_head" if spec.unit.startswith("QS-A") else "shiqiao_head"
        ]
        for step in spec.steps:
            name, days = step if isinstance(step, tuple) else (step, None)
            values = {"note": ""}
            uploads = []
            actor = users["county_jiwei"]
            if name == "plan":
                values = {
                    "plan": spec.requirement + "；明确专人负责，按期销号。",
                    "owner": unit_user.get_full_name(),
                    "working_days": days,
                }
                actor = unit_user
            elif name == "submit":
                values = {"note": "已按整改要求完成，附整改前后对比材料。"}
                uploads = [_evidence_image("整改完成情况.png")]
                actor = unit_user
            elif name == "return":
                values = {
                    "note": "佐证材料只有照片，缺少材料清单和告知书，请补充后重新报送。"
                }
            elif name == "accept":
                values = {"note": "经核查，整改到位，同意销号。"}
            services.act(actor, problem.pk, name, values, uploads)
        summary.problems += 1
    _backdate_plans(today)
    services.sign(
        users["liuxi_head"],
        SignOff.Subject.PROBLEMS,
        unit=units["QS-A-P"],
        year=today.year,
        opinion="问题清单已审阅，逐项落实整改责任。",
    )
    summary.signoffs += 1
    summary.states = dict(
        Problem.objects.filter(year=today.year)
        .values_list("state")
        .annotate(n=Count("pk"))
    )


def _backdate_plans(today):
    """The demo problems were planned when they were found, not today: move each
    plan's dates back so that the year shows on-time, late and overdue work."""
    from disclosure.workdays import due_date

    for problem in Problem.objects.filter(planned_on__isnull=False):
        planned = problem.found_on + datetime.timedelta(days=7)
        deadline = due_date(planned, problem.working_days)
        done = problem.submitted_on and planned + datetime.timedelta(days=20)
        Problem.objects.filter(pk=problem.pk).update(
            planned_on=planned,
            due=deadline.due,
            due_provisional=deadline.provisional,
            submitted_on=done if problem.submitted_on else None,
            accepted_on=(done + datetime.timedelta(days=3))
            if problem.state == rectification.ACCEPTED
            else None,
        )


def _reports(units, users, today, summary):
    for year in (today.year - 1, today.year):
        summary.reports += services.ensure_reports(year, services.reporting_units(year))
    last = today.year - 1
    filed = (
        (
            "QS-A-P",
            "annual_principal",
            last,
            0,
            "liuxi_head",
            datetime.date(today.year, 1, 12),
        ),
        (
            "QS-B-P",
            "annual_principal",
            last,
            0,
            "shiqiao_head",
            datetime.date(today.year, 1, 22),
        ),
    )
    for code, kind, year, period, username, on in filed:
        services.file_report(
            users[username],
            units[code],
            kind,
            year,
            period,
            "",
            f"{year}年，我{'镇' if code.startswith('QS-A') else '乡'}党委认真履行全面从严治党主体责任："
            "召开专题会议4次，主要负责人讲廉政党课1次、开展廉政谈话32人次；"
            "整改上级反馈问题5个，已全部销号。",
            today=on,
        )
    months_done = max(today.month - 3, 0)
    for month in range(1, months_done + 1):
        period_end = WorkReport(
            kind="month", year=today.year, period=month
        ).period_info.last_day
        services.file_report(
            users["liuxi_jiwei"],
            units["QS-A-J"],
            "month",
            today.year,
            month,
            "",
            f"{month}月，镇纪委查处违反作风建设规定问题0起，开展日常巡查{20 + month}次。",
            today=period_end + datetime.timedelta(days=3 if month != 2 else 15),
        )
    report = WorkReport.objects.get(
        unit=units["QS-A-P"], kind="annual_principal", year=last, period=0
    )
    services.sign(
        users["liuxi_head"],
        SignOff.Subject.REPORT,
        unit=units["QS-A-P"],
        year=last,
        target=report,
        opinion="报告内容属实，同意报送。",
    )
    summary.signoffs += 1


def _interview(units, users, today):
    from . import indicators

    unit = units["QS-B-P"]
    Interview.objects.create(
        unit=unit,
        year=today.year,
        held_on=max(
            today - datetime.timedelta(days=30), datetime.date(today.year, 1, 2)
        ),
        interviewer="邓文彬（县纪委副书记）",
        interviewees="陈国平（石桥乡党委书记）、周敏（石桥乡纪委书记）",
        trigger=Interview.Trigger.DISCLOSURE,
        trigger_detail=indicators.unit_statistics(unit, today.year)["disclosure"],
        reason="石桥乡一事一公开结果多次逾期录入、公开，乡纪委日常监督不到位。",
        outcome="两人作出说明并签字背书，承诺一个月内完成整改，县纪委跟踪督办。",
        recorded_by=users["county_jiwei"],
    )


def _assessment(units, users, today, summary):
    jiwei = users["county_jiwei"]
    assessment = assessing.create(
        jiwei,
        units["QS-J"],
        today.year,
        f"{today.year}年度乡镇落实“两个责任”量化考核",
        [units["QS-A"], units["QS-B"]],
    )
    assessing.save_indicators(
        jiwei,
        assessment.pk,
        [
            assessing.IndicatorRow(
                name=n, weight=w, source=s, deduction=Decimal(d), note=note
            )
            for n, w, s, d, note in DEFAULT_INDICATORS
        ],
    )
    assessing.confirm(jiwei, assessment.pk)
    entered = assessment.indicators.get(source="entered")
    assessing.enter_scores(
        jiwei,
        assessment.pk,
        {
            (entered.pk, units["QS-A"].pk): (92, "清单完整，签字背书及时"),
            (entered.pk, units["QS-B"].pk): (85, "清单修订后未重新签字"),
        },
    )
    summary.assessments += 1
