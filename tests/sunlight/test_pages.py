"""Public pages: the unit tree, the footer, the 适老化 switch (DESIGN: UI)."""

from datetime import UTC, datetime

from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.views.defaults import server_error

from wagtail.models import Site

import pytest
from bs4 import BeautifulSoup

from disclosure.models import UnitPage
from sunlight.models import GovernmentSiteSettings
from tests.factories import home_page, make_unit

#: Upper bounds for one page view, whatever the number of units. Wagtail's routing
#: costs queries per URL segment, so the unit page's bound is for a township.
HOME_PAGE_QUERIES = 8
TOWNSHIP_PAGE_QUERIES = 17  # with the rating aggregate of its subtree


def unit(code):
    return UnitPage.objects.get(code=code)


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def get(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, path
    return response


def test_home_page_is_chinese_and_reaches_every_unit(client, county):
    page = soup(get(client, "/"))

    assert page.html["lang"] == "zh-hans"
    links = {a.get_text(strip=True): a["href"] for a in page.select("main a")}
    for each in UnitPage.objects.all():
        assert links[each.title] == each.url
    branch = page.select_one(".unit-branch")
    assert branch.h3.get_text(strip=True) == "测试县人民政府"
    assert [h4.contents[0] for h4 in branch.select("h4")] == ["纪委", "乡镇"]
    township = branch.find("a", string="测试县东河镇人民政府").parent
    assert [p.get_text() for p in township.select(".group-name")] == [
        "纪委",
        "部门",
        "村(居)委会",
    ]
    assert "本站公开 7 个单位" in page.select_one(".overview").get_text(" ", strip=True)


def test_unit_page_shows_its_facts_and_groups_its_subunits(client, county):
    township = unit("T01-A")

    page = soup(get(client, township.url))

    assert page.html["lang"] == "zh-hans"
    assert page.h1.get_text() == "测试县东河镇人民政府"
    facts = dict(
        zip(
            [dt.get_text() for dt in page.select(".facts dt")],
            [dd.get_text(strip=True) for dd in page.select(".facts dd")],
            strict=True,
        )
    )
    assert facts["单位编码"] == "T01-A"
    assert facts["层级"] == "乡级"
    assert facts["单位类型"] == "政府"
    assert facts["监督纪委"] == "中共东河镇纪律检查委员会"
    headings = [h3.contents[0] for h3 in page.select("main h3")]
    assert headings == ["纪委", "部门", "村(居)委会"]


def test_village_page_has_a_breadcrumb_through_its_township(client, county):
    village = unit("T01-A-V1")

    page = soup(get(client, village.url))

    crumbs = page.select_one('nav[aria-label="当前位置"]')
    assert [a.get_text() for a in crumbs.select("a")] == [
        "首页",
        "测试县人民政府",
        "测试县东河镇人民政府",
        "东河镇柳树村民委员会",
    ]
    assert crumbs.select("a")[-1]["aria-current"] == "page"
    assert page.h1.get_text() == "东河镇柳树村民委员会"


def test_unit_page_shows_contact_details_and_the_date_in_chinese(client, county):
    office = unit("T01-A-1")
    office.address = "东河镇人民路1号"
    office.phone = "0830-1234567"
    office.duties = "负责社会救助。\n负责养老服务。"
    office.last_published_at = datetime(2026, 11, 21, 17, 30, tzinfo=UTC)
    office.save()

    response = get(client, office.url)

    text = soup(response).main.get_text(" ", strip=True)
    assert "东河镇人民路1号" in text
    assert "0830-1234567" in text
    assert "负责社会救助。<br>负责养老服务。" in response.content.decode()
    # 17:30 UTC is already the next morning in Asia/Shanghai.
    assert "2026年11月22日" in text


def test_footer_carries_the_government_site_registration(client, county):
    info = GovernmentSiteSettings.for_site(Site.objects.get(is_default_site=True))
    info.sponsor = "中共测试县纪律检查委员会"
    info.site_code = "5105000001"
    info.icp_record = "蜀ICP备12345678号"
    info.police_record = "川公网安备51050002000001号"
    info.save()

    for path in ("/", unit("T01-A-V1").url):
        footer = soup(get(client, path)).footer
        text = footer.get_text(" ", strip=True)
        assert "主办单位：中共测试县纪律检查委员会" in text
        assert "网站标识码：5105000001" in text
        assert footer.find("a", string="蜀ICP备12345678号")["href"] == (
            "https://beian.miit.gov.cn/"
        )
        assert footer.find("a", string="川公网安备51050002000001号")["href"].endswith(
            "code=51050002000001"
        )


def elderly_link(response):
    return soup(response).select_one("a.elderly-toggle")


def test_elderly_mode_is_switched_on_and_off_by_a_link(client, county):
    path = unit("T01-A").url
    link = elderly_link(get(client, path))
    assert "已关闭" in link.get_text()

    response = client.get(link["href"])

    assert response.status_code == 302
    assert response["Location"] == path
    assert response.cookies["elderly"].value == "1"
    assert response.cookies["elderly"]["httponly"]
    page = get(client, path)
    assert soup(page).html["class"] == ["elderly"]
    link = elderly_link(page)
    assert "已开启" in link.get_text()

    response = client.get(link["href"])

    assert response["Location"] == path
    assert response.cookies["elderly"]["max-age"] == 0
    assert not soup(get(client, path)).html.has_attr("class")


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "http://testserver.evil.example/"],
)
def test_elderly_switch_refuses_to_redirect_off_site(client, db, target):
    response = client.get("/preferences/elderly/", {"on": "1", "next": target})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_model_text_is_escaped_everywhere(client, county):
    nasty = "<script>alert(1)</script>"
    make_unit(
        unit("T01-A"),
        code="T01-A-V9",
        title=f"村{nasty}",
        level="村",
        unit_type="村(居)委会",
        duties=nasty,
        address=nasty,
        phone=nasty,
    )
    bad = unit("T01-A-V9")

    for path in ("/", unit("T01-A").url, bad.url):
        html = get(client, path).content.decode()
        assert "<script" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_draft_units_are_not_public(client, county):
    draft = make_unit(unit("T01-A"), code="T01-A-V2", title="东河镇草稿村", live=False)
    hidden_branch = make_unit(draft, code="T01-A-V2-1", title="草稿村下的单位")

    get(client, draft.url, status=404)
    home = get(client, "/").content.decode()
    assert "东河镇草稿村" not in home
    assert "草稿村下的单位" not in home
    assert hidden_branch.title not in get(client, unit("T01-A").url).content.decode()


