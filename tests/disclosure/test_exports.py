"""Exports of a unit's public lists (issue 4, part 7): CSV with BOM and XLSX, public
items only, and no cell a spreadsheet would run as a formula (OWASP CSV injection)."""

import csv
import io
from urllib.parse import quote

import openpyxl
import pytest

from disclosure.exports import (
    NEGATIVE_HEADER,
    POWER_HEADER,
    STEP_HEADER,
    ascii_name,
    neutralise,
    to_csv,
    to_xlsx,
)
from disclosure.models import NegativeListItem, UnitPage
from tests.disclosure.test_public_lists import SCRIPT, bulk_items, public_item

FORMULA = '=HYPERLINK("http://evil.example","点击")'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86", "'+86"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("面积<200㎡", "面积<200㎡"),
        ("5个工作日", "5个工作日"),
        ("a=b", "a=b"),
        ("'already", "'already"),
        ("", ""),
        (None, ""),
        (3, "3"),
    ],
)
def test_the_neutraliser_prefixes_formula_starts_only(value, expected):
    assert neutralise(value) == expected


def test_csv_has_a_bom_quotes_every_cell_and_neutralises(tmp_path):
    data = to_csv(("甲", "乙"), [("=1+1", "面积<200㎡\n第二行"), ("@x", "普通")])

    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == '"甲","乙"'
    assert list(csv.reader(io.StringIO(text))) == [
        ["甲", "乙"],
        ["'=1+1", "面积<200㎡\n第二行"],
        ["'@x", "普通"],
    ]


def test_xlsx_stores_formulas_as_text_and_drops_illegal_characters():
    data = to_xlsx([("表", ("甲", "乙"), [("=1+1", "控制\x07字符"), (3, "-5")])])
    sheet = openpyxl.load_workbook(io.BytesIO(data))["表"]
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]

    assert cells == [["甲", "乙"], ["'=1+1", "控制字符"], [3, "'-5"]]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("T01-A-1", "T01-A-1"), ("东河镇", "unit"), ("a b/c", "a-b-c")],
)
def test_ascii_fallback_names(text, expected):
    assert ascii_name(text) == expected


@pytest.fixture
def office(county):
    office = UnitPage.objects.get(code="T01-A-1")
    public_item(
        office,
        "XK-001",
        name="农村村民宅基地审批",
        index_number="T01-A-1-2026-0001",
        conditions="面积<200㎡",
        accountability=FORMULA,
        steps=[
            {
                "name": "受理",
                "branch": "不予受理",
                "risk": "+审核不严",
                "risk_level": "一级",
            },
            {"name": "决定", "post": "@分管领导"},
        ],
    )
    public_item(office, "QR-002", name=f"低保对象认定{SCRIPT}", office="-社会事务办")
    public_item(office, "DRAFT", name="草稿事项", live=False)
    public_item(
        office, "WH", name="不公开事项", disclosed=False, withheld_reason="涉密"
    )
    public_item(UnitPage.objects.get(code="T01-A-2"), "OTHER", name="另一单位事项")
    NegativeListItem.objects.create(
        unit=office, act="=不得吃拿卡要", consequence="处分"
    )
    NegativeListItem.objects.create(
        unit=office, act="未发布", consequence="无", live=False
    )
    return office


def export_url(unit, name, **kwargs):
    return unit.url + unit.reverse_subpage(name, kwargs=kwargs or None)


def read_csv(response):
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_powers_csv_has_one_row_per_public_item(client, office):
    response = client.get(export_url(office, "export_csv", list_name="powers"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(response)
    assert tuple(rows[0]) == POWER_HEADER
    assert rows[0][:3] == ["索引号", "单位编码", "事项编码"]
    assert "涉密" not in rows[0]
    assert [row[2] for row in rows[1:]] == ["QR-002", "XK-001"]
    first = dict(zip(rows[0], rows[2], strict=True))
    assert first["索引号"] == "T01-A-1-2026-0001"
    assert first["事项名称"] == "农村村民宅基地审批"
    assert first["行使条件"] == "面积<200㎡"
    assert first["追责情形"] == "'" + FORMULA
    assert first["是否公开"] == "是"
    second = dict(zip(rows[0], rows[1], strict=True))
    assert second["事项名称"] == f"低保对象认定{SCRIPT}"  # plain text, as stored
    assert second["承办机构"] == "'-社会事务办"


def test_the_download_is_named_with_rfc_5987(client, office):
    response = client.get(export_url(office, "export_csv", list_name="powers"))
    disposition = response["Content-Disposition"]

    assert disposition.startswith('attachment; filename="T01-A-1-powers-')
    assert disposition.isascii()
    assert f"filename*=UTF-8''{quote('东河镇社会事务办公室-权力清单-')}" in disposition


def test_the_steps_csv_lists_every_step_with_its_risk_and_branch(client, office):
    rows = read_csv(client.get(export_url(office, "export_csv", list_name="steps")))

    assert tuple(rows[0]) == STEP_HEADER
    assert rows[1:] == [
        [
            "T01-A-1",
            "XK-001",
            "1",
            "受理",
            "",
            "",
            "'+审核不严",
            "一级",
            "",
            "不予受理",
        ],
        ["T01-A-1", "XK-001", "2", "决定", "'@分管领导", "", "", "", "", ""],
    ]


def test_the_negative_csv_lists_published_entries(client, office):
    rows = read_csv(client.get(export_url(office, "export_csv", list_name="negative")))
    assert rows == [
        list(NEGATIVE_HEADER),
        ["T01-A-1", "全单位", "'=不得吃拿卡要", "处分"],
    ]


def test_an_unknown_csv_is_not_found(client, office):
    url = export_url(office, "export_csv", list_name="secrets")
    assert client.get(url).status_code == 404


def test_the_workbook_has_the_three_lists(client, office):
    response = client.get(export_url(office, "export_xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="T01-A-1-lists-' in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["权力清单", "流程与风险", "负面清单"]
    values = {
        name: [[cell.value for cell in row] for row in book[name].iter_rows()]
        for name in book.sheetnames
    }
    assert tuple(values["权力清单"][0]) == POWER_HEADER
    assert [row[2] for row in values["权力清单"][1:]] == ["QR-002", "XK-001"]
    assert values["权力清单"][2][POWER_HEADER.index("追责情形")] == "'" + FORMULA
    assert [row[3] for row in values["流程与风险"][1:]] == ["受理", "决定"]
    assert values["负面清单"][1:] == [["T01-A-1", "全单位", "'=不得吃拿卡要", "处分"]]
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                assert cell.value not in (
                    "草稿事项",
                    "不公开事项",
                    "另一单位事项",
                    "未发布",
                )


def test_exports_run_a_fixed_number_of_queries(
    client, office, django_assert_max_num_queries
):
    url = export_url(office, "export_xlsx")
    client.get(url)
    bulk_items(office, 300)
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200
