"""The pages of staff two-factor login (templates in sunlight/twofactor/).

Every page answers a wrong, expired, reused or malformed code with a Chinese message
on the same page; nothing here can raise on user input.
"""

import re
from base64 import b32encode
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from wagtail.admin.auth import require_admin_access

import django_otp
import qrcode
import qrcode.image.svg
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import (
    TOTP_DEVICE_NAME,
    audit,
    clear_failures,
    enforced,
    has_device,
    is_verified,
    locked_out,
    lockout_minutes,
    new_recovery_codes,
    record_failure,
    remaining_recovery_codes,
    remove_devices,
    required_for,
    totp_device,
)

TEMPLATES = "sunlight/twofactor/"
WRONG_CODE = "验证码不正确或已过期。请输入身份验证器上当前显示的 6 位数字。"
WRONG_RECOVERY = "恢复码不正确或已经用过。每个恢复码只能使用一次。"
TOTP_PATTERN = re.compile(r"\d{6}")
RECOVERY_PATTERN = re.compile(r"[a-z2-7]{8}")


def _normalise(raw):
    return re.sub(r"[\s\-－—]", "", raw or "").lower()


class CodeForm(forms.Form):
    """A 6-digit authenticator code or an 8-character recovery code."""

    code = forms.CharField(
        label="验证码或恢复码",
        max_length=40,
        help_text="打开手机上的身份验证器，输入“阳光权力”下显示的 6 位数字；"
        "手机不在身边时，可输入一个 8 位恢复码（如 abcd-2345）。",
        error_messages={
            "required": "请输入验证码。",
            "max_length": "验证码太长了：请输入 6 位数字或一个 8 位恢复码。",
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "autocapitalize": "off",
                "spellcheck": "false",
            }
        ),
    )
    recovery_allowed = True

    def clean_code(self):
        code = _normalise(self.cleaned_data["code"])
        if TOTP_PATTERN.fullmatch(code):
            self.kind = "totp"
        elif self.recovery_allowed and RECOVERY_PATTERN.fullmatch(code):
            self.kind = "recovery"
        elif self.recovery_allowed:
            raise forms.ValidationError(
                "请输入身份验证器上的 6 位数字，或一个 8 位恢复码。"
            )
        else:
            raise forms.ValidationError("请输入身份验证器上显示的 6 位数字。")
        return code


class FirstCodeForm(CodeForm):
    recovery_allowed = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.label = "身份验证器上的 6 位数字"
        field.help_text = (
            "扫码或输入密钥后，身份验证器会每 30 秒显示一组新的 6 位数字。"
        )
        field.widget.attrs["inputmode"] = "numeric"


def _next_url(request):
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        return candidate
    return reverse("wagtailadmin_home")


def _to(name, next_url):
    return HttpResponseRedirect(f"{reverse(name)}?{urlencode({'next': next_url})}")


def _locked_message():
    return f"验证码错误次数过多，请 {lockout_minutes()} 分钟后再试。如手机丢失，请联系系统管理员重置。"


def _complete_login(request, device):
    """Mark the session verified by `device`, under a new session key."""
    request.session.cycle_key()
    django_otp.login(request, device)


def _match(user, code, kind):
    """(device, wait): the device that accepted `code`, or None and how many seconds
    django-otp's back-off still asks to wait (0 when the code was simply wrong)."""
    model = TOTPDevice if kind == "totp" else StaticDevice
    devices = list(model.objects.devices_for_user(user, confirmed=True))
    waits = []
    for device in devices:
        allowed, details = device.verify_is_allowed()
        if not allowed:
            waits.append(details or {})
            continue
        verified = django_otp.verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified, 0
    if devices and len(waits) == len(devices):
        return None, 1
    return None, 0


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@require_admin_access
def verify(request):
    """The second step after Wagtail's password login."""
    user, next_url = request.user, _next_url(request)
    if is_verified(user):
        return redirect(next_url)
    if not has_device(user):
        if required_for(user):
            return _to("twofactor_enrol", next_url)
        return redirect(next_url)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if locked_out(user):
            form.add_error(None, _locked_message())
        elif form.is_valid():
            device, wait = _match(user, form.cleaned_data["code"], form.kind)
            if device is not None:
                clear_failures(user)
                _complete_login(request, device)
                if isinstance(device, StaticDevice):
                    left = device.token_set.count()
                    audit(user, "sunlight.twofactor_recovery_used", user, left=left)
                    messages.warning(
                        request,
                        f"已使用一个恢复码登录，还剩 {left} 个。"
                        "如手机已丢失，请在“双因素登录”页面重新绑定身份验证器并生成新的恢复码。",
                    )
                return redirect(next_url)
            if wait:
                form.add_error(None, "尝试过于频繁，请稍等几秒再输入。")
            else:
                record_failure(user)
                form.add_error(
                    None, WRONG_CODE if form.kind == "totp" else WRONG_RECOVERY
                )
    return TemplateResponse(
        request,
        TEMPLATES + "verify.html",
        {"form": form, "next": next_url},
    )


def _pending_device(user):
    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=TOTP_DEVICE_NAME, confirmed=False
        )
    return device


def _qr_svg(url):
    image = qrcode.make(
        url,
        image_factory=qrcode.image.svg.SvgPathFillImage,
        border=2,
    )
    svg = image.to_string(encoding="unicode")
    # Sized by the page's CSS, not in millimetres.
    svg = re.sub(r'\s(width|height)="[^"]*"', "", svg, count=2)
    return svg.replace("<svg ", '<svg role="img" aria-label="身份验证器绑定二维码" ', 1)


