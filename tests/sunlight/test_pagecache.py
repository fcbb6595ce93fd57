"""The page cache of public pages (issue 11 item 2): anonymous visitors get cached
pages, and a change is visible on the very next request — a publish, an unpublish,
a rating, a calendar change, an import. Forms (CSRF token, captcha), staff and the
适老化 mode are never served someone else's."""

import datetime
import re

from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone

import pytest
from captcha.models import CaptchaStore

from disclosure import ratings
from disclosure.models import CalendarYear, PowerItem, UnitPage
from tests.factories import make_item, make_result, staff

#: Commits must happen (the cache is emptied after them); the migrations' home page
#: and site are restored after each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def page_cache(settings, client):
    settings.PAGE_CACHE_SECONDS = 600
    client.get("/")  # the first visit creates the site settings row (a change)


@pytest.fixture
def office(county):
    return UnitPage.objects.get(code="T01-A-1")


@pytest.fixture
def item(office):
    return make_item(office, "C-1", name="临时救助审批")


def state(response):
    return response.get("X-Page-Cache")


def test_a_second_visit_is_served_from_the_cache(client, office, item):
    for url in (
        "/",
        office.url,
        office.url + "powers/C-1/",
        "/results/",
        "/search/?q=救助",
    ):
        first = client.get(url)
        second = client.get(url)
        assert state(first) == "MISS" and state(second) == "HIT", url
        assert first.content == second.content
        assert second["Content-Type"].startswith("text/html")


def test_publishing_a_result_shows_on_the_next_request(client, office, item):
    client.get("/results/")
    client.get(office.url + "results/")
    make_result(item, title="新公开的救助结果")
    for url in ("/results/", office.url + "results/", "/"):
        response = client.get(url)
        assert (
            state(response) == "MISS"
            and "新公开的救助结果" in response.content.decode()
        )


def test_unpublishing_an_item_removes_its_page_at_once(client, office, item):
    assert client.get(office.url + "powers/C-1/").status_code == 200
    assert state(client.get(office.url + "powers/C-1/")) == "HIT"
    PowerItem.objects.get(pk=item.pk).unpublish()
    assert client.get(office.url + "powers/C-1/").status_code == 404


def test_a_rating_moves_the_aggregates_without_emptying_other_pages(
    client, county, office, item
):
    """Unit and item pages show their counts in holes: after a rating they are
    still served from the cache, with the new counts; the lists, whose rows show
    each result's count, are rebuilt."""
    result = make_result(item)
    other = UnitPage.objects.get(code="T01-A-2")
    township = UnitPage.objects.get(code="T01-A")
    pages = [office.url, township.url, county.url, office.url + "powers/C-1/"]
    lists = [office.url + "results/", "/results/"]
    for url in [*pages, *lists, other.url, "/"]:
        client.get(url)
    ratings.submit(result, 5, "", "browser-token-000000000001")
    for url in pages:
        response = client.get(url)
        assert state(response) == "HIT", url
        assert "共 1 人评议" in response.content.decode(), url
    for url in lists:
        response = client.get(url)
        assert state(response) == "MISS", url
        assert "1 条" in response.content.decode(), url
    assert "暂无评议" in client.get(other.url).content.decode()
    assert state(client.get("/")) == "HIT"


def test_a_calendar_change_empties_the_cache(client, office, item):
    make_result(item)
    client.get(office.url + "results/")
    CalendarYear.objects.create(year=timezone.localdate().year + 5, source="测试")
    assert state(client.get(office.url + "results/")) == "MISS"


def test_an_import_shows_on_the_next_request(client, county, office, tmp_path):
    from tests.factories import UserFactory

    client.get(office.url)
    approver = UserFactory(username="approver", is_superuser=True, is_staff=True)
    powers = tmp_path / "powers.csv"
    powers.write_text(
        "单位编码,事项编码,事项名称,权力类型,行使依据,行使条件,承办机构,办理时限,"
        "责任事项,责任主体,追责情形,是否公开,不公开理由,涉密\n"
        "T01-A-1,IMP-1,农村危房改造补助,行政给付,《条例》第一条,符合条件,社会事务办,"
        "10个工作日,审核,社会事务办,不依法履行职责的,是,,否\n",
        encoding="utf-8",
    )
    call_command(
        "import_lists", "--powers", str(powers), "--approved-by", approver.username
    )
    response = client.get(office.url)
    assert state(response) == "MISS" and "农村危房改造补助" in response.content.decode()


def form_fields(html):
    return {
        name: re.search(rf'name="{name}" value="([^"]+)"', html).group(1)
        for name in ("csrfmiddlewaretoken", "captcha_0")
    }


