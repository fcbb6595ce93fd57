"""Two residents report misconduct — one anonymously, one by real name about the
township head — and follow their reports with the 查询码; the 纪委s find each
report where the rules send it, accept, transfer and close it, and the real-name
reporter reads the result (issue 8, "done when")."""

import re

import pytest
from captcha.models import CaptchaStore
from PIL import Image
from playwright.sync_api import expect

from tests.factories import make_unit, staff

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "Chaxun-2026-pass"
STAFF_PASSWORD = "Staff-Pass-2026!"
OFFICE = "东河镇社会事务办公室"
TOWNSHIP = "测试县东河镇人民政府"
TOWNSHIP_JIWEI = "中共东河镇纪律检查委员会"
COUNTY_JIWEI = "中共测试县纪律检查委员会"


@pytest.fixture
def officers(transactional_db):
    county = make_unit(code="R01", title="测试县人民政府", level="县", unit_type="政府")
    county_jiwei = make_unit(county, code="R01-J", title=COUNTY_JIWEI, unit_type="纪委")
    township = make_unit(county, code="R01-A", title=TOWNSHIP)
    township_jiwei = make_unit(
        township, code="R01-A-J", title=TOWNSHIP_JIWEI, unit_type="纪委"
    )
    make_unit(township, code="R01-A-1", title=OFFICE, unit_type="部门")
    return {
        "township": staff(township_jiwei, "commission", "dh_jiwei"),
        "county": staff(county_jiwei, "commission", "cs_jiwei"),
    }


def photo(tmp_path):
    path = tmp_path / "现场照片.jpg"
    Image.new("RGB", (32, 24), "green").save(path, "JPEG")
    return path


def answer_captcha(page):
    key = page.locator('input[name="captcha_0"]').input_value()
    page.get_by_label("验证码").fill(CaptchaStore.objects.get(hashkey=key).response)


def file_report(page, base, *, real_name, person, post, unit, content, files=()):
    page.goto(base + "/report/")
    page.get_by_label("实名举报" if real_name else "匿名举报").check()
    page.get_by_label("被举报人", exact=True).fill(person)
    page.get_by_label("被举报人职务").fill(post)
    page.get_by_label("被举报单位").select_option(label=unit)
    page.get_by_label("举报内容").fill(content)
    if files:
        page.get_by_label("附件").set_input_files(list(files))
    if real_name:
        page.get_by_label("姓名").fill("钟启明")
        page.get_by_label("身份证号").fill("11010519491231002X")
        page.get_by_label("联系电话").fill("13800138000")
    page.get_by_label("查询密码", exact=True).fill(PASSWORD)
    page.get_by_label("确认查询密码").fill(PASSWORD)
    answer_captcha(page)
    page.get_by_role("button", name="提交举报").click()
    expect(page.get_by_role("heading", name="举报已提交")).to_be_visible()
    code = page.locator(".code").inner_text()
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", code)
    return code


def status_of(page, base, code):
    page.goto(base + "/report/status/")
    page.get_by_label("查询码").fill(code)
    page.get_by_label("查询密码").fill(PASSWORD)
    page.get_by_role("button", name="查询", exact=True).click()
    return page.locator("main").inner_text()


def log_in(page, base, user):
    page.goto(base + "/admin/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(STAFF_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.goto(base + "/admin/complaints/?show=all")


def open_report(page, code):
    page.get_by_role("link", name=code).click()
    expect(page.get_by_role("heading", name="基本情况")).to_be_visible()


def test_citizen_files_a_report(
    live_server, new_page, officers, tmp_path, assert_accessible
):
    base = live_server.url
    citizen = new_page(viewport={"width": 390, "height": 844})
    citizen.goto(base + "/report/")
    assert_accessible(citizen)
    anonymous = file_report(
        citizen,
        base,
        real_name=False,
        person="吴某某",
        post="工作人员",
        unit=OFFICE,
        content="吴某某在高龄津贴审核中要求老人家属请客送礼后才给办理。",
        files=[photo(tmp_path)],
    )
    assert_accessible(citizen)
    real_name = file_report(
        new_page(),
        base,
        real_name=True,
        person="某某",
        post="镇长",
        unit=TOWNSHIP,
        content="镇长在危房改造项目中指定施工队，涉嫌利益输送。",
    )
    assert "待受理" in status_of(citizen, base, anonymous)
    assert_accessible(citizen)

    township = new_page()
    log_in(township, base, officers["township"])
    expect(township.get_by_role("link", name=anonymous)).to_be_visible()
    expect(township.get_by_role("link", name=real_name)).to_have_count(0)
    open_report(township, anonymous)
    expect(township.get_by_role("link", name="附件1.jpg")).to_be_visible()
    township.get_by_label("移送至").select_option(label=COUNTY_JIWEI)
    township.locator("#id_transfer-reason").fill("涉及镇领导班子，按管理权限报县纪委")
    township.get_by_role("button", name="移送", exact=True).click()
    expect(township.get_by_text(f"已移送{COUNTY_JIWEI}")).to_be_visible()

    county = new_page()
    log_in(county, base, officers["county"])
    expect(county.get_by_role("link", name=real_name)).to_be_visible()
    expect(county.get_by_role("link", name=anonymous)).to_be_visible()
    open_report(county, real_name)
    expect(
        county.get_by_text(
            "被举报人为单位主要负责人（一把手），由上一级纪委办理", exact=True
        )
    ).to_be_visible()
    county.get_by_role("button", name="查看举报人身份").click()
    expect(county.get_by_text("11010519491231002X")).to_be_visible()
    county.get_by_role("button", name="受理", exact=True).click()
    expect(county.get_by_text("已受理。", exact=True)).to_be_visible()
    county.get_by_label("办理结果").fill(
        "经核查，反映的问题部分属实，已责令整改并给予诫勉谈话。"
    )
    county.get_by_role("button", name="办结", exact=True).click()
    expect(county.get_by_text("已办结。", exact=True)).to_be_visible()

    transferred = status_of(citizen, base, anonymous)
    assert f"已移送（{COUNTY_JIWEI}）" in transferred
    assert "按管理权限报县纪委" not in transferred
    result = status_of(citizen, base, real_name)
    assert "已办结" in result
    assert "已责令整改并给予诫勉谈话" in result
    assert_accessible(citizen)
