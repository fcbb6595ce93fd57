"""一事一评议 (issue 7): the rating form with the contract's labels, one rating per
browser per result, bad input refused with nothing stored, comments masked and
moderated, stored aggregates on result, item and unit pages, the follow-up deadline
of a negative comment, and rating_total in the API."""

import datetime
import re
import threading

from django.db import connection
from django.utils import timezone

import pytest
from captcha.models import CaptchaStore

from disclosure import ratings
from disclosure.models import Rating, RatingTally, Result, UnitPage
from disclosure.rating_views import COOKIE
from sunlight import crypto
from tests.factories import make_item, make_result

pytestmark = pytest.mark.django_db
LABELS = ("非常满意", "满意", "基本满意", "不满意", "非常不满意")


@pytest.fixture
def office(county):
    return UnitPage.objects.get(code="T01-A-1")


@pytest.fixture
def item(office):
    return make_item(office, "R-1", name="临时救助审批", power_type="行政给付")


@pytest.fixture
def result(item):
    return make_result(item)


def url_of(result):
    return result.unit.url + f"results/{result.pk}/"


def captcha(client, result):
    page = client.get(url_of(result)).content.decode()
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page).group(1)
    return {
        "captcha_0": key,
        "captcha_1": CaptchaStore.objects.get(hashkey=key).response,
    }


def rate(client, result, level=4, comment="", **extra):
    data = {**captcha(client, result), "level": level, "comment": comment, **extra}
    return client.post(url_of(result) + "rating/", data)


def test_the_form_has_the_contract_labels_and_works_without_javascript(client, result):
    page = client.get(url_of(result)).content.decode()
    form = page[page.index('class="rating-form"') :]
    for label in LABELS:
        assert re.search(rf'<input type="radio"[^>]*>\s*{label}</label>', form), label
    assert ">评议意见</label>" in form
    assert re.search(r">验证码[:：]?</label>", form) and 'name="captcha_1"' in form
    assert "语音验证码" in form  # the alternative to the picture
    assert '<button type="submit">提交评议</button>' in form
    assert f'action="{url_of(result)}rating/"' in page


def test_a_rating_counts_at_once_and_the_page_thanks_the_rater(client, result):
    response = rate(client, result, level=5)
    assert response.status_code == 302 and "rating=received" in response.url
    assert COOKIE in response.cookies and response.cookies[COOKIE]["httponly"]
    page = client.get(response.url).content.decode()
    assert "感谢您的评议" in page
    assert Result.objects.get(pk=result.pk).rating_total == 1
    assert "满意率 <strong>100.0%</strong>" in page
    assert "提交评议" not in page  # no second form (and captcha) for this browser
    api = client.get("/api/v1/results/").json()["results"][0]
    assert api["rating_total"] == 1 and api["satisfaction_rate"] == 100.0
    assert "ratings" not in api and "comment" not in str(api)


def test_a_repeat_from_the_same_browser_is_refused_politely(client, result):
    rate(client, result, level=4)
    again = rate(client, result, level=1, comment="再评一次")
    assert again.status_code == 409
    assert "您已评议" in again.content.decode()
    assert Rating.objects.count() == 1
    assert Result.objects.get(pk=result.pk).rating_total == 1
    # Another result of the same browser is a different question.
    other = make_result(result.item, title="另一件事")
    assert rate(client, other, level=3).status_code == 302


