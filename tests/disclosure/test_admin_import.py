"""The CMS upload of the import contract: a preview that changes nothing, then the
import itself; drafts unless a 主要领导 imports an approved catalog; only one's own
units; 涉密 rows listed and never stored; bad files explained, never a 500 (DESIGN:
Import; issue 4 item 7 and "Bad input")."""

import json
import re
from pathlib import Path

from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse, reverse_lazy

import pytest

from disclosure import admin_import
from disclosure.models import CatalogVersion, PowerItem, UnitGroup, UnitPage
from tests.factories import UserFactory, staff

Role = UnitGroup.Role
DATA = Path(__file__).parent / "data"
IMPORT = reverse_lazy("disclosure_import")
CONFIRM = reverse_lazy("disclosure_import_confirm")
POWER_HEADER = (
    "单位编码,事项编码,事项名称,权力类型,行使依据,行使条件,承办机构,办理时限,"
    "责任事项,责任主体,追责情形,是否公开,不公开理由,涉密"
)
STEP_HEADER = (
    "单位编码,事项编码,步骤序号,环节名称,办理岗位,办理时限,风险点,风险等级,防控措施"
)


def power_row(unit_code, code, name, classified="否"):
    return (
        f"{unit_code},{code},{name},行政确认,《社会救助暂行办法》第十一条,"
        f"家庭人均收入低于当地低保标准,社会事务办公室,20个工作日,受理、审查,"
        f"东河镇人民政府,优亲厚友、违规审批的,是,,{classified}"
    )


def csv_file(name, header, *rows):
    text = "\n".join([header, *rows]) + "\n"
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def powers(*rows):
    return csv_file("powers.csv", POWER_HEADER, *rows)


def office_powers():
    return powers(
        power_row("T01-A-1", "Q-001", "城乡最低生活保障对象审核确认"),
        power_row("T01-A-1", "Q-002", "特困人员救助供养审核"),
    )


def office_steps():
    return csv_file(
        "steps.csv",
        STEP_HEADER,
        "T01-A-1,Q-001,1,申请受理,社会事务办窗口,1个工作日,,,",
        "T01-A-1,Q-001,2,入户调查,经办人,5个工作日,调查不实、优亲厚友,一级,两人以上入户",
    )


def sample(name):
    return SimpleUploadedFile(name, (DATA / name).read_bytes())


def unit(code):
    return UnitPage.objects.get(code=code)


def assert_denied(response):
    assert response.status_code == 302, response.status_code
    assert response.url == reverse("wagtailadmin_home")


def preview(client, **files):
    return client.post(IMPORT, files)


def confirm(client, response):
    return client.post(CONFIRM, {"token": response.context["token"]})


