"""DESIGN interface contract, Import: the units list.

A file with any invalid row imports nothing and names every problem as
`file:row:column: message`; re-importing the same file changes nothing.
"""

import csv
import io
from pathlib import Path
from unittest import mock

from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from wagtail.models import PageLogEntry, Revision

import pytest

from disclosure import staff
from disclosure.importing import Problems
from disclosure.importing.reader import invisible_problem, read_table
from disclosure.importing.units import (
    COLUMNS,
    UnitRow,
    check_tree,
    find_cycles,
    parse_row,
    unit_slug,
)
from disclosure.management.commands.import_lists import Command
from disclosure.models import UnitGroup, UnitPage
from tests.factories import UserFactory

SAMPLE = Path(__file__).parent / "data" / "units.csv"
HEADER = ",".join(COLUMNS)


def sample_rows():
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def write(tmp_path, text, name="units.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(tmp_path, rows, name="units.xlsx"):
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_lists", *map(str, args), stdout=out, stderr=err)
    return out.getvalue()


def refused(*args):
    """The problem lines of an import that must fail, after checking it wrote nothing."""
    before = UnitPage.objects.count()
    err = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_lists", *map(str, args), stdout=io.StringIO(), stderr=err)
    assert UnitPage.objects.count() == before
    assert "Traceback" not in err.getvalue()
    return err.getvalue().splitlines(), str(failed.value)


def unit(code):
    return UnitPage.objects.get(code=code)


def parent_code(code):
    return getattr(unit(code).get_parent().specific, "code", None)


# The sample county -----------------------------------------------------------


@pytest.mark.django_db
def test_sample_units_are_published_under_their_parents():
    out = run("--units", SAMPLE)

    assert out.strip() == "单位：新建 7，更新 0，未变 0"
    assert UnitPage.objects.live().count() == 7
    assert parent_code("S01") is None
    assert parent_code("S01-J") == "S01"
    assert parent_code("S01-A-1") == "S01-A"
    assert unit("S01-A-V1").title == "柳溪镇桃源村民委员会"
    assert unit("S01-A-V1").unit_type == "村(居)委会"
    assert unit("S01-A-1").url_path == "/home/s01/s01-a/s01-a-1/"


@pytest.mark.django_db
def test_sample_units_get_their_supervising_commission():
    run("--units", SAMPLE)

    supervisors = dict(UnitPage.objects.values_list("code", "supervisor__code"))
    assert supervisors["S01-A-1"] == "S01-A-J"
    assert supervisors["S01-A"] == "S01-A-J"
    assert supervisors["S01-A-J"] == "S01-J"
    assert supervisors["S01-J"] is None


@pytest.mark.django_db
def test_every_unit_gets_its_staff_groups():
    run("--units", SAMPLE)

    assert UnitGroup.objects.count() == 7 * 3 + 2
    roles = set(unit("S01-A-J").staff_groups.values_list("role", flat=True))
    assert roles == {"clerk", "leader", "head", "commission"}


@pytest.mark.django_db
def test_supervisors_are_refreshed_once_per_import_not_per_save():
    with mock.patch(
        "disclosure.staff.refresh_supervisors", wraps=staff.refresh_supervisors
    ) as refresh:
        run("--units", SAMPLE)

    assert refresh.call_count == 1
    assert unit("S01-A-1").supervisor.code == "S01-A-J"


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing():
    run("--units", SAMPLE)
    revisions, log_entries = Revision.objects.count(), PageLogEntry.objects.count()

    out = run("--units", SAMPLE)

    assert out.strip() == "单位：新建 0，更新 0，未变 7"
    assert Revision.objects.count() == revisions
    assert PageLogEntry.objects.count() == log_entries


@pytest.mark.django_db
def test_creation_is_in_the_audit_log_under_the_approver():
    approver = UserFactory(username="shenhe")

    run("--units", SAMPLE, "--approved-by", "shenhe")

    entries = PageLogEntry.objects.filter(page=unit("S01-A"))
    assert set(entries.values_list("action", "user")) == {
        ("wagtail.create", approver.pk),
        ("wagtail.edit", approver.pk),
        ("wagtail.publish", approver.pk),
    }
    assert unit("S01-A").owner == approver


@pytest.mark.django_db
def test_an_unknown_approver_is_refused():
    with pytest.raises(CommandError, match="用户“nobody”不存在"):
        run("--units", SAMPLE, "--approved-by", "nobody")
    assert not UnitPage.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("flag", ["--powers", "--steps"])
def test_a_units_file_given_as_another_list_is_refused_whole(flag):
    with pytest.raises(CommandError, match="未导入任何数据"):
        run("--units", SAMPLE, flag, SAMPLE)
    assert not UnitPage.objects.exists()


def test_no_file_at_all_is_an_error():
    with pytest.raises(CommandError, match="请至少指定一个文件"):
        run()


# Other shapes of a good file -------------------------------------------------


@pytest.mark.django_db
def test_a_workbook_imports_like_the_csv(tmp_path):
    path = write_xlsx(tmp_path, sample_rows())

    assert run("--units", path).strip() == "单位：新建 7，更新 0，未变 0"
    assert parent_code("S01-A-V1") == "S01-A"
    assert run("--units", SAMPLE).strip() == "单位：新建 0，更新 0，未变 7"


@pytest.mark.django_db
def test_a_byte_order_mark_is_ignored(tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(b"\xef\xbb\xbf" + SAMPLE.read_bytes().replace(b"\n", b"\r\n"))

    assert run("--units", path).strip() == "单位：新建 7，更新 0，未变 0"


@pytest.mark.django_db
def test_a_parent_may_come_after_its_children(tmp_path):
    header, *rows = sample_rows()
    text = "\n".join(",".join(row) for row in [header, *reversed(rows)])

    run("--units", write(tmp_path, text))

    assert parent_code("S01-A-1") == "S01-A"
    assert parent_code("S01-A") == "S01"


@pytest.mark.django_db
def test_a_parent_may_already_be_in_the_database(county, tmp_path):
    path = write(
        tmp_path, f"{HEADER}\nT01-A-V2,东河镇杨柳村民委员会,T01-A,村,村(居)委会\n"
    )

    run("--units", path)

    assert parent_code("T01-A-V2") == "T01-A"
    assert unit("T01-A-V2").supervisor.code == "T01-A-J"


@pytest.mark.django_db
def test_full_width_codes_and_choices_are_normalised(tmp_path):
    text = f"{HEADER}\nＳ０１,青山县人民政府,,县,政府\nS01-B,某镇村委会,Ｓ０１,村,村（居）委会\n"

    run("--units", write(tmp_path, text))

    assert parent_code("S01-B") == "S01"
    assert unit("S01-B").unit_type == "村(居)委会"


@pytest.mark.django_db
def test_renaming_a_unit_publishes_a_new_title(tmp_path):
    run("--units", SAMPLE)
    revisions = unit("S01-A-2").revisions.count()
    text = SAMPLE.read_text(encoding="utf-8").replace(
        "村镇建设办公室", "规划建设办公室"
    )

    out = run("--units", write(tmp_path, text))

    assert out.strip() == "单位：新建 0，更新 1，未变 6"
    renamed = unit("S01-A-2")
    assert renamed.title == "柳溪镇规划建设办公室"
    assert renamed.live and not renamed.has_unpublished_changes
    assert renamed.revisions.count() == revisions + 1
    assert (
        Group.objects.filter(name__startswith="S01-A-2 柳溪镇规划建设办公室").count()
        == 3
    )


@pytest.mark.django_db
def test_a_changed_parent_moves_the_unit_and_its_supervisor(tmp_path):
    run("--units", SAMPLE)
    text = SAMPLE.read_text(encoding="utf-8").replace(
        "S01-A-2,柳溪镇村镇建设办公室,S01-A,乡,部门",
        "S01-A-2,县村镇建设办公室,S01,县,部门",
    )

    out = run("--units", write(tmp_path, text))

    assert out.strip() == "单位：新建 0，更新 1，未变 6"
    moved = unit("S01-A-2")
    assert parent_code("S01-A-2") == "S01"
    assert moved.url_path == "/home/s01/s01-a-2/"
    assert moved.supervisor.code == "S01-J"
    assert run("--units", write(tmp_path, text)).strip().endswith("更新 0，未变 7")


@pytest.mark.django_db
def test_codes_that_are_not_slugs_get_a_safe_free_slug(tmp_path):
    text = f"{HEADER}\nS01,县,,县,政府\nS01.A,甲,S01,乡,政府\nS01A,乙,S01,乡,政府\n"

    run("--units", write(tmp_path, text))

    assert unit("S01.A").slug == "s01a"
    assert unit("S01A").slug == "s01a-1"


def test_slugs_come_from_codes():
    assert unit_slug("S01-A-1") == "s01-a-1"
    assert unit_slug("S01/A") == "s01a"
    assert unit_slug("青山01") == "青山01"
    assert unit_slug("…") == "unit"


def test_a_large_file_shows_progress():
    assert not Command().progress(list(range(150))).disable
    assert Command().progress(list(range(7))).disable


# Bad files: every problem named, nothing imported ----------------------------


BAD_ROWS = [
    pytest.param(
        "S01,县,,县,政府\nS02,乡,S01,乡,政府\nS03,乡,S01,乡,政府\nS04,乡,S99,乡,政府",
        "units.csv:5:上级单位编码: 上级单位“S99”不存在",
        id="parent-missing",
    ),
    pytest.param(
        "S01,县,,县,政府\nS02,,S01,乡,政府",
        "units.csv:3:单位名称: 必填，不能为空。",
        id="name-empty",
    ),
    pytest.param(
        ",县,,县,政府",
        "units.csv:2:单位编码: 必填，不能为空。",
        id="code-empty",
    ),
    pytest.param(
        "S01,县,,省,政府",
        "units.csv:2:层级: 层级“省”无效，应为：市、县、乡、村。",
        id="level-unknown",
    ),
    pytest.param(
        "S01,县,,县,局",
        "units.csv:2:单位类型: 单位类型“局”无效，"
        "应为：党委、政府、纪委、部门、村(居)委会、事业单位。",
        id="type-unknown",
    ),
    pytest.param(
        "S01,县,,县,政府\nS02,乡,S01,乡,政府\nS01,县二,,县,政府",
        "units.csv:4:单位编码: 单位编码“S01”重复，第 2 行已有。",
        id="code-duplicate",
    ),
    pytest.param(
        "S01,甲,S02,县,政府\nS02,乙,S01,县,政府",
        "units.csv:3:上级单位编码: 上级关系形成循环：S02 → S01 → S02。",
        id="cycle",
    ),
    pytest.param(
        "S01,甲,S01,县,政府",
        "units.csv:2:上级单位编码: 上级单位不能是本单位“S01”。",
        id="own-parent",
    ),
    pytest.param(
        f"{'S' * 33},县,,县,政府",
        f"units.csv:2:单位编码: 编码“{'S' * 33}”过长（33 个字符），最多 32 个字符。",
        id="code-too-long",
    ),
    pytest.param(
        "S0 1,县,,县,政府",
        "units.csv:2:单位编码: 编码“S0 1”不能含有空格等空白字符。",
        id="code-with-space",
    ),
    pytest.param(
        "S01,县,S0\u30001,县,政府",
        "units.csv:2:上级单位编码: 编码“S0 1”不能含有空格等空白字符。",
        id="parent-with-ideographic-space",
    ),
    pytest.param(
        f"S01,{'名' * 256},,县,政府",
        "units.csv:2:单位名称: 内容过长（256 个字符），最多 255 个字符。",
        id="name-too-long",
    ),
    pytest.param(
        "S01\u200b,县,,县,政府",
        "units.csv:2:单位编码: 含有不可见字符 U+200B（ZERO WIDTH SPACE），请删除后重新导入。",
        id="zero-width",
    ),
    pytest.param(
        "S01,青山\x07县,,县,政府",
        "units.csv:2:单位名称: 含有不可见字符 U+0007（控制字符），请删除后重新导入。",
        id="control-character",
    ),
    pytest.param(
        'S01,"青山\n县",,县,政府\nS02,乡,S01,乡,局',
        "units.csv:4:单位类型: 单位类型“局”无效，"
        "应为：党委、政府、纪委、部门、村(居)委会、事业单位。",
        id="line-numbers-count-lines-inside-quoted-cells",
    ),
    pytest.param(
        "S01,县,,县,政府,多余",
        "units.csv:2:第6列: 这一列没有表头，内容“多余”无法识别。",
        id="cell-without-header",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("rows", "expected"), BAD_ROWS)
def test_a_bad_row_is_named_and_nothing_is_imported(tmp_path, rows, expected):
    lines, summary = refused("--units", write(tmp_path, f"{HEADER}\n{rows}\n"))

    assert expected in lines
    assert "未导入任何数据" in summary


@pytest.mark.django_db
def test_the_same_problems_are_named_in_a_workbook_by_its_row_numbers(tmp_path):
    rows = [
        COLUMNS,
        ("S01", "县", "", "县", "政府"),
        (),
        ("S02", "乡", "S99", "省", "政府"),
    ]
    path = write_xlsx(tmp_path, rows)

    lines, _ = refused("--units", path)

    assert lines == [
        "units.xlsx:4:上级单位编码: 上级单位“S99”不存在",
        "units.xlsx:4:层级: 层级“省”无效，应为：市、县、乡、村。",
    ]


@pytest.mark.django_db
def test_every_problem_in_a_file_is_listed_in_line_and_column_order(tmp_path):
    rows = "S01,县,,县,政府\nS02,,S01,乡,政府\nS03,乡,S98,乡,政府\nS04,乡,S97,省,局"

    lines, summary = refused("--units", write(tmp_path, f"{HEADER}\n{rows}\n"))

    assert [line.split(": ")[0] for line in lines] == [
        "units.csv:3:单位名称",
        "units.csv:4:上级单位编码",
        "units.csv:5:上级单位编码",
        "units.csv:5:层级",
        "units.csv:5:单位类型",
    ]
    assert "发现 5 个问题" in summary


@pytest.mark.django_db
def test_nothing_is_imported_when_any_row_is_bad(county, tmp_path):
    rows = "T01-B,西山镇人民政府,T01,乡,政府\nT01-C,北山镇人民政府,T01,省,政府"
    refused("--units", write(tmp_path, f"{HEADER}\n{rows}\n"))

    assert not UnitPage.objects.filter(code__in=["T01-B", "T01-C"]).exists()


@pytest.mark.django_db
def test_a_cycle_through_the_database_is_found(county, tmp_path):
    path = write(tmp_path, f"{HEADER}\nT01,测试县人民政府,T01-A-1,县,政府\n")

    lines, _ = refused("--units", path)

    assert lines == [
        "units.csv:2:上级单位编码: 上级关系形成循环：T01 → T01-A-1 → T01-A → T01。"
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            "单位编码,单位名,上级单位编码,层级,单位类型",
            [
                "units.csv:1:单位名称: 缺少列“单位名称”。"
                "表头应为：单位编码，单位名称，上级单位编码，层级，单位类型",
                "units.csv:1:单位名: 无法识别的列“单位名”，是否应为“单位名称”？",
            ],
        ),
        (
            "单位编码,单位名称,上级单位编码,层级",
            [
                "units.csv:1:单位类型: 缺少列“单位类型”。"
                "表头应为：单位编码，单位名称，上级单位编码，层级，单位类型"
            ],
        ),
        (
            f"{HEADER},备注",
            [
                "units.csv:1:备注: 无法识别的列“备注”。"
                "表头应为：单位编码，单位名称，上级单位编码，层级，单位类型"
            ],
        ),
        (
            f"{HEADER},层级",
            ["units.csv:1:层级: 列“层级”重复出现。"],
        ),
    ],
    ids=["misnamed", "missing", "extra", "repeated"],
)
def test_header_problems_are_named(tmp_path, header, expected):
    lines, _ = refused("--units", write(tmp_path, f"{header}\nS01,县,,县,政府\n"))

    assert lines == expected


@pytest.mark.django_db
def test_a_file_not_in_utf8_is_named_with_advice(tmp_path):
    path = write(tmp_path, SAMPLE.read_text(encoding="utf-8"), encoding="gbk")

    lines, _ = refused("--units", path)

    assert len(lines) == 1
    assert lines[0].startswith("units.csv:1: 文件“units.csv”不是 UTF-8 编码")
    assert "GBK" in lines[0] and "CSV UTF-8" in lines[0]


@pytest.mark.django_db
def test_encoding_trouble_further_down_names_its_line(tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(
        f"{HEADER}\nS01,县,,县,政府\n".encode() + "S02,乡,S01,乡,政府\n".encode("gbk")
    )

    lines, _ = refused("--units", path)

    assert lines[0].startswith("units.csv:3: 文件“units.csv”不是 UTF-8 编码")


@pytest.mark.django_db
def test_a_renamed_text_file_is_not_a_workbook(tmp_path):
    path = write(tmp_path, SAMPLE.read_text(encoding="utf-8"), name="units.xlsx")

    lines, _ = refused("--units", path)

    assert lines == [
        "units.xlsx: 文件“units.xlsx”不是有效的 Excel 工作簿（.xlsx），无法打开。"
        "请在 Excel 或 WPS 中“另存为”“CSV UTF-8（逗号分隔）”或 .xlsx 后重新导入。"
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "units.csv:1: 文件“units.csv”是空的：没有表头，也没有数据行。"),
        (
            "\ufeff\n,,,,\n",
            "units.csv:1: 文件“units.csv”是空的：没有表头，也没有数据行。",
        ),
        (f"{HEADER}\n", "units.csv:1: 文件只有表头，没有数据行。"),
    ],
    ids=["empty", "blank", "header-only"],
)
def test_an_empty_file_is_refused(tmp_path, text, expected):
    lines, _ = refused("--units", write(tmp_path, text))

    assert lines == [expected]


