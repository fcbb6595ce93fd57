"""A unit's public lists and each item's page (issue 4, parts 2–4): tabs without
JavaScript, filters with counts, pagination, the process chart and its list, the
变更记录; nothing but published, disclosed items; every text escaped; a fixed number
of queries whatever the number of items."""

import datetime
import html
import re
from zoneinfo import ZoneInfo

from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

import pytest

from disclosure.models import (
    CatalogVersion,
    ItemChange,
    NegativeListItem,
    PowerItem,
    ProcessStep,
    UnitPage,
)
from tests.factories import make_item

SHANGHAI = ZoneInfo("Asia/Shanghai")
SCRIPT = "<script>alert('x')</script>"
ESCAPED = html.escape(SCRIPT)
#: Upper bounds, whatever the number of items, for a unit three levels below the
#: home page: Wagtail's routing alone costs about ten queries at that depth.
UNIT_PAGE_QUERIES = 20  # with the rating aggregate of the subtree (one query)
ITEM_PAGE_QUERIES = 17  # with its newest results and rating aggregate (a query each)


def public_item(unit, code, *, steps=(), **fields):
    """A published, disclosed 行政许可 item with `steps` (dicts of ProcessStep fields)."""
    defaults = {
        "power_type": "行政许可",
        "office": "社会事务办",
        "time_limit": "5个工作日",
    }
    return make_item(unit, code, steps=steps, **{**defaults, **fields})


def bulk_items(unit, count, start=0, steps_each=4):
    """`count` public items with `steps_each` steps, one risk point each, in bulk."""
    types = ("行政许可", "行政确认", "行政给付", "公共服务")
    items = PowerItem.objects.bulk_create(
        PowerItem(
            unit=unit,
            code=f"B{n:05d}",
            name=f"批量事项{n}",
            power_type=types[n % len(types)],
            basis="依据",
            office=f"办公室{n % 7}",
            time_limit="3个工作日",
            index_number=f"{unit.code}-2026-{n:05d}",
            live=True,
            disclosed=True,
        )
        for n in range(start, start + count)
    )
    ProcessStep.objects.bulk_create(
        ProcessStep(
            item=item,
            sort_order=order,
            name=f"环节{order + 1}",
            post="岗位",
            risk="风险" if order == 1 else "",
            risk_level="二级" if order == 1 else "",
        )
        for item in items
        for order in range(steps_each)
    )
    return items


def unit(code):
    return UnitPage.objects.get(code=code)


@pytest.fixture
def office(county):
    return unit("T01-A-1")


@pytest.fixture
def lists(office):
    """A unit with public, draft, withheld and another unit's items, and a 负面清单."""
    approval = public_item(
        office,
        "XK-001",
        name="农村村民宅基地审批",
        index_number="T01-A-1-2026-0001",
        basis="《中华人民共和国土地管理法》第六十二条",
        conditions="面积<200㎡，一户一宅",
        office="村镇建设办",
        time_limit="20个工作日",
        duties="受理责任；审查责任",
        responsible="村镇建设办主任",
        accountability="违规审批的",
        catalog_version=2,
        steps=[
            {
                "name": "受理",
                "post": "窗口受理岗",
                "time_limit": "即办",
                "branch": "不予受理——一次性书面告知理由",
                "risk": "材料审核不严",
                "risk_level": "一级",
                "prevention": "双人复核",
            },
            {"name": "审查", "post": "审查岗", "time_limit": "10个工作日"},
            {
                "name": "决定",
                "post": "分管领导",
                "risk": "违规审批",
                "risk_level": "二级",
                "prevention": "集体研究",
            },
        ],
    )
    public_item(
        office,
        "QR-002",
        name="低保对象认定",
        power_type="行政确认",
        index_number="T01-A-1-2026-0002",
        office="社会事务办",
        steps=[{"name": "申请", "risk": "优亲厚友", "risk_level": "三级"}],
    )
    public_item(office, "DRAFT-1", name="草稿事项不应公开", live=False)
    public_item(
        office,
        "WH-1",
        name="涉及个人隐私的核查事项",
        disclosed=False,
        withheld_reason="涉及个人隐私，依法不予公开",
        basis="不公开事项的依据文字",
        office="不公开事项的承办机构",
    )
    public_item(unit("T01-A-2"), "XK-001", name="另一单位的事项")
    NegativeListItem.objects.create(
        unit=office, post="窗口受理岗", act="不得吃拿卡要", consequence="给予政务处分"
    )
    NegativeListItem.objects.create(
        unit=office, post="", act="未发布的负面清单条目", consequence="无", live=False
    )
    ItemChange.objects.bulk_create(
        [
            ItemChange(
                item=approval,
                version=1,
                published_at=datetime.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI),
                created=True,
            ),
            ItemChange(
                item=approval,
                version=2,
                published_at=datetime.datetime(2026, 11, 22, 0, 30, tzinfo=SHANGHAI),
                fields=["办理时限", "流程清单"],
            ),
        ]
    )
    CatalogVersion.objects.create(
        unit=office,
        number=2,
        approved_at=datetime.datetime(2026, 11, 22, 0, 30, tzinfo=SHANGHAI),
    )
    return office


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response, response.content.decode()


