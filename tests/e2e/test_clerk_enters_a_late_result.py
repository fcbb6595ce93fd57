"""Issue 5, done when: a clerk enters a late result, the dashboard and
`check_deadlines` show it overdue with the explanation, the 纪委 account sees it,
the public page shows it with its dates; a decision record below quorum is refused.
"""

import datetime
import io
import re

from django.core.management import call_command
from django.utils import timezone

import pytest
from playwright.sync_api import expect

from disclosure.models import DeadlineNotice, Decision, PowerItem, Result, UnitPage
from tests.factories import make_unit, staff

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DEMO_PASSWORD = "Sunlight-Demo-2026"
STAFF_PASSWORD = "Staff-Pass-2026!"
UNIT = "QS-A-2"
TITLE = "河东社区一户临时救助审批（补录）"
DASHBOARD = "/admin/results/deadlines/"


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", verbosity=0)


def log_in(page, base, username, password=DEMO_PASSWORD):
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def long_date(day):
    return f"{day.year}年{day.month}月{day.day}日"


def fill_date(page, selector, day):
    page.fill(selector, day.isoformat())
    page.keyboard.press("Escape")


def enter_result(page, base, item, act_date, result_date):
    page.goto(f"{base}/admin/snippets/disclosure/result/add/")
    page.select_option("#id_unit", str(item.unit_id))
    page.select_option("#id_item", str(item.pk))
    page.fill("#id_title", TITLE)
    fill_date(page, "#id_act_date", act_date)
    fill_date(page, "#id_result_date", result_date)
    page.fill("#id_outcome", "经入户核实，准予临时救助 1,500 元，已发放到户。")
    page.fill("#id_handling_post", "社会事务办救助经办岗")
    page.locator('button[name="action-submit"]').evaluate("button => button.click()")
    expect(page.locator(".messages")).to_be_visible()


def approve(page, base, result):
    page.goto(f"{base}/admin/snippets/disclosure/result/edit/{result.pk}/")
    page.locator('button[data-workflow-action-name="approve"]').evaluate(
        "button => button.click()"
    )
    dialog = (
        page.locator("form").filter(has=page.locator("textarea[name=comment]")).last
    )
    dialog.locator("textarea[name=comment]").fill(
        "同意公开；录入和公开均已逾期，请说明原因。"
    )
    dialog.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()


def dashboard_row(page, base, result_date):
    """The dashboard filtered to the result's date, as staff would narrow it."""
    day = result_date.isoformat()
    page.goto(f"{base}{DASHBOARD}?result_from={day}&result_to={day}")
    expect(page.get_by_role("heading", name="一事一公开时限").first).to_be_visible()
    return page.locator("tr").filter(has_text=TITLE)


