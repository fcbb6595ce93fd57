"""一事一公开 in the admin (issue 5 items 1, 3, 5, 6): a clerk enters results of own
unit, personal data and bad dates are refused, the unit's leader approves and that
publishes; dashboards show each person their scope only and export; a decision
below quorum is refused; objections are answered by the unit, read by the 纪委."""

import datetime

from django.urls import reverse
from django.utils import timezone

from wagtail.models import TaskState
from wagtail.test.utils.form_data import inline_formset, nested_form_data

import pytest

from disclosure.models import Decision, Objection, Result, UnitPage
from tests.factories import make_item, make_result, staff

pytestmark = pytest.mark.django_db
DASHBOARD_QUERIES = 40


def admin_url(view, *args, model="result"):
    return reverse(f"wagtailsnippets_disclosure_{model}:{view}", args=args)


@pytest.fixture
def people(county):
    office = UnitPage.objects.get(code="T01-A-1")
    other = UnitPage.objects.get(code="T01-A-2")
    return {
        "office": office,
        "item": make_item(office, "R-1", name="临时救助审批"),
        "other_item": make_item(other, "O-1", name="建房审批"),
        "clerk": staff(office, "clerk"),
        "leader": staff(office, "leader"),
        "other_clerk": staff(other, "clerk"),
        "commission": staff(UnitPage.objects.get(code="T01-A-J"), "commission"),
    }


def result_form(people, **overrides):
    today = timezone.localdate()
    return nested_form_data(
        {
            "unit": people["office"].pk,
            "item": people["item"].pk,
            "title": "东河镇一户临时救助",
            "subject_kind": "none",
            "subject": "",
            "subject_details": "",
            "act_date": (today - datetime.timedelta(days=30)).isoformat(),
            "result_date": (today - datetime.timedelta(days=25)).isoformat(),
            "outcome": "准予救助 1,000 元。",
            "handling_post": "社会事务办经办岗",
            "publicity_days": "",
            "attachments": inline_formset([]),
            **overrides,
        }
    )


