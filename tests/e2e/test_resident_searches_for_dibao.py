"""A resident looks for 低保 on the demo site (issue 6, done when): types it into the
header's query box with the keyboard, gets the 低保 items with highlights and facet
counts, narrows them by 权力类型; the results pass axe-core in normal and 适老化 mode
and fit a phone."""

import io
import re
from urllib.parse import quote

from django.core.management import call_command

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

QUERY = "低保"
SEARCH_URL = "/search/?q=" + quote(QUERY)
MAX_TABS = 20
COUNT = re.compile(r"找到 (\d+) 条结果")


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", verbosity=0)
    call_command("search_reindex", stdout=io.StringIO(), stderr=io.StringIO())


def focused_id(page):
    return page.evaluate("document.activeElement.id")


def tab_to(page, element_id):
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if focused_id(page) == element_id:
            return
    raise AssertionError(f"{MAX_TABS} 次 Tab 内没有到达 #{element_id}")


def result_count(page):
    text = page.locator(".result-count").inner_text()
    return int(COUNT.search(text).group(1))


def facet_options(page, label):
    """[(link, count)] of a facet group's options, "不限" left out."""
    group = page.get_by_role("navigation", name=label)
    options = []
    for link in group.get_by_role("link").all():
        found = re.search(r"（(\d+)）$", link.inner_text())
        if found:
            options.append((link, int(found.group(1))))
    return options


def test_resident_types_dibao_in_the_header_and_narrows_by_power_type(
    live_server, demo, page, assert_accessible
):
    page.goto(live_server.url + "/")
    tab_to(page, "site-search-q")
    page.keyboard.type(QUERY)
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/search/\?q=%E4%BD%8E%E4%BF%9D$"))
    expect(page).to_have_title("检索：低保 - 阳光权力")
    expect(page.get_by_role("searchbox", name="检索词")).to_have_value(QUERY)
    total = result_count(page)
    assert total >= 3
    hits = page.locator("ol.hits > li")
    expect(hits).to_have_count(min(total, 20))
    expect(hits.first.get_by_role("heading", level=3)).to_contain_text("最低生活保障")
    marked = set(page.locator("ol.hits mark").all_inner_texts())
    assert marked and marked <= {"低保", "最低生活保障"}, marked
    expect(hits.first.locator("h3 mark")).to_have_count(1)
    expect(hits.first.locator(".snippet")).to_be_visible()

    types = facet_options(page, "权力类型")
    assert len(types) >= 2
    # Every hit has a 类别; 问责通报 and 澄清 have no 权力类型.
    assert sum(count for _, count in facet_options(page, "类别")) == total
    assert sum(count for _, count in types) <= total
    for name in ("单位", "年份"):
        assert facet_options(page, name), f"“{name}”没有计数"
    assert_accessible(page)

    link, count = types[0]
    label = link.inner_text().split("（")[0]
    link.focus()
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"power_type="))
    assert result_count(page) == count
    expect(hits).to_have_count(count)
    chosen = page.get_by_role("navigation", name="权力类型").locator(
        '[aria-current="true"]'
    )
    expect(chosen).to_contain_text(label)
    expect(page.locator(".active-filters")).to_contain_text(f"权力类型：{label}")
    expect(page.get_by_role("searchbox", name="检索词")).to_have_value(QUERY)
    assert_accessible(page)

    page.get_by_role("link", name="清除全部条件").click()
    assert result_count(page) == total


def test_the_results_pass_axe_in_large_text_mode(
    live_server, demo, page, assert_accessible
):
    page.goto(
        f"{live_server.url}/preferences/elderly/?on=1&next={quote(SEARCH_URL, safe='')}"
    )
    expect(page.locator("html")).to_have_class("elderly")
    expect(page.locator("ol.hits mark").first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="权力类型").get_by_role("link").nth(1).click()
    page.wait_for_url(re.compile(r"power_type="))
    expect(page.locator("html")).to_have_class("elderly")
    assert_accessible(page)

    page.goto(f"{live_server.url}/search/?q=")
    expect(page.locator("main")).to_contain_text("怎样检索")
    assert_accessible(page)


@pytest.mark.parametrize("elderly", [False, True], ids=["normal", "elderly"])
def test_the_results_fit_a_360px_phone(
    live_server, demo, new_page, assert_accessible, elderly
):
    phone = new_page(viewport={"width": 360, "height": 740}, has_touch=True)
    if elderly:
        phone.goto(live_server.url + "/preferences/elderly/?on=1&next=/")
    for path in ("/", SEARCH_URL, SEARCH_URL + "&order=date&page=1"):
        phone.goto(live_server.url + path)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360, path
        assert_accessible(phone)
