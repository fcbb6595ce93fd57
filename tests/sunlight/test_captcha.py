import datetime
import re

from django import forms
from django.core.cache import cache
from django.utils import timezone

import pytest
from captcha.models import CaptchaStore

from sunlight import captcha


class CaptchaForm(forms.Form):
    captcha = captcha.CaptchaField()


def test_challenge_is_digits_spoken_in_chinese():
    challenge, response = captcha.digits_challenge()
    assert challenge == response and re.fullmatch(r"\d{5}", challenge)
    assert captcha.speech_text("305") == "验证码是：三，零，五。再说一遍：三，零，五。"


@pytest.mark.django_db
def test_widget_has_the_contract_label_and_an_audio_alternative(monkeypatch):
    monkeypatch.setattr(captcha, "espeak_path", lambda: "/usr/bin/espeak-ng")
    html = str(CaptchaForm()["captcha"].label_tag()) + str(CaptchaForm()["captcha"])
    assert ">验证码:<" in html
    assert "收听语音验证码（普通话）" in html
    assert 'for="id_captcha_1"' in html


@pytest.mark.django_db
def test_without_espeak_the_form_says_so(monkeypatch):
    monkeypatch.setattr(captcha, "espeak_path", lambda: None)
    html = str(CaptchaForm()["captcha"])
    assert "语音验证码暂时不可用" in html
    assert "spoken" not in html


@pytest.mark.django_db
def test_wrong_answer_is_refused_in_chinese():
    key = CaptchaStore.generate_key()
    form = CaptchaForm({"captcha_0": key, "captcha_1": "wrong"})
    assert not form.is_valid()
    assert "验证码不正确" in form.errors["captcha"][0]
    assert not CaptchaStore.objects.filter(hashkey=key).exists()


@pytest.mark.django_db
def test_right_answer_passes_once():
    key = CaptchaStore.generate_key()
    answer = CaptchaStore.objects.get(hashkey=key).response
    assert CaptchaForm({"captcha_0": key, "captcha_1": answer}).is_valid()
    assert not CaptchaForm({"captcha_0": key, "captcha_1": answer}).is_valid()


@pytest.mark.django_db
def test_spoken_challenge_view(client, monkeypatch):
    key = CaptchaStore.generate_key()
    monkeypatch.setattr(
        captcha, "synthesize", lambda text: b"RIFF....WAVE" + text.encode()
    )
    response = client.get(f"/captcha/spoken/{key}.wav")
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert "no-cache" in response["Cache-Control"]
    monkeypatch.setattr(captcha, "synthesize", lambda text: None)
    response = client.get(f"/captcha/spoken/{key}.wav")
    assert response.status_code == 503
    assert "语音验证码暂时不可用" in response.content.decode()
    assert client.get("/captcha/spoken/nosuchkey.wav").status_code == 404


@pytest.mark.skipif(not captcha.shutil.which("espeak-ng"), reason="espeak-ng 未安装")
def test_espeak_speaks_mandarin_wav():
    captcha.espeak_path.cache_clear()
    audio = captcha.synthesize(captcha.speech_text("12345"))
    assert audio[:4] == b"RIFF" and audio[8:12] == b"WAVE" and len(audio) > 10_000


@pytest.mark.django_db
def test_an_expired_challenge_is_refused_even_with_the_right_answer():
    key = CaptchaStore.generate_key()
    store = CaptchaStore.objects.get(hashkey=key)
    store.expiration = timezone.now() - datetime.timedelta(seconds=1)
    store.save()
    form = CaptchaForm({"captcha_0": key, "captcha_1": store.response})
    assert not form.is_valid()
    assert "已过期" in form.errors["captcha"][0]


@pytest.mark.django_db
def test_expired_challenges_are_swept_at_most_once_a_minute():
    cache.delete(captcha.SWEEP_KEY)
    old = CaptchaStore.generate_key()
    CaptchaStore.objects.filter(hashkey=old).update(
        expiration=timezone.now() - datetime.timedelta(minutes=1)
    )
    fresh = CaptchaStore.generate_key()
    CaptchaForm({"captcha_0": fresh, "captcha_1": "wrong"}).is_valid()
    assert not CaptchaStore.objects.filter(hashkey=old).exists()
    later = CaptchaStore.generate_key()
    CaptchaStore.objects.filter(hashkey=later).update(
        expiration=timezone.now() - datetime.timedelta(minutes=1)
    )
    CaptchaForm({"captcha_0": "unknown", "captcha_1": "12345"}).is_valid()
    # Swept a moment ago: the next sweep waits for the minute to pass.
    assert CaptchaStore.objects.filter(hashkey=later).exists()


@pytest.mark.django_db
def test_a_missing_answer_is_refused_and_uses_nothing_up():
    key = CaptchaStore.generate_key()
    form = CaptchaForm({"captcha_0": key, "captcha_1": ""})
    assert not form.is_valid()
    assert form.errors["captcha"] == ["请输入验证码。"]
    assert CaptchaStore.objects.filter(hashkey=key).exists()


def render_captcha_form(request, action):
    from django.template import engines

    template = engines["django"].from_string(
        '<form action="{{ action }}">{% csrf_token %}{{ form.captcha }}</form>'
    )
    return template.render({"form": CaptchaForm(), "action": action}, request)


@pytest.mark.django_db
def test_a_fresh_form_is_the_real_rendering_with_each_visitors_token_and_challenge(
    rf, monkeypatch
):
    monkeypatch.setattr(captcha, "_stencils", {})
    forms_seen = []
    for action in (
        "/a/results/1/rating/",
        '/b/"x"&<y>/rating/',
        "/a/results/1/rating/",
    ):
        request = rf.get("/")
        html = captcha.fresh_form_html(
            request, "test", render_captcha_form, action=action
        )
        key = captcha.KEY_VALUE.search(html).group(1)
        token = captcha.CSRF_VALUE.search(html).group(1)
        assert CaptchaStore.objects.filter(hashkey=key).exists()
        assert request.META["CSRF_COOKIE_NEEDS_UPDATE"]  # the cookie goes out
        # Exactly what the template renders for this visitor, challenge and token.
        with monkeypatch.context() as patch:
            patch.setattr(
                CaptchaStore, "generate_key", classmethod(lambda c, g=0, k=key: k)
            )
            patch.setattr(
                "django.template.context_processors.get_token", lambda r, t=token: t
            )
            expected = render_captcha_form(request, action)
        assert html == expected
        forms_seen.append((key, token))
    assert len({key for key, _ in forms_seen}) == len({t for _, t in forms_seen}) == 3
    assert len(captcha._stencils) == 1  # rendered once
    # The rendering the copy was made from used a challenge nobody was shown.
    assert CaptchaStore.objects.count() == 3
