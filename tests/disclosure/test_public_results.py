"""The public side of 一事一公开 and 三重一大 (issue 5 items 5, 7, 8): result pages
with dates and deadline explanations, lists per unit, item and county with filters,
Atom feeds, decision pages with the tally, 异议 during a 公示, and the open-data API.
Drafts, non-disclosed items and withheld parts never show; lists cost a fixed number
of queries whatever their size."""

import datetime
import re
from unittest import mock
from xml.etree import ElementTree

from django.core import mail
from django.utils import timezone

import pytest
from captcha.models import CaptchaStore

from disclosure.models import (
    DeadlineNotice,
    Decision,
    DecisionMember,
    Objection,
    Result,
    UnitPage,
)
from tests.factories import make_item, make_result, staff

pytestmark = pytest.mark.django_db
LIST_QUERIES = 16


@pytest.fixture
def office(county):
    return UnitPage.objects.get(code="T01-A-1")


@pytest.fixture
def item(office):
    return make_item(office, "R-1", name="临时救助审批", power_type="行政给付")


def url_of(result):
    return result.unit.url + f"results/{result.pk}/"


def test_a_result_page_shows_its_dates_and_how_deadlines_were_computed(client, item):
    today = timezone.localdate()
    result = make_result(
        item,
        act_date=today - datetime.timedelta(days=40),
        result_date=today - datetime.timedelta(days=30),
        outcome="准予救助 <b>1,000</b> 元。",
    )
    page = client.get(url_of(result)).content.decode()
    assert "临时救助审批" in page
    assert "准予救助 &lt;b&gt;1,000&lt;/b&gt; 元。" in page
    assert today.strftime("%Y年%-m月%-d日") in page  # 公开日期, set on publication
    assert "次日起算" in page
    assert page.count("逾期") >= 2  # entered and disclosed late


def test_drafts_and_results_of_undisclosed_items_are_not_public(client, item, office):
    draft = make_result(item, publish=False)
    hidden_item = make_item(office, "R-2")
    hidden = make_result(hidden_item)
    # The item is later withdrawn from disclosure: its results go with it.
    hidden_item.__class__.objects.filter(pk=hidden_item.pk).update(
        disclosed=False, withheld_reason="内部事务"
    )
    for result in (draft, hidden):
        assert client.get(url_of(result)).status_code == 404
    listing = client.get("/results/").content.decode()
    assert draft.title not in listing and hidden.title not in listing
    api = client.get("/api/v1/results/").json()
    assert api["count"] == 0


def test_lists_per_unit_item_and_county_with_filters(client, item, office, county):
    other_unit = UnitPage.objects.get(code="T01-A-V1")
    other = make_result(
        make_item(other_unit, "V-1", name="宅基地审批", power_type="行政许可"),
        title="柳树村宅基地审批",
    )
    mine = make_result(item, title="东河镇临时救助")
    county_page = client.get("/results/").content.decode()
    assert mine.title in county_page and other.title in county_page
    township = client.get("/results/?unit=T01-A&power_type=行政给付").content.decode()
    assert mine.title in township and other.title not in township
    unit_page = client.get(office.url + "results/?item=R-1").content.decode()
    assert mine.title in unit_page and other.title not in unit_page
    item_page = client.get(office.url + "powers/R-1/").content.decode()
    assert mine.title in item_page and "查看本事项全部办理结果" in item_page


@pytest.mark.parametrize(
    "query",
    [
        "?date_from=not-a-date",
        "?unit=NOPE",
        "?power_type=<script>",
        "?page=999",
        "?date_from=2026-13-45&date_to=x",
    ],
)
def test_bad_filters_never_break_the_list(client, item, query):
    make_result(item)
    response = client.get("/results/" + query)
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_lists_run_a_fixed_number_of_queries(
    client, item, office, django_assert_max_num_queries
):
    for n in range(3):
        make_result(item, title=f"结果{n}")
    with django_assert_max_num_queries(LIST_QUERIES):
        client.get("/results/")
    with django_assert_max_num_queries(LIST_QUERIES):
        client.get(office.url + "results/")
    for n in range(30):
        make_result(make_item(office, f"X-{n}"), title=f"更多结果{n}")
    with django_assert_max_num_queries(LIST_QUERIES):
        assert client.get("/results/").status_code == 200
    with django_assert_max_num_queries(LIST_QUERIES):
        assert client.get(office.url + "results/").status_code == 200


