"""DESIGN interface contract, Public URLs: the open-data API at /api/v1/.

Lists paginate as {"count", "next", "previous", "results"} with absolute links on
the host that was asked; only what the public site shows is served; bad parameters
are a 400 in Chinese, never a 500.
"""

import csv
from pathlib import Path

from django.core.management import call_command

import pytest

from disclosure.models import POWER_TYPES, PowerItem
from tests.factories import UserFactory, make_item, make_unit

DATA = Path(__file__).parent / "data"
STEPS = [
    {"name": "受理", "post": "窗口", "time_limit": "即办"},
    {
        "name": "审核",
        "post": "经办人",
        "time_limit": "5个工作日",
        "branch": "不予受理——书面告知理由",
        "risk": "审核不严",
        "risk_level": "二级",
        "prevention": "两人审核",
    },
]
UNIT_KEYS = {
    "unit_code",
    "code",
    "name",
    "level",
    "unit_type",
    "parent_code",
    "supervisor_code",
    "url",
}
POWER_KEYS = {
    "code",
    "unit_code",
    "unit",
    "name",
    "power_type",
    "basis",
    "conditions",
    "office",
    "time_limit",
    "duties",
    "responsible",
    "accountability",
    "index_number",
    "catalog_version",
    "published_at",
    "steps",
    "url",
}
STEP_KEYS = {
    "order",
    "name",
    "post",
    "time_limit",
    "branch",
    "risk",
    "risk_level",
    "prevention",
}


def get(client, url, status=200, **extra):
    response = client.get(url, **extra)
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def all_results(client, url, **extra):
    """Every object of a list, following `next` as an outside client would."""
    out = []
    while url:
        page = get(client, url, **extra)
        out += page["results"]
        url = page["next"]
    return out


def keys(items):
    return {(item["unit_code"], item["code"]) for item in items}


@pytest.fixture
def items(county):
    """Public items across the township's subtree and the county, plus the ones
    the public must never see."""
    units = {unit.code: unit for unit in county.get_descendants().specific()}
    units["T01"] = county
    make_item(county, "C-1", name="县级行政许可事项", power_type="行政许可")
    make_item(units["T01-A"], "A-1", name="最低生活保障审核", steps=STEPS)
    make_item(units["T01-A-1"], "A1-1", name="临时救助审批", power_type="行政给付")
    make_item(units["T01-A-V1"], "V-1", name="宅基地申请审核", power_type="行政许可")
    make_item(units["T01-A-1"], "DRAFT", live=False)
    make_item(units["T01-A-1"], "HIDDEN", disclosed=False, withheld_reason="内部")
    draft_unit = make_unit(units["T01-A"], code="T01-A-3", live=False)
    make_item(draft_unit, "IN-DRAFT-UNIT")
    under_draft = make_unit(draft_unit, code="T01-A-3-1", level="村")
    make_item(under_draft, "UNDER-DRAFT-UNIT")
    return units


PUBLIC = {("T01", "C-1"), ("T01-A", "A-1"), ("T01-A-1", "A1-1"), ("T01-A-V1", "V-1")}


# Shape


def test_units_are_shaped_as_the_contract_says(client, county):
    page = get(client, "/api/v1/units/")

    assert set(page) == {"count", "next", "previous", "results"}
    assert page["count"] == 7
    assert page["next"] is page["previous"] is None
    by_code = {unit["code"]: unit for unit in page["results"]}
    assert all(set(unit) == UNIT_KEYS for unit in page["results"])
    township = by_code["T01-A"]
    assert township == {
        "unit_code": "T01-A",
        "code": "T01-A",
        "name": "测试县东河镇人民政府",
        "level": "乡",
        "unit_type": "政府",
        "parent_code": "T01",
        "supervisor_code": "T01-A-J",
        "url": "http://testserver/t01/t01-a/",
    }
    assert by_code["T01"]["parent_code"] is None
    assert by_code["T01-A-J"]["supervisor_code"] == "T01-J"
    assert client.get(township["url"]).status_code == 200


def test_power_items_are_shaped_as_the_contract_says(client, items):
    page = get(client, "/api/v1/powers/")

    assert page["count"] == len(PUBLIC)
    assert all(set(item) == POWER_KEYS for item in page["results"])
    item = next(i for i in page["results"] if i["code"] == "A-1")
    assert item["unit_code"] == "T01-A"
    assert item["unit"] == "测试县东河镇人民政府"
    assert item["name"] == "最低生活保障审核"
    assert item["power_type"] == "行政确认"
    assert item["published_at"].endswith("+08:00")
    assert item["url"] == "http://testserver/t01/t01-a/powers/A-1/"
    assert client.get(item["url"]).status_code == 200
    assert [set(step) for step in item["steps"]] == [STEP_KEYS, STEP_KEYS]
    first, second = item["steps"]
    assert (first["order"], first["name"], first["risk_level"]) == (1, "受理", None)
    assert second == {"order": 2, **STEPS[1]}