def test_a_result_page_is_cached_with_each_visitor_getting_fresh_forms(office, item):
    """The result page is stored with holes for its forms and counts: every
    visitor gets the cached page with their own CSRF token and single-use captcha
    and the current counts, and a rating sent with a replayed form counts."""
    result = make_result(item, publicity_days=5)
    url = office.url + f"results/{result.pk}/"
    seen = []
    for _ in range(3):
        visitor = Client(enforce_csrf_checks=True)
        response = visitor.get(url)
        html = response.content.decode()
        assert "pagecache-hole" not in html
        assert html.count("csrfmiddlewaretoken") == 2  # rating and objection forms
        assert "csrftoken" in response.cookies
        seen.append((state(response), form_fields(html)))
    assert [hit for hit, _ in seen] == ["MISS", "HIT", "HIT"]
    assert len({fields["captcha_0"] for _, fields in seen}) == 3
    fields = seen[-1][1]
    answer = CaptchaStore.objects.get(hashkey=fields["captcha_0"]).response
    rated = visitor.post(url + "rating/", {**fields, "level": 2, "captcha_1": answer})
    assert rated.status_code == 302
    after = visitor.get(rated["Location"])
    assert state(after) == "MISS" and "感谢您的评议" in after.content.decode()
    # The counts are a hole of the cached page: a rating does not expire it.
    again = Client().get(url)
    assert state(again) == "HIT" and "共 1 人评议" in again.content.decode()


def test_a_result_pages_counts_are_kept_until_a_rating_moves_them(
    office, item, django_assert_num_queries
):
    result = make_result(item)
    url = office.url + f"results/{result.pk}/"
    Client().get(url)
    Client().get(url)
    visitor = Client()
    # The counts come from the cache: the only queries are the new form's captcha.
    with django_assert_num_queries(1):
        assert "暂无评议" in visitor.get(url).content.decode()
    ratings.submit(result, 1, "", "browser-token-000000000009")
    assert "共 1 人评议" in Client().get(url).content.decode()
    ratings.submit(result, 5, "", "browser-token-000000000010")
    page = Client().get(url)
    assert state(page) == "HIT" and "共 2 人评议" in page.content.decode()


def test_a_page_with_a_token_outside_a_hole_is_never_stored(client, office):
    """The guard behind the holes: a form rendered without punch() keeps the page
    out of the cache."""
    from django.middleware.csrf import get_token

    from sunlight import pagecache

    request = RequestFactory().get(office.url)
    get_token(request)
    request._pagecache_holes = []
    leaky = HttpResponse('<input name="csrfmiddlewaretoken" value="x">')
    assert not pagecache._storable(request, leaky, leaky.content)
    assert state(client.get("/report/")) is None


def test_forms_staff_and_the_elderly_mode_are_never_mixed_up(client, office, item):
    # The 适老化 mode has its own copy.
    client.get(office.url)
    client.cookies["elderly"] = "1"
    elderly = client.get(office.url)
    assert state(elderly) == "MISS" and "适老模式：已开启" in elderly.content.decode()
    del client.cookies["elderly"]
    assert "适老模式：已关闭" in client.get(office.url).content.decode()
    # Signed-in staff always get a fresh page.
    client.force_login(staff(office, "clerk"))
    assert state(client.get(office.url)) is None


def test_the_cache_is_off_without_a_lifetime(client, office, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.get(office.url)
    assert state(client.get(office.url)) is None


def test_a_page_built_before_a_rating_commits_is_not_served_after_it(
    client, office, item, monkeypatch
):
    """The versions are read before the data: a rating committed while the unit's
    counts are being read leaves the kept copy stale, not wrong."""
    result = make_result(item)
    original = ratings.path_summary

    def rate_meanwhile(path):
        found = original(path)
        ratings.submit(result, 1, "", "browser-token-000000000002")
        return found

    monkeypatch.setattr(ratings, "path_summary", rate_meanwhile)
    assert "暂无评议" in client.get(office.url).content.decode()
    monkeypatch.setattr(ratings, "path_summary", original)
    assert "共 1 人评议" in client.get(office.url).content.decode()


def test_dates_in_the_future_do_not_break_a_replay(client, office, time_machine):
    client.get(office.url)
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=5))
    assert state(client.get(office.url)) == "HIT"


def test_a_page_is_rebuilt_on_a_new_day(client, office, time_machine):
    """Deadline standings and 公示 periods move at midnight without any change."""
    client.get(office.url)
    time_machine.move_to(timezone.now() + datetime.timedelta(days=1))
    assert state(client.get(office.url)) == "MISS"