def test_no_address_and_no_linkable_identity_is_stored(client, result):
    rate(client, result, level=4, REMOTE_ADDR="203.0.113.77")
    other = make_result(result.item, title="另一件事")
    rate(client, other, level=4, REMOTE_ADDR="203.0.113.77")
    token = client.cookies[COOKIE].value
    voters = set(Rating.objects.values_list("voter", flat=True))
    assert len(voters) == 2  # the same browser is not linkable across results
    for rating in Rating.objects.all():
        values = " ".join(str(getattr(rating, f.attname)) for f in Rating._meta.fields)
        assert "203.0.113.77" not in values and token not in values


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"level": ""}, "请选择评议等级"),
        ({"level": "6"}, "请选择评议等级"),
        ({"level": "满意"}, "请选择评议等级"),
        ({"comment": "很" * 10_000}, "评议意见不能超过 500 字"),
        ({"comment": "含控制字符\x00"}, "控制字符"),
        ({"captcha_1": "wrong"}, "验证码"),
        ({"captcha_1": ""}, "请输入验证码"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_stored(
    client, result, change, message
):
    data = {**captcha(client, result), "level": "4", "comment": "", **change}
    response = client.post(url_of(result) + "rating/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Rating.objects.exists() and not RatingTally.objects.exists()
    assert Result.objects.get(pk=result.pk).rating_total == 0


def test_a_replayed_form_does_not_count_twice(client, result):
    data = {**captcha(client, result), "level": "4", "comment": ""}
    assert client.post(url_of(result) + "rating/", data).status_code == 302
    client.cookies.clear()  # even without the cookie: the captcha is single-use
    replay = client.post(url_of(result) + "rating/", data)
    assert replay.status_code == 400 and "验证码" in replay.content.decode()
    assert Rating.objects.count() == 1


def test_unpublished_missing_and_get_requests_are_refused(client, item):
    draft = make_result(item, publish=False)
    assert client.post(url_of(draft) + "rating/", {"level": "4"}).status_code == 404
    missing = item.unit.url + "results/999999/rating/"
    assert client.post(missing, {"level": "4"}).status_code == 404
    published = make_result(item, title="已公开")
    assert client.get(url_of(published) + "rating/").status_code == 405
    assert not Rating.objects.exists()


def test_script_in_a_comment_is_stored_as_text_and_shown_escaped(
    client, result, admin_user
):
    rate(client, result, level=2, comment="<script>alert(1)</script>办理太慢")
    rating = Rating.objects.get()
    ratings.moderate(rating, True, "", admin_user)
    page = client.get(url_of(result)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;办理太慢" in page


def test_comments_wait_for_moderation_and_personal_data_is_masked(
    client, result, admin_user
):
    rate(client, result, level=3, comment="请联系我 13812345678，经办人态度好")
    rating = Rating.objects.get()
    assert rating.moderation == Rating.Moderation.PENDING
    assert "13812345678" not in rating.comment and "138****5678" in rating.comment
    assert "13812345678" not in rating.comment_original  # encrypted at rest
    assert rating.original_comment == "请联系我 13812345678，经办人态度好"
    assert crypto.decrypt(rating.comment_original, "disclosure.rating.comment")
    assert "经办人态度好" not in client.get(url_of(result)).content.decode()
    ratings.moderate(rating, True, "", admin_user)
    page = client.get(url_of(result)).content.decode()
    assert "138****5678，经办人态度好" in page and "13812345678" not in page


def test_a_hidden_comment_is_not_shown_but_the_rating_still_counts(
    client, result, admin_user
):
    rate(client, result, level=1, comment="广告：代办各类证件")
    ratings.moderate(Rating.objects.get(), False, "与评议事项无关的广告", admin_user)
    page = client.get(url_of(result)).content.decode()
    assert "代办各类证件" not in page
    assert Result.objects.get(pk=result.pk).rating_total == 1


def test_a_negative_comment_opens_a_follow_up_due_in_ten_working_days(client, result):
    rate(client, result, level=2, comment="等了很久才办好")
    rating = Rating.objects.get()
    today = timezone.localdate()
    from disclosure.workdays import due_date

    assert rating.reply_due == due_date(today, 10).due
    assert rating.reply_due > today + datetime.timedelta(days=13)
    # Positive ratings and negative ones without a comment open none.
    client.cookies.clear()
    rate(client, result, level=1)
    client.cookies.clear()
    rate(client, result, level=5, comment="很好")
    assert Rating.objects.filter(reply_due__isnull=False).count() == 1


def test_the_reply_is_shown_under_the_comment(client, result, admin_user):
    rate(client, result, level=2, comment="等了很久才办好")
    rating = Rating.objects.get()
    ratings.moderate(rating, True, "", admin_user)
    assert "单位将于" in client.get(url_of(result)).content.decode()
    ratings.reply(rating, "已约谈经办人并改进流程。", admin_user)
    page = client.get(url_of(result)).content.decode()
    assert "单位回复" in page and "已约谈经办人并改进流程。" in page


def test_aggregates_on_result_item_and_unit_pages(client, result, office, county):
    for level in (5, 4, 4, 1):
        client.cookies.clear()
        rate(client, result, level=level)
    summary = ratings.summary(RatingTally.Scope.RESULT, result.pk)
    assert summary.total == 4 and summary.negative == 1
    assert summary.rate == ratings.percent(3, 4)
    item_page = client.get(office.url + "powers/R-1/").content.decode()
    assert "满意率 <strong>75.0%</strong>" in item_page
    township = UnitPage.objects.get(code="T01-A")
    for unit in (office, township, county):
        page = client.get(unit.url).content.decode()
        assert "满意率 <strong>75.0%</strong>" in page, unit.code
    assert ratings.path_summary(county.path).total == 4
    api = client.get("/api/v1/results/").json()["results"][0]
    assert api["rating_total"] == 4 and api["satisfaction_rate"] == 75.0


def test_reading_an_aggregate_does_not_count_ratings(
    client, result, django_assert_max_num_queries
):
    client.cookies.clear()
    rate(client, result, level=4)
    with django_assert_max_num_queries(1):
        ratings.summary(RatingTally.Scope.RESULT, result.pk)
    with django_assert_max_num_queries(1):
        ratings.path_summary(result.unit.path)


def test_a_rating_costs_a_bounded_number_of_queries(
    client, result, django_assert_max_num_queries
):
    """Storing and counting a rating: the row, one upsert of its three tallies, the
    result's total, the unit path for the page cache — and nothing in Wagtail's
    reference index (ratings are not "usages" of a result)."""
    from wagtail.models import ReferenceIndex

    with django_assert_max_num_queries(8):
        ratings.submit(result, 2, "意见", "browser-token-000000000009")
    assert RatingTally.objects.get(scope="unit", object_id=result.unit_id).dissatisfied
    assert not ReferenceIndex.objects.filter(
        content_type__model__in=["rating", "objection"]
    ).exists()


def test_recount_agrees_with_the_stored_tallies(client, result):
    for level in (5, 3, 2):
        client.cookies.clear()
        rate(client, result, level=level)
    before = {
        t.pk and (t.scope, t.object_id): t.counts() for t in RatingTally.objects.all()
    }
    ratings.recount()
    after = {(t.scope, t.object_id): t.counts() for t in RatingTally.objects.all()}
    assert before == after
    assert Result.objects.get(pk=result.pk).rating_total == 3


def test_the_throttle_stops_a_burst_from_one_source(client, result, settings):
    settings.SUNLIGHT_RATING_THROTTLE = (2, 3600)
    others = [make_result(result.item, title=f"事项{n}") for n in range(3)]
    codes = [rate(client, r, level=4).status_code for r in others]
    assert codes == [302, 302, 429]
    assert Rating.objects.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_ratings_each_count_exactly_once(county):
    office = UnitPage.objects.get(code="T01-A-1")
    result = make_result(make_item(office, "R-9"))
    errors = []

    def worker(n):
        try:
            ratings.submit(result, (n % 5) + 1, "", f"token-{n:04d}-abcdefghijkl")
            # A repeat of the same browser never counts twice.
            ratings.submit(result, 1, "", f"token-{n:04d}-abcdefghijkl")
        except ratings.AlreadyRated:
            pass
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    workers = 8 if connection.vendor == "postgresql" else 1
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(40)]
    for start in range(0, len(threads), workers):
        batch = threads[start : start + workers]
        for thread in batch:
            thread.start()
        for thread in batch:
            thread.join()
    assert not errors
    assert Rating.objects.count() == 40
    stored = ratings.summary(RatingTally.Scope.RESULT, result.pk)
    assert stored.total == 40 and Result.objects.get(pk=result.pk).rating_total == 40
    assert all(count == 8 for count in stored.counts.values())
    ratings.recount()
    assert ratings.summary(RatingTally.Scope.RESULT, result.pk) == stored


def test_a_form_without_its_csrf_token_is_refused_in_chinese(result):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    response = browser.post(url_of(result) + "rating/", {"level": "4"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
    assert not Rating.objects.exists()
