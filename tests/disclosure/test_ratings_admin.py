"""一事一评议 in the admin (issue 7 items 3, 5 and 6): the supervising 纪委 moderates
comments and reads originals (audited), the unit replies to negative ones within
10 working days, overdue follow-ups reach the 纪委's dashboard, and the statistics
of negative ratings per unit, post and period flag 谈话提醒 — each person within
their scope only, with a fixed number of queries."""

import datetime

from django.urls import reverse
from django.utils import timezone

from wagtail.models import ModelLogEntry

import pytest

from disclosure import ratings
from disclosure.models import Rating, RatingSettings, UnitPage
from tests.factories import make_item, make_result, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(county):
    return UnitPage.objects.get(code="T01-A-1")


@pytest.fixture
def people(office):
    return {
        "clerk": staff(office, "clerk"),
        "commission": staff(UnitPage.objects.get(code="T01-A-J"), "commission"),
        "other_clerk": staff(UnitPage.objects.get(code="T01-A-2"), "clerk"),
    }


@pytest.fixture
def result(office):
    return make_result(
        make_item(office, "R-1", name="临时救助审批"), handling_post="救助审核岗"
    )


def rate(result, level, comment="", n=[0]):  # noqa: B006 - a counter of tokens
    n[0] += 1
    return ratings.submit(result, level, comment, f"browser-token-{n[0]:06d}-x")


def edit_url(rating):
    return reverse("disclosure_ratings:edit", args=[rating.pk])


def test_the_commission_moderates_and_reads_the_original_with_an_audit_entry(
    client, people, result
):
    rating = rate(result, 2, "经办人电话 13812345678 一直打不通")
    client.force_login(people["commission"])
    page = client.get(edit_url(rating)).content.decode()
    assert "13812345678" in page  # the original, for the 纪委 only
    assert ModelLogEntry.objects.filter(
        action="sunlight.rating_original_viewed"
    ).exists()
    refused = client.post(
        edit_url(rating), {"decision": "hidden", "moderation_reason": ""}
    )
    assert (
        refused.status_code == 200 and "不予公开须写明理由" in refused.content.decode()
    )
    assert Rating.objects.get().moderation == Rating.Moderation.PENDING
    client.post(edit_url(rating), {"decision": "shown"})
    rating.refresh_from_db()
    assert rating.moderation == Rating.Moderation.SHOWN
    assert rating.moderated_by == people["commission"]
    assert ModelLogEntry.objects.filter(action="sunlight.rating_shown").exists()


def test_the_unit_sees_the_masked_comment_and_replies_but_cannot_moderate(
    client, people, result
):
    rating = rate(result, 1, "经办人电话 13812345678 一直打不通")
    client.force_login(people["clerk"])
    page = client.get(edit_url(rating)).content.decode()
    assert "13812345678" not in page and "138****5678" in page
    assert 'name="decision"' not in page
    bad = client.post(edit_url(rating), {"reply": "请拨打 13812345678 联系"})
    assert "个人信息" in bad.content.decode()
    client.post(edit_url(rating), {"reply": "已核实并整改，电话已转专人接听。"})
    rating.refresh_from_db()
    assert rating.is_replied and rating.moderation == Rating.Moderation.PENDING
    assert ModelLogEntry.objects.filter(action="sunlight.rating_replied").exists()
    # A reply, once public, is not changed.
    again = client.post(edit_url(rating), {"reply": "改一下"})
    assert again.status_code == 302
    rating.refresh_from_db()
    assert rating.reply == "已核实并整改，电话已转专人接听。"


def test_other_units_see_nothing(client, people, result):
    rating = rate(result, 2, "太慢了")
    client.force_login(people["other_clerk"])
    refused = client.get(edit_url(rating))
    assert (
        refused.status_code in (302, 403) and "太慢了" not in refused.content.decode()
    )
    index = client.get(reverse("disclosure_ratings:index")).content.decode()
    assert "太慢了" not in index
    assert client.get(reverse(ratings_statistics())).status_code in (302, 403)


def ratings_statistics():
    return "rating_statistics"


def test_overdue_follow_ups_reach_the_commission_dashboard(
    client, people, result, time_machine
):
    rate(result, 2, "等了很久")
    time_machine.move_to(timezone.now() + datetime.timedelta(days=30))
    client.force_login(people["commission"])
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "逾期未回复 1 条" in home
    overdue = client.get(reverse("disclosure_ratings:index") + "?follow_up=overdue")
    assert "等了很久" in overdue.content.decode()


def test_statistics_per_unit_and_post_flag_talks_and_export(
    client, people, result, office
):
    settings = RatingSettings.load()
    settings.monthly_threshold = 2
    settings.save()
    other = make_result(result.item, title="另一件", handling_post="窗口受理岗")
    for level in (1, 2, 5):
        rate(result, level)
    rate(other, 2)
    client.force_login(people["commission"])
    url = reverse("rating_statistics")
    page = client.get(url).content.decode()
    assert "东河镇社会事务办公室" in page and "达到谈话提醒线（1）" in page
    by_post = client.get(url + "?by=post").content.decode()
    assert "救助审核岗" in by_post and "窗口受理岗" in by_post
    assert "达到谈话提醒线（1）" in by_post  # 救助审核岗 2, 窗口受理岗 1
    export = client.get(url + "?export=csv")
    assert export.status_code == 200
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "谈话提醒" in text.splitlines()[0]
    assert "T01-A-1" in text and ",是" in text
    last_year = client.get(url + f"?period={timezone.localdate().year - 1}")
    assert "T01-A-1" not in last_year.content.decode()
    assert "本期没有达到谈话提醒线" in last_year.content.decode()


def test_statistics_and_panels_use_a_fixed_number_of_queries(
    client, people, result, office, django_assert_max_num_queries
):
    client.force_login(people["commission"])
    url = reverse("rating_statistics")
    client.get(url)  # warm the per-request caches of settings and scopes

    def measure():
        with django_assert_max_num_queries(40) as counted:
            assert client.get(url).status_code == 200
        with django_assert_max_num_queries(60) as home:
            client.get(reverse("wagtailadmin_home"))
        return len(counted.captured_queries), len(home.captured_queries)

    rate(result, 1, "慢")
    small = measure()
    for n in range(5):
        unit = UnitPage.objects.get(code="T01-A-2" if n % 2 else "T01-A-V1")
        more = make_result(make_item(unit, f"X-{n}"), handling_post=f"岗位{n}")
        for level in (1, 2, 3):
            rate(more, level, "意见")
    assert measure() == small


def test_check_deadlines_reminds_the_unit_and_once_overdue_the_commission(
    people, result, time_machine
):
    from disclosure.models import DeadlineNotice
    from disclosure.reminders import check_deadlines

    rating = rate(result, 1, "一直没人管")
    rate(result, 5, "很好")  # no follow-up
    time_machine.move_to(timezone.now() + datetime.timedelta(days=12))
    summary = check_deadlines()
    notices = DeadlineNotice.objects.filter(kind="rating", object_id=rating.pk)
    assert set(notices.values_list("recipient", flat=True)) == {people["clerk"].pk}
    assert summary.other["待回复的不满意评议"] == 1
    time_machine.move_to(timezone.now() + datetime.timedelta(days=20))
    check_deadlines()
    overdue = notices.filter(stage="overdue").values_list("recipient", flat=True)
    assert set(overdue) == {people["clerk"].pk, people["commission"].pk}
    assert check_deadlines().notices == 0  # a second run sends nothing new