def test_not_found_page_is_in_chinese(client, county):
    page = soup(get(client, "/no-such-unit/", status=404))

    assert page.html["lang"] == "zh-hans"
    assert page.h1.get_text() == "页面不存在"
    assert page.find("a", string="返回首页")["href"] == "/"


def test_server_error_page_needs_no_request_context():
    response = server_error(RequestFactory().get("/"))

    page = soup(response)
    assert response.status_code == 500
    assert page.html["lang"] == "zh-hans"
    assert page.h1.get_text() == "系统暂时无法访问"


def add_township_with_villages(county, n, villages=3):
    township = make_unit(county, code=f"T01-X{n}", title=f"测试县新镇{n}")
    make_unit(township, code=f"T01-X{n}-J", title=f"新镇{n}纪委", unit_type="纪委")
    for v in range(villages):
        make_unit(
            township,
            code=f"T01-X{n}-V{v}",
            title=f"新镇{n}第{v}村",
            level="村",
            unit_type="村(居)委会",
        )
    return township


def queries_for(client, path):
    client.get(path)  # warm the per-process caches (site root paths, settings row)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_home_page_queries_do_not_grow_with_the_tree(
    client, county, django_assert_max_num_queries
):
    small = queries_for(client, "/")
    assert small <= HOME_PAGE_QUERIES
    for n in range(5):
        add_township_with_villages(county, n)

    with django_assert_max_num_queries(small):
        response = client.get("/")
    assert "新镇4第2村" in response.content.decode()


def test_unit_page_queries_do_not_grow_with_its_subunits(
    client, county, django_assert_max_num_queries
):
    township = add_township_with_villages(county, 0, villages=1)
    small = queries_for(client, township.url)
    assert small <= TOWNSHIP_PAGE_QUERIES
    for v in range(1, 15):
        make_unit(township, code=f"T01-X0-V{v}", level="村", unit_type="村(居)委会")

    with django_assert_max_num_queries(small):
        response = client.get(township.url)
    assert "单位T01-X0-V14" in response.content.decode()


def test_home_page_has_no_units_before_any_are_published(client, db):
    page = soup(get(client, home_page().url))

    assert "暂无公开的单位信息" in page.main.get_text()
