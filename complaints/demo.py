"""Demo reports for 青山县 (run by `seed_demo` after the units and accounts exist).

One report in every state, a transfer between township 纪委s, one about a township
head that went to the county 纪委, a letter registered by staff, and a report overdue
for acceptance. Each goes through the same intake and handling code as real ones,
by the demo 纪委 accounts. Idempotent: each report has a fixed form token, so a
second run finds them and changes nothing. The 查询码 are fixed too, so the
developer can try the status page; they are printed by `seed_demo`.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from disclosure.demo import DEMO_PASSWORD
from disclosure.models import UnitPage

from . import handling, intake
from .models import Report

DEMO_ID = "11010519491231002X"  # the standard's published sample number


@dataclass(frozen=True)
class DemoReport:
    key: str
    code: str
    unit: str
    person: str
    post: str
    content: str
    days_ago: int
    real_name: bool = False
    channel: str = Report.Channel.ONLINE
    steps: tuple = ()


SCENARIOS = (
    DemoReport(
        "pending-village",
        "8000000000000001",
        "QS-A-V1",
        "胡某某",
        "村委会委员",
        "白果村村委委员胡某某在低保评议中优亲厚友，把不符合条件的亲属评为低保户。",
        days_ago=30,
    ),
    DemoReport(
        "accepted-office",
        "8000000000000002",
        "QS-A-2",
        "王某某",
        "社会事务办工作人员",
        "社会事务办王某某办理高龄津贴时要求老人家属请客送礼后才给办理。",
        days_ago=6,
        real_name=True,
        steps=(("accept", "liuxi_jiwei"),),
    ),
    DemoReport(
        "rejected",
        "8000000000000003",
        "QS-B-2",
        "某工作人员",
        "",
        "社会事务办办事太慢，希望改进。",
        days_ago=12,
        steps=(("reject", "shiqiao_jiwei"),),
    ),
    DemoReport(
        "transferred",
        "8000000000000004",
        "QS-A-3",
        "杨某某",
        "村镇建设办工作人员",
        "石桥乡龙潭村的危房改造验收中，有人收取好处费后让不合格的房屋通过验收。",
        days_ago=3,
        steps=(("transfer", "liuxi_jiwei"),),
    ),
    DemoReport(
        "investigating",
        "8000000000000005",
        "QS-2",
        "潘某某",
        "执法大队队员",
        "自然资源局执法人员潘某某对违法占地只罚款不拆除，疑似收受好处。",
        days_ago=20,
        real_name=True,
        steps=(("accept", "paizhu_jiwei"), ("investigate", "paizhu_jiwei")),
    ),
    DemoReport(
        "closed-real-name",
        "8000000000000006",
        "QS-A-V2",
        "陈某某",
        "村民委员会主任",
        "金竹村村委会主任陈某某在村道硬化工程中虚报工程量。",
        days_ago=40,
        real_name=True,
        steps=(
            ("accept", "liuxi_jiwei"),
            ("investigate", "liuxi_jiwei"),
            ("close", "liuxi_jiwei"),
        ),
    ),
    DemoReport(
        "closed-anonymous",
        "8000000000000007",
        "QS-B-V1",
        "林某某",
        "村会计",
        "龙潭村会计林某某挪用村集体资金。",
        days_ago=45,
        steps=(
            ("accept", "shiqiao_jiwei"),
            ("investigate", "shiqiao_jiwei"),
            ("close", "shiqiao_jiwei"),
        ),
    ),
    DemoReport(
        "township-head",
        "8000000000000008",
        "QS-A",
        "李某某",
        "镇长",
        "柳溪镇镇长在危房改造项目中指定施工队，涉嫌利益输送。",
        days_ago=2,
        steps=(("accept", "county_jiwei"),),
    ),
    DemoReport(
        "letter",
        "8000000000000009",
        "QS-A-4",
        "郑某某",
        "财政所工作人员",
        "来信反映：财政所郑某某在惠民补贴发放中克扣资金。",
        days_ago=1,
        channel=Report.Channel.LETTER,
    ),
)

RESULT = "经核查，反映的问题基本属实。已责令整改，对相关责任人给予党内警告处分，多收款项已全部退还。"
ANNOUNCEMENT = (
    "经核查，龙潭村会计挪用村集体资金问题属实，已责令全额退回，并给予党内严重警告处分。"
)


@dataclass
class Summary:
    created: list

    @property
    def changed(self):
        return bool(self.created)


def load_demo():
    """Create the demo reports that are missing; returns what was created."""
    existing = set(
        Report.objects.filter(code__in=[s.code for s in SCENARIOS]).values_list(
            "code", flat=True
        )
    )
    missing = [s for s in SCENARIOS if s.code not in existing]
    if not missing:
        return Summary([])
    users = {u.username: u for u in get_user_model().objects.all()}
    created = []
    today = timezone.localdate()
    for scenario in missing:
        with transaction.atomic():
            report = _file(scenario, today, users)
            for action, username in scenario.steps:
                _step(report, action, users[username])
        created.append(scenario)
    return Summary(created)


def _file(scenario, today, users):
    submission = intake.Submission(
        accused_person=scenario.person,
        accused_post=scenario.post,
        accused_unit=UnitPage.objects.get(code=scenario.unit),
        content=scenario.content,
        password=DEMO_PASSWORD,
        anonymous=not scenario.real_name,
        name="赵演示" if scenario.real_name else "",
        id_number=DEMO_ID if scenario.real_name else "",
        phone="13800000000" if scenario.real_name else "",
        channel=scenario.channel,
        received_on=today - datetime.timedelta(days=scenario.days_ago),
        token=f"demo-{scenario.key}",
        registered_by=(
            users.get("county_jiwei")
            if scenario.channel != Report.Channel.ONLINE
            else None
        ),
    )
    report = intake.file_report(submission).report
    Report.objects.filter(pk=report.pk).update(code=scenario.code)
    report.refresh_from_db()
    return report


def _step(report, action, user):
    report.refresh_from_db()
    if action == "accept":
        handling.accept(report, user, Report.Category.INTEGRITY)
    elif action == "reject":
        handling.reject(
            report,
            user,
            "反映的是工作效率问题，不属于纪检监察机关受理范围。",
            "您反映的是办事效率问题，不属于纪委受理范围，已转告该单位改进工作。",
        )
    elif action == "transfer":
        handling.transfer(
            report,
            user,
            UnitPage.objects.get(code="QS-B-J"),
            "反映的问题发生在石桥乡龙潭村，按管理权限移送石桥乡纪委。",
        )
    elif action == "investigate":
        handling.investigate(report, user, "成立核查组，调取相关台账。")
    elif action == "close":
        handling.close(
            report,
            user,
            RESULT,
            Report.Announcement.PUBLIC if report.anonymous else "",
            ANNOUNCEMENT if report.anonymous else "",
        )
