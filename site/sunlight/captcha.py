"""The captcha every public form uses (reports, ratings, objections).

GB/T 37668 asks for an alternative to a picture-only challenge: the challenge is a
short run of digits, shown as an image and also spoken in Mandarin by Debian's
espeak-ng (voice ``cmn``; django-simple-captcha's own audio uses flite, which speaks
English only). The audio is a plain link to a WAV file, so it works without
JavaScript. Without espeak-ng the form says the spoken version is unavailable and
where to turn instead, rather than offering a broken link.

The contract's demo mode accepts the answer ``PASSED`` (CAPTCHA_TEST_MODE, honoured
by the settings only with DEBUG on).

Checking an answer takes one statement: the challenge is deleted as it is read (an
attempt uses it up, right or wrong, as in django-simple-captcha). The library also
deletes every expired challenge on each check — a scan of the table for every
rating and report; here that sweep runs at most once a minute (a shared cache key).

`fresh_form_html` serves a new form from a copy rendered once per process: each
visitor's copy differs only in its CSRF token, its challenge and a few values (the
form's address), so only those are put in — a new form then costs one INSERT (the
challenge) instead of rendering every widget through Django's templates.
"""

import datetime
import re
import secrets
import shutil
import subprocess  # noqa: S404 - a fixed binary with a list of arguments
import tempfile
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.forms import MultiValueField
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache

from captcha.fields import CaptchaField as BaseCaptchaField
from captcha.fields import CaptchaTextInput
from captcha.models import CaptchaStore

from . import pagecache

DIGITS = "0123456789"
SPOKEN = "零一二三四五六七八九"
LABEL = "验证码"
INVALID = "验证码不正确或已过期，请重新输入图中数字（可点击“收听语音验证码”）。"
CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY_VALUE = re.compile(r'name="captcha_0" value="([0-9a-f]+)"')
SWEEP_KEY = "captcha:swept"
SWEEP_SECONDS = 60


def digits_challenge():
    """(challenge, response) for django-simple-captcha: five random digits, which
    read the same in the picture and in Mandarin speech."""
    length = getattr(settings, "CAPTCHA_DIGITS", 5)
    answer = "".join(secrets.choice(DIGITS) for _ in range(length))
    return answer, answer


@lru_cache(maxsize=1)
def espeak_path():
    return getattr(settings, "CAPTCHA_ESPEAK_PATH", None) or shutil.which("espeak-ng")


def speech_text(challenge):
    spoken = "，".join(SPOKEN[int(ch)] for ch in challenge if ch in DIGITS)
    return f"验证码是：{spoken}。再说一遍：{spoken}。"


def synthesize(text):
    """WAV bytes of `text` spoken by espeak-ng in Mandarin, or None without it."""
    binary = espeak_path()
    if not binary:
        return None
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "captcha.wav"
        result = subprocess.run(  # noqa: S603 - fixed binary, no shell
            [binary, "-v", "cmn", "-s", "120", "-w", str(target), text],
            capture_output=True,
            timeout=15,
            check=False,
        )
        if result.returncode != 0 or not target.exists():
            return None
        return target.read_bytes()


class AccessibleCaptchaInput(CaptchaTextInput):
    """The picture, a link to the spoken challenge, and the answer box."""

    template_name = "sunlight/captcha_widget.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["spoken_url"] = (
            reverse("captcha_spoken", args=[self._key]) if espeak_path() else None
        )
        context["answer_id"] = self.id_for_label(attrs.get("id") if attrs else None)
        return context