def test_markup_comes_back_as_plain_text(client, county):
    script = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    make_item(county, "XSS", name="住宅面积<200㎡的翻建审批", conditions=script)

    item = get(client, "/api/v1/powers/")["results"][0]

    assert item["conditions"] == script
    assert item["name"] == "住宅面积<200㎡的翻建审批"


# Pagination


def test_links_are_absolute_on_the_host_that_was_asked(client, county):
    first = get(client, "/api/v1/units/?page_size=3&level=乡", HTTP_HOST="localhost")

    assert first["count"] == 4
    assert first["previous"] is None
    assert first["next"].startswith("http://localhost/api/v1/units/?")
    assert "page=2" in first["next"] and "page_size=3" in first["next"]
    assert "level=%E4%B9%A1" in first["next"]
    assert all(u["url"].startswith("http://localhost/") for u in first["results"])

    second = get(client, first["next"], HTTP_HOST="localhost")
    assert second["next"] is None
    assert "page=1" in second["previous"]
    assert len(second["results"]) == 1


def test_following_next_visits_every_item_once(client, items):
    units = all_results(client, "/api/v1/units/?page_size=2")
    powers = all_results(client, "/api/v1/powers/?page_size=1")

    assert len(units) == len({u["code"] for u in units}) == 7
    assert keys(powers) == PUBLIC and len(powers) == len(PUBLIC)


def test_page_size_defaults_to_20_and_is_capped_at_100(client, county):
    for n in range(120):
        make_item(county, f"N-{n:03d}")

    assert len(get(client, "/api/v1/powers/")["results"]) == 20
    capped = get(client, "/api/v1/powers/?page_size=500")
    assert len(capped["results"]) == 100
    assert "page_size=500" in capped["next"]
    assert len(get(client, capped["next"])["results"]) == 20


def test_a_page_past_the_end_is_a_404_and_an_empty_list_a_page(client, db):
    empty = get(client, "/api/v1/powers/")
    assert empty == {"count": 0, "next": None, "previous": None, "results": []}

    error = get(client, "/api/v1/powers/?page=2", status=404)
    assert "超出范围" in error["detail"]
    huge = get(client, f"/api/v1/powers/?page={10**30}", status=404)
    assert "超出范围" in huge["detail"]


@pytest.mark.parametrize(
    ("query", "param", "words"),
    [
        ("page=0", "page", "不能小于 1"),
        ("page=-3", "page", "不能小于 1"),
        ("page=abc", "page", "应为整数"),
        ("page=1.5", "page", "应为整数"),
        ("page=", "page", "应为整数"),
        ("page_size=0", "page_size", "不能小于 1"),
        ("page_size=二十", "page_size", "应为整数"),
        ("power_type=行政审批", "power_type", "应为以下之一：行政许可、行政处罚"),
        ("q=" + "长" * 101, "q", "不能超过 100 个字符"),
        ("q=%00", "q", "不能包含控制字符"),
        ("unit=T01%00", "unit", "不能包含控制字符"),
    ],
)
def test_bad_parameters_are_a_400_in_chinese(client, county, query, param, words):
    error = get(client, f"/api/v1/powers/?{query}", status=400)

    assert words in error["detail"]
    assert error["errors"][0]["param"] == param
    assert words in error["errors"][0]["message"]


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/api/v1/units/?level=省", "应为以下之一：市、县、乡、村"),
        ("/api/v1/units/?unit_type=公司", "应为以下之一：党委"),
    ],
)
def test_bad_filters_are_a_400_in_chinese(client, items, url, words):
    assert words in get(client, url, status=400)["detail"]


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("/api/v1/units/?parent=NOPE", "NOPE"),
        ("/api/v1/powers/?unit=NOPE", "NOPE"),
        ("/api/v1/powers/?unit=T01-A-3", "T01-A-3"),
        ("/api/v1/results/?unit=NOPE", "NOPE"),
    ],
)
def test_filters_naming_no_public_unit_are_a_404_in_chinese(client, items, url, code):
    assert f"没有编码为“{code}”的公开单位" in get(client, url, status=404)["detail"]


# Filters