@pytest.mark.django_db
def test_a_missing_file_is_named(tmp_path):
    lines, _ = refused("--units", tmp_path / "nowhere.csv")

    assert lines == [f"nowhere.csv: 找不到文件“{tmp_path / 'nowhere.csv'}”。"]


# The rules alone, without a database -----------------------------------------


def rows_of(text):
    problems = Problems()
    table = read_table(io.BytesIO(text.encode()), COLUMNS, problems, name="u.csv")
    return table, problems


def test_the_reader_numbers_rows_as_the_file_does():
    table, problems = rows_of(
        f"{HEADER}\n\nS01,县,,县,政府\n,,,,\nS02,乡,S01,乡,政府\n"
    )

    assert not problems
    assert [(row.line, row["单位编码"]) for row in table.rows] == [
        (3, "S01"),
        (5, "S02"),
    ]


def test_the_reader_strips_surrounding_whitespace():
    table, _ = rows_of(f"{HEADER}\n  S01 ,\u3000青山县 ,,县,政府\n")

    assert table.rows[0].values["单位名称"] == "青山县"
    assert table.rows[0].values["单位编码"] == "S01"


@pytest.mark.parametrize(
    ("text", "multiline", "refused"),
    [
        ("青山县", False, False),
        ("面积<200㎡", False, False),
        ("第一条\n第二条", True, False),
        ("第一条\n第二条", False, True),
        ("S01\u200d", False, True),
        ("S01\ufeff", False, True),
        ("S01\u202e", False, True),
        ("S01\x00", True, True),
    ],
)
def test_invisible_characters(text, multiline, refused):
    assert bool(invisible_problem(text, multiline=multiline)) is refused


