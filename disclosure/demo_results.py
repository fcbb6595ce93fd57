"""Demo 一事一公开 results and 三重一大 decisions for `seed_demo` (issue 5 item 9).

Results span the last four months of the demo county with a realistic mix: most
entered and disclosed on time, some entered or disclosed late, a few still open —
due soon or already overdue — and 低保 公示 both running (with objections, one
answered) and finished (the name withdrawn). Decisions include a published one per
type and a draft. Everything is generated from a fixed seed and only when the demo
has no results yet, so reruns change nothing and CMS edits survive.
"""

import datetime
import random
from dataclasses import dataclass

from django.utils import timezone

from .models import Decision, DecisionMember, Objection, PowerItem, Result
from .workdays import load_calendar

SEED = 20261124
UNITS = ("QS-A-2", "QS-A-3", "QS-A-V1", "QS-A", "QS-B-2")
PER_UNIT = 24
DAYS_BACK = 120
PLACES = ("桃源村", "白果村", "河东社区", "石板村", "新华村", "柳溪社区")
PERSONS = ("王某某", "李某某", "陈某某", "赵某某", "周某某", "吴某某", "郑某某")
ORGANISATIONS = (
    "青山县绿源农业专业合作社",
    "柳溪镇顺达建筑有限公司",
    "青山县康宁养老服务中心",
    "柳溪镇惠民超市",
)
OUTCOMES = {
    "行政许可": "经审查，申请材料齐全、符合法定条件，准予许可，已当场送达决定书。",
    "行政处罚": "经调查核实，违法事实清楚，依法作出警告并责令限期改正的处罚决定。",
    "行政给付": "经审核符合条件，按标准核定发放，资金已通过“一卡通”发放到户。",
    "行政确认": "经入户调查、民主评议和公示无异议，审核确认符合条件。",
    "行政检查": "现场检查未发现违法违规问题，已出具检查记录。",
    "公共服务": "已按规定办结，结果告知申请人。",
}
DEFAULT_OUTCOME = "已按规定程序办结，结果已告知当事人。"


@dataclass
class Summary:
    results: int = 0
    open_results: int = 0
    objections: int = 0
    decisions: int = 0


def load(users) -> Summary:
    summary = Summary()
    if Result.objects.exists():
        return summary
    rng = random.Random(SEED)  # noqa: S311 - repeatable demo data, not secrets
    today = timezone.localdate()
    calendar = load_calendar()
    items = list(
        PowerItem.objects.filter(
            unit__code__in=UNITS, live=True, disclosed=True
        ).select_related("unit")
    )
    by_unit = {}
    for item in items:
        by_unit.setdefault(item.unit.code, []).append(item)
    for code in UNITS:
        unit_items = by_unit.get(code, [])
        if not unit_items:
            continue
        clerk = _staff(users, code)
        for serial in range(PER_UNIT):
            item = unit_items[serial % len(unit_items)]
            result = _result(rng, item, serial, today, calendar, clerk)
            summary.results += 1
            summary.open_results += result.disclosed_on is None
    summary.objections = _publicity_demo(rng, by_unit.get("QS-A-2", []), today, users)
    summary.decisions = _decisions(users, today)
    return summary


def _staff(users, unit_code, role="clerk"):
    from .demo import staff_username

    return users.get(staff_username(unit_code, role))


