"""Demo supervision for 青山县 (run by `seed_demo` after units, accounts and lists).

The 柳溪镇 纪委 (liuxi_jiwei) has patrolled most sessions of the last two weeks,
with a few missed ones for the calendar to show; its findings became 督办 orders in
every state — waiting, overdue, replied, closed and ordered again. There is a
published 问责通报 and an internal 诫勉谈话, and two 容错纠错 cases: one waiting
for acceptance and one decided with its public 澄清. Today's sessions are left
open, so a visitor can log them.

Everything goes through the same services as staff actions. Idempotent: a run that
finds the demo's first patrol creates nothing.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from disclosure.models import UnitPage
from disclosure.workdays import load_calendar

from . import notices, orders, patrols, tolerance
from .models import FaultTolerance, Patrol

MARKER = "【演示】"
#: Sessions left unpatrolled: (working days back, session).
MISSED = {(3, "pm"), (6, "am"), (9, "pm")}
WORKING_DAYS_BACK = 16


@dataclass
class Summary:
    patrols: int = 0
    orders: int = 0
    notices: int = 0
    cases: int = 0

    @property
    def created(self):
        return bool(self.patrols)

    def line(self):
        if not self.created:
            return "纪委监督演示数据已齐全，未作改动。"
        return (
            f"纪委监督：巡查 {self.patrols} 次，督办 {self.orders} 件（各状态），"
            f"问责 {self.notices} 条（含问责通报 1 条），容错纠错 {self.cases} 件。"
        )


def working_days_before(today, count, calendar):
    """The `count` working days before `today`, newest first."""
    days, day = [], today
    while len(days) < count:
        day -= datetime.timedelta(days=1)
        if calendar.is_workday(day):
            days.append(day)
    return days


@transaction.atomic
def load_demo():
    commission = UnitPage.objects.filter(code="QS-A-J").first()
    if commission is None:
        return Summary()
    if Patrol.objects.filter(
        commission=commission, summary__startswith=MARKER
    ).exists():
        return Summary()
    users = get_user_model().objects.in_bulk(
        ["liuxi_jiwei", "liuxi_shehui_clerk", "liuxi_cunzhen_clerk", "county_jiwei"],
        field_name="username",
    )
    if len(users) < 4:
        return Summary()
    units = UnitPage.objects.in_bulk(
        ["QS-A-2", "QS-A-3", "QS-A-4", "QS-A-V1"], field_name="code"
    )
    summary = Summary()
    today = timezone.localdate()
    days = working_days_before(today, WORKING_DAYS_BACK, load_calendar())
    jiwei = users["liuxi_jiwei"]
    logged = {}
    for back, day in enumerate(days, start=1):
        for session in ("am", "pm"):
            if (back, session) in MISSED:
                continue
            logged[back, session] = patrols.log_patrol(
                jiwei,
                commission,
                day,
                session,
                f"{MARKER}巡查镇属各办所和村（社区）一事一公开录入、公开情况。",
            )
            summary.patrols += 1

    def finding(back, unit, kind, text):
        return patrols.add_finding(jiwei, logged[back, "am"], units[unit], kind, text)

    def order(back, unit, kind, text, requirement):
        found = finding(back, unit, kind, text)
        summary.orders += 1
        return orders.issue(
            jiwei, commission, units[unit], requirement, found, today=days[back - 1]
        )

    clerk = users["liuxi_shehui_clerk"]
    order(
        1,
        "QS-A-2",
        "late_disclosure",
        "2件临时救助审批结果已超过10个工作日未公开。",
        "请立即公开2件临时救助审批结果，并说明逾期原因。",
    )
    order(
        14,
        "QS-A-4",
        "content",
        "惠民惠农补贴发放结果只公开了总金额，未按户公开。",
        "请按《权力运行信息公开实施办法》补充公开发放明细（不含身份证号、银行卡号）。",
    )
    replied = order(
        4,
        "QS-A-3",
        "late_entry",
        "农村建房规划许可3件结果未在3个工作日内录入。",
        "请补录3件农村建房规划许可结果，落实录入时限。",
    )
    orders.reply(
        users["liuxi_cunzhen_clerk"], replied, "已补录3件结果，并明确由专人每日录入。"
    )
    closed = order(
        12,
        "QS-A-2",
        "process",
        "高龄津贴审核缺少入户核查环节记录。",
        "请补齐入户核查记录，完善审核流程。",
    )
    orders.reply(clerk, closed, "已补齐入户核查记录，并修订高龄津贴办理流程。")
    orders.close(jiwei, closed, "经复查，整改到位，予以办结。")
    again = order(
        15,
        "QS-A-2",
        "privacy",
        "低保公示附件中含有申请人联系电话。",
        "请立即撤下含个人信息的附件，重新公示。",
    )
    orders.reply(clerk, again, "已撤下附件。")
    orders.reorder(
        jiwei, again, "整改不彻底：公示期满后姓名仍在公开，请按期撤下并说明。"
    )
    summary.orders += 1

    entry = notices.record(
        jiwei,
        commission,
        units["QS-A-2"],
        person="吴某某",
        post="柳溪镇社会事务办公室工作人员",
        circumstance="8-4",
        method="通报批评",
        decided_on=days[2],
        basis="《权力运行监督问责办法（试行）》第八条第（四）项、第十条第（一）项",
        facts="在低保公示中将申请人联系电话随附件公开，经督办整改不彻底，造成不良影响。",
    )
    notices.publish(jiwei, entry, on=days[1])
    notices.record(
        jiwei,
        commission,
        units["QS-A-3"],
        person="杨某某",
        post="柳溪镇村镇建设办公室工作人员",
        circumstance="8-3",
        method="诫勉谈话",
        decided_on=days[5],
        basis="《权力运行监督问责办法（试行）》第八条第（三）项",
        facts="多次未按时在平台录入农村建房规划许可结果。",
    )
    summary.notices = 2

    decided = tolerance.register(
        jiwei,
        commission,
        units["QS-A-3"],
        "郑某某",
        "柳溪镇村镇建设办公室主任",
        FaultTolerance.Origin.APPLICATION,
        "汛期双河村道路垮塌，为保通行先行委托施工抢修，事后补办手续，被反映未经招标。",
        ["2", "12"],
        days[15],
    )
    tolerance.accept(jiwei, decided, days[13])
    tolerance.decide(
        jiwei,
        decided,
        FaultTolerance.Decision.EXEMPT,
        "属于为及时处置突发事件突破程序、急事急办，事后及时报告并补办手续，符合第（2）项情形，予以免责。",
        days[3],
    )
    tolerance.file_upward(jiwei, decided, days[2], "")
    tolerance.give_feedback(
        jiwei, decided, days[2], "经调查认定予以免责，已书面告知本人及所在单位。"
    )
    tolerance.clarify(
        jiwei,
        decided,
        "经容错调查认定，郑某某同志在汛期道路抢修中先行委托施工、事后补办手续，"
        "属于为保护群众生命财产安全急事急办，予以免责，特此澄清。",
        on=days[1],
    )
    tolerance.register(
        jiwei,
        commission,
        units["QS-A-V1"],
        "胡某某",
        "白果村村民委员会主任",
        FaultTolerance.Origin.REFERRAL,
        "村集体产业项目因市场变化亏损，被反映决策失误。",
        ["9", "11"],
        days[1],
        referred_by="柳溪镇党委组织办",
    )
    summary.cases = 2
    return summary
