"""Issue 4, done when: a demo clerk creates an item with steps and risks in the admin,
sends the unit's catalog through 提出 → 会审 → 审定 (→ 报备) with the demo accounts,
and the item appears on the public site and in the open-data API."""

import json
import re

from django.core.management import call_command

import pytest
from playwright.sync_api import expect

from disclosure.models import CatalogVersion, DisclosureCatalog, PowerItem

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "Sunlight-Demo-2026"
UNIT = "QS-A-3"
CODE = "E2E-XK-01"
NAME = "农村村民住宅建设规划许可（面积<200㎡）"


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", verbosity=0)


def log_in(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def create_item(page, base, unit):
    page.goto(f"{base}/admin/snippets/disclosure/poweritem/add/")
    page.select_option("#id_unit", str(unit.pk))
    page.fill("#id_code", CODE)
    page.select_option("#id_power_type", "行政许可")
    page.fill("#id_name", NAME)
    page.fill("#id_basis", "《中华人民共和国城乡规划法》第四十一条")
    page.fill("#id_conditions", "符合村庄规划，一户一宅")
    page.fill("#id_office", "柳溪镇村镇建设办公室")
    page.fill("#id_time_limit", "20个工作日")
    page.fill("#id_duties", "受理、审查、决定、送达")
    page.fill("#id_responsible", "柳溪镇人民政府")
    page.fill("#id_accountability", "违规审批的")
    steps = [
        ("受理", "窗口受理岗", "即办", "", ""),
        ("现场踏勘", "规划建设岗", "5个工作日", "踏勘不实、优亲厚友", "一级"),
    ]
    for number, (name, post, limit, risk, level) in enumerate(steps):
        page.click("#id_steps-ADD")
        page.fill(f"#id_steps-{number}-name", name)
        page.fill(f"#id_steps-{number}-post", post)
        page.fill(f"#id_steps-{number}-time_limit", limit)
        if risk:
            page.fill(f"#id_steps-{number}-risk", risk)
            page.select_option(f"#id_steps-{number}-risk_level", level)
            page.fill(f"#id_steps-{number}-prevention", "两人以上踏勘并留存影像")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages")).to_contain_text("已创建")


def submit_catalog(page, base, catalog):
    page.goto(f"{base}/admin/snippets/disclosure/disclosurecatalog/edit/{catalog.pk}/")
    expect(page.get_by_text("尚未包含在本次提交中")).to_be_visible()
    page.fill("#id_note", "新增农村住宅建设规划许可事项")
    page.locator('button[name="action-submit"]').evaluate("button => button.click()")
    expect(page.locator(".messages")).to_be_visible()
    assert catalog.current_workflow_task.name.startswith("提出")


def approve(page, base, catalog, comment, checklist=False):
    page.goto(f"{base}/admin/snippets/disclosure/disclosurecatalog/edit/{catalog.pk}/")
    expect(page.get_by_text(NAME).first).to_be_visible()
    page.locator('button[data-workflow-action-name="approve"]').evaluate(
        "button => button.click()"
    )
    dialog = (
        page.locator("form").filter(has=page.locator("textarea[name=comment]")).last
    )
    dialog.locator("textarea[name=comment]").fill(comment)
    if checklist:
        for name in ("legality", "confidentiality", "privacy"):
            dialog.locator(f"input[name={name}]").check()
    dialog.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()


def test_clerk_publishes_a_power_item_through_the_four_steps(
    demo, live_server, page, assert_accessible
):
    base = live_server.url
    catalog = DisclosureCatalog.objects.get(unit__code=UNIT)

    log_in(page, base, "liuxi_cunzhen_clerk")
    create_item(page, base, catalog.unit)
    item = PowerItem.objects.get(unit__code=UNIT, code=CODE)
    assert not item.live and item.steps.count() == 2
    submit_catalog(page, base, catalog)

    log_in(page, base, "liuxi_cunzhen_leader")
    approve(page, base, catalog, "同意提交")
    assert catalog.current_workflow_task.name.startswith("会审")
    approve(page, base, catalog, "依据充分，无涉密和个人信息", checklist=True)
    assert catalog.current_workflow_task.name.startswith("审定")
    response = page.request.get(f"{base}/api/v1/powers/?unit={UNIT}&page_size=100")
    assert CODE not in response.text(), "not public before 审定"

    log_in(page, base, "liuxi_cunzhen_head")
    approve(page, base, catalog, "同意公开")

    item.refresh_from_db()
    assert item.live and item.index_number
    version = CatalogVersion.objects.filter(unit__code=UNIT).order_by("-number").first()
    assert [step["step"][:2] for step in version.steps] == [
        "提出",
        "提出",
        "会审",
        "审定",
        "报备",
    ]

    page.context.clear_cookies()
    page.goto(f"{base}{item.url}")
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(
        page.locator("ol.steps li, ol li").filter(has_text="现场踏勘").first
    ).to_be_visible()
    data = json.loads(
        page.request.get(f"{base}/api/v1/powers/?unit={UNIT}&page_size=100").text()
    )
    codes = {entry["code"] for entry in data["results"]}
    assert CODE in codes