def item_url(unit, code):
    return unit.url + unit.reverse_subpage("power_item", kwargs={"code": code})


def text_of(content):
    """The page as text: tags dropped, entities resolved, spaces squeezed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", content)))


# --- The lists ---------------------------------------------------------------


def test_the_power_list_links_each_public_item_with_its_columns(client, lists):
    response, content = get(client, lists.url)
    page = text_of(content)

    assert "权力运行清单" in page
    assert (
        "依据公开目录第2版（ 2026年11月22日 审定），公开事项 2 项，不公开事项 1 项"
        in (page)
    )
    rows = response.context["page_obj"].object_list
    assert [item.code for item in rows] == ["QR-002", "XK-001"]
    assert f'href="{item_url(lists, "XK-001")}"' in content
    assert "T01-A-1-2026-0001 农村村民宅基地审批 行政许可 村镇建设办 20个工作日" in page
    for heading in ("索引号", "事项名称", "权力类型", "承办机构", "办理时限"):
        assert f'<th scope="col">{heading}</th>' in content


def test_the_tabs_are_links_that_work_without_javascript(client, lists):
    _, content = get(client, lists.url, list="risks", power_type="行政许可")
    tabs = re.search(r'<nav class="list-tabs".*?</nav>', content, re.S).group(0)

    labels = re.findall(r">([^<>]+)<span class=\"count\">（(\d+)）", tabs)
    assert labels == [
        ("权力清单", "2"),
        ("责任清单", "2"),
        ("流程清单", "2"),
        ("风险防控清单", "3"),
        ("负面清单", "1"),
    ]
    assert tabs.count('aria-current="page"') == 1
    assert re.search(r'aria-current="page">风险防控清单', tabs)
    # Switching tabs keeps the filter and drops nothing else a reader chose.
    assert (
        'href="?list=duties&amp;power_type=%E8%A1%8C%E6%94%BF%E8%AE%B8%E5%8F%AF#lists"'
        in tabs
    )


def test_the_duty_list_shows_what_each_item_answers_for(client, lists):
    _, content = get(client, lists.url, list="duties")
    page = text_of(content)

    assert "农村村民宅基地审批 受理责任；审查责任 村镇建设办主任 违规审批的" in page
    for heading in ("责任事项", "责任主体", "追责情形"):
        assert f'<th scope="col">{heading}</th>' in content


def test_the_process_list_counts_steps_and_links_each_chart(client, lists):
    _, content = get(client, lists.url, list="process")
    page = text_of(content)

    assert "农村村民宅基地审批 村镇建设办 20个工作日 3 个 2 处 查看流程图" in page
    assert f'href="{item_url(lists, "XK-001")}#flowchart"' in content


def test_the_risk_list_shows_every_risk_point_of_the_units_items(client, lists):
    response, content = get(client, lists.url, list="risks")
    page = text_of(content)

    assert [step.risk for step in response.context["page_obj"]] == [
        "优亲厚友",
        "材料审核不严",
        "违规审批",
    ]
    assert "农村村民宅基地审批 受理 材料审核不严 一级风险 双人复核" in page
    assert "农村村民宅基地审批 决定 违规审批 二级风险 集体研究" in page
    assert '<span class="risk-badge risk-1">一级风险</span>' in content
    assert '<span class="risk-badge risk-3">三级风险</span>' in content


def test_the_negative_list_shows_published_entries_only(client, lists):
    _, content = get(client, lists.url, list="negative")
    page = text_of(content)

    assert "窗口受理岗 不得吃拿卡要 给予政务处分" in page
    assert "未发布的负面清单条目" not in page
    assert 'class="filters"' not in content  # the item filters do not apply here


@pytest.mark.parametrize("tab", ["powers", "duties", "process", "risks", "negative"])
def test_drafts_withheld_fields_and_other_units_never_show(client, lists, tab):
    _, content = get(client, lists.url, list=tab)

    for hidden in (
        "草稿事项不应公开",
        "另一单位的事项",
        "不公开事项的依据文字",
        "不公开事项的承办机构",
    ):
        assert hidden not in content
    # Only the name and reason of a withheld item are public (公开办法).
    assert "不公开事项 1 项" in content
    assert "涉及个人隐私的核查事项" in content
    assert "涉及个人隐私，依法不予公开" in content


def test_an_unknown_tab_falls_back_to_the_power_list(client, lists):
    response, _ = get(client, lists.url, list="<script>")
    assert response.context["active_list"] == "powers"


# --- Filters and pagination --------------------------------------------------


def test_filter_choices_come_from_the_units_items_with_counts(client, lists):
    response, content = get(client, lists.url)
    form = response.context["filter"].form

    assert list(form.fields["power_type"].choices) == [
        ("", "全部（2）"),
        ("行政许可", "行政许可（1）"),
        ("行政确认", "行政确认（1）"),
    ]
    assert list(form.fields["office"].choices) == [
        ("", "全部（2）"),
        ("村镇建设办", "村镇建设办（1）"),
        ("社会事务办", "社会事务办（1）"),
    ]
    assert '<label for="id_power_type">权力类型</label>' in content
    assert '<label for="id_office">承办机构</label>' in content
    assert "不公开事项的承办机构" not in content


def test_filtering_by_type_narrows_the_list_and_the_other_facet(client, lists):
    response, content = get(client, lists.url, power_type="行政确认")

    assert [item.code for item in response.context["page_obj"]] == ["QR-002"]
    assert "共 1 项事项符合筛选条件" in text_of(content)
    office_choices = dict(response.context["filter"].form.fields["office"].choices)
    assert office_choices["村镇建设办"] == "村镇建设办（0）"
    assert office_choices["社会事务办"] == "社会事务办（1）"
    assert "清除筛选" in content


def test_filters_apply_to_the_risk_list(client, lists):
    response, _ = get(client, lists.url, list="risks", office="村镇建设办")
    assert [step.risk for step in response.context["page_obj"]] == [
        "材料审核不严",
        "违规审批",
    ]


def test_a_filter_matching_nothing_says_so(client, lists):
    _, content = get(client, lists.url, power_type="行政确认", office="村镇建设办")
    assert "没有符合筛选条件的事项。" in content


def test_an_unknown_filter_value_is_an_error_not_a_crash(client, lists):
    response, content = get(client, lists.url, power_type=SCRIPT)

    assert len(response.context["page_obj"].object_list) == 2
    assert 'class="error"' in content
    assert SCRIPT not in content


def test_lists_are_paginated_with_an_accessible_nav(client, office):
    bulk_items(office, 45)
    response, content = get(client, office.url, page=2)
    page = response.context["page_obj"]

    assert page.number == 2 and page.paginator.num_pages == 3
    assert [item.code for item in page] == [f"B{n:05d}" for n in range(20, 40)]
    nav = re.search(
        r'<nav class="pagination" aria-label="分页">.*?</nav>', content, re.S
    )
    assert nav
    assert 'aria-current="page" aria-label="第2页，当前页">2</a>' in nav.group(0)
    assert 'href="?page=3#lists" rel="next">下一页' in nav.group(0)
    assert 'href="?page=1#lists" rel="prev">上一页' in nav.group(0)
    assert "共 45 项事项，第 2/3 页" in text_of(content)


def test_pagination_keeps_the_tab_and_filters(client, office):
    bulk_items(office, 100)  # 25 of each 权力类型
    _, content = get(client, office.url, list="duties", power_type="行政许可", page=1)
    assert (
        "?list=duties&amp;power_type=%E8%A1%8C%E6%94%BF%E8%AE%B8%E5%8F%AF&amp;page=2#lists"
        in content
    )


@pytest.mark.parametrize("page", ["99", "abc", "-1"])
def test_an_out_of_range_page_shows_a_real_page(client, office, page):
    bulk_items(office, 25)
    response, _ = get(client, office.url, page=page)
    assert response.context["page_obj"].number in (1, 2)


def test_a_unit_without_lists_says_so(client, office):
    _, content = get(client, office.url)

    assert "本单位暂未公开权力清单、流程清单和负面清单。" in content
    assert 'class="list-tabs"' not in content
    assert "导出 XLSX" not in content


def test_an_empty_tab_says_so(client, office):
    public_item(office, "XK-9")
    _, content = get(client, office.url, list="negative")
    assert "本单位暂未公开负面清单。" in content


def test_export_links_are_offered_with_the_lists(client, lists):
    _, content = get(client, lists.url)
    assert f'href="{lists.url}export/xlsx/">导出 XLSX</a>' in content
    assert f'href="{lists.url}export/csv/powers/">导出 CSV</a>' in content


# --- The item page -----------------------------------------------------------


def test_the_item_page_shows_every_field(client, lists):
    _, content = get(client, item_url(lists, "XK-001"))
    page = text_of(content)

    for label, value in (
        ("索引号", "T01-A-1-2026-0001"),
        ("事项编码", "XK-001"),
        ("实施单位", "东河镇社会事务办公室"),
        ("权力类型", "行政许可"),
        ("行使依据", "《中华人民共和国土地管理法》第六十二条"),
        ("行使条件", "面积<200㎡，一户一宅"),
        ("承办机构", "村镇建设办"),
        ("办理时限", "20个工作日"),
        ("责任事项", "受理责任；审查责任"),
        ("责任主体", "村镇建设办主任"),
        ("追责情形", "违规审批的"),
    ):
        assert f"{label} {value}" in page
    assert "面积&lt;200㎡" in content
    assert "公开目录第2版" in page
    assert "东河镇社会事务办公室 农村村民宅基地审批" in page  # breadcrumb


def test_the_item_page_draws_the_chart_and_lists_the_same_steps(client, lists):
    _, content = get(client, item_url(lists, "XK-001"))

    svg = re.search(r"<svg.*?</svg>", content, re.S).group(0)
    assert 'role="img"' in svg
    assert 'aria-labelledby="flowchart-chart-title flowchart-chart-desc"' in svg
    assert (
        '<title id="flowchart-chart-title">农村村民宅基地审批办理流程图</title>' in svg
    )
    steps = re.search(r'<ol class="process-steps".*?</ol>', content, re.S).group(0)
    step_text = text_of(steps)
    for expected in (
        "受理 办理岗位 窗口受理岗 办理时限 即办 分支 不予受理——一次性书面告知理由 "
        "风险点 一级风险 材料审核不严 防控措施 双人复核",
        "审查 办理岗位 审查岗 办理时限 10个工作日",
        "决定 办理岗位 分管领导 办理时限 — 风险点 二级风险 违规审批 防控措施 集体研究",
    ):
        assert expected in step_text
        for word in expected.split(" "):
            if word not in ("办理岗位", "办理时限", "分支", "风险点", "防控措施", "—"):
                assert word in html.unescape(svg), word
    assert steps.count("<li>") == 3


def test_the_item_page_lists_changes_newest_first(client, lists):
    _, content = get(client, item_url(lists, "XK-001"))
    page = text_of(content)

    assert (
        "日期 公开目录版本 变更内容 "
        "2026年11月22日 公开目录第2版 修改：办理时限、流程清单 "
        "2026年3月2日 公开目录第1版 新增事项"
    ) in page


def test_the_item_page_promises_no_results_it_does_not_have(client, lists):
    _, content = get(client, item_url(lists, "XK-001"))
    assert "办理结果（一事一公开）" in content
    assert "本事项暂无已公开的办理结果。" in content


def test_an_item_without_steps_or_changes_says_so(client, office):
    public_item(office, "XK-9")
    _, content = get(client, item_url(office, "XK-9"))
    assert "<svg" not in content
    assert "本事项暂未公开办理流程。" in content
    assert "暂无变更记录。" in content


@pytest.mark.parametrize("code", ["DRAFT-1", "WH-1", "NOPE", "<script>"])
def test_drafts_withheld_and_unknown_items_are_not_found(client, lists, code):
    response = client.get(item_url(lists, code))
    assert response.status_code == 404


def test_an_item_is_found_under_its_own_unit_only(client, lists):
    other = unit("T01-A-2")
    assert client.get(item_url(other, "XK-001")).status_code == 200
    assert client.get(item_url(other, "QR-002")).status_code == 404


def test_an_item_of_an_unpublished_unit_is_not_found(client, lists):
    url = item_url(lists, "XK-001")
    lists.unpublish()
    assert client.get(url).status_code == 404


def test_the_admin_preview_of_a_new_item_renders_its_steps(rf, office):
    """Editors preview an item before it has a pk: no chart or history yet, but
    every field and the steps as a list."""
    item = PowerItem(
        unit=office,
        code="NEW-1",
        name="新建事项预览",
        power_type="行政许可",
        basis="依据",
        office="办公室",
        steps=[ProcessStep(name="受理预览", risk="风险", risk_level="一级")],
    )
    request = rf.get("/admin/")
    content = render_to_string(
        item.get_preview_template(request, ""),
        item.get_preview_context(request, ""),
        request=request,
    )
    assert "新建事项预览" in content
    assert "受理预览" in content
    assert "暂无变更记录。" in content


# --- Escaping ----------------------------------------------------------------


@pytest.fixture
def hostile(office):
    """Markup in every text field of an item, its step, a withheld item and the
    负面清单: all stored as typed, all shown as text."""
    text = {
        "name": f"名称{SCRIPT}",
        "basis": f"依据{SCRIPT}",
        "conditions": f"条件{SCRIPT}",
        "office": f"机构{SCRIPT}",
        "time_limit": f"时限{SCRIPT}",
        "duties": f"责任{SCRIPT}",
        "responsible": f"主体{SCRIPT}",
        "accountability": f"追责{SCRIPT}",
        "index_number": f"索引{SCRIPT}",
    }
    step = {
        field: f"{field}{SCRIPT}"
        for field in ("name", "post", "time_limit", "branch", "risk", "prevention")
    }
    public_item(office, "X-1", steps=[{**step, "risk_level": "一级"}], **text)
    public_item(
        office,
        "X-2",
        name=f"不公开{SCRIPT}",
        disclosed=False,
        withheld_reason=f"理由{SCRIPT}",
    )
    NegativeListItem.objects.create(
        unit=office, post=f"岗位{SCRIPT}", act=f"行为{SCRIPT}", consequence=SCRIPT
    )
    return office


@pytest.mark.parametrize("tab", ["powers", "duties", "process", "risks", "negative"])
def test_markup_in_any_field_is_escaped_on_the_unit_page(client, hostile, tab):
    _, content = get(client, hostile.url, list=tab, power_type=f"机构{SCRIPT}")

    assert "<script>alert" not in content
    assert ESCAPED in content


def test_markup_in_any_field_is_escaped_on_the_item_page(client, hostile):
    _, content = get(client, item_url(hostile, "X-1"))

    assert "<script>alert" not in content
    page = html.unescape(content)
    for field in (
        "名称",
        "依据",
        "条件",
        "机构",
        "时限",
        "责任",
        "主体",
        "追责",
        "索引",
    ):
        assert f"{field}{SCRIPT}" in page
    for field in ("name", "post", "time_limit", "branch", "risk", "prevention"):
        assert f"{field}{SCRIPT}" in page


# --- Query counts ------------------------------------------------------------

TABS = ["powers", "duties", "process", "risks", "negative"]


def count_queries(client, url, params):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


def test_the_unit_page_runs_a_fixed_number_of_queries(
    client, office, django_assert_max_num_queries
):
    bulk_items(office, 10)
    NegativeListItem.objects.create(unit=office, act="不得", consequence="处分")
    client.get(office.url)  # warm the site root cache
    params = [{"list": tab} for tab in TABS] + [
        {"list": "risks", "power_type": "行政许可", "office": "办公室1", "page": "2"}
    ]
    small = [count_queries(client, office.url, p) for p in params]

    bulk_items(office, 990, start=10)
    for p, expected in zip(params, small, strict=True):
        with django_assert_max_num_queries(UNIT_PAGE_QUERIES) as queries:
            assert client.get(office.url, p).status_code == 200
        assert len(queries) == expected, p


def test_the_item_page_runs_a_fixed_number_of_queries(
    client, office, django_assert_max_num_queries
):
    few = public_item(office, "FEW", steps=[{"name": "受理"}])
    many = public_item(office, "MANY", steps=[{"name": f"环节{n}"} for n in range(40)])
    ItemChange.objects.bulk_create(
        ItemChange(item=many, version=n, published_at=few.created_at, fields=["名称"])
        for n in range(30)
    )
    client.get(item_url(office, "FEW"))
    small = count_queries(client, item_url(office, "FEW"), {})

    with django_assert_max_num_queries(ITEM_PAGE_QUERIES) as queries:
        assert client.get(item_url(office, "MANY")).status_code == 200
    assert len(queries) == small