def test_atom_feed_per_unit(client, item, office):
    make_result(item, title="东河镇临时救助")
    response = client.get(office.url + "results/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)  # noqa: S314 - our own feed
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [
        entry.findtext("a:title", namespaces=ns)
        for entry in feed.findall("a:entry", ns)
    ]
    assert titles == ["东河镇临时救助"]


def decision(unit, *, present=7, head_last=True, publish=True, withheld=""):
    record = Decision(
        unit=unit,
        meeting="镇党委会第 9 次会议",
        meeting_date=timezone.localdate() - datetime.timedelta(days=5),
        topic="人居环境整治项目",
        decision_type="重大项目安排",
        basis="县政府会议纪要",
        vote_form="举手",
        outcome="通过",
        responsible_department="建设办",
        responsible_person="张某",
        withheld=withheld,
        live=False,
    )
    members = []
    for index in range(7):
        is_head = index == 6
        here = index < present or is_head
        members.append(
            DecisionMember(
                name=f"成员{index}",
                post="书记" if is_head else "委员",
                is_head=is_head,
                present=here,
                speaking_order=(index + 1 if head_last or not is_head else 0)
                if here
                else None,
                vote="同意" if here else "",
                reason="同意" if here else "",
                written_opinion="" if here else "书面同意",
            )
        )
    record.members = members
    record.save()
    revision = record.save_revision()
    if publish:
        revision.publish(skip_permission_checks=True)
    return record


def test_a_decision_page_shows_the_tally_and_leaves_out_withheld_parts(client, county):
    unit = UnitPage.objects.get(code="T01-A")
    record = decision(unit, present=5, withheld="人事细节：某某家庭情况")
    page = client.get(unit.url + f"decisions/{record.pk}/").content.decode()
    assert "班子成员 7 人，到会 6 人" in page
    assert "同意 6 票" in page
    assert "书面意见（不计票）" in page
    assert "人事细节" not in page
    data = client.get("/api/v1/decisions/").json()
    assert data["count"] == 1
    body = data["results"][0]
    assert (body["members"], body["present"], body["agree"]) == (7, 6, 6)
    assert body["unit_code"] == "T01-A" and body["url"].endswith(
        f"/decisions/{record.pk}/"
    )
    assert "人事细节" not in str(data)
    assert client.get(body["url"]).status_code == 200


def test_the_api_lists_results_with_contract_fields(client, item):
    result = make_result(
        item,
        subject_kind="person",
        subject="王某某",
        publicity_days=7,
    )
    data = client.get("/api/v1/results/?unit=T01-A&power_type=行政给付").json()
    assert set(data) == {"count", "next", "previous", "results"}
    body = data["results"][0]
    assert body["unit_code"] == "T01-A-1" and body["code"] == "R-1"
    assert body["rating_total"] == 0 and body["subject"] == "王某某"
    assert client.get(body["url"]).status_code == 200
    Result.objects.filter(pk=result.pk).update(
        publicity_ends=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert client.get(f"/api/v1/results/{result.pk}/").json()["subject"] is None
    bad = client.get("/api/v1/results/?date_from=2026-12-01&date_to=2026-01-01")
    assert bad.status_code == 400 and "起始日期" in bad.json()["detail"]


# 公示 and 异议 ------------------------------------------------------------------


def objection_form(client, result):
    page = client.get(url_of(result)).content.decode()
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page).group(1)
    return {
        "captcha_0": key,
        "captcha_1": CaptchaStore.objects.get(hashkey=key).response,
    }


@pytest.fixture
def posted(item, office):
    staff(office, "clerk")
    staff(office, "head")
    staff(UnitPage.objects.get(code="T01-A-J"), "commission")
    return make_result(
        item,
        subject_kind="person",
        subject="王某某",
        subject_details="家庭人口 3 人",
        publicity_days=7,
    )


def test_an_objection_reaches_the_unit_and_its_commission(
    client, posted, django_capture_on_commit_callbacks
):
    data = objection_form(client, posted)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url_of(posted) + "objection/",
            {**data, "content": "该户有营运车辆，请核实。"},
        )
    assert response.status_code == 302
    assert "objection=received" in response.url
    objection = Objection.objects.get()
    assert objection.answer_due > timezone.localdate()
    recipients = set(
        DeadlineNotice.objects.filter(object_id=objection.pk).values_list(
            "recipient__username", flat=True
        )
    )
    assert recipients == {"t01-a-1-clerk", "t01-a-1-head", "t01-a-j-commission"}
    assert len(mail.outbox) == 3
    assert "异议" in client.get(response.url).content.decode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "请填写异议内容"),
        ("   ", "请填写异议内容"),
        ("长" * 2001, "不能超过 2000 字"),
    ],
)
def test_a_bad_objection_is_refused_and_nothing_is_stored(
    client, posted, content, message
):
    data = objection_form(client, posted)
    response = client.post(url_of(posted) + "objection/", {**data, "content": content})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Objection.objects.exists()


