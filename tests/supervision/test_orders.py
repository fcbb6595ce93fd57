import datetime

from django.utils import timezone

import pytest
import time_machine

from supervision import orders, patrols
from supervision.errors import SupervisionError
from supervision.models import SupervisionOrder

pytestmark = pytest.mark.django_db
State = SupervisionOrder.State


@pytest.fixture
def finding(people):
    units = people["units"]
    patrol = patrols.log_patrol(
        people["township_jiwei"], units["T01-A-J"], timezone.localdate(), "am"
    )
    return patrols.add_finding(
        people["township_jiwei"],
        patrol,
        units["T01-A-1"],
        "late_disclosure",
        "3件临时救助结果逾期未公开",
    )


def issue(people, finding):
    return orders.issue(
        people["township_jiwei"],
        people["units"]["T01-A-J"],
        finding.unit,
        "请于10个工作日内公开并说明原因",
        finding=finding,
    )


def test_order_round_trip_reply_close(people, finding):
    order = issue(people, finding)
    assert order.state == State.ISSUED and order.due > order.issued_on
    with pytest.raises(SupervisionError, match="已经下发督办"):
        issue(people, finding)
    with pytest.raises(SupervisionError, match="只有被督办单位"):
        orders.reply(people["other_clerk"], order, "不是我们单位")
    with pytest.raises(SupervisionError, match="尚未回复"):
        orders.close(people["township_jiwei"], order, "")
    orders.reply(people["clerk"], order, "已全部公开，并对经办人批评教育。")
    with pytest.raises(SupervisionError, match="已经回复过"):
        orders.reply(people["clerk"], order, "再说一次")
    with pytest.raises(SupervisionError, match="只有下发该督办的纪委"):
        orders.close(people["clerk"], order, "")
    orders.close(people["township_jiwei"], order, "整改到位")
    order.refresh_from_db()
    assert order.state == State.CLOSED and order.replies.count() == 1
    with pytest.raises(SupervisionError, match="已办结，不能再回复"):
        orders.reply(people["clerk"], order, "补充")


def test_reorder_opens_a_new_round_with_a_new_deadline(people, finding):
    order = issue(people, finding)
    with pytest.raises(SupervisionError, match="期限.*未到"):
        orders.reorder(people["township_jiwei"], order, "再次督办")
    orders.reply(people["clerk"], order, "已整改")
    again = orders.reorder(people["township_jiwei"], order, "整改不到位，请重新公开")
    order.refresh_from_db()
    assert order.state == State.REORDERED
    assert again.round == 2 and again.previous == order and again.state == State.ISSUED
    with pytest.raises(SupervisionError, match="请回复新的督办"):
        orders.reply(people["clerk"], order, "回复旧督办")


def test_an_overdue_unanswered_order_can_be_ordered_again(people, finding):
    order = issue(people, finding)
    later = order.due + datetime.timedelta(days=1)
    again = orders.reorder(people["township_jiwei"], order, "逾期未回复", today=later)
    assert again.issued_on == later and again.round == 2


@time_machine.travel(datetime.datetime(2026, 12, 24, 9, 0, tzinfo=datetime.UTC))
def test_a_deadline_across_an_unknown_year_is_provisional(people, finding):
    order = issue(people, finding)
    assert order.due.year == 2027
    assert order.due_provisional
    explanation = orders.deadline_for(order.issued_on).explanation
    assert "暂定" in explanation and "2027年" in explanation


def test_unit_outside_scope_is_refused(people):
    with pytest.raises(SupervisionError, match="不在"):
        orders.issue(
            people["township_jiwei"],
            people["units"]["T01-A-J"],
            people["units"]["T01"],
            "县政府整改",
        )


def test_check_deadlines_reminds_the_unit_and_once_overdue_the_commission(
    people, finding
):
    from disclosure.models import DeadlineNotice
    from disclosure.reminders import check_deadlines

    order = issue(people, finding)
    notices = DeadlineNotice.objects.filter(kind="order", object_id=order.pk)
    with time_machine.travel(order.due - datetime.timedelta(days=1)):
        summary = check_deadlines()
    assert summary.other["待回复的督办"] == 1
    assert set(notices.values_list("recipient", flat=True)) == {people["clerk"].pk}
    with time_machine.travel(order.due + datetime.timedelta(days=3)):
        check_deadlines()
        assert check_deadlines().notices == 0  # a second run sends nothing new
    overdue = set(notices.filter(stage="overdue").values_list("recipient", flat=True))
    assert overdue == {people["clerk"].pk, people["township_jiwei"].pk}
    orders.reply(people["clerk"], order, "已整改。")
    with time_machine.travel(order.due + datetime.timedelta(days=10)):
        assert check_deadlines().other["待回复的督办"] == 0
