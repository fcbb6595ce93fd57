"""Issue 7, done when: a resident rates a demo result in the browser and sees the
aggregate move, another posts a negative comment that waits for moderation, the
township 纪委 approves it (reading the original, audited), the office replies, the
reply is public under the comment, and the 纪委's statistics show the unit."""

import re

from django.core.management import call_command

import pytest
from captcha.models import CaptchaStore
from playwright.sync_api import expect

from disclosure.models import Rating, Result

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DEMO_PASSWORD = "Sunlight-Demo-2026"
UNIT = "QS-A-2"  # 柳溪镇社会事务办公室, supervised by 柳溪镇纪委
COMMENT = "窗口电话 13812345678 一直无人接听，前后跑了三趟才办好。"
REPLY = "已约谈窗口负责人，办事电话改由专人接听，材料清单一次性告知。"


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


def rate(page, url, level, comment=""):
    page.goto(url)
    form = page.locator("form.rating-form")
    form.get_by_label(level, exact=True).check()
    if comment:
        form.get_by_label("评议意见").fill(comment)
    key = form.locator('input[name="captcha_0"]').input_value()
    form.get_by_label("验证码").fill(CaptchaStore.objects.get(hashkey=key).response)
    form.get_by_role("button", name="提交评议").click()


def test_resident_rates_and_the_negative_comment_is_followed_up(
    demo, live_server, new_page, assert_accessible
):
    base = live_server.url
    result = (
        Result.objects.filter(unit__code=UNIT, live=True, disclosed_on__isnull=False)
        .order_by("-disclosed_on", "-pk")
        .first()
    )
    url = base + result.unit.url + f"results/{result.pk}/"
    before = result.rating_total

    resident = new_page()
    resident.goto(url)
    assert_accessible(resident)
    rate(resident, url, "满意")
    expect(resident.get_by_role("status")).to_contain_text("感谢您的评议")
    expect(resident.locator(".rating-summary")).to_contain_text(
        f"共 {before + 1} 人评议"
    )
    rate(resident, url, "非常满意")
    expect(resident.get_by_role("alert")).to_contain_text("您已评议")

    neighbour = new_page()
    rate(neighbour, url, "非常不满意", COMMENT)
    expect(neighbour.get_by_role("status")).to_contain_text("经审核后在本页公开")
    expect(neighbour.locator("#rating")).not_to_contain_text("一直无人接听")
    assert Result.objects.get(pk=result.pk).rating_total == before + 2

    # The township 纪委 finds it waiting, reads the original and shows it.
    staff = new_page()
    log_in(staff, base, "liuxi_jiwei")
    staff.goto(base + "/admin/results/ratings/?moderation=pending")
    staff.get_by_role("link", name=result.title).first.click()
    expect(staff.locator("main")).to_contain_text("13812345678")
    staff.get_by_label("公开（个人信息已遮盖）").check()
    staff.locator("#w-editor-form button[type=submit]").first.click()
    expect(staff.locator(".messages")).to_contain_text("已保存")
    neighbour.goto(url)
    expect(neighbour.locator("#rating")).to_contain_text("138****5678")
    expect(neighbour.locator("#rating")).not_to_contain_text("13812345678")

    # The office replies; the reply is public under the comment.
    rating = Rating.objects.get(result=result, level=1, comment__contains="三趟")
    log_in(staff, base, "liuxi_shehui_clerk")
    staff.goto(base + "/admin/results/ratings/?follow_up=waiting")
    staff.locator(f'a[href$="/edit/{rating.pk}/"]').first.click()
    expect(staff.locator("main")).not_to_contain_text("13812345678")
    staff.get_by_label("单位回复").fill(REPLY)
    staff.locator("#w-editor-form button[type=submit]").first.click()
    expect(staff.locator(".messages")).to_contain_text("已保存")
    neighbour.goto(url)
    expect(neighbour.locator("#rating")).to_contain_text(REPLY)
    assert_accessible(neighbour)

    # The 纪委's statistics list the office with its negative ratings.
    log_in(staff, base, "liuxi_jiwei")
    staff.goto(base + "/admin/results/rating-statistics/")
    expect(staff.locator("main")).to_contain_text("柳溪镇社会事务办公室")
    expect(staff.locator("main")).to_contain_text("谈话提醒线")