def _result(rng, item, serial, today, calendar, clerk, publicity_days=None):
    back = datetime.timedelta(days=rng.randint(1, DAYS_BACK))
    result_date = _workday_before(today - back, calendar)
    act_date = result_date - datetime.timedelta(days=rng.randint(0, 20))
    result = Result(
        unit=item.unit,
        item=item,
        title=_title(rng, item),
        act_date=act_date,
        result_date=result_date,
        outcome=OUTCOMES.get(item.power_type, DEFAULT_OUTCOME),
        handling_post=_post(item),
        entered_by=clerk,
        publicity_days=publicity_days,
    )
    _subject(rng, result)
    result.compute_deadlines(calendar)
    roll = rng.random()
    # Entry: usually within the 3 working days, sometimes late.
    entry_late = roll < 0.15
    result.entered_on = min(
        today,
        _shift(result.entry_due, calendar, rng.randint(1, 4))
        if entry_late
        else _shift(act_date, calendar, rng.randint(0, 3)),
    )
    # Disclosure: on time mostly; some late; the newest few still open.
    open_record = result.disclosure_due >= today and serial % 3 == 0 or serial % 11 == 5
    if not open_record:
        late = rng.random() < 0.2
        disclosed = (
            _shift(result.disclosure_due, calendar, rng.randint(1, 6))
            if late
            else _shift(result_date, calendar, rng.randint(1, 9))
        )
        result.disclosed_on = min(disclosed, today)
        result.entered_on = min(result.entered_on, result.disclosed_on)
    _store(result, clerk, publish=not open_record)
    return result


def _store(result, user, publish):
    """Save as a draft revision and, for disclosed ones, publish it: the dates the
    system would have set are those of the story, not today."""
    result.live = False
    if publish and result.publicity_days:
        result.publicity_ends = result.disclosed_on + datetime.timedelta(
            days=result.publicity_days - 1
        )
    result.save()
    revision = result.save_revision(user=user, log_action=True)
    if publish:
        revision.publish(user=user, skip_permission_checks=True)


def _publicity_demo(rng, items, today, users):
    """低保 公示: one running (two objections, one answered) and one finished."""
    dibao = next((item for item in items if "最低生活保障" in item.name), None)
    if dibao is None:
        return 0
    clerk = _staff(users, dibao.unit.code)
    running = _publicity_result(
        dibao, today - datetime.timedelta(days=2), "王某某", clerk
    )
    _publicity_result(dibao, today - datetime.timedelta(days=30), "李某某", clerk)
    head = _staff(users, dibao.unit.code, "head")
    from .results import raise_objection

    answered = raise_objection(
        running,
        "公示对象家庭有一辆营运货车，家庭经济状况可能不符合低保条件，请核实。",
        today=today - datetime.timedelta(days=1),
    )
    answered.answer = (
        "经镇社会事务办会同村委会入户核实，该车辆已于 2025 年报废注销，"
        "家庭人均收入低于当地低保标准，维持审核确认结果。"
    )
    answered.answered_at = timezone.now()
    answered.answered_by = head
    answered.save()
    raise_objection(running, "建议公示时写明家庭成员患病情况的核实依据。", today=today)
    return Objection.objects.count()


def _publicity_result(item, disclosed_on, name, clerk):
    calendar = load_calendar()
    result_date = _workday_before(disclosed_on - datetime.timedelta(days=3), calendar)
    result = Result(
        unit=item.unit,
        item=item,
        title=f"{PLACES[0]}一户家庭最低生活保障审核确认公示",
        subject_kind=Result.SubjectKind.PERSON,
        subject=name,
        subject_details="家庭人口 3 人，拟享受低保金每月 1,260 元",
        act_date=result_date - datetime.timedelta(days=5),
        result_date=result_date,
        outcome="经入户调查、民主评议，拟确认为最低生活保障对象，现予公示 7 天。",
        handling_post="社会事务办低保经办岗",
        entered_by=clerk,
        publicity_days=7,
    )
    result.compute_deadlines(calendar)
    result.entered_on = _shift(result.act_date, calendar, 2)
    result.disclosed_on = disclosed_on
    _store(result, clerk, publish=True)
    return result


def _title(rng, item):
    place = rng.choice(PLACES)
    if item.power_type in ("行政处罚", "行政检查"):
        return f"{place}{item.name}（{rng.randint(1, 40):02d}号）"
    return f"{place}{item.name}申请"


def _subject(rng, result):
    if result.item.power_type in ("行政许可", "行政处罚", "行政检查"):
        result.subject_kind = Result.SubjectKind.ORGANISATION
        result.subject = rng.choice(ORGANISATIONS)
    elif result.item.power_type in ("行政给付", "行政确认"):
        result.subject_kind = Result.SubjectKind.PERSON
        result.subject = rng.choice(PERSONS)