def test_a_clerk_enters_a_late_result_and_the_leader_approves_it(client, people):
    client.force_login(people["clerk"])
    response = client.post(
        admin_url("add"), {**result_form(people), "action-submit": "提交"}
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    result = Result.objects.get()
    assert result.entered_by == people["clerk"] and not result.live
    assert result.entry_standing().state == "逾期"
    state = TaskState.objects.get(status="in_progress")
    client.post(
        admin_url("workflow_action", result.pk, "approve", state.pk),
        {"comment": "自己批准"},
    )
    assert TaskState.objects.get(pk=state.pk).status == "in_progress"
    client.force_login(people["leader"])
    response = client.post(
        admin_url("workflow_action", result.pk, "approve", state.pk),
        {"comment": "同意公开"},
    )
    result.refresh_from_db()
    assert result.live and result.disclosed_on == timezone.localdate()
    assert client.get(result.unit.url + f"results/{result.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"outcome": "请拨打 13812345678"}, "含有个人信息"),
        ({"result_date": "2020-01-01"}, "不能早于权力行为发生日"),
        ({"act_date": "2099-01-01", "result_date": "2099-01-02"}, "不能晚于今天"),
    ],
)
def test_bad_results_are_refused_and_nothing_is_saved(
    client, people, overrides, message
):
    client.force_login(people["clerk"])
    response = client.post(admin_url("add"), result_form(people, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Result.objects.exists()


def test_a_clerk_cannot_enter_for_another_unit(client, people):
    client.force_login(people["clerk"])
    data = result_form(people, item=people["other_item"].pk)
    response = client.post(admin_url("add"), data)
    assert response.status_code == 200
    assert not Result.objects.exists()


def test_dashboards_show_each_person_their_scope(
    client, people, django_assert_max_num_queries
):
    today = timezone.localdate()
    late = {
        "publish": False,
        "act_date": today - datetime.timedelta(days=40),
        "result_date": today - datetime.timedelta(days=30),
    }
    mine = make_result(people["item"], title="本单位逾期结果", **late)
    theirs = make_result(people["other_item"], title="他单位逾期结果", **late)
    dashboard = reverse("result_deadlines")
    client.force_login(people["clerk"])
    page = client.get(dashboard).content.decode()
    assert mine.title in page and theirs.title not in page
    assert "逾期" in page
    client.force_login(people["commission"])
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        page = client.get(dashboard).content.decode()
    assert mine.title in page and theirs.title in page
    summary = client.get(reverse("result_deadlines_by_unit")).content.decode()
    assert "东河镇社会事务办公室" in summary
    export = client.get(dashboard + "?export=csv")
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "期限计算说明" in body and "次日起算" in body and mine.title in body
    assert client.get(dashboard + "?export=xlsx").status_code == 200
    client.force_login(people["other_clerk"])
    page = client.get(dashboard).content.decode()
    assert theirs.title in page and mine.title not in page


def test_dashboard_filters_by_person_and_state(client, people):
    today = timezone.localdate()
    make_result(
        people["item"],
        publish=False,
        user=people["clerk"],
        title="甲的逾期结果",
        act_date=today - datetime.timedelta(days=40),
        result_date=today - datetime.timedelta(days=30),
    )
    make_result(people["item"], publish=False, title="未到期结果")
    client.force_login(people["leader"])
    url = reverse("result_deadlines")
    page = client.get(f"{url}?entered_by={people['clerk'].pk}").content.decode()
    assert "甲的逾期结果" in page and "未到期结果" not in page
    page = client.get(f"{url}?disclosure_state=按时").content.decode()
    assert "未到期结果" in page and "甲的逾期结果" not in page


def decision_form(people, present):
    members = [
        {
            "name": f"成员{n}",
            "post": "书记" if n == 6 else "委员",
            "is_head": "on" if n == 6 else "",
            "is_reporter": "on" if n == 0 else "",
            "present": "on" if n < present or n == 6 else "",
            "speaking_order": str(n + 1) if n < present or n == 6 else "",
            "vote": "同意" if n < present or n == 6 else "",
            "reason": "同意" if n < present or n == 6 else "",
            "written_opinion": "" if n < present or n == 6 else "书面同意",
        }
        for n in range(7)
    ]
    return nested_form_data(
        {
            "unit": people["office"].pk,
            "meeting": "党委会第 9 次会议",
            "meeting_date": timezone.localdate().isoformat(),
            "topic": "人居环境整治项目",
            "decision_type": "重大项目安排",
            "basis": "县政府会议纪要",
            "attendees": "",
            "members": inline_formset(members),
            "vote_form": "举手",
            "outcome": "通过",
            "responsible_department": "建设办",
            "responsible_person": "张某",
            "withheld": "",
            "attachments": inline_formset([]),
        }
    )


def test_personal_data_in_a_members_reason_is_refused(client, people):
    data = decision_form(people, 5)
    data["members-0-reason"] = "已与申请人电话 13812345678 核实"
    client.force_login(people["clerk"])
    response = client.post(admin_url("add", model="decision"), data)
    assert "含有个人信息" in response.content.decode()
    assert not Decision.objects.exists()


def test_a_decision_below_quorum_is_refused(client, people):
    client.force_login(people["clerk"])
    response = client.post(admin_url("add", model="decision"), decision_form(people, 3))
    assert response.status_code == 200
    assert "到会人数不足" in response.content.decode()
    assert not Decision.objects.exists()
    response = client.post(admin_url("add", model="decision"), decision_form(people, 5))
    assert response.status_code == 302, response.content.decode()[-1500:]
    assert Decision.objects.get().tally.present == 6


def test_objections_are_answered_by_the_unit_and_read_by_the_commission(client, people):
    result = make_result(people["item"], publicity_days=7)
    objection = Objection.objects.create(
        result=result, content="请核实", answer_due=timezone.localdate()
    )
    edit = reverse("disclosure_objections:edit", args=[objection.pk])
    client.force_login(people["commission"])
    assert (
        "请核实" in client.get(reverse("disclosure_objections:index")).content.decode()
    )
    assert client.post(edit, {"answer": "纪委代答"}).status_code in (302, 403)
    objection.refresh_from_db()
    assert not objection.is_answered
    client.force_login(people["other_clerk"])
    assert (
        "请核实"
        not in client.get(reverse("disclosure_objections:index")).content.decode()
    )
    client.force_login(people["clerk"])
    response = client.post(edit, {"answer": "电话 13812345678"})
    assert "含有个人信息" in response.content.decode()
    response = client.post(edit, {"answer": "经核实，情况属实，已更正。"})
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.is_answered and objection.answered_by == people["clerk"]
    assert client.post(edit, {"answer": "再改"}).status_code == 302
    objection.refresh_from_db()
    assert objection.answer == "经核实，情况属实，已更正。"