def _manual_key(device):
    key = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@never_cache
@require_http_methods(["GET", "POST"])
@require_admin_access
def enrol(request):
    """Bind an authenticator app: scan the QR code (or type the key), confirm with a
    first code; the recovery codes are shown once, on the confirming response."""
    user, next_url = request.user, _next_url(request)
    existing = totp_device(user)
    if existing is not None and not is_verified(user):
        # Replacing a device takes the current one: a password alone is not enough.
        return _to("twofactor_verify", request.get_full_path())
    device = _pending_device(user)
    form = FirstCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if locked_out(user):
            form.add_error(None, _locked_message())
        elif form.is_valid():
            confirmed, codes = _confirm(user, device, form.cleaned_data["code"])
            if confirmed is not None:
                clear_failures(user)
                _complete_login(request, confirmed)
                audit(
                    user,
                    "sunlight.twofactor_enrolled",
                    user,
                    replaced=existing is not None,
                )
                return _no_store(
                    TemplateResponse(
                        request,
                        TEMPLATES + "recovery_codes.html",
                        {"codes": codes, "next": next_url, "enrolled": True},
                    )
                )
            record_failure(user)
            form.add_error(None, WRONG_CODE)
    return _no_store(
        TemplateResponse(
            request,
            TEMPLATES + "enrol.html",
            {
                "form": form,
                "next": next_url,
                "qr_svg": _qr_svg(device.config_url),
                "manual_key": _manual_key(device),
                "replacing": existing is not None,
                "required": required_for(user) and enforced(),
            },
        )
    )


def _confirm(user, device, code):
    """Confirm the pending device with its first code, retire any older one and
    issue fresh recovery codes, all at once; (device, codes) or (None, None)."""
    with transaction.atomic():
        pending = (
            TOTPDevice.objects.select_for_update()
            .filter(pk=device.pk, user=user, confirmed=False)
            .first()
        )
        if pending is None or not pending.verify_is_allowed()[0]:
            return None, None
        if not pending.verify_token(code):
            return None, None
        TOTPDevice.objects.filter(user=user).exclude(pk=pending.pk).delete()
        pending.confirmed = True
        pending.name = TOTP_DEVICE_NAME
        pending.save(update_fields=["confirmed", "name"])
        return pending, new_recovery_codes(user)


def _require_verified(request):
    """A redirect to verification when this session holds a device but has not
    used it (also in demo mode, where the middleware asks nothing)."""
    if has_device(request.user) and not is_verified(request.user):
        return _to("twofactor_verify", request.get_full_path())
    return None


@never_cache
@require_http_methods(["GET"])
@require_admin_access
def manage(request):
    """The staff member's own page: status, new recovery codes, re-binding."""
    if (response := _require_verified(request)) is not None:
        return response
    user = request.user
    device = totp_device(user)
    return TemplateResponse(
        request,
        TEMPLATES + "manage.html",
        {
            "device": device,
            "remaining": remaining_recovery_codes(user) if device else 0,
            "required": required_for(user),
            "enforced": enforced(),
        },
    )


@never_cache
@require_POST
@require_admin_access
def regenerate_codes(request):
    if (response := _require_verified(request)) is not None:
        return response
    user = request.user
    if totp_device(user) is None:
        messages.error(request, "请先绑定身份验证器，再生成恢复码。")
        return redirect("twofactor_manage")
    codes = new_recovery_codes(user)
    audit(user, "sunlight.twofactor_recovery_regenerated", user)
    return _no_store(
        TemplateResponse(
            request,
            TEMPLATES + "recovery_codes.html",
            {"codes": codes, "next": reverse("twofactor_manage"), "enrolled": False},
        )
    )


@never_cache
@require_POST
@require_admin_access
def disable(request):
    if (response := _require_verified(request)) is not None:
        return response
    user = request.user
    if required_for(user) and enforced():
        messages.error(
            request, "您的岗位必须使用双因素登录，不能停用；可重新绑定身份验证器。"
        )
        return redirect("twofactor_manage")
    if remove_devices(user):
        audit(user, "sunlight.twofactor_disabled", user)
        messages.success(request, "已停用双因素登录，恢复码同时作废。")
    return redirect("twofactor_manage")


@never_cache
@require_http_methods(["GET", "POST"])
@require_admin_access
def reset_user(request, user_id):
    """A superuser clears a staff member's second factors (lost phone and codes);
    they enrol again at their next login."""
    if not request.user.is_superuser:
        messages.error(request, "只有超级管理员可以重置他人的双因素登录。")
        return redirect("wagtailadmin_home")
    if (response := _require_verified(request)) is not None:
        return response
    target = get_object_or_404(get_user_model(), pk=user_id)
    if request.method == "POST":
        removed = remove_devices(target)
        clear_failures(target)
        if removed:
            audit(
                target,
                "sunlight.twofactor_reset",
                request.user,
                username=target.get_username(),
            )
            messages.success(
                request,
                f"已重置 {target.get_username()} 的双因素登录；"
                "该员工下次登录时需要重新绑定身份验证器。",
            )
        else:
            messages.info(
                request, f"{target.get_username()} 尚未启用双因素登录，无需重置。"
            )
        return redirect("wagtailusers_users:index")
    return TemplateResponse(
        request,
        TEMPLATES + "reset_confirm.html",
        {"target": target, "enrolled": has_device(target)},
    )
