"""Staff two-factor login (issue 11 item 3): who must use it, enrolment, verification
after Wagtail's password login, recovery codes, throttling, audit, demo mode."""

import io
import re
import time

from django.core.management import call_command
from django.urls import reverse

from wagtail.models import ModelLogEntry

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from disclosure.models import UnitPage
from sunlight import twofactor
from tests.factories import UserFactory, staff
from tests.sunlight.test_settings import manage, production_env

pytestmark = pytest.mark.django_db
PASSWORD = "Staff-Pass-2026!"
ADMIN = "/admin/"
VERIFY = "/admin/2fa/verify/"
ENROL = "/admin/2fa/enrol/"


@pytest.fixture
def enforced(settings):
    settings.SUNLIGHT_REQUIRE_2FA = True
    # django-otp's per-device back-off (seconds) is tested on its own below.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    return settings


@pytest.fixture
def jiwei(county):
    return staff(UnitPage.objects.get(code="T01-A-J"), "commission")


@pytest.fixture
def clerk(county):
    return staff(UnitPage.objects.get(code="T01-A-1"), "clerk")


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def code_for(device, steps=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps * device.step
    return f"{totp.token():06d}"


def enrolled(user):
    """A confirmed authenticator and ten recovery codes for `user`."""
    device = TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=True)
    return device, twofactor.new_recovery_codes(user)


