"""Issue 9, done when: the demo township 纪委 logs two patrols, turns a finding into
a 督办, the unit replies, the 纪委 closes it; a 容错 case goes from application to
decision with its timers; a 问责通报 appears on the public site."""

import re

from django.core.management import call_command
from django.utils import timezone

import pytest
from playwright.sync_api import expect

from supervision.models import (
    Accountability,
    FaultTolerance,
    Patrol,
    SupervisionOrder,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DEMO_PASSWORD = "Sunlight-Demo-2026"
PROBLEM = "柳溪镇社会事务办高龄津贴结果公开缺少办理岗位（巡查发现）"


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", verbosity=0)


def log_in(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def submit(page, name):
    page.get_by_role("button", name=name, exact=True).click()


def log_patrol(page, base, session):
    page.goto(f"{base}/admin/jiwei/patrols/")
    page.fill("#id_date", timezone.localdate().isoformat())
    page.locator(f"input[name=session][value={session}]").check()
    page.fill("#id_summary", "巡查镇属各办所一事一公开情况。")
    submit(page, "登记巡查")
    expect(page.locator(".messages")).to_contain_text("已登记")


def test_township_commission_patrols_orders_and_closes(
    demo, live_server, page, assert_accessible
):
    base = live_server.url
    log_in(page, base, "liuxi_jiwei")
    expect(page.locator("body")).to_contain_text("巡查")
    page.goto(f"{base}/admin/jiwei/")
    expect(page.get_by_role("heading", name=re.compile("巡查日历"))).to_be_visible()

    log_patrol(page, base, "am")
    log_patrol(page, base, "pm")
    today = timezone.localdate()
    assert Patrol.objects.filter(commission__code="QS-A-J", date=today).count() == 2

    # A second morning patrol is refused with a message.
    page.goto(f"{base}/admin/jiwei/patrols/")
    page.fill("#id_date", today.isoformat())
    page.locator("input[name=session][value=am]").check()
    submit(page, "登记巡查")
    expect(page.get_by_role("alert").first).to_contain_text("不能重复登记")

    patrol = Patrol.objects.get(commission__code="QS-A-J", date=today, session="pm")
    page.goto(f"{base}/admin/jiwei/patrols/{patrol.pk}/")
    page.select_option("#id_unit", label="柳溪镇社会事务办公室")
    page.select_option("#id_problem_type", "content")
    page.fill("#id_description", PROBLEM)
    submit(page, "登记问题")
    expect(page.locator(".messages")).to_contain_text("已登记发现的问题")
    finding = patrol.findings.get()
    page.fill(f"#id_order-{finding.pk}-requirement", "请补充公开办理岗位并说明原因。")
    submit(page, "转为督办")
    expect(page.locator(".messages")).to_contain_text(
        "已向柳溪镇社会事务办公室下发督办"
    )
    order = SupervisionOrder.objects.get(finding=finding)
    expect(page.locator("body")).to_contain_text("次日起算10个工作日")

    log_in(page, base, "liuxi_shehui_clerk")
    page.goto(f"{base}/admin/duban/")
    page.get_by_role("link", name=re.compile("请补充公开办理岗位")).click()
    expect(page.locator("body")).not_to_contain_text(PROBLEM)
    page.fill("#id_reply-content", "已补充公开办理岗位，并组织经办人员学习公开办法。")
    submit(page, "回复整改情况")
    expect(page.locator(".messages")).to_contain_text("已回复整改情况")

    log_in(page, base, "liuxi_jiwei")
    page.goto(f"{base}/admin/jiwei/orders/{order.pk}/")
    page.fill("#id_close-note", "经复查整改到位。")
    submit(page, "审核办结")
    expect(page.locator(".messages")).to_contain_text("督办已办结")
    order.refresh_from_db()
    assert order.state == SupervisionOrder.State.CLOSED

    log_in(page, base, "liuxi_shehui_clerk")
    page.goto(f"{base}/admin/jiwei/orders/{order.pk}/")
    expect(page.get_by_role("button", name="回复整改情况")).to_have_count(0)


def test_tolerance_case_and_public_notice(demo, live_server, page, assert_accessible):
    base = live_server.url
    today = timezone.localdate()
    log_in(page, base, "liuxi_jiwei")

    page.goto(f"{base}/admin/jiwei/tolerance/")
    page.select_option("#id_unit", label="柳溪镇村镇建设办公室")
    page.fill("#id_person", "孙某某")
    page.fill("#id_post", "柳溪镇村镇建设办公室副主任")
    page.locator("input[name=origin][value=application]").check()
    page.fill("#id_matter", "为赶在汛期前完工，先行组织施工、后补审批手续。")
    page.locator("input[name=circumstances][value='3']").check()
    page.fill("#id_received_on", today.isoformat())
    submit(page, "登记")
    expect(page.locator(".messages")).to_contain_text("前作出是否受理的决定")
    timers = page.locator("section").filter(has=page.locator("#timers-heading"))
    expect(timers).to_contain_text("受理期限（10个工作日）")

    submit(page, "受理")
    expect(page.locator(".messages")).to_contain_text("调查期限")
    expect(timers).to_contain_text("调查期限（30个工作日）")
    page.select_option("#id_decide-decision", "exempt")
    page.fill("#id_decide-reason", "符合第（3）项情形，予以免责。")
    submit(page, "作出认定决定")
    expect(page.locator(".messages")).to_contain_text("报上级备案")
    expect(timers).to_contain_text("报备期限（5个工作日）")
    expect(timers).to_contain_text("次日起算")
    case = FaultTolerance.objects.get(person="孙某某")
    assert case.state == FaultTolerance.State.DECIDED and case.filing_due > today

    page.goto(f"{base}/admin/jiwei/accountability/")
    page.select_option("#id_unit", label="柳溪镇社会事务办公室")
    page.fill("#id_person", "钱某某")
    page.fill("#id_post", "柳溪镇社会事务办公室工作人员")
    page.select_option("#id_circumstance", "8-3")
    page.select_option("#id_method", "通报批评")
    page.fill("#id_decided_on", today.isoformat())
    page.fill("#id_basis", "《权力运行监督问责办法（试行）》第八条第（三）项")
    page.fill("#id_facts", "多次未在3个工作日内录入临时救助办理结果，经督办仍未整改。")
    submit(page, "登记问责")
    expect(page.locator(".messages")).to_contain_text("问责已登记")
    submit(page, "发布问责通报")
    expect(page.locator(".messages")).to_contain_text("已在网站公开")
    entry = Accountability.objects.get(person="钱某某")

    page.context.clear_cookies()
    page.goto(f"{base}/")
    page.get_by_role("link", name="问责通报").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("问责通报")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("钱某某")).click()
    expect(page).to_have_url(re.compile(rf"/accountability/{entry.pk}/$"))
    body = page.locator("main")
    for text in (
        "钱某某",
        "通报批评",
        "第八条（直接责任人员）",
        "柳溪镇社会事务办公室",
    ):
        expect(body).to_contain_text(text)
    assert_accessible(page)
    page.goto(f"{base}/accountability/clarifications/")
    expect(page.get_by_role("link", name=re.compile("郑某某"))).to_be_visible()
    assert_accessible(page)
