"""A resident finds their village's page from the home page with the keyboard alone,
then switches on 适老化 mode (DESIGN: UI — keyboard, large text, WCAG 2.1 AA)."""

from wagtail.models import Site

import pytest
from playwright.sync_api import expect

from sunlight.models import GovernmentSiteSettings
from tests.factories import make_unit

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

VILLAGE = "东河镇柳树村民委员会"
TOWNSHIP = "测试县东河镇人民政府"
MAX_TABS = 60


@pytest.fixture
def demo_county(transactional_db):
    """A county with one township and its village, and the footer filled in."""
    county = make_unit(code="E01", title="测试县人民政府", level="县", unit_type="政府")
    make_unit(county, code="E01-J", title="中共测试县纪律检查委员会", unit_type="纪委")
    township = make_unit(county, code="E01-A", title=TOWNSHIP)
    make_unit(
        township, code="E01-A-J", title="中共东河镇纪律检查委员会", unit_type="纪委"
    )
    make_unit(township, code="E01-A-1", title="东河镇社会事务办公室", unit_type="部门")
    make_unit(
        township,
        code="E01-A-V1",
        title=VILLAGE,
        level="村",
        unit_type="村(居)委会",
        duties="村务公开、集体资产管理、惠民资金发放。",
        address="东河镇柳树村村委会办公楼",
        phone="0830-7654321",
    )
    info = GovernmentSiteSettings.for_site(Site.objects.get(is_default_site=True))
    info.sponsor = "中共测试县纪律检查委员会"
    info.site_code = "5105000001"
    info.icp_record = "蜀ICP备12345678号"
    info.police_record = "川公网安备51050002000001号"
    info.save()
    return county


def focused_text(page):
    return page.evaluate("document.activeElement.textContent.trim()")


def tab_to(page, predicate, what):
    """Press Tab until the focused element's text satisfies `predicate`."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if predicate(focused_text(page)):
            return focused_text(page)
    raise AssertionError(f"{MAX_TABS} 次 Tab 内没有找到{what}")


def font_size(page):
    return float(
        page.evaluate("getComputedStyle(document.body).fontSize").removesuffix("px")
    )


def test_resident_reaches_a_village_by_keyboard_and_reads_it_in_large_text(
    live_server, demo_county, page, assert_accessible
):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "主办单位：中共测试县纪律检查委员会" in page.locator("footer").inner_text()
    assert_accessible(page)

    page.keyboard.press("Tab")
    assert focused_text(page) == "跳到主要内容"
    tab_to(page, lambda text: text == VILLAGE, f"“{VILLAGE}”链接")
    page.keyboard.press("Enter")

    page.wait_for_url("**/e01/e01-a/e01-a-v1/")
    expect(page.locator("h1")).to_have_text(VILLAGE)
    breadcrumb = page.get_by_role("navigation", name="当前位置")
    assert TOWNSHIP in breadcrumb.inner_text()
    assert_accessible(page)

    normal_size = font_size(page)
    toggle = tab_to(page, lambda text: text.startswith("适老模式"), "适老模式开关")
    assert "已关闭" in toggle
    page.keyboard.press("Enter")

    # The switch redirects back to the same address: wait for the new page itself.
    expect(page.locator("html")).to_have_class("elderly")
    assert page.url.endswith("/e01/e01-a/e01-a-v1/")
    assert font_size(page) >= normal_size * 1.3
    assert "已开启" in page.locator("a.elderly-toggle").inner_text()
    assert_accessible(page)

    tab_to(page, lambda text: text == TOWNSHIP, "上级单位的面包屑链接")
    page.keyboard.press("Enter")

    page.wait_for_url("**/e01/e01-a/")
    expect(page.locator("h1")).to_have_text(TOWNSHIP)
    expect(page.locator("html")).to_have_class("elderly")
    assert font_size(page) >= normal_size * 1.3
    assert_accessible(page)


@pytest.mark.parametrize("elderly", [False, True], ids=["normal", "elderly"])
def test_pages_fit_a_360px_phone_screen(
    live_server, demo_county, new_page, assert_accessible, elderly
):
    phone = new_page(viewport={"width": 360, "height": 740}, has_touch=True)
    if elderly:
        phone.goto(live_server.url + "/preferences/elderly/?on=1&next=/")

    for path in ("/", "/e01/e01-a/", "/e01/e01-a/e01-a-v1/"):
        phone.goto(live_server.url + path)
        assert (phone.locator("html.elderly").count() == 1) is elderly
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360, path
    assert_accessible(phone)
