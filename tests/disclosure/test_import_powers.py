"""The import contract for 权力事项 and 流程清单 (DESIGN: interface contract, Import;
rule 1: 涉密 items are never stored)."""

import csv
import io
from pathlib import Path

from django.core.management import CommandError, call_command

from wagtail.models import ModelLogEntry, Revision

import pytest
from openpyxl import Workbook

from disclosure.models import CatalogVersion, ItemChange, PowerItem, ProcessStep
from tests.factories import UserFactory, staff

DATA = Path(__file__).parent / "data"
UNITS, POWERS, STEPS, BAD = (
    DATA / n for n in ("units.csv", "powers.csv", "steps.csv", "bad_powers.csv")
)
POWER_HEADER = (
    "单位编码,事项编码,事项名称,权力类型,行使依据,行使条件,承办机构,办理时限,"
    "责任事项,责任主体,追责情形,是否公开,不公开理由,涉密"
).split(",")
STEP_HEADER = "单位编码,事项编码,步骤序号,环节名称,办理岗位,办理时限,风险点,风险等级,防控措施".split(
    ","
)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_lists", *map(str, args), stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def fails(*args):
    before = (
        PowerItem.objects.count(),
        ProcessStep.objects.count(),
        Revision.objects.count(),
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_lists", *map(str, args), stdout=io.StringIO(), stderr=err)
    after = (
        PowerItem.objects.count(),
        ProcessStep.objects.count(),
        Revision.objects.count(),
    )
    assert after == before, "a refused file changed the database"
    assert "Traceback" not in err.getvalue()
    return err.getvalue()


def power_row(**overrides):
    row = dict(
        zip(
            POWER_HEADER,
            [
                "S01-A-2",
                "T-1",
                "农村村民住宅建设审批",
                "行政许可",
                "《土地管理法》第六十二条",
                "一户一宅",
                "村镇建设办公室",
                "20个工作日",
                "审查",
                "柳溪镇人民政府",
                "违规审批的",
                "是",
                "",
                "否",
            ],
            strict=True,
        )
    )
    row.update(overrides)
    return row


def write(tmp_path, name, header, rows):
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def approver(db):
    return UserFactory(username="shending", is_superuser=True, is_staff=True)


@pytest.fixture
def units(db):
    run("--units", UNITS)


def public_keys():
    return set(
        PowerItem.objects.filter(live=True, disclosed=True).values_list(
            "unit__code", "code"
        )
    )


@pytest.mark.django_db
def test_the_sample_publishes_disclosed_items_and_refuses_the_classified_one(approver):
    out = run(
        "--units",
        UNITS,
        "--powers",
        POWERS,
        "--steps",
        STEPS,
        "--approved-by",
        approver.username,
    )

    assert "Q-014" in out and "涉密" in out
    assert not PowerItem.objects.filter(code="Q-014").exists()
    assert not Revision.objects.filter(content__icontains="Q-014").exists()
    assert not ModelLogEntry.objects.filter(label__contains="Q-014").exists()
    assert len(public_keys()) == 16
    hidden = PowerItem.objects.get(code="Q-013")
    assert hidden.live and not hidden.disclosed
    assert hidden.withheld_reason.startswith("涉及信访人个人信息")
    item = PowerItem.objects.get(code="Q-001")
    names = [s.name for s in item.steps.all()]
    assert names == ["申请受理", "入户调查", "民主评议", "审核确认", "公示"]
    risky = item.steps.get(name="入户调查")
    assert (risky.risk_level, risky.prevention) == (
        "一级",
        "两人以上入户并留存影像资料",
    )


@pytest.mark.django_db
def test_an_approved_import_is_an_audited_catalog_version(approver):
    run("--units", UNITS, "--powers", POWERS, "--approved-by", approver.username)

    item = PowerItem.objects.get(unit__code="S01-A-1", code="Q-001")
    assert item.index_number.startswith("S01-A-1-20")
    assert item.live_revision_id and item.live_revision_id == item.latest_revision_id
    assert item.catalog_version == 1
    version = CatalogVersion.objects.get(unit__code="S01-A-1")
    assert version.approved_by == approver
    assert version.steps[0]["step"] == "导入审定"
    assert version.copied_to.code == "S01-A-J"
    assert ModelLogEntry.objects.filter(
        object_id=str(item.pk), action="wagtail.publish", user=approver
    ).exists()
    assert ItemChange.objects.get(item=item).description == "新增事项"


@pytest.mark.django_db
def test_reimporting_the_same_files_changes_nothing(approver):
    args = (
        "--units",
        UNITS,
        "--powers",
        POWERS,
        "--steps",
        STEPS,
        "--approved-by",
        approver.username,
    )
    run(*args)
    counts = (
        Revision.objects.count(),
        CatalogVersion.objects.count(),
        ItemChange.objects.count(),
    )

    out = run(*args)

    assert "新建 0，更新 0，未变 17" in out
    assert counts == (
        Revision.objects.count(),
        CatalogVersion.objects.count(),
        ItemChange.objects.count(),
    )


@pytest.mark.django_db
def test_a_changed_row_is_a_new_version_with_its_change_named(
    tmp_path, units, approver
):
    first = write(tmp_path, "a.csv", POWER_HEADER, [power_row()])
    run("--powers", first, "--approved-by", approver.username)
    second = write(tmp_path, "b.csv", POWER_HEADER, [power_row(办理时限="十个工作日")])

    out = run("--powers", second, "--approved-by", approver.username)

    assert "更新 1" in out
    item = PowerItem.objects.get(code="T-1")
    assert item.time_limit == "10个工作日"
    assert item.catalog_version == 2
    assert ItemChange.objects.filter(item=item).first().description == "修改：办理时限"


@pytest.mark.django_db
def test_without_an_approver_items_are_drafts_waiting_for_the_catalog(units):
    run("--powers", POWERS, "--steps", STEPS)

    assert public_keys() == set()
    item = PowerItem.objects.get(unit__code="S01-A-1", code="Q-001")
    assert not item.live and item.has_unpublished_changes
    assert len(item.latest_revision.content["steps"]) == item.steps.count() == 5
    from disclosure.catalogs import pending_changes

    assert str(item.pk) in pending_changes(item.unit)["items"]


@pytest.mark.django_db
def test_a_draft_import_over_a_published_item_keeps_the_public_version(
    tmp_path, units, approver
):
    run(
        "--powers",
        write(tmp_path, "a.csv", POWER_HEADER, [power_row()]),
        "--approved-by",
        approver.username,
    )
    run(
        "--powers",
        write(tmp_path, "b.csv", POWER_HEADER, [power_row(事项名称="改过的名称")]),
    )

    item = PowerItem.objects.get(code="T-1")
    assert item.live and item.name == "农村村民住宅建设审批"
    assert item.has_unpublished_changes
    assert item.latest_revision.content["name"] == "改过的名称"


@pytest.mark.django_db
def test_every_bad_row_is_named_and_nothing_is_imported(units):
    out = fails("--powers", BAD)
    assert "bad_powers.csv:2:事项名称:" in out
    assert "bad_powers.csv:3:权力类型: 权力类型“行政审批”无效" in out
    assert "bad_powers.csv:4:不公开理由:" in out
    assert "bad_powers.csv:5:单位编码: 单位“S09-X”不存在" in out
    assert "bad_powers.csv:6:是否公开: 是否公开“Y”无效" in out


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "column", "message"),
    [
        ({"办理时限": "尽快"}, "办理时限", "无法识别"),
        (
            {"行使条件": "申请人身份证11010519491231002X"},
            "行使条件",
            "110105********002X",
        ),
        ({"责任主体": "联系13800138000"}, "责任主体", "138****8000"),
        ({"涉密": "不知道"}, "涉密", "应为：是、否"),
        ({"事项编码": "T 1"}, "事项编码", "空白"),
        ({"事项编码": "XK.001"}, "事项编码", "只能由字母、数字"),
        ({"事项名称": "名" * 256}, "事项名称", "过长"),
        ({"承办机构": ""}, "承办机构", "必填"),
    ],
)
def test_bad_cells_are_refused_with_a_chinese_message(
    tmp_path, units, overrides, column, message
):
    path = write(tmp_path, "p.csv", POWER_HEADER, [power_row(**overrides)])
    out = fails("--powers", path)
    assert f"p.csv:2:{column}:" in out and message in out
    assert "11010519491231002X" not in out and "13800138000" not in out