def test_a_comment_shown_by_the_jiwei_appears_on_the_cached_result_page(
    client, office, item
):
    result = make_result(item)
    url = office.url + f"results/{result.pk}/"
    rating = ratings.submit(result, 1, "窗口人员态度差", "browser-token-000000000003")
    client.get(url)
    assert state(client.get(url)) == "HIT"
    ratings.moderate(rating, True, "", None)
    shown = client.get(url)
    assert state(shown) == "MISS" and "窗口人员态度差" in shown.content.decode()
    ratings.reply(rating, "已约谈窗口人员并整改。", None)
    assert "已约谈窗口人员并整改" in client.get(url).content.decode()


def test_the_report_forms_unit_list_follows_the_unit_tree(client, county):
    """The 被举报单位 options are kept between publications, never past one."""
    from tests.factories import make_unit

    assert "东河镇柳树村民委员会</option>" in client.get("/report/").content.decode()
    make_unit(UnitPage.objects.get(code="T01-A"), code="T01-A-V9", title="新设的村")
    html = client.get("/report/").content.decode()
    assert "新设的村</option>" in html
    township = re.search(
        r'<optgroup label="测试县东河镇人民政府">(.*?)</optgroup>', html
    )
    assert "新设的村</option>" in township.group(1)


def test_the_site_and_its_root_are_read_once_per_generation(client, office, item):
    """Wagtail's per-request Site and root page lookups come from the cache; a
    change to the Site is seen at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wagtail.models import Site

    client.get(office.url + "?first")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(office.url + "?second").status_code == 200  # a miss
    assert not [q for q in queries if "wagtailcore_site" in q["sql"]]
    site = Site.objects.get(is_default_site=True)
    site.site_name = "改名后的站点"
    site.save()
    with CaptureQueriesContext(connection) as queries:
        client.get(office.url + "?third")
    assert [q for q in queries if "wagtailcore_site" in q["sql"]]


def test_report_routing_follows_a_changed_supervisor_at_once(county, office):
    """举报 routing reads the unit tree from the cache (per generation): a unit
    given another supervising 纪委 routes the very next report there."""
    from complaints import intake

    assert intake.route_for(office, "工作人员").handler == "T01-A-J"
    assert intake.route_for(office, "工作人员").handler == "T01-A-J"  # kept
    office.supervisor_override = UnitPage.objects.get(code="T01-J")
    office.save()
    assert intake.route_for(office, "工作人员").handler == "T01-J"


def test_supervisors_recomputed_in_bulk_expire_the_cached_unit_tree(county, office):
    from complaints import intake
    from disclosure.staff import refresh_supervisors
    from sunlight import pagecache

    # A stale supervisor (a bulk write sends no signal) read into the cache...
    UnitPage.objects.filter(pk=office.pk).update(
        supervisor=UnitPage.objects.get(code="T01-J")
    )
    pagecache.bump_all()
    assert intake.route_for(office, "工作人员").handler == "T01-J"
    # ...is gone once the recompute puts the right one back.
    assert refresh_supervisors() == 1
    assert intake.route_for(office, "工作人员").handler == "T01-A-J"


def test_a_fragment_kept_in_the_process_follows_the_generation(client, county):
    from django.core.cache import cache

    from sunlight import pagecache

    built = []

    def build():
        built.append(1)
        return len(built)

    cache.clear()  # an emptied Redis: no generation, nothing kept
    assert pagecache.fragment("test-local", build, local=True) == 1
    assert pagecache.fragment("test-local", build, local=True) == 2
    assert cache.get(pagecache.FRAGMENT_PREFIX + "test-local") is None  # nor shared
    client.get("/")  # the next request starts a generation
    assert cache.get(pagecache.GENERATION_KEY) is not None
    assert pagecache.fragment("test-local", build, local=True) == 3
    assert pagecache.fragment("test-local", build, local=True) == 3  # kept
    pagecache.bump_all()
    assert pagecache.fragment("test-local", build, local=True) == 4
    cache.clear()
    assert pagecache.fragment("test-local", build, local=True) == 5


def test_a_rating_sent_through_the_form_moves_its_unit_and_the_units_above(
    client, county, office, item
):
    result = make_result(item)
    township = UnitPage.objects.get(code="T01-A")
    pages = [office.url, township.url, county.url, office.url + "results/"]
    for url in pages:
        client.get(url)
    url = office.url + f"results/{result.pk}/"
    visitor = Client()
    fields = form_fields(visitor.get(url).content.decode())
    answer = CaptchaStore.objects.get(hashkey=fields["captcha_0"]).response
    rated = visitor.post(url + "rating/", {**fields, "level": 4, "captcha_1": answer})
    assert rated.status_code == 302
    for page in pages[:3]:
        assert "共 1 人评议" in client.get(page).content.decode(), page
    assert "1 条" in client.get(pages[3]).content.decode()