class CaptchaField(BaseCaptchaField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", LABEL)
        kwargs.setdefault("widget", AccessibleCaptchaInput())
        kwargs.setdefault(
            "error_messages", {"invalid": INVALID, "required": "请输入验证码。"}
        )
        super().__init__(*args, **kwargs)

    def clean(self, value):
        MultiValueField.clean(self, value)  # required, both parts present
        key, response = value[0], (value[1] or "").strip().lower()
        value[1] = ""
        sweep_expired()
        expected = take(key)
        if settings.CAPTCHA_TEST_MODE and response == "passed":
            return value
        if expected is None or expected != response:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return value


def take(key):
    """The expected answer to challenge `key` (None if unknown or expired),
    deleting the challenge in the same statement: it is used up either way."""
    table = connection.ops.quote_name(CaptchaStore._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE hashkey = %s RETURNING response, expiration",  # noqa: S608 - quoted name, bound values
            [key],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    response, expiration = row
    if isinstance(expiration, str):
        expiration = parse_datetime(expiration)
    if timezone.is_naive(expiration):  # SQLite: UTC, as Django stored it
        expiration = expiration.replace(tzinfo=datetime.UTC)
    return response if expiration > timezone.now() else None


def sweep_expired():
    """Delete expired challenges, at most once a minute across all workers."""
    if cache.add(SWEEP_KEY, 1, timeout=SWEEP_SECONDS):
        CaptchaStore.remove_expired()


_stencils = {}
#: Copies kept per process; the keys may name a generation or a path, so the whole
#: set is dropped when it grows past this.
MAX_STENCILS = 64


def fresh_form_html(request, name, render, **values):
    """A new, unbound form with a captcha for this visitor: `render(request,
    **values)` is called once per process (per `name` — which must name whatever
    else the rendering depends on — and per whether speech is available) with
    stand-ins for `values`; every visitor's copy gets its own CSRF token, a new
    challenge and `values` (escaped, as the template would) put in."""
    stencil_key = (name, bool(espeak_path()))
    stencil = _stencils.get(stencil_key)
    if stencil is None:
        if len(_stencils) >= MAX_STENCILS:
            _stencils.clear()
        stencil = _stencils[stencil_key] = _stencil(request, render, values)
    html, slots = stencil
    filled = {
        "csrf": get_token(request),
        "key": CaptchaStore.generate_key(),
        **{field: escape(value) for field, value in values.items()},
    }
    for field, marker in slots.items():
        html = html.replace(marker, filled[field])
    return mark_safe(html)  # noqa: S308 - our template's output, escaped values


def form_hole(request, renderer, template, form_class, action, form=None):
    """A form of a cached page posting to `action`, rendered from `template`: a
    bound `form` (returned with its errors) as it is; a fresh one filled into this
    process's copy and marked as a hole, which every later visitor of the cached
    page gets from `renderer(request, action=action)` (sunlight.pagecache.punch)."""

    def render(request, action, form=None):
        context = {"form": form or form_class(), "action": action}
        return render_to_string(template, context, request=request)

    if form is not None:
        return render(request, action, form)
    html = fresh_form_html(request, template, render, action=action)
    return pagecache.punch(request, renderer, html, action=action)


def _stencil(request, render, values):
    """(html with markers, {slot: marker}) from one real rendering."""
    slots = {field: f"stencil-{field}-{secrets.token_hex(8)}" for field in values}
    html = str(render(request, **slots))
    csrf, key = CSRF_VALUE.search(html).group(1), KEY_VALUE.search(html).group(1)
    CaptchaStore.objects.filter(hashkey=key).delete()  # rendered, never shown
    slots["csrf"] = f"stencil-csrf-{secrets.token_hex(8)}"
    slots["key"] = f"stencil-key-{secrets.token_hex(8)}"
    html = html.replace(csrf, slots["csrf"]).replace(key, slots["key"])
    return html, slots


@never_cache
def spoken_challenge(request, key):
    """The challenge for `key` as Mandarin speech (a WAV file)."""
    store = CaptchaStore.objects.filter(
        hashkey=key, expiration__gt=timezone.now()
    ).first()
    if store is None:
        raise Http404("验证码已过期，请返回刷新页面。")
    audio = synthesize(speech_text(store.challenge))
    if audio is None:
        return HttpResponse(
            "语音验证码暂时不可用（服务器未安装语音合成程序）。"
            "请返回表单看图输入，或拨打页面底部的联系电话由工作人员代为登记。",
            content_type="text/plain; charset=utf-8",
            status=503,
        )
    response = HttpResponse(audio, content_type="audio/wav")
    response["Content-Disposition"] = 'inline; filename="captcha.wav"'
    return response
