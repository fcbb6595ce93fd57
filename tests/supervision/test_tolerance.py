import datetime

from django.utils import timezone

import pytest

from disclosure.workdays import load_calendar
from supervision import tolerance
from supervision.errors import SupervisionError
from supervision.models import FaultTolerance

pytestmark = pytest.mark.django_db
State = FaultTolerance.State


@pytest.fixture
def case(people):
    return tolerance.register(
        people["township_jiwei"],
        people["units"]["T01-A-J"],
        people["units"]["T01-A-2"],
        "赵某",
        "村镇建设办主任",
        FaultTolerance.Origin.APPLICATION,
        "汛期为抢修垮塌道路，未经招标直接委托施工。",
        ["2", "12"],
        timezone.localdate() - datetime.timedelta(days=20),
    )


def test_application_to_decision_with_timers(people, case):
    jiwei = people["township_jiwei"]
    assert case.state == State.RECEIVED and case.accept_due > case.received_on
    with pytest.raises(SupervisionError, match="尚未受理"):
        tolerance.decide(jiwei, case, "exempt", "符合情形", timezone.localdate())
    accepted_on = case.received_on + datetime.timedelta(days=3)
    tolerance.accept(jiwei, case, accepted_on)
    assert case.state == State.INVESTIGATING
    assert case.investigation_due > accepted_on
    with pytest.raises(SupervisionError, match="理由"):
        tolerance.extend(
            jiwei, case, case.investigation_due + datetime.timedelta(1), ""
        )
    with pytest.raises(SupervisionError, match="晚于"):
        tolerance.extend(jiwei, case, case.investigation_due, "案情复杂")
    tolerance.extend(
        jiwei, case, case.investigation_due + datetime.timedelta(days=10), "案情复杂"
    )
    today = timezone.localdate()
    tolerance.decide(jiwei, case, "exempt", "符合第（2）项情形，予以免责。", today)
    assert case.state == State.DECIDED and case.filing_due > today
    timers = tolerance.timers(case, today, load_calendar())
    assert [timer.label for timer in timers] == ["受理期限", "调查期限", "报备期限"]
    assert timers[1].extended_due == case.extended_due
    assert "次日起算" in timers[0].explanation
    assert timers[0].standing.state == "按时"
    tolerance.file_upward(jiwei, case, today, "")
    assert case.filed_to == tolerance.default_filed_to(case)
    with pytest.raises(SupervisionError, match="不能重复报备"):
        tolerance.file_upward(jiwei, case, today, "")
    tolerance.give_feedback(jiwei, case, today, "经调查认定予以免责。")
    with pytest.raises(SupervisionError, match="个人信息"):
        tolerance.clarify(jiwei, case, "联系电话13800138000")
    tolerance.clarify(
        jiwei, case, "经调查，赵某在汛期抢险中的做法符合容错情形，予以澄清。"
    )
    case.refresh_from_db()
    assert case.clarified_on == today


def test_circumstances_must_come_from_the_list(people):
    with pytest.raises(SupervisionError, match="容错情形"):
        tolerance.register(
            people["township_jiwei"],
            people["units"]["T01-A-J"],
            people["units"]["T01-A-2"],
            "赵某",
            "主任",
            FaultTolerance.Origin.APPLICATION,
            "事项",
            ["99"],
            timezone.localdate(),
        )


def test_refused_case_cannot_be_decided(people, case):
    jiwei = people["township_jiwei"]
    with pytest.raises(SupervisionError, match="理由"):
        tolerance.refuse(jiwei, case, timezone.localdate(), " ")
    tolerance.refuse(jiwei, case, timezone.localdate(), "不属于容错范围")
    with pytest.raises(SupervisionError, match="不予受理"):
        tolerance.decide(jiwei, case, "exempt", "理由", timezone.localdate())
    with pytest.raises(SupervisionError, match="不能受理"):
        tolerance.accept(jiwei, case, timezone.localdate())