def password_login(client, user):
    response = client.post(
        "/admin/login/", {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def actions_of(user):
    return list(
        ModelLogEntry.objects.filter(object_id=str(user.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def page(response):
    return response.content.decode()


# Who is asked ---------------------------------------------------------------------


def test_required_for_jiwei_and_superusers_only(jiwei, clerk, superuser):
    assert twofactor.required_for(jiwei)
    assert twofactor.required_for(superuser)
    assert not twofactor.required_for(clerk)


def test_jiwei_without_device_is_sent_to_enrolment_never_to_admin_content(
    enforced, client, jiwei
):
    password_login(client, jiwei)
    for url in (ADMIN, "/admin/pages/", "/admin/reports/site-history/", "/admin/2fa/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(ENROL + "?next="), url
    assert "绑定身份验证器" in page(client.get(ENROL))


def test_superuser_without_device_is_sent_to_enrolment(enforced, client, superuser):
    password_login(client, superuser)
    assert client.get("/admin/users/")["Location"].startswith(ENROL)


def test_optional_staff_without_device_go_straight_in(enforced, client, clerk):
    password_login(client, clerk)
    assert client.get(ADMIN).status_code == 200


def test_demo_mode_asks_nobody(settings, client, jiwei):
    settings.SUNLIGHT_REQUIRE_2FA = False
    enrolled(jiwei)
    password_login(client, jiwei)
    assert client.get(ADMIN).status_code == 200


def test_setting_defaults_to_not_debug_and_deploy_check_warns_when_off():
    code = "from django.conf import settings; print(settings.SUNLIGHT_REQUIRE_2FA)"
    demo = manage("shell", "-c", code, DEBUG="1")
    assert demo.stdout.split()[-1] == "False", demo.stderr
    production = manage("shell", "-c", code, **production_env())
    assert production.stdout.split()[-1] == "True", production.stderr
    switched_off = manage(
        "check", "--deploy", **production_env(SUNLIGHT_REQUIRE_2FA="0")
    )
    assert "sunlight.W2FA" in switched_off.stdout + switched_off.stderr


# Enrolment ------------------------------------------------------------------------


def test_enrolment_shows_qr_and_key_then_recovery_codes_once(enforced, client, jiwei):
    password_login(client, jiwei)
    response = client.get(ENROL + "?next=/admin/pages/")
    html = page(response)
    assert response["Cache-Control"].count("no-store")
    device = TOTPDevice.objects.get(user=jiwei, confirmed=False)
    assert "<svg" in html and "<img" not in html  # inline, nothing fetched
    key = re.search(r'class="twofactor-key">([A-Z2-7 ]+)<', html).group(1)
    assert len(key.replace(" ", "")) == 32
    assert client.get(ENROL).content.decode().count(key) == 1  # same pending key

    wrong = client.post(ENROL, {"code": "000000", "next": "/admin/pages/"})
    assert "验证码不正确或已过期" in page(wrong)
    assert client.post(ENROL, {"code": "abcdefgh"}).status_code == 200

    done = client.post(ENROL, {"code": code_for(device), "next": "/admin/pages/"})
    html = page(done)
    assert "只显示这一次" in html and "no-store" in done["Cache-Control"]
    codes = re.findall(r"<li>([a-z2-7]{4}-[a-z2-7]{4})</li>", html)
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=jiwei).count() == 10
    assert client.get(ADMIN).status_code == 200  # verified by enrolment
    assert "sunlight.twofactor_enrolled" in actions_of(jiwei)
    # The codes are not shown again anywhere.
    assert codes[0] not in page(client.get("/admin/2fa/"))


def test_enrolment_cannot_replace_a_device_with_the_password_alone(
    enforced, client, jiwei
):
    device, _ = enrolled(jiwei)
    password_login(client, jiwei)
    assert client.get(ENROL)["Location"].startswith(VERIFY)
    assert client.post(ENROL, {"code": code_for(device)})["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=jiwei).count() == 1


def test_rebinding_replaces_the_old_device_and_codes(enforced, client, jiwei):
    old, old_codes = enrolled(jiwei)
    password_login(client, jiwei)
    client.post(VERIFY, {"code": code_for(old)})
    client.get(ENROL)
    new = TOTPDevice.objects.get(user=jiwei, confirmed=False)
    client.post(ENROL, {"code": code_for(new)})
    assert list(TOTPDevice.objects.filter(user=jiwei)) == [new]
    assert not StaticToken.objects.filter(token=old_codes[0].replace("-", "")).exists()


# Verification after the password ---------------------------------------------------


def test_password_then_code_opens_the_admin(enforced, client, jiwei):
    device, _ = enrolled(jiwei)
    response = password_login(client, jiwei)
    response = client.get(response["Location"])
    assert response["Location"] == VERIFY + "?next=%2Fadmin%2F"
    assert "输入双因素验证码" in page(client.get(response["Location"]))
    response = client.post(VERIFY, {"code": code_for(device), "next": "/admin/"})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_wrong_expired_reused_and_malformed_codes_are_refused_in_chinese(
    enforced, client, jiwei
):
    device, _ = enrolled(jiwei)
    password_login(client, jiwei)
    wrong = "123456" if code_for(device) != "123456" else "654321"
    assert "验证码不正确或已过期" in page(client.post(VERIFY, {"code": wrong}))
    expired = code_for(device, steps=-3)
    assert "验证码不正确或已过期" in page(client.post(VERIFY, {"code": expired}))
    for junk in ("", "abc", "1" * 400, "１２３４５", "<script>", "12345６7"):
        response = client.post(VERIFY, {"code": junk})
        assert response.status_code == 200
        assert "请输入" in page(response)
    good = code_for(device)
    assert client.post(VERIFY, {"code": good}).status_code == 302
    client.post(reverse("wagtailadmin_logout"))
    password_login(client, jiwei)
    # The same code a second time (say, read over a shoulder) does not open it again.
    assert "验证码不正确或已过期" in page(client.post(VERIFY, {"code": good}))
    assert client.get(ADMIN).status_code == 302


def test_next_never_leaves_the_site(enforced, client, jiwei):
    device, _ = enrolled(jiwei)
    password_login(client, jiwei)
    response = client.post(
        VERIFY, {"code": code_for(device), "next": "https://evil.example/x"}
    )
    assert response["Location"] == "/admin/"


def test_recovery_code_works_once_and_is_audited(enforced, client, jiwei):
    _, codes = enrolled(jiwei)
    password_login(client, jiwei)
    response = client.post(VERIFY, {"code": codes[0].upper().replace("-", " ")})
    assert response.status_code == 302
    assert "还剩 9 个" in page(client.get("/admin/2fa/"))
    assert "sunlight.twofactor_recovery_used" in actions_of(jiwei)
    client.post(reverse("wagtailadmin_logout"))
    password_login(client, jiwei)
    assert "恢复码不正确或已经用过" in page(client.post(VERIFY, {"code": codes[0]}))
    assert client.post(VERIFY, {"code": codes[1]}).status_code == 302


def test_wrong_codes_lock_the_account_for_a_while(enforced, client, jiwei):
    device, _ = enrolled(jiwei)
    password_login(client, jiwei)
    for _ in range(5):
        client.post(VERIFY, {"code": "000000"})
    response = client.post(VERIFY, {"code": code_for(device)})
    assert "错误次数过多" in page(response)
    assert client.get(ADMIN).status_code == 302
    assert actions_of(jiwei).count("sunlight.twofactor_locked") == 1
    # Another session (another address) is locked too: the count is per account.
    other = client.__class__()
    password_login(other, jiwei)
    assert "错误次数过多" in page(other.post(VERIFY, {"code": code_for(device)}))


def test_device_back_off_is_a_message_not_a_failure(enforced, client, jiwei):
    enforced.OTP_TOTP_THROTTLE_FACTOR = 60
    device, _ = enrolled(jiwei)
    password_login(client, jiwei)
    client.post(VERIFY, {"code": "000000"})
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 200
    assert "尝试过于频繁" in page(response)


# Managing one's own second factor --------------------------------------------------


def verified(client, user):
    device, codes = enrolled(user)
    password_login(client, user)
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 302
    return device, codes


def test_recovery_codes_can_be_regenerated(enforced, client, jiwei):
    _, old = verified(client, jiwei)
    assert "重新生成恢复码" in page(client.get("/admin/2fa/"))
    response = client.post("/admin/2fa/recovery-codes/")
    new = re.findall(r"<li>([a-z2-7]{4}-[a-z2-7]{4})</li>", page(response))
    assert len(new) == 10 and not set(new) & set(old)
    assert StaticToken.objects.filter(device__user=jiwei).count() == 10
    assert "sunlight.twofactor_recovery_regenerated" in actions_of(jiwei)
    assert client.get("/admin/2fa/recovery-codes/").status_code == 405


def test_required_staff_cannot_disable_optional_staff_can(enforced, client, jiwei):
    verified(client, jiwei)
    client.post("/admin/2fa/disable/")
    assert TOTPDevice.objects.filter(user=jiwei).exists()

    clerk = staff(UnitPage.objects.get(code="T01-A-2"), "clerk")
    other = client.__class__()
    verified(other, clerk)
    other.post("/admin/2fa/disable/")
    assert not TOTPDevice.objects.filter(user=clerk).exists()
    assert not StaticDevice.objects.filter(user=clerk).exists()
    assert "sunlight.twofactor_disabled" in actions_of(clerk)


def test_optional_staff_who_enrolled_are_asked_for_a_code(enforced, client, clerk):
    enrolled(clerk)
    password_login(client, clerk)
    assert client.get(ADMIN)["Location"].startswith(VERIFY)


def test_account_page_links_to_two_factor_login(enforced, client, clerk):
    password_login(client, clerk)
    assert "/admin/2fa/" in page(client.get("/admin/account/"))


# Reset by a superuser ---------------------------------------------------------------


def test_superuser_resets_a_lost_device_and_it_is_audited(
    enforced, client, jiwei, superuser
):
    enrolled(jiwei)
    verified(client, superuser)
    url = f"/admin/2fa/reset/{jiwei.pk}/"
    assert "确认重置" in page(client.get(url))
    assert client.post(url)["Location"] == "/admin/users/"
    assert not TOTPDevice.objects.filter(user=jiwei).exists()
    entry = ModelLogEntry.objects.get(
        object_id=str(jiwei.pk), action="sunlight.twofactor_reset"
    )
    assert entry.user_id == superuser.pk
    assert client.get("/admin/2fa/reset/999999/").status_code == 404


def test_only_superusers_reset(enforced, client, jiwei, clerk):
    enrolled(jiwei)
    verified(client, clerk)
    client.post(f"/admin/2fa/reset/{jiwei.pk}/")
    assert TOTPDevice.objects.filter(user=jiwei).exists()


def test_reset_command_for_a_locked_out_superuser(superuser):
    enrolled(superuser)
    out = io.StringIO()
    call_command("reset_twofactor", "root", stdout=out)
    assert "已重置 root" in out.getvalue()
    assert not twofactor.has_device(superuser)
    assert "sunlight.twofactor_reset" in actions_of(superuser)
    with pytest.raises(Exception, match="没有用户名为 nobody"):
        call_command("reset_twofactor", "nobody")
