"""异议 during a 公示 (DESIGN rule 10): anyone may object to a posted result while its
公示 period runs. The objection reaches the unit and its supervising 纪委 with a
working-day deadline for the answer; the answer is shown under the result.

Nothing about the person is asked for or kept: no name, no address, no IP (the
throttle counts a keyed digest in the cache only).
"""

import logging

from django import forms
from django.conf import settings
from django.db import transaction
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404

from sunlight import throttle
from sunlight.captcha import CaptchaField, form_hole

from .forms import refuse_control_characters
from .results import raise_objection
from .views_results import public_results, result_detail, result_url

logger = logging.getLogger(__name__)
MAX_LENGTH = 2000
THROTTLE_SCOPE = "objection"


class ObjectionForm(forms.Form):
    content = forms.CharField(
        label="异议内容",
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=f"请写明对公示内容的具体异议和理由（{MAX_LENGTH} 字以内）。"
        "请勿填写本人或他人的身份证号、电话。",
        error_messages={
            "required": "请填写异议内容。",
            "max_length": f"异议内容不能超过 {MAX_LENGTH} 字（当前 %(show_value)d 字）。",
        },
    )
    captcha = CaptchaField()

    def clean_content(self):
        content = self.cleaned_data["content"].strip()
        if not content:
            raise forms.ValidationError("请填写异议内容。")
        return refuse_control_characters(content, "异议内容")


def objection_form_html(request, action, form=None):
    """The objection form, made anew (CSRF token, captcha) for every visitor."""
    return form_hole(
        request,
        objection_form_html,
        "disclosure/includes/objection_form.html",
        ObjectionForm,
        action,
        form,
    )


def raise_objection_view(unit, request, pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    result = get_object_or_404(public_results().filter(unit=unit), pk=pk)
    form = ObjectionForm(request.POST)
    if not result.in_publicity():
        form.add_error(
            None, "公示期已结束，不能再提出异议。如有问题可通过“我要举报”反映。"
        )
        return result_detail(unit, request, pk, objection_form=form, status=400)
    limit, window = settings.SUNLIGHT_OBJECTION_THROTTLE
    if not form.is_valid():
        return result_detail(unit, request, pk, objection_form=form, status=400)
    if not throttle.hit(request, THROTTLE_SCOPE, limit, window):
        form.add_error(None, "提交过于频繁，请稍后再试。")
        return result_detail(unit, request, pk, objection_form=form, status=429)
    with transaction.atomic():
        objection = raise_objection(result, form.cleaned_data["content"])
    transaction.on_commit(lambda: _notify(objection))
    url = result_url(unit, request, pk)
    return HttpResponseRedirect(f"{url}?objection=received#objection")


def _notify(objection):
    """The objection is stored and confirmed whatever happens here: a failure to
    note or mail it is logged, and `check_deadlines` chases it when it falls due."""
    from .reminders import notify_new_objection

    try:
        notify_new_objection(objection)
    except Exception:  # noqa: BLE001 - the stored objection must not become a 500
        logger.exception("notifying objection %s failed", objection.pk)