def test_clerk_enters_a_late_result_and_everyone_sees_it_overdue(
    demo, live_server, page, assert_accessible
):
    base = live_server.url
    today = timezone.localdate()
    act_date = today - datetime.timedelta(days=45)
    result_date = today - datetime.timedelta(days=40)
    item = PowerItem.objects.filter(unit__code=UNIT, live=True, disclosed=True).first()

    log_in(page, base, "liuxi_shehui_clerk")
    enter_result(page, base, item, act_date, result_date)
    result = Result.objects.get(title=TITLE)
    assert result.entered_by.username == "liuxi_shehui_clerk"
    assert result.entered_on == today and result.disclosed_on is None
    assert not result.live, "a clerk cannot publish directly"
    assert result.workflow_in_progress
    assert result.entry_standing().state == "逾期"
    assert result.disclosure_standing().state == "逾期"

    out = io.StringIO()
    call_command("check_deadlines", stdout=out)
    assert "逾期未公开" in out.getvalue()
    told = set(
        DeadlineNotice.objects.filter(object_id=result.pk, stage="overdue").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"liuxi_shehui_clerk", "liuxi_shehui_head", "liuxi_jiwei"} <= told
    again = io.StringIO()
    call_command("check_deadlines", stdout=again)
    assert "本次新提醒 0 条" in again.getvalue()

    log_in(page, base, "liuxi_shehui_leader")
    approve(page, base, result)
    result.refresh_from_db()
    assert result.live and result.disclosed_on == today
    assert result.disclosed_on > result.disclosure_due

    row = dashboard_row(page, base, result_date)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("逾期")
    export = page.request.get(
        f"{base}{DASHBOARD}?result_from={result_date}&result_to={result_date}"
        "&export=csv"
    )
    assert export.ok and TITLE in export.text()
    assert "次日起算" in export.text(), "the export explains each deadline"

    log_in(page, base, "liuxi_jiwei")
    row = dashboard_row(page, base, result_date)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("逾期")

    log_in(page, base, "liuxi_cunzhen_clerk")
    row = dashboard_row(page, base, result_date)
    expect(row).to_have_count(0)

    page.context.clear_cookies()
    page.goto(f"{base}{result.url}")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    facts = page.locator("section").filter(has=page.locator("#facts-heading"))
    for label, day in (
        ("权力行为发生日", act_date),
        ("结果产生日", result_date),
        ("录入日期", today),
        ("公开日期", today),
    ):
        expect(facts.locator("dt", has_text=label).locator("+ dd")).to_contain_text(
            long_date(day)
        )
    deadlines = page.locator("section").filter(has=page.locator("#deadline-heading"))
    expect(deadlines).to_contain_text(long_date(result.entry_due))
    expect(deadlines).to_contain_text(long_date(result.disclosure_due))
    expect(deadlines.locator(".standing.late")).to_have_count(2)
    expect(deadlines.locator(".explanation").first).to_contain_text("次日起算")
    assert_accessible(page)

    page.goto(f"{base}{UnitPage.objects.get(code=UNIT).url}results/")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()


MEMBERS = (
    # name, post, head, present, speaking order, vote
    ("陈志远", "镇长", False, True, 1, "同意"),
    ("张建国", "副镇长", False, True, 2, "同意"),
    ("刘芳", "镇纪委书记", False, True, 3, "同意"),
    ("王海燕", "组织委员", False, False, None, ""),
    ("赵卫东", "宣传委员", False, False, None, ""),
    ("孙立军", "副镇长", False, False, None, ""),
    ("李明辉", "镇党委书记", True, True, 4, "同意"),
)


def test_a_decision_below_quorum_is_refused(live_server, page):
    unit = make_unit(code="E2E-A", title="测试镇人民政府")
    clerk = staff(unit, "clerk")
    base = live_server.url

    log_in(page, base, clerk.username, STAFF_PASSWORD)
    page.goto(f"{base}/admin/snippets/disclosure/decision/add/")
    page.select_option("#id_unit", str(unit.pk))
    page.fill("#id_meeting", "镇党委会 2026 年第 20 次会议")
    fill_date(page, "#id_meeting_date", timezone.localdate())
    page.fill("#id_topic", "镇敬老院改扩建项目资金使用方案")
    page.select_option("#id_decision_type", "大额资金使用")
    page.fill("#id_basis", "《乡镇财政资金管理办法》第十四条")
    # InlinePanel("members", min_num=1) renders one form already.
    for number, (name, post, head, present, order, vote) in enumerate(MEMBERS):
        prefix = f"#id_members-{number}"
        if not page.locator(f"{prefix}-name").count():
            page.click("#id_members-ADD")
        page.fill(f"{prefix}-name", name)
        page.fill(f"{prefix}-post", post)
        page.locator(f"{prefix}-is_head").set_checked(head)
        page.locator(f"{prefix}-present").set_checked(present)
        if present:
            page.fill(f"{prefix}-speaking_order", str(order))
            page.select_option(f"{prefix}-vote", vote)
            page.fill(f"{prefix}-reason", "方案论证充分，资金来源明确。")
        else:
            page.fill(f"{prefix}-written_opinion", "因公出差未到会，书面意见：同意。")
    page.select_option("#id_vote_form", "举手")
    page.select_option("#id_outcome", "通过")
    page.fill("#id_responsible_department", "镇财政所")
    page.fill("#id_responsible_person", "孙立军")
    page.get_by_role("button", name="保存草稿").click()

    expect(page.get_by_text("到会人数不足").first).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"班子成员 7 人，到会 4 人")).first
    ).to_be_visible()
    assert not Decision.objects.exists()