def problems(response):
    return [
        (problem.file, problem.row, problem.column)
        for problem in response.context["outcome"].problems
    ]


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Uploads wait in a private folder; each test gets its own."""
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    return settings.PRIVATE_STORAGE_ROOT


@pytest.fixture
def clerk(county):
    return staff(unit("T01-A-1"), Role.CLERK)


@pytest.fixture
def head(county):
    return staff(unit("T01-A-1"), Role.HEAD)


# Preview and confirmation --------------------------------------------------------------


def test_preview_shows_counts_and_changes_nothing(client, clerk, private_storage):
    client.force_login(clerk)

    response = preview(client, powers=office_powers(), steps=office_steps())

    assert response.status_code == 200
    outcome = response.context["outcome"]
    assert outcome.ok
    assert (outcome.summary.items.created, outcome.summary.items.changed) == (2, 0)
    html = response.content.decode()
    assert "尚未导入" in html
    assert "确认导入" in html
    assert not PowerItem.objects.exists()
    kept = list((private_storage / admin_import.STASH_FOLDER).iterdir())
    assert [folder.name for folder in kept] == [response.context["token"]]


def test_confirm_imports_drafts_and_forgets_the_files(client, clerk, private_storage):
    client.force_login(clerk)
    previewed = preview(client, powers=office_powers(), steps=office_steps())

    response = confirm(client, previewed)

    assert response.status_code == 200
    assert "导入完成" in response.content.decode()
    items = PowerItem.objects.filter(unit__code="T01-A-1").order_by("code")
    assert [item.code for item in items] == ["Q-001", "Q-002"]
    assert not any(item.live for item in items)
    assert [step.name for step in items[0].steps.all()] == ["申请受理", "入户调查"]
    assert not list((private_storage / admin_import.STASH_FOLDER).iterdir())
    assert admin_import.SESSION_KEY not in client.session


def test_a_preview_is_confirmed_once(client, clerk):
    client.force_login(clerk)
    previewed = preview(client, powers=office_powers())
    confirm(client, previewed)

    again = client.post(CONFIRM, {"token": previewed.context["token"]}, follow=True)

    assert "导入预览已过期或已经确认过" in again.content.decode()
    assert PowerItem.objects.count() == 2


def test_an_expired_preview_is_refused(client, clerk, private_storage):
    client.force_login(clerk)
    previewed = preview(client, powers=office_powers())
    session = client.session
    session[admin_import.SESSION_KEY]["created"] -= admin_import.STASH_MAX_AGE + 1
    session.save()

    response = confirm(client, previewed)

    assert response.status_code == 302
    assert not PowerItem.objects.exists()
    assert not list((private_storage / admin_import.STASH_FOLDER).iterdir())


def test_a_forged_token_is_refused(client, clerk):
    client.force_login(clerk)
    preview(client, powers=office_powers())

    for token in ("../../etc", "令牌"):
        response = client.post(CONFIRM, {"token": token})

        assert response.status_code == 302
    assert not PowerItem.objects.exists()


# Problems -------------------------------------------------------------------------


def test_a_bad_file_lists_every_problem_with_line_and_column(client, clerk):
    client.force_login(clerk)

    response = preview(client, powers=sample("bad_powers.csv"))

    assert response.status_code == 200
    found = problems(response)
    assert ("bad_powers.csv", 2, "事项名称") in found
    assert ("bad_powers.csv", 3, "权力类型") in found
    assert ("bad_powers.csv", 4, "不公开理由") in found
    assert ("bad_powers.csv", 5, "单位编码") in found
    assert ("bad_powers.csv", 6, "是否公开") in found
    html = response.content.decode()
    assert "未导入任何数据" in html
    assert '<th scope="col">行</th>' in html
    assert "确认导入" not in html
    assert response.context["token"] == ""
    assert not PowerItem.objects.exists()


def test_a_renamed_non_spreadsheet_gets_a_message(client, clerk):
    client.force_login(clerk)
    fake = SimpleUploadedFile("powers.xlsx", b"PK\x03\x04 this is not a workbook")

    response = preview(client, powers=fake)

    assert response.status_code == 200
    assert "不是有效的 Excel 工作簿" in response.content.decode()
    assert not PowerItem.objects.exists()


def test_a_gbk_csv_gets_a_message(client, clerk):
    client.force_login(clerk)
    text = "\n".join([POWER_HEADER, power_row("T01-A-1", "Q-001", "低保审核")])
    upload = SimpleUploadedFile("powers.csv", text.encode("gb18030"))

    response = preview(client, powers=upload)

    assert "不是 UTF-8 编码" in response.content.decode()


def test_an_oversized_file_is_refused_before_reading(client, clerk, monkeypatch):
    monkeypatch.setattr("disclosure.forms.MAX_IMPORT_FILE_SIZE", 100)
    client.force_login(clerk)

    response = preview(client, powers=office_powers())

    assert response.status_code == 200
    assert "超过 20 MB" in response.context["form"].errors["powers"][0]
    assert not PowerItem.objects.exists()


def test_at_least_one_file_is_needed(client, clerk):
    client.force_login(clerk)

    response = client.post(IMPORT, {})

    assert "请至少选择一个要导入的文件" in response.content.decode()


# 涉密 ----------------------------------------------------------------------------------


def test_classified_rows_are_listed_and_never_stored(client, clerk):
    client.force_login(clerk)
    upload = powers(
        power_row("T01-A-1", "Q-001", "城乡最低生活保障对象审核确认"),
        power_row("T01-A-1", "Q-099", "某涉密事项", classified="是"),
    )

    previewed = preview(client, powers=upload)
    html = previewed.content.decode()
    done = confirm(client, previewed)

    assert "已拒绝的涉密事项（1 行）" in html
    assert "Q-099" in html
    assert [row.line for row in previewed.context["outcome"].refused] == [3]
    assert "已拒绝的涉密事项" in done.content.decode()
    assert list(PowerItem.objects.values_list("code", flat=True)) == ["Q-001"]


def test_superuser_imports_the_sample_county_with_units(client, county):
    client.force_login(UserFactory(username="root", is_superuser=True))

    previewed = preview(
        client,
        units=sample("units.csv"),
        powers=sample("powers.csv"),
        steps=sample("steps.csv"),
    )
    summary = previewed.context["outcome"].summary

    assert summary.units.created == 7
    assert summary.items.created == 17
    assert [row.code for row in summary.refused] == ["Q-014"]
    assert not UnitPage.objects.filter(code__startswith="S01").exists()

    confirm(client, previewed)

    assert UnitPage.objects.filter(code__startswith="S01").count() == 7
    assert PowerItem.objects.filter(unit__code__startswith="S01").count() == 17
    assert not PowerItem.objects.filter(code="Q-014").exists()


# Roles and scope ----------------------------------------------------------------------


def test_clerk_gets_neither_units_nor_approval(client, clerk):
    client.force_login(clerk)

    form = client.get(IMPORT).context["form"]
    previewed = preview(client, powers=office_powers(), approved="on")
    confirm(client, previewed)

    assert set(form.fields) == {"powers", "steps"}
    assert not previewed.context["approved"]
    assert not PowerItem.objects.filter(live=True).exists()
    assert not CatalogVersion.objects.exists()


def test_a_clerks_units_file_is_ignored(client, clerk):
    client.force_login(clerk)

    response = preview(client, units=sample("units.csv"))

    assert "请至少选择一个要导入的文件" in response.content.decode()
    assert not UnitPage.objects.filter(code__startswith="S01").exists()


def test_head_imports_an_approved_catalog(client, head):
    client.force_login(head)

    form = client.get(IMPORT).context["form"]
    previewed = preview(client, powers=office_powers(), approved="on")
    confirm(client, previewed)

    assert "approved" in form.fields
    assert "作为已审定的公开目录直接发布" in previewed.content.decode()
    items = PowerItem.objects.filter(unit__code="T01-A-1")
    assert items.count() == 2
    assert all(item.live and item.index_number for item in items)
    version = CatalogVersion.objects.get(unit__code="T01-A-1")
    assert version.approved_by == head


def test_head_without_the_checkbox_imports_drafts(client, head):
    client.force_login(head)

    confirm(client, preview(client, powers=office_powers()))

    assert not PowerItem.objects.filter(live=True).exists()


def test_approval_needs_approval_rights_on_every_unit(client, county):
    user = staff(unit("T01-A-1"), Role.HEAD)
    unit("T01-A-2").staff_groups.get(role=Role.CLERK).group.user_set.add(user)
    client.force_login(user)

    response = preview(
        client,
        powers=powers(power_row("T01-A-2", "J-001", "乡村建设规划许可初审")),
        approved="on",
    )

    assert "没有以下单位的审定权限：T01-A-2" in response.content.decode()
    assert not PowerItem.objects.exists()


def test_rows_of_another_unit_are_refused(client, clerk):
    client.force_login(clerk)
    upload = powers(
        power_row("T01-A-1", "Q-001", "城乡最低生活保障对象审核确认"),
        power_row("T01-A-2", "J-001", "乡村建设规划许可初审"),
    )

    response = preview(client, powers=upload)

    assert problems(response) == [("powers.csv", 3, "单位编码")]
    assert "单位“T01-A-2”不在您的管理范围内" in response.content.decode()
    assert "确认导入" not in response.content.decode()
    assert not PowerItem.objects.exists()


def test_township_staff_import_for_the_units_below(client, county):
    client.force_login(staff(unit("T01-A"), Role.CLERK))
    upload = powers(
        power_row("T01-A-1", "Q-001", "城乡最低生活保障对象审核确认"),
        power_row("T01-A-2", "J-001", "乡村建设规划许可初审"),
    )

    confirm(client, preview(client, powers=upload))

    assert PowerItem.objects.count() == 2


def test_import_is_for_unit_staff_only(client, county):
    commission = staff(unit("T01-A-J"), Role.COMMISSION)
    bare = UserFactory(username="admin-only")
    bare.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="wagtailadmin", codename="access_admin"
        )
    )

    for user in (commission, bare):
        client.force_login(user)
        assert_denied(client.get(IMPORT))
        assert_denied(client.post(IMPORT, {"powers": office_powers()}))
        assert not admin_import.can_import(user)
    assert not PowerItem.objects.exists()


def menu_links(client):
    """(label, url) of every link in the admin sidebar, submenus included."""
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    props = re.search(
        r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>',
        html,
        re.S,
    )
    links = []

    def walk(node):
        if isinstance(node, dict):
            if "label" in node and "url" in node:
                links.append((node["label"], node["url"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(props.group(1)))
    return links


def test_the_menu_offers_the_import_to_unit_staff_only(client, clerk, county):
    client.force_login(clerk)
    assert ("批量导入", str(IMPORT)) in menu_links(client)

    client.force_login(staff(unit("T01-A-J"), Role.COMMISSION))
    links = menu_links(client)
    assert ("批量导入", str(IMPORT)) not in links
    assert ("权力事项", reverse("wagtailsnippets_disclosure_poweritem:list")) in links