@pytest.mark.django_db
def test_duplicate_codes_within_a_unit_are_refused_but_other_units_may_share_them(
    tmp_path, units
):
    out = fails(
        "--powers", write(tmp_path, "p.csv", POWER_HEADER, [power_row(), power_row()])
    )
    assert "p.csv:3:事项编码:" in out and "第 2 行已有" in out

    shared = [power_row(), power_row(单位编码="S01-A-1")]
    run("--powers", write(tmp_path, "q.csv", POWER_HEADER, shared))
    assert PowerItem.objects.filter(code="T-1").count() == 2


@pytest.mark.django_db
def test_markup_is_stored_as_plain_text(tmp_path, units, approver):
    row = power_row(
        事项名称="住宅面积<200㎡的翻建审批", 行使条件="<script>alert(1)</script>"
    )
    run(
        "--powers",
        write(tmp_path, "p.csv", POWER_HEADER, [row]),
        "--approved-by",
        approver.username,
    )
    item = PowerItem.objects.get(code="T-1")
    assert item.name == "住宅面积<200㎡的翻建审批"
    assert item.conditions == "<script>alert(1)</script>"


@pytest.mark.django_db
def test_xlsx_files_import_like_csv(tmp_path, units, approver):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(POWER_HEADER)
    sheet.append(list(power_row(办理时限="２０个工作日").values()))
    path = tmp_path / "p.xlsx"
    workbook.save(path)
    run("--powers", path, "--approved-by", approver.username)
    assert PowerItem.objects.get(code="T-1").time_limit == "20个工作日"


