"""Issue 10, done when: the demo county 纪委 records a problem for a township, the
township files a rectification with evidence, the county accepts it, the township
head signs the lists, and the year's assessment shows the computed indicators
(published to the public, checked with axe)."""

import io
import re

from django.core.management import call_command
from django.utils import timezone

import pytest
from PIL import Image
from playwright.sync_api import expect

from disclosure.models import UnitPage
from ledgers.models import Assessment, Problem, SignOff

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DEMO_PASSWORD = "Sunlight-Demo-2026"
PROBLEM = "柳溪镇一事一公开结果多次超过10个工作日才公开"


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


def photo(tmp_path):
    path = tmp_path / "整改后公示栏.png"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (120, 160, 90)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_county_checks_a_township(demo, live_server, page, tmp_path, assert_accessible):
    base = live_server.url
    year = timezone.localdate().year
    party = UnitPage.objects.get(code="QS-A-P")
    ledger = f"{base}/admin/ledgers/units/{party.pk}/{year}/"

    # The county 纪委 finds the township's ledger from the dashboard and records a problem.
    log_in(page, base, "county_jiwei")
    expect(page.locator("#ledgers-panel-heading")).to_be_visible()
    page.get_by_role("link", name="两个责任").first.click()
    page.get_by_role("link", name="中共柳溪镇委员会").click()
    expect(page).to_have_url(ledger)
    page.get_by_label("问题来源").select_option(label="巡察巡查")
    page.get_by_label("问题描述").fill(PROBLEM)
    page.get_by_label("整改要求").fill("逐条说明原因，建立公开时限提醒")
    page.get_by_role("button", name="列入问题清单").click()
    expect(page.locator(".messages")).to_contain_text("问题已列入问题清单")
    problem = Problem.objects.get(description=PROBLEM)

    # The township answers with a plan, then with evidence of completion.
    log_in(page, base, "liuxi_clerk")
    page.goto(f"{base}/admin/ledgers/problems/{problem.pk}/")
    page.get_by_label("整改措施").fill("每周一核对未公开结果，专人提醒")
    page.get_by_label("整改责任人").fill("何晓燕")
    page.get_by_label("整改时限（工作日）").fill("10")
    page.get_by_role("button", name="报送整改方案").click()
    expect(page.locator(".messages")).to_contain_text("已报送整改方案")
    expect(page.get_by_text("整改期限")).to_be_visible()
    page.get_by_role("textbox", name="整改完成情况").fill(
        "已建立每周核对制度，逾期结果已全部公开"
    )
    page.get_by_role("button", name="报送整改完成情况").click()
    expect(page.locator(".messages")).to_contain_text("至少一份整改佐证材料")
    page.get_by_role("textbox", name="整改完成情况").fill(
        "已建立每周核对制度，逾期结果已全部公开"
    )
    page.get_by_label("整改佐证材料").set_input_files(str(photo(tmp_path)))
    page.get_by_role("button", name="报送整改完成情况").click()
    expect(page.locator(".messages")).to_contain_text("已报送整改完成情况")
    expect(page.get_by_role("link", name="整改后公示栏.png")).to_be_visible()

    # The county accepts it.
    log_in(page, base, "county_jiwei")
    page.goto(f"{base}/admin/ledgers/problems/{problem.pk}/")
    page.get_by_label("验收意见").fill("经核查，整改到位，同意销号")
    page.get_by_role("button", name="验收销号").click()
    expect(page.locator(".messages")).to_contain_text("已验收销号")
    expect(page.get_by_text("已验收销号").first).to_be_visible()

    # The township head signs the problem and rectification lists.
    log_in(page, base, "liuxi_head")
    page.goto(ledger)
    expect(page.get_by_text("签字后已有变更，需重新签字").first).to_be_visible()
    for subject in ("问题清单", "整改清单"):
        page.get_by_role("link", name=f"审阅并签字：{subject}").click()
        expect(page.get_by_text(PROBLEM)).to_be_visible()
        page.get_by_label("审阅意见").fill("已审阅，同意。")
        page.get_by_label("本人已审阅上述内容，同意签字背书").check()
        page.get_by_role("button", name="签字背书").click()
        expect(page.locator(".messages")).to_contain_text(f"{subject}已签字背书")
    assert (
        SignOff.objects.filter(
            unit=party,
            subject__in=("problems", "rectifications"),
            signed_by__username="liuxi_head",
        ).count()
        == 3
    )  # the demo's problem list, and both again now
    expect(page.get_by_text("签字后已有变更").first).not_to_be_visible()

    # The year's assessment shows the computed indicators.
    log_in(page, base, "county_jiwei")
    page.goto(f"{base}/admin/ledgers/assessments/")
    page.get_by_role("link", name=f"{year}年度乡镇落实“两个责任”量化考核").click()
    page.get_by_role("button", name="按系统数据计算指标").click()
    expect(page.locator(".messages")).to_contain_text("已按系统数据计算")
    results = page.locator("table").filter(has_text="总分").last
    expect(results).to_contain_text("问题整改按期完成")
    expect(results).to_contain_text("次")
    expect(results).to_contain_text("%")
    page.get_by_role("button", name="定稿").click()
    page.get_by_label("公布范围").select_option(label="向社会公开")
    page.get_by_role("button", name="保存公布范围").click()
    assessment = Assessment.objects.get(year=year)
    assert assessment.scope == "public"

    public = f"{base}/ledgers/assessments/{assessment.pk}/"
    page.context.clear_cookies()
    page.goto(public)
    expect(page.get_by_role("heading", level=1)).to_contain_text("量化考核")
    expect(page.get_by_text("青山县柳溪镇人民政府")).to_be_visible()
    assert_accessible(page)