def _post(item):
    first = item.steps.order_by("sort_order").values_list("post", flat=True).first()
    return first or item.office


def _shift(day, calendar, working_days):
    from .workdays import add_working_days

    return add_working_days(day, working_days, calendar).due


def _workday_before(day, calendar):
    while not calendar.is_workday(day):
        day -= datetime.timedelta(days=1)
    return day


# 三重一大 ------------------------------------------------------------------------

MEMBERS = (
    ("李明辉", "镇党委书记", True),
    ("陈志远", "镇长", False),
    ("张建国", "副镇长", False),
    ("刘芳", "镇纪委书记", False),
    ("王海燕", "组织委员", False),
    ("赵卫东", "宣传委员", False),
    ("孙立军", "副镇长", False),
)
DECISIONS = (
    (
        "镇党委会 2026 年第 9 次会议",
        "柳溪镇 2026 年农村人居环境整治项目实施方案",
        Decision.DecisionType.PROJECT,
        "《青山县农村人居环境整治三年行动方案》；县政府常务会议纪要〔2026〕12 号",
        "镇建设办",
        "张建国",
        Decision.Outcome.PASSED,
        True,
    ),
    (
        "镇党委会 2026 年第 11 次会议",
        "镇卫生院医疗设备采购资金 86 万元使用方案",
        Decision.DecisionType.FUNDS,
        "《青山县乡镇财政资金管理办法》第十四条；镇 2026 年预算",
        "镇财政所",
        "孙立军",
        Decision.Outcome.PASSED,
        True,
    ),
    (
        "镇党委会 2026 年第 13 次会议",
        "柳溪镇集镇污水管网改造工程建设方案",
        Decision.DecisionType.MAJOR_DECISION,
        "《城镇排水与污水处理条例》；县发改委立项批复",
        "镇建设办",
        "张建国",
        Decision.Outcome.DEFERRED,
        True,
    ),
    (
        "镇党委会 2026 年第 14 次会议",
        "镇属站所负责人岗位调整",
        Decision.DecisionType.APPOINTMENT,
        "《党政领导干部选拔任用工作条例》；县委组织部备案意见",
        "镇党政办",
        "王海燕",
        Decision.Outcome.PASSED,
        False,
    ),
)


def _decisions(users, today):
    head = users.get("liuxi_head")
    clerk = users.get("liuxi_clerk")
    from .models import UnitPage

    unit = UnitPage.objects.filter(code="QS-A").first()
    if unit is None:
        return 0
    count = 0
    for index, spec in enumerate(DECISIONS):
        meeting, topic, kind, basis, dept, person, outcome, publish = spec
        decision = Decision(
            unit=unit,
            meeting=meeting,
            meeting_date=today - datetime.timedelta(days=70 - index * 18),
            topic=topic,
            decision_type=kind,
            basis=basis,
            attendees="镇纪委、镇财政所负责人列席",
            vote_form=Decision.VoteForm.HANDS,
            outcome=outcome,
            responsible_department=dept,
            responsible_person=person,
            live=False,
        )
        decision.members = _members(index, outcome)
        decision.save()
        revision = decision.save_revision(user=clerk, log_action=True)
        if publish:
            revision.publish(user=head, skip_permission_checks=True)
        count += 1
    return count


def _members(index, outcome):
    absent = MEMBERS[5 + index % 2][0]
    members, order = [], 1
    for name, post, is_head in MEMBERS[1:] + MEMBERS[:1]:
        present = name != absent
        vote = ""
        if present:
            vote = (
                "缓议"
                if outcome == Decision.Outcome.DEFERRED and not is_head
                else "同意"
            )
        members.append(
            DecisionMember(
                name=name,
                post=post,
                is_head=is_head,
                is_reporter=name == "张建国",
                present=present,
                speaking_order=order if present else None,
                vote=vote,
                reason=(
                    "方案经过调研论证，程序合规。"
                    if vote == "同意"
                    else "需进一步论证后再议。"
                )
                if present
                else "",
                written_opinion=""
                if present
                else "因公出差未能到会，书面意见：同意该方案。",
            )
        )
        order += present
    return members
