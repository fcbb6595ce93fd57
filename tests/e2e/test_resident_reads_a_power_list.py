"""A resident reads a township office's power list: filters it by 权力类型 with the
keyboard, opens an item, reads its process as a chart and as a list; the pages pass
axe-core in normal and 适老化 mode and fit a phone (issue 4, parts 2–4)."""

import re

import pytest
from playwright.sync_api import expect

from disclosure.models import ItemChange, NegativeListItem
from tests.disclosure.test_public_lists import bulk_items, public_item
from tests.factories import make_unit

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OFFICE = "东河镇村镇建设办公室"
ITEM = "农村村民宅基地审批"
MAX_TABS = 80


@pytest.fixture
def office(transactional_db):
    county = make_unit(code="E02", title="测试县人民政府", level="县")
    township = make_unit(county, code="E02-A", title="测试县东河镇人民政府")
    office = make_unit(township, code="E02-A-2", title=OFFICE, unit_type="部门")
    item = public_item(
        office,
        "XK-001",
        name=ITEM,
        index_number="E02-A-2-2026-0001",
        basis="《中华人民共和国土地管理法》第六十二条",
        conditions="面积<200㎡，一户一宅",
        office="村镇建设办",
        time_limit="20个工作日",
        duties="受理责任；审查责任；决定责任",
        responsible="村镇建设办主任",
        accountability="违规审批的<script>alert(1)</script>",
        steps=[
            {
                "name": "受理",
                "post": "窗口受理岗",
                "time_limit": "即办",
                "branch": "不予受理——一次性书面告知理由",
                "risk": "材料审核不严，对不符合条件的申请予以受理",
                "risk_level": "一级",
                "prevention": "双人复核，受理单据留痕",
            },
            {"name": "实地审查", "post": "国土所", "time_limit": "10个工作日"},
            {
                "name": "审批决定",
                "post": "分管领导",
                "time_limit": "5个工作日",
                "risk": "违规审批",
                "risk_level": "二级",
                "prevention": "集体研究决定",
            },
            {
                "name": "结果公示",
                "post": "村镇建设办",
                "time_limit": "5个工作日",
                "risk": "公示不及时",
                "risk_level": "三级",
                "prevention": "纪委抽查",
            },
        ],
    )
    ItemChange.objects.create(
        item=item, version=1, published_at=item.created_at, created=True
    )
    public_item(office, "QR-001", name="农村危房改造对象认定", power_type="行政确认")
    bulk_items(office, 16)
    NegativeListItem.objects.create(
        unit=office, post="窗口受理岗", act="不得吃拿卡要", consequence="给予政务处分"
    )
    return office


def focused(page):
    return page.evaluate(
        "[document.activeElement.tagName, document.activeElement.id,"
        " document.activeElement.textContent.trim()]"
    )


def tab_until(page, predicate, what):
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if predicate(*focused(page)):
            return
    raise AssertionError(f"{MAX_TABS} 次 Tab 内没有找到{what}")


def check_item_page(page, assert_accessible):
    expect(page.locator("h1")).to_have_text(ITEM)
    chart = page.get_by_role("img", name=f"{ITEM}办理流程图")
    expect(chart).to_be_visible()
    assert chart.evaluate("e => e.tagName") == "svg"
    description = chart.evaluate(
        "e => document.getElementById(e.getAttribute('aria-labelledby')"
        ".split(' ')[1]).textContent"
    )
    assert "共4个环节" in description
    assert "不予受理" in description
    steps = page.locator("ol.process-steps > li")
    expect(steps).to_have_count(4)
    expect(steps.nth(0)).to_contain_text("一级风险")
    expect(steps.nth(0)).to_contain_text("不予受理——一次性书面告知理由")
    expect(page.locator("main")).to_contain_text("面积<200㎡")
    expect(page.locator("main")).to_contain_text("违规审批的<script>alert(1)</script>")
    expect(page.locator("main")).to_contain_text("本事项暂无已公开的办理结果。")
    expect(page.locator("main")).to_contain_text("新增事项")
    assert_accessible(page)


def test_resident_filters_a_power_list_by_keyboard_and_reads_an_item(
    live_server, office, page, assert_accessible
):
    page.goto(live_server.url + office.url)
    expect(page.locator("h1")).to_have_text(OFFICE)
    expect(page.locator(".result-count")).to_contain_text("共 18 项事项。")
    assert_accessible(page)

    tab_until(page, lambda tag, id_, text: id_ == "id_power_type", "“权力类型”选择框")
    # A closed <select> takes arrow keys; options follow POWER_TYPES order:
    # 全部, 行政许可, 行政给付, 行政确认, 公共服务.
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    assert page.locator("#id_power_type").input_value() == "行政确认"
    tab_until(page, lambda tag, id_, text: text == "筛选", "“筛选”按钮")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"power_type=%E8%A1%8C%E6%94%BF%E7%A1%AE%E8%AE%A4"))
    expect(page.locator(".result-count")).to_contain_text("共 5 项事项符合筛选条件")
    expect(page.locator("#id_power_type")).to_have_value("行政确认")
    expect(page.locator(".list-table tbody tr")).to_have_count(5)
    assert_accessible(page)

    page.get_by_role("link", name="清除筛选").first.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".result-count")).to_contain_text("共 18 项事项。")
    tab_until(page, lambda tag, id_, text: text == ITEM, f"“{ITEM}”链接")
    page.keyboard.press("Enter")

    page.wait_for_url("**/powers/XK-001/")
    check_item_page(page, assert_accessible)


def test_the_risk_tab_and_item_page_pass_axe_in_large_text_mode(
    live_server, office, page, assert_accessible
):
    page.goto(
        f"{live_server.url}/preferences/elderly/?on=1&next={office.url}?list=risks"
    )
    expect(page.locator("html")).to_have_class("elderly")
    expect(page.locator('.list-tabs a[aria-current="page"]')).to_contain_text(
        "风险防控清单"
    )
    expect(page.locator(".list-table").first).to_contain_text("一级风险")
    assert_accessible(page)

    page.goto(f"{live_server.url}{office.url}?list=negative")
    expect(page.locator("main")).to_contain_text("不得吃拿卡要")
    assert_accessible(page)

    page.get_by_role("link", name="权力清单").first.click()
    page.get_by_role("link", name=ITEM).click()
    expect(page.locator("html")).to_have_class("elderly")
    check_item_page(page, assert_accessible)


@pytest.mark.parametrize("elderly", [False, True], ids=["normal", "elderly"])
def test_the_list_and_item_fit_a_360px_phone(
    live_server, office, new_page, assert_accessible, elderly
):
    phone = new_page(viewport={"width": 360, "height": 740}, has_touch=True)
    if elderly:
        phone.goto(live_server.url + "/preferences/elderly/?on=1&next=/")
    item = office.url + "powers/XK-001/"
    for path in (office.url, office.url + "?list=risks", item):
        phone.goto(live_server.url + path)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360, path
        assert_accessible(phone)