def unit_row(code, parent=None, line=2):
    return UnitRow(line, code, f"单位{code}", parent, "乡", "政府")


def test_check_tree_orders_parents_first():
    reported = []
    rows = [unit_row("C", "B", 2), unit_row("B", "A", 3), unit_row("A", None, 4)]

    ordered = check_tree(rows, {}, lambda *problem: reported.append(problem))

    assert not reported
    assert [row.code for row in ordered] == ["A", "B", "C"]


def test_check_tree_accepts_parents_from_the_database():
    reported = []

    check_tree([unit_row("C", "X")], {"X": None}, lambda *p: reported.append(p))

    assert not reported


def test_find_cycles_reports_each_cycle_once():
    parents = {"A": "B", "B": "C", "C": "A", "D": "A", "E": None}

    assert find_cycles(parents, ["D", "A", "B", "E"]) == [["A", "B", "C"]]


def test_parse_row_keeps_a_row_with_a_usable_code_for_the_tree_checks():
    table, _ = rows_of(f"{HEADER}\nS01,,S 00,省,政府\n")
    reported = []

    row = parse_row(table.rows[0], lambda *problem: reported.append(problem))

    assert row.code == "S01" and row.parent_code is None
    assert [column for _, column, _ in reported] == ["单位名称", "上级单位编码", "层级"]
