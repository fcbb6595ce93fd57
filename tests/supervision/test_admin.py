"""The workspace views: who sees what, bad input, and the admin home."""

import datetime

from django.urls import reverse
from django.utils import timezone

import pytest

from supervision import notices, orders, patrols, tolerance
from supervision.models import Accountability, FaultTolerance, Patrol, SupervisionOrder
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(people):
    units = people["units"]
    jiwei = people["township_jiwei"]
    patrol = patrols.log_patrol(jiwei, units["T01-A-J"], timezone.localdate(), "am")
    finding = patrols.add_finding(
        jiwei, patrol, units["T01-A-1"], "late_disclosure", "临时救助结果逾期未公开"
    )
    order = orders.issue(jiwei, units["T01-A-J"], units["T01-A-1"], "请整改", finding)
    entry = notices.record(
        jiwei,
        units["T01-A-J"],
        units["T01-A-1"],
        person="吴某",
        post="社会事务办副主任",
        circumstance="8-3",
        method="通报批评",
        decided_on=timezone.localdate(),
        basis="《权力运行监督问责办法（试行）》第八条第（三）项",
        facts="未按规定及时录入临时救助办理结果。",
    )
    case = tolerance.register(
        jiwei,
        units["T01-A-J"],
        units["T01-A-2"],
        "赵某",
        "主任",
        FaultTolerance.Origin.APPLICATION,
        "汛期抢修",
        ["2"],
        timezone.localdate(),
    )
    return {
        "patrol": patrol,
        "finding": finding,
        "order": order,
        "entry": entry,
        "case": case,
    }


PAGES = (
    "supervision_home",
    "supervision_patrols",
    "supervision_orders",
    "supervision_statistics",
    "supervision_accountabilities",
    "supervision_cases",
)


def test_commission_pages_render_for_the_township_and_county(client, people, records):
    for who in ("township_jiwei", "county_jiwei"):
        client.force_login(people[who])
        for name in PAGES:
            response = client.get(reverse(name))
            assert response.status_code == 200, (who, name)
        for name, obj in (
            ("supervision_patrol", records["patrol"]),
            ("supervision_order", records["order"]),
            ("supervision_accountability", records["entry"]),
            ("supervision_case", records["case"]),
        ):
            assert client.get(reverse(name, args=[obj.pk])).status_code == 200


def test_unit_staff_see_only_orders_sent_to_them(client, people, records):
    client.force_login(people["clerk"])
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 403
    assert (
        client.get(
            reverse("supervision_patrol", args=[records["patrol"].pk])
        ).status_code
        == 403
    )
    page = client.get(reverse("supervision_unit_orders")).content.decode()
    assert "请整改" in page
    detail = client.get(reverse("supervision_order", args=[records["order"].pk]))
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "回复整改情况" in body and "临时救助结果逾期未公开" not in body
    client.force_login(people["other_clerk"])
    assert (
        "请整改" not in client.get(reverse("supervision_unit_orders")).content.decode()
    )
    assert (
        client.get(reverse("supervision_order", args=[records["order"].pk])).status_code
        == 404
    )


def test_a_township_commission_sees_only_its_units(client, people, records):
    units = people["units"]
    other = patrols.log_patrol(
        people["county_jiwei"], units["T01-J"], timezone.localdate(), "am"
    )
    client.force_login(people["township_jiwei"])
    assert client.get(reverse("supervision_patrol", args=[other.pk])).status_code == 404
    client.force_login(people["county_jiwei"])
    assert (
        client.get(
            reverse("supervision_patrol", args=[records["patrol"].pk])
        ).status_code
        == 200
    )


def test_records_naming_the_user_are_hidden_from_them(client, people, records):
    units = people["units"]
    named = notices.record(
        people["county_jiwei"],
        units["T01-J"],
        units["T01-A-J"],
        person="刘芳",
        post="镇纪委书记",
        circumstance="9-5",
        method="诫勉谈话",
        decided_on=timezone.localdate(),
        basis="第九条",
        facts="对巡查发现的问题未及时督办。",
    )
    client.force_login(people["township_jiwei"])
    assert (
        client.get(reverse("supervision_accountability", args=[named.pk])).status_code
        == 404
    )
    client.force_login(people["county_jiwei"])
    assert (
        client.get(reverse("supervision_accountability", args=[named.pk])).status_code
        == 200
    )


def test_the_journey_through_the_views(client, people, records):
    order = records["order"]
    url = reverse("supervision_order", args=[order.pk])
    client.force_login(people["clerk"])
    response = client.post(url, {"action": "reply", "reply-content": "已公开"})
    assert response.status_code == 302
    client.force_login(people["township_jiwei"])
    response = client.post(url, {"action": "close", "close-note": "同意"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == SupervisionOrder.State.CLOSED
    client.force_login(people["clerk"])
    late = client.post(url, {"action": "reply", "reply-content": "再回复"})
    assert late.status_code == 400
    assert "已办结，不能再回复" in late.content.decode()
    assert order.replies.count() == 1


def test_bad_input_gets_a_message_and_changes_nothing(client, people, records):
    client.force_login(people["township_jiwei"])
    today = timezone.localdate()
    duplicate = client.post(
        reverse("supervision_patrols"),
        {"commission": people["units"]["T01-A-J"].pk, "date": today, "session": "am"},
    )
    assert duplicate.status_code == 400 and "不能重复登记" in duplicate.content.decode()
    assert Patrol.objects.count() == 1
    nonsense = client.post(
        reverse("supervision_patrols"), {"date": "2026-13-40", "session": "xx"}
    )
    assert nonsense.status_code == 400
    case_url = reverse("supervision_case", args=[records["case"].pk])
    decide = client.post(
        case_url,
        {
            "action": "decide",
            "decide-decision": "exempt",
            "decide-reason": "免责",
            "decide-on": today,
        },
    )
    assert decide.status_code == 400 and "尚未受理" in decide.content.decode()
    assert client.post(case_url, {"action": "nothing"}).status_code == 404
    stats = client.get(reverse("supervision_statistics") + "?kind=week&year=abc")
    assert stats.status_code == 200
    home = client.get(reverse("supervision_home") + "?month=2026-99")
    assert home.status_code == 200
    personal = client.post(
        reverse("supervision_accountabilities"),
        {
            "commission": people["units"]["T01-A-J"].pk,
            "unit": people["units"]["T01-A-1"].pk,
            "person": "吴某",
            "post": "副主任",
            "circumstance": "8-3",
            "method": "通报批评",
            "decided_on": today,
            "basis": "第八条",
            "facts": "身份证号11010519491231002X",
        },
    )
    assert personal.status_code == 400 and "个人信息" in personal.content.decode()
    assert Accountability.objects.count() == 1


def test_admin_home_shows_patrols_and_orders(client, people, records):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "巡查" in page and "督办" in page
    client.force_login(people["clerk"])
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "督办整改" in page


def test_statistics_export(client, people, records):
    client.force_login(people["county_jiwei"])
    response = client.get(reverse("supervision_statistics") + "?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_provisional_deadline_shows_in_the_order(client, people, records):
    order = records["order"]
    SupervisionOrder.objects.filter(pk=order.pk).update(
        issued_on=datetime.date(2026, 12, 24),
        due=datetime.date(2027, 1, 8),
        due_provisional=True,
    )
    client.force_login(people["township_jiwei"])
    page = client.get(reverse("supervision_order", args=[order.pk])).content.decode()
    assert "暂定" in page
