"""The 一事一评议 form on every result page (DESIGN contract: the five levels,
评议意见, 验证码, 提交评议; 感谢您的评议 / 您已评议), and the rating counts of
result, item and unit pages.

Works without JavaScript: a plain POST, answered by a redirect back to the result
(the rating counted) or by the result page with the form's errors. The browser is
recognised by a random cookie, stored only as a per-result keyed digest; bursts from
one source are throttled on a keyed digest in the cache; no address is stored.
"""

import secrets

from django import forms
from django.conf import settings
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string

from sunlight import pagecache, throttle
from sunlight.captcha import CaptchaField, form_hole

from . import ratings
from .forms import refuse_control_characters
from .models.ratings import LEVELS, RatingTally
from .views_results import public_results, result_detail, result_url

COOKIE = "sunlight_rater"
COOKIE_MAX_AGE = 3 * 365 * 24 * 3600
THROTTLE_SCOPE = "rating"
LEVEL_ERROR = "请选择评议等级（非常满意、满意、基本满意、不满意、非常不满意之一）。"


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label="评议等级",
        choices=[(level.value, level.label) for level in LEVELS],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": LEVEL_ERROR, "invalid_choice": LEVEL_ERROR},
    )
    comment = forms.CharField(
        label="评议意见",
        required=False,
        max_length=ratings.COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"选填，{ratings.COMMENT_MAX_LENGTH} 字以内；意见经审核后公开，"
        "身份证号、电话等个人信息会自动遮盖。",
        error_messages={
            "max_length": f"评议意见不能超过 {ratings.COMMENT_MAX_LENGTH} 字"
            "（当前 %(show_value)d 字）。"
        },
    )
    captcha = CaptchaField()

    def clean_comment(self):
        return refuse_control_characters(
            self.cleaned_data["comment"].strip(), "评议意见"
        )


SUMMARY_CAPTION = "本事项评议情况"
ITEM_SUMMARY_CAPTION = "本事项办理结果的群众评议"
UNIT_SUMMARY_CAPTION = "群众评议（含下属单位）"


def _counts_hole(request, renderer, name, tag, read, caption, **params):
    """Rating counts rendered once per version of `tag` (a rating moves it), as a
    hole of the cached page that every visitor gets from `renderer(request,
    **params)`."""
    html = pagecache.fragment(
        name,
        lambda: render_to_string(
            "disclosure/includes/rating_summary.html",
            {"summary": read(), "caption": caption},
        ),
        tag=tag,
    )
    return pagecache.punch(request, renderer, html, **params)


# The counts on the result, item and unit pages are holes of their cached copies,
# so that a rating (20 a second at peak) expires none of those pages.


def rating_summary_html(request, result_id):
    return _counts_hole(
        request,
        rating_summary_html,
        f"rating-summary:{result_id}",
        f"counts:{result_id}",
        lambda: ratings.summary(RatingTally.Scope.RESULT, result_id),
        SUMMARY_CAPTION,
        result_id=result_id,
    )


def item_rating_summary_html(request, item_id):
    return _counts_hole(
        request,
        item_rating_summary_html,
        f"item-rating-summary:{item_id}",
        f"item:{item_id}",
        lambda: ratings.summary(RatingTally.Scope.ITEM, item_id),
        ITEM_SUMMARY_CAPTION,
        item_id=item_id,
    )


def unit_rating_summary_html(request, unit_path):
    """A unit's counts with the units below it (a rating bumps the tags of its
    unit's path and every path above)."""
    return _counts_hole(
        request,
        unit_rating_summary_html,
        f"unit-rating-summary:{unit_path}",
        f"unit-path:{unit_path}",
        lambda: ratings.path_summary(unit_path),
        UNIT_SUMMARY_CAPTION,
        unit_path=unit_path,
    )


def rating_form_html(request, action, form=None):
    """The rating form, made anew (CSRF token, captcha) for every visitor."""
    return form_hole(
        request,
        rating_form_html,
        "disclosure/includes/rating_form.html",
        RatingForm,
        action,
        form,
    )


def rate_view(unit, request, pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    result = get_object_or_404(public_results().filter(unit=unit), pk=pk)
    result.unit = unit  # routed here: its page and tree path are known
    form = RatingForm(request.POST)
    token = request.COOKIES.get(COOKIE, "")
    if not form.is_valid():
        return result_detail(unit, request, pk, rating_form=form, status=400)
    if ratings.has_rated(result.pk, token):
        return _already_rated(unit, request, pk, form)
    limit, window = settings.SUNLIGHT_RATING_THROTTLE
    if not throttle.hit(request, THROTTLE_SCOPE, limit, window):
        form.add_error(None, "提交过于频繁，请稍后再试。")
        return result_detail(unit, request, pk, rating_form=form, status=429)
    if not _valid_token(token):
        token = secrets.token_urlsafe(24)
    try:
        ratings.submit(
            result, form.cleaned_data["level"], form.cleaned_data["comment"], token
        )
    except ratings.AlreadyRated:
        return _already_rated(unit, request, pk, form)
    url = result_url(unit, request, pk)
    done = "rating=received" + (
        "&comment=pending" if form.cleaned_data["comment"] else ""
    )
    response = HttpResponseRedirect(f"{url}?{done}#rating")
    response.set_cookie(
        COOKIE,
        token,
        max_age=COOKIE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _valid_token(token):
    return 20 <= len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum()


def _already_rated(unit, request, pk, form):
    form.add_error(None, "您已评议过该事项，每个事项只能评议一次。感谢您的参与。")
    return result_detail(unit, request, pk, rating_form=form, status=409)
