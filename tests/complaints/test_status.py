"""/report/status/ and /report/recover/: the reporter's side after filing."""

import re

import pytest

from complaints import access, handling
from complaints.models import Report, ReportEvent
from tests.factories import staff

from .conftest import PASSWORD, VALID_ID, captcha_answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(client, report_data):
    def file(**overrides):
        client.post("/report/", report_data(**overrides))
        return Report.objects.order_by("-pk").first()

    return file


def look_up(client, code, password=PASSWORD):
    return client.post("/report/status/", {"code": code, "password": password})


def test_status_form_labels(client):
    html = client.get("/report/status/").content.decode()
    assert '<label for="id_code">查询码</label>' in html
    assert '<label for="id_password">查询密码</label>' in html
    assert ">查询</button>" in html


def test_status_shows_state_and_accepts_grouped_codes(client, filed):
    report = filed()
    body = look_up(client, report.grouped_code).content.decode()
    assert "待受理" in body and "中共东河镇纪律检查委员会" in body
    assert "受理期限" in body


def test_wrong_password_and_unknown_code_get_the_same_answer(client, filed):
    report = filed()
    wrong = look_up(client, report.code, "wrong-password").content.decode()
    unknown = look_up(client, "1" * 16 if report.code != "1" * 16 else "2" * 16)
    assert "查询码或查询密码不正确" in wrong
    assert "查询码或查询密码不正确" in unknown.content.decode()
    assert "待受理" not in wrong


def test_a_short_code_is_explained(client):
    body = look_up(client, "1234").content.decode()
    assert "查询码应为16位数字" in body


def test_brute_force_on_a_code_is_throttled(client, filed, settings):
    report = filed()
    settings.REPORT_STATUS_THROTTLE = (3, 3600)
    for _ in range(3):
        assert look_up(client, report.code, "wrong-password").status_code == 400
    response = look_up(client, report.code)
    assert response.status_code == 429
    assert "查询失败次数过多" in response.content.decode()


def test_transfer_and_result_reach_the_real_name_reporter(client, filed, county):
    report = filed(mode="real", name="钟启明", id_number=VALID_ID, phone="13800138000")
    township_commission = report.handler
    county_commission = township_commission.get_parent().get_parent().get_children()
    county_jiwei = county_commission.get(unitpage__code="T01-J").specific
    officer = staff(township_commission, "commission")
    handling.transfer(report, officer, county_jiwei, "内部理由：涉及本镇领导")
    body = look_up(client, report.code).content.decode()
    assert "已移送（中共测试县纪律检查委员会）" in body
    assert "内部理由" not in body
    upper = staff(county_jiwei, "commission")
    report.refresh_from_db()
    handling.accept(report, upper)
    handling.close(report, upper, "经核查，问题属实，已给予处分。")
    body = look_up(client, report.code).content.decode()
    assert "已办结" in body and "经核查，问题属实，已给予处分。" in body


def test_anonymous_reporter_reads_the_announcement_scope(client, filed, county):
    report = filed()
    officer = staff(report.handler, "commission")
    handling.accept(report, officer)
    handling.close(report, officer, "内部结果", Report.Announcement.UNIT, "单位内通报")
    body = look_up(client, report.code).content.decode()
    assert "核查结果已在被举报单位范围内通报" in body
    assert "内部结果" not in body and "单位内通报" not in body
    report.announcement_scope = Report.Announcement.PUBLIC
    report.save()
    assert "单位内通报" in look_up(client, report.code).content.decode()


def test_reporter_adds_information_with_the_page_token(client, filed):
    report = filed()
    page = look_up(client, report.code).content.decode()
    token = re.search(r'name="access_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/report/status/supplement/",
        {"access_token": token, "text": "补充：时间是去年十月。"},
    )
    assert "补充材料已提交" in response.content.decode()
    event = report.events.get(kind=ReportEvent.Kind.SUPPLEMENT)
    assert event.text == "补充：时间是去年十月。"
    assert event.created_at.minute == 0 and event.created_at.second == 0


def test_supplement_with_a_forged_or_empty_token_is_refused(client, filed):
    filed()
    response = client.post(
        "/report/status/supplement/", {"access_token": "forged", "text": "x"}
    )
    assert response.status_code == 400
    assert "页面已过期" in response.content.decode()
    assert not ReportEvent.objects.filter(kind=ReportEvent.Kind.SUPPLEMENT).exists()


def recover_data(client, **overrides):
    html = client.get("/report/recover/").content.decode()
    key, answer = captcha_answer(html)
    data = {
        "name": "钟启明",
        "id_number": VALID_ID,
        "phone": "13800138000",
        "password": "New-Pass-2026",
        "password_confirm": "New-Pass-2026",
        "captcha_0": key,
        "captcha_1": answer,
    }
    data.update(overrides)
    return data


def test_real_name_reporter_recovers_the_code_and_sets_a_new_password(client, filed):
    report = filed(mode="real", name="钟启明", id_number=VALID_ID, phone="13800138000")
    filed()  # an anonymous one is never found this way
    response = client.post(
        "/report/recover/", recover_data(client, phone="138 0013 8000")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert report.grouped_code in body
    assert "待受理" in look_up(client, report.code, "New-Pass-2026").content.decode()
    assert "不正确" in look_up(client, report.code, PASSWORD).content.decode()
    assert report.events.filter(kind=ReportEvent.Kind.PASSWORD_RESET).exists()


def test_recovery_with_other_identity_finds_nothing(client, filed):
    filed(mode="real", name="钟启明", id_number=VALID_ID, phone="13800138000")
    response = client.post(
        "/report/recover/", recover_data(client, phone="13900000000")
    )
    assert response.status_code == 400
    assert "未找到与上述身份信息相符的实名举报" in response.content.decode()


def test_recovery_is_throttled(client, filed, settings):
    settings.REPORT_RECOVER_THROTTLE = (2, 3600)
    statuses = [
        client.post("/report/recover/", recover_data(client)).status_code
        for _ in range(3)
    ]
    assert statuses == [400, 400, 429]


def test_password_hash_takes_tens_of_milliseconds_but_not_more():
    import time

    encoded = access.hash_password(PASSWORD)
    started = time.perf_counter()
    assert access.check_password(PASSWORD, encoded)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5
    assert encoded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_password_hashed_with_earlier_parameters_still_opens_its_report():
    from argon2 import PasswordHasher, Type

    earlier = PasswordHasher(
        time_cost=3, memory_cost=19_456, parallelism=1, type=Type.ID
    )
    encoded = earlier.hash(PASSWORD)
    assert access.check_password(PASSWORD, encoded)
    assert not access.check_password(PASSWORD + "x", encoded)


def test_a_provisional_deadline_says_so(client, filed):
    report = filed()
    Report.objects.filter(pk=report.pk).update(due_provisional=True)
    assert "暂定" in look_up(client, report.code).content.decode()