def test_a_wrong_captcha_is_refused(client, posted):
    data = objection_form(client, posted)
    data["captcha_1"] = "wrong"
    response = client.post(url_of(posted) + "objection/", {**data, "content": "异议"})
    assert response.status_code == 400
    assert "验证码不正确" in response.content.decode()
    assert not Objection.objects.exists()


def test_after_the_period_no_objection_and_the_name_is_withdrawn(client, posted):
    Result.objects.filter(pk=posted.pk).update(
        publicity_ends=timezone.localdate() - datetime.timedelta(days=1)
    )
    page = client.get(url_of(posted)).content.decode()
    assert "王某某" not in page and "家庭人口" not in page
    assert "个人信息依法不予公开" in page
    assert 'name="content"' not in page
    response = client.post(url_of(posted) + "objection/", {"content": "迟到的异议"})
    assert response.status_code == 400
    assert "不能再提出异议" in response.content.decode()
    assert not Objection.objects.exists()


def test_only_answered_objections_show_with_personal_data_masked(client, posted):
    objection = Objection.objects.create(
        result=posted,
        content="请联系我 13812345678 核实",
        answer_due=timezone.localdate(),
    )
    assert "13812345678" not in client.get(url_of(posted)).content.decode()
    assert "请联系我" not in client.get(url_of(posted)).content.decode()
    objection.answer = "已核实，情况属实。"
    objection.answered_at = timezone.now()
    objection.save()
    page = client.get(url_of(posted)).content.decode()
    assert "已核实，情况属实。" in page
    assert "138****5678" in page and "13812345678" not in page


def test_after_the_period_objections_are_only_counted(client, posted):
    Objection.objects.create(
        result=posted,
        content="王某某家有营运车辆",
        answer="经核实，王某某家车辆已报废。",
        answered_at=timezone.now(),
        answer_due=timezone.localdate(),
    )
    assert "已报废" in client.get(url_of(posted)).content.decode()
    Result.objects.filter(pk=posted.pk).update(
        publicity_ends=timezone.localdate() - datetime.timedelta(days=1)
    )
    page = client.get(url_of(posted)).content.decode()
    assert "公示期内收到异议 1 件，均已答复" in page
    assert "王某某" not in page and "已报废" not in page


def test_a_failed_notification_never_loses_the_objection(
    client, posted, django_capture_on_commit_callbacks
):
    data = objection_form(client, posted)
    with (
        mock.patch(
            "disclosure.reminders._recipients", side_effect=RuntimeError("mail down")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            url_of(posted) + "objection/", {**data, "content": "请核实"}
        )
    assert response.status_code == 302
    assert Objection.objects.count() == 1


def test_a_publicity_added_after_disclosure_runs_from_that_publication(client, item):
    result = make_result(item)
    assert result.publicity_ends is None
    result.subject_kind, result.subject, result.publicity_days = "person", "王某某", 7
    result.save_revision().publish(skip_permission_checks=True)
    result.refresh_from_db()
    assert result.publicity_ends == timezone.localdate() + datetime.timedelta(days=6)
    assert 'name="content"' in client.get(url_of(result)).content.decode()


def test_a_secret_ballot_publishes_the_tally_only(client, county):
    unit = UnitPage.objects.get(code="T01-A")
    record = decision(unit)
    Decision.objects.filter(pk=record.pk).update(vote_form="不记名")
    page = client.get(unit.url + f"decisions/{record.pk}/").content.decode()
    assert "同意 7 票" in page and "成员0" not in page
    assert client.get("/api/v1/decisions/").json()["results"][0]["votes"] == []


def test_objecting_needs_post(client, posted):
    assert client.get(url_of(posted) + "objection/").status_code == 405