def test_unit_filter_takes_the_whole_subtree(client, items):
    township = get(client, "/api/v1/powers/?unit=T01-A")
    office = get(client, "/api/v1/powers/?unit=T01-A-1")
    county = get(client, "/api/v1/powers/?unit=T01")

    assert keys(township["results"]) == PUBLIC - {("T01", "C-1")}
    assert keys(office["results"]) == {("T01-A-1", "A1-1")}
    assert keys(county["results"]) == PUBLIC


def test_power_type_and_name_filters(client, items):
    permits = get(client, "/api/v1/powers/?power_type=行政许可")
    relief = get(client, "/api/v1/powers/?q=救助")
    both = get(client, "/api/v1/powers/?q=审核&power_type=行政许可&unit=T01-A")
    blank = get(client, "/api/v1/powers/?q=&power_type=&unit=")

    assert keys(permits["results"]) == {("T01", "C-1"), ("T01-A-V1", "V-1")}
    assert keys(relief["results"]) == {("T01-A-1", "A1-1")}
    assert keys(both["results"]) == {("T01-A-V1", "V-1")}
    assert blank["count"] == len(PUBLIC)


def test_unit_filters(client, items):
    children = get(client, "/api/v1/units/?parent=T01-A")
    villages = get(client, "/api/v1/units/?level=村")
    commissions = get(client, "/api/v1/units/?unit_type=纪委")

    assert {u["code"] for u in children["results"]} == {
        "T01-A-J",
        "T01-A-1",
        "T01-A-2",
        "T01-A-V1",
    }
    assert {u["code"] for u in villages["results"]} == {"T01-A-V1"}
    assert {u["code"] for u in commissions["results"]} == {"T01-J", "T01-A-J"}


# Only what is public


def test_drafts_withheld_items_and_draft_branches_are_never_served(client, items):
    units = {u["code"] for u in all_results(client, "/api/v1/units/")}
    powers = all_results(client, "/api/v1/powers/")

    assert keys(powers) == PUBLIC
    assert not {"T01-A-3", "T01-A-3-1"} & units
    for unit, code in [
        ("T01-A-1", "DRAFT"),
        ("T01-A-1", "HIDDEN"),
        ("T01-A-3", "IN-DRAFT-UNIT"),
        ("T01-A-3-1", "UNDER-DRAFT-UNIT"),
    ]:
        error = get(client, f"/api/v1/powers/{unit}/{code}/", status=404)
        assert "公开事项" in error["detail"]
    for code in ["T01-A-3", "T01-A-3-1"]:
        get(client, f"/api/v1/units/{code}/", status=404)


# Detail


def test_detail_endpoints(client, items):
    unit = get(client, "/api/v1/units/T01-A-1/")
    item = get(client, "/api/v1/powers/T01-A/A-1/")

    assert set(unit) == UNIT_KEYS and unit["parent_code"] == "T01-A"
    assert set(item) == POWER_KEYS and len(item["steps"]) == 2
    assert get(client, "/api/v1/powers/?unit=T01-A")["results"][0] == item


def test_the_same_code_under_two_units_is_two_items(client, items):
    make_item(items["T01-A-2"], "A-1", name="另一单位的同编码事项")

    listed = get(client, "/api/v1/powers/?q=同编码")["results"]
    detail = get(client, "/api/v1/powers/T01-A-2/A-1/")

    assert keys(listed) == {("T01-A-2", "A-1")}
    assert detail["name"] == "另一单位的同编码事项"
    assert get(client, "/api/v1/powers/T01-A/A-1/")["name"] == "最低生活保障审核"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/units/NOPE/",
        "/api/v1/powers/T01-A/NOPE/",
        "/api/v1/powers/NOPE/A-1/",
        "/api/v1/powers/T01-A-1/A-1/",
    ],
)
def test_missing_detail_is_a_404_in_chinese(client, items, url):
    assert "没有" in get(client, url, status=404)["detail"]


@pytest.mark.parametrize("url", ["/api/v1/units/T01%00/", "/api/v1/powers/T01/C%01/"])
def test_control_characters_in_a_code_are_a_400(client, items, url):
    assert "不能包含控制字符" in get(client, url, status=400)["detail"]


def test_unknown_api_addresses_answer_json(client, db):
    for url in ["/api/v1/nothing/", "/api/v2/units/", "/api/"]:
        assert "没有这个接口" in get(client, url, status=404)["detail"]
    assert "schema" in get(client, "/api/v1/")
    assert client.get("/api/v1/units").status_code == 301


# HTTP


