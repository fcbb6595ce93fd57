"""Staff two-factor login (TOTP authenticator apps plus one-time recovery codes).

Who must use it, once SUNLIGHT_REQUIRE_2FA is on (the default whenever DEBUG is off):
superusers, and members of any 纪委 group — they are the people who read real-name
reporters' identities (complaints.handling) and the unmasked rating comments
(disclosure.ratings_admin). Everyone else may enrol voluntarily; once a staff member
has a device, every new session asks for a code.

The password login stays Wagtail's. django_otp's OTPMiddleware marks a session
verified; sunlight.twofactor.middleware.TwoFactorMiddleware keeps an unverified
session out of /admin/ (enrolment or verification only). Demo mode (`make run`,
DEBUG=1) asks nobody, so the demo accounts log in with their password alone.

Wrong codes count per account in the cache (sunlight.throttle): SUNLIGHT_2FA_THROTTLE
failures within its window lock further attempts — correct or not — until the window
ends; django-otp's own per-device back-off adds seconds between tries.
"""

from django.conf import settings
from django.db import transaction
from django.utils.functional import LazyObject, empty

from wagtail.log_actions import log

from sunlight import throttle

THROTTLE_SCOPE = "staff-2fa"
RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "身份验证器"
STATIC_DEVICE_NAME = "恢复码"

ACTIONS = {
    "sunlight.twofactor_enrolled": "启用双因素登录",
    "sunlight.twofactor_recovery_regenerated": "重新生成双因素登录恢复码",
    "sunlight.twofactor_recovery_used": "使用恢复码登录",
    "sunlight.twofactor_disabled": "停用双因素登录",
    "sunlight.twofactor_reset": "重置员工双因素登录",
    "sunlight.twofactor_locked": "双因素验证码错误次数过多",
}


def enforced():
    """Whether 2FA is demanded at all (SUNLIGHT_REQUIRE_2FA; off in demo mode)."""
    return bool(getattr(settings, "SUNLIGHT_REQUIRE_2FA", not settings.DEBUG))


def required_for(user):
    """Whether this account must have a second factor when 2FA is enforced."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    from complaints.handling import is_handler

    # 纪委 group members: the only staff who may read report identities.
    return is_handler(user)


def totp_device(user, confirmed=True):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return (
        TOTPDevice.objects.filter(user=user, confirmed=confirmed)
        .order_by("-pk")
        .first()
    )


def static_device(user):
    from django_otp.plugins.otp_static.models import StaticDevice

    return (
        StaticDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()
    )


def has_device(user):
    from django_otp import user_has_device

    return user.is_authenticated and user_has_device(user, confirmed=True)


def is_verified(user):
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def pending_step(user):
    """What an unverified, logged-in user must do before the admin: "verify",
    "enrol" or None (nothing; 2FA is optional for them and they have no device)."""
    if has_device(user):
        return "verify"
    if required_for(user):
        return "enrol"
    return None


def remaining_recovery_codes(user):
    device = static_device(user)
    return device.token_set.count() if device else 0


def new_recovery_codes(user):
    """Replace the user's recovery codes with fresh ones; the codes, for showing once."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(
            user=user, name=STATIC_DEVICE_NAME, confirmed=True
        )
        codes = []
        while len(codes) < RECOVERY_CODE_COUNT:
            code = StaticToken.random_token()
            if code not in codes:
                codes.append(code)
        StaticToken.objects.bulk_create(
            StaticToken(device=device, token=code) for code in codes
        )
    return [display_code(code) for code in codes]


def display_code(code):
    return f"{code[:4]}-{code[4:]}"


def remove_devices(user):
    """Every second factor of `user`, gone; how many devices were removed."""
    from django_otp import devices_for_user

    removed = 0
    with transaction.atomic():
        for device in list(devices_for_user(user, confirmed=None)):
            device.delete()
            removed += 1
    return removed


def _unwrapped(user):
    """The user model instance behind request.user, which OTPMiddleware wraps in a
    second lazy object (Wagtail's log() only looks through one)."""
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


def audit(subject, action, actor, **data):
    """A Wagtail audit-log entry on the staff account concerned."""
    log(_unwrapped(subject), action, user=_unwrapped(actor), data=data or None)


# Wrong codes, counted per account -------------------------------------------------


def _limits():
    return getattr(settings, "SUNLIGHT_2FA_THROTTLE", (5, 900))


def _subject(user):
    return f"user:{user.pk}"


def locked_out(user):
    limit, _window = _limits()
    return throttle.exceeded(THROTTLE_SCOPE, _subject(user), limit)


def record_failure(user):
    if throttle.lifted():
        return
    limit, window = _limits()
    if throttle.count(THROTTLE_SCOPE, _subject(user), window) == limit:
        audit(user, "sunlight.twofactor_locked", user, limit=limit, window=window)


def clear_failures(user):
    throttle.reset(THROTTLE_SCOPE, _subject(user))


def lockout_minutes():
    return max(1, _limits()[1] // 60)