@pytest.mark.django_db
def test_steps_are_checked_and_steps_of_classified_items_refused(tmp_path, units):
    powers = write(
        tmp_path,
        "p.csv",
        POWER_HEADER,
        [power_row(), power_row(事项编码="T-9", 涉密="是")],
    )
    step = dict(
        zip(
            STEP_HEADER,
            ["S01-A-2", "T-1", "1", "受理", "窗口", "1个工作日", "", "", ""],
            strict=True,
        )
    )
    bad_level = {**step, "步骤序号": "2", "风险点": "审查不严", "风险等级": "四级"}
    orphan = {**step, "事项编码": "T-404"}
    duplicate = {**step}
    steps = write(tmp_path, "s.csv", STEP_HEADER, [step, bad_level, orphan, duplicate])
    out = fails("--powers", powers, "--steps", steps)
    assert "s.csv:3:风险等级:" in out
    assert "s.csv:4:事项编码:" in out
    assert "s.csv:5:步骤序号:" in out

    secret_step = {**step, "事项编码": "T-9"}
    steps = write(tmp_path, "t.csv", STEP_HEADER, [step, secret_step])
    out = run("--powers", powers, "--steps", steps)
    assert "T-9" in out
    assert not PowerItem.objects.filter(code="T-9").exists()
    assert ProcessStep.objects.count() == 1


@pytest.mark.django_db
def test_an_approver_needs_the_right_to_approve_every_unit(tmp_path, units):
    from disclosure.models import UnitPage

    head = staff(UnitPage.objects.get(code="S01-A-1"), "head", username="head1")
    path = write(tmp_path, "p.csv", POWER_HEADER, [power_row()])
    with pytest.raises(CommandError, match="没有以下单位的审定权限：S01-A-2"):
        call_command(
            "import_lists", "--powers", str(path), "--approved-by", head.username
        )
    assert not PowerItem.objects.exists()

    own = write(tmp_path, "q.csv", POWER_HEADER, [power_row(单位编码="S01-A-1")])
    run("--powers", own, "--approved-by", head.username)
    assert PowerItem.objects.get(code="T-1").live