def test_successful_reads_are_cacheable_and_errors_are_not(client, items):
    ok = client.get("/api/v1/powers/")
    schema = client.get("/api/v1/schema/")
    bad = client.get("/api/v1/powers/?page=0")

    for response in (ok, schema):
        assert "public" in response["Cache-Control"]
        assert "max-age=300" in response["Cache-Control"]
    assert "public" not in bad.get("Cache-Control", "")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "url", ["/api/v1/units/", "/api/v1/powers/T01-A/A-1/", "/api/v1/schema/"]
)
def test_only_get_is_allowed(client, items, method, url):
    response = getattr(client, method)(url, data={}, content_type="application/json")

    assert response.status_code == 405
    assert "GET" in response["Allow"]


# Schema


def test_schema_describes_every_endpoint(client, db):
    schema = get(client, "/api/v1/schema/")

    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "阳光权力开放数据接口"
    paths = schema["paths"]
    assert {
        "/api/v1/units/",
        "/api/v1/units/{code}/",
        "/api/v1/powers/",
        "/api/v1/powers/{unit_code}/{code}/",
    } <= set(paths)
    assert all(set(operations) == {"get"} for operations in paths.values())
    listing = paths["/api/v1/powers/"]["get"]
    params = {p["name"]: p for p in listing["parameters"]}
    assert {"page", "page_size", "unit", "power_type", "q"} <= set(params)
    assert set(listing["responses"]) == {"200", "400", "404"}
    components = schema["components"]["schemas"]
    page_ref = listing["responses"]["200"]["content"]["application/json"]["schema"]
    page = components[page_ref["$ref"].rsplit("/", 1)[-1]]
    assert set(page["properties"]) == {"count", "next", "previous", "results"}
    assert set(components["PowerOut"]["properties"]) == POWER_KEYS
    assert set(components["UnitOut"]["properties"]) == UNIT_KEYS
    assert set(components["StepOut"]["properties"]) == STEP_KEYS
    assert "行政许可" in str(params["power_type"]["schema"])
    assert set(POWER_TYPES) <= set(str(components["PowerOut"]).split("'"))


def test_there_are_no_docs_loading_a_cdn(client, db):
    assert client.get("/api/v1/docs/").status_code == 404
    assert b"cdn" not in client.get("/api/v1/schema/").content.lower()


# Query counts


@pytest.mark.parametrize("url", ["/api/v1/powers/?page_size=100", "/api/v1/units/"])
def test_lists_cost_the_same_queries_for_5_or_120_items(
    client, county, django_assert_max_num_queries, url
):
    def queries_with(total):
        for i in range(total - PowerItem.objects.count()):
            unit = make_unit(county, code=f"Q-{total}-{i:03d}", level="村")
            make_item(unit, f"Q-{i:03d}", steps=STEPS)
        with django_assert_max_num_queries(6) as captured:
            assert get(client, url)["count"] >= total
        return len(captured)

    queries_with(5)  # the first listed page URL caches the site's root paths
    assert queries_with(5) == queries_with(120)


# The real import


def test_api_lists_exactly_what_the_import_published(client, db, tmp_path):
    approver = UserFactory(username="approver", is_superuser=True, is_staff=True)
    call_command(
        "import_lists",
        "--units",
        str(DATA / "units.csv"),
        "--powers",
        str(DATA / "powers.csv"),
        "--steps",
        str(DATA / "steps.csv"),
        "--approved-by",
        approver.username,
        stdout=(tmp_path / "out.txt").open("w"),
        stderr=(tmp_path / "err.txt").open("w"),
    )
    with (DATA / "powers.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    public = {
        (r["单位编码"], r["事项编码"])
        for r in rows
        if r["是否公开"] == "是" and r["涉密"] == "否"
    }

    powers = all_results(client, "/api/v1/powers/")

    assert keys(powers) == public and len(powers) == len(public)
    assert all(item["index_number"] and item["catalog_version"] for item in powers)
    with_steps = [item for item in powers if item["steps"]]
    assert with_steps and all(
        [s["order"] for s in item["steps"]] == list(range(1, len(item["steps"]) + 1))
        for item in with_steps
    )
    for item in powers[:3]:
        assert client.get(item["url"]).status_code == 200
    with (DATA / "units.csv").open(encoding="utf-8", newline="") as f:
        units = {r["单位编码"]: r for r in csv.DictReader(f)}
    listed = {u["code"]: u for u in all_results(client, "/api/v1/units/")}
    assert set(listed) == set(units)
    assert all(
        (listed[code]["parent_code"] or "") == row["上级单位编码"]
        for code, row in units.items()
    )
