"""Public 举报 pages: /report/, /report/status/, adding to a report, recovery.

Thin: forms validate, `intake` stores, `access` checks the key. No session, no
cookie of our own and no client detail is stored (DESIGN rule 9); the confirmation
is the answer to the POST itself, so nothing links the browser to the report later.
Pages carrying a 查询码 are never cached.
"""

import logging
from functools import wraps

from django.conf import settings
from django.core import signing
from django.db import DatabaseError, transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache

from sunlight import pagecache, throttle
from sunlight.captcha import fresh_form_html
from sunlight.preferences import elderly_mode

from . import access, intake
from .forms import RecoverForm, ReportForm, StatusForm, SupplementForm
from .models import Report, ReportEvent, coarse_now
from .status import public_view

logger = logging.getLogger(__name__)
ACCESS_SALT = "complaints.status.access"
ACCESS_MAX_AGE = 30 * 60
BUSY = (
    "系统繁忙，本次提交未能完成，请稍后再次点击“提交举报”（同一份举报不会重复保存）。"
)
TOO_OFTEN = "提交过于频繁，请一小时后再试。如情况紧急，可拨打页面底部的联系电话。"
WRONG = "查询码或查询密码不正确，请核对后重试。"
TOO_MANY_TRIES = "查询失败次数过多，请一小时后再试。"


def _unavailable(where, error):
    """Log an outage by the error's class only: a database message can quote the
    values of the statement, and reports must not reach the logs."""
    logger.error("%s: storage unavailable (%s)", where, type(error).__name__)


def _render(request, template, context, status=200):
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def outage_safe(view):
    """Whatever a public view was doing when the database went away, the answer
    is a page that needs no query and asks to try again — never a server error
    (DESIGN rule 8). A fresh form needs the database too (its captcha)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DatabaseError as error:
            _unavailable(view.__name__, error)
            return _render(request, "complaints/unavailable.html", {}, 503)

    return wrapped


def _outage(request, template, context):
    """The page again with its error, or — when even that needs the unreachable
    database (the captcha, the unit list, the footer) — a page that needs none."""
    try:
        return _render(request, template, context, 503)
    except DatabaseError:
        return _render(request, "complaints/unavailable.html", {}, 503)


@never_cache
@outage_safe
def report(request):
    if request.method != "POST":
        return _blank_report_page(request)
    form = ReportForm(request.POST, request.FILES)
    try:
        valid = form.is_valid()
    except DatabaseError as error:
        _unavailable("report form (validating)", error)
        return _busy(request, form)
    if not valid:
        return _render(request, "complaints/report_form.html", {"form": form}, 400)
    limit, window = settings.REPORT_SUBMIT_THROTTLE
    if not throttle.hit(request, "report-submit", limit, window):
        form.add_error(None, TOO_OFTEN)
        return _render(request, "complaints/report_form.html", {"form": form}, 429)
    data = form.cleaned_data
    submission = intake.Submission(
        accused_person=data["accused_person"],
        accused_post=data["accused_post"],
        accused_unit=data["accused_unit"],
        content=data["content"],
        password=data["password"],
        anonymous=form.anonymous,
        name=data["name"],
        id_number=data["id_number"],
        phone=data["phone"],
        files=data["attachments"],
        token=data["token"],
    )
    try:
        filed = intake.file_report(submission)
    except intake.IntakeError as error:
        form.add_error("accused_unit", str(error))
        return _render(request, "complaints/report_form.html", {"form": form}, 400)
    except (DatabaseError, OSError) as error:
        _unavailable("report form (storing)", error)
        return _busy(request, form)
    if filed.repeated and not access.check_password(
        data["password"], filed.report.password_hash
    ):
        form.add_error(None, "该表单已经提交过。如需再次举报，请重新打开举报页面填写。")
        return _render(request, "complaints/report_form.html", {"form": form}, 409)
    context = {"report": filed.report, "repeated": filed.repeated}
    try:
        return _render(request, "complaints/report_done.html", context)
    except DatabaseError as error:
        # Stored already: the 查询码 must reach the reporter all the same.
        _unavailable("report confirmation", error)
        return _render(request, "complaints/report_done_plain.html", context)


def _blank_report_page(request):
    """The form for a new report. Under the page cache, a copy per generation of
    published content (the unit list, the footer) is filled with this visitor's
    CSRF token, captcha and form token instead of rendering ~30 fields anew."""
    generation = pagecache.generation(request)
    if generation is None:
        return _render(request, "complaints/report_form.html", {"form": ReportForm()})
    name = (
        "report-form",
        generation,
        elderly_mode(request),
        request.get_host(),
        request.get_full_path(),
    )
    html = fresh_form_html(
        request, name, _render_report_form, token=access.new_form_token()
    )
    response = HttpResponse(html)
    response["Cache-Control"] = "no-store"
    return response


def _render_report_form(request, token):
    form = ReportForm(initial={"token": token})
    return render_to_string("complaints/report_form.html", {"form": form}, request)


def _busy(request, form):
    form.add_error(None, BUSY)
    return _outage(request, "complaints/report_form.html", {"form": form, "busy": True})


def _status_page(request, report, supplement_form=None, notice=""):
    token = signing.dumps({"r": report.pk, "c": report.code}, salt=ACCESS_SALT)
    form = supplement_form or SupplementForm(initial={"access_token": token})
    form.initial["access_token"] = token
    if supplement_form is not None:
        form.data = form.data.copy()
        form.data["access_token"] = token
    return _render(
        request,
        "complaints/status.html",
        {"view": public_view(report), "form": form, "notice": notice},
    )


@never_cache
@outage_safe
def status(request):
    if request.method != "POST":
        return _render(request, "complaints/status_form.html", {"form": StatusForm()})
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _render(request, "complaints/status_form.html", {"form": form}, 400)
    code = form.cleaned_data["code"]
    limit, window = settings.REPORT_STATUS_THROTTLE
    if throttle.blocked(request, "report-status", limit) or throttle.exceeded(
        "report-status-code", code, limit
    ):
        form.add_error(None, TOO_MANY_TRIES)
        return _render(request, "complaints/status_form.html", {"form": form}, 429)
    try:
        found = Report.objects.filter(code=code).first()
    except DatabaseError as error:
        _unavailable("report status", error)
        form.add_error(None, "系统繁忙，请稍后再查询。")
        return _outage(request, "complaints/status_form.html", {"form": form})
    password_hash = found.password_hash if found else None
    if not access.check_password(form.cleaned_data["password"], password_hash):
        throttle.fail(request, "report-status", window)
        if not throttle.lifted():
            throttle.count("report-status-code", code, window)
        form.add_error(None, WRONG)
        return _render(request, "complaints/status_form.html", {"form": form}, 400)
    return _status_page(request, found)


@never_cache
@outage_safe
def supplement(request):
    """The reporter adds information; the page's signed token stands for the
    查询码 and 查询密码 they just entered, for half an hour, without a cookie."""
    if request.method != "POST":
        return _render(request, "complaints/status_form.html", {"form": StatusForm()})
    try:
        key = signing.loads(
            request.POST.get("access_token", ""),
            salt=ACCESS_SALT,
            max_age=ACCESS_MAX_AGE,
        )
        report = Report.objects.get(pk=key["r"], code=key["c"])
    except (signing.BadSignature, Report.DoesNotExist, KeyError, TypeError):
        return _render(
            request,
            "complaints/status_form.html",
            {
                "form": StatusForm(),
                "error": "页面已过期，请重新输入查询码和查询密码后再补充材料。",
            },
            400,
        )
    form = SupplementForm(request.POST, request.FILES)
    if not form.is_valid():
        return _status_page(request, report, supplement_form=form)
    saved = []
    try:
        with transaction.atomic():
            event = ReportEvent.objects.create(
                report=report,
                kind=ReportEvent.Kind.SUPPLEMENT,
                text=form.cleaned_data["text"],
                created_at=coarse_now(),
            )
            first = report.attachments.count() + 1
            for offset, clean in enumerate(form.cleaned_data["attachments"]):
                intake.store_attachment(report, clean, first + offset, saved, event)
    except (DatabaseError, OSError) as error:
        intake.remove_files(saved)
        _unavailable("report supplement", error)
        return _render(request, "complaints/unavailable.html", {}, 503)
    return _status_page(
        request, report, notice="补充材料已提交，纪委办理时将一并查阅。"
    )


@never_cache
@outage_safe
def recover(request):
    if request.method != "POST":
        return _render(request, "complaints/recover.html", {"form": RecoverForm()})
    form = RecoverForm(request.POST)
    if not form.is_valid():
        return _render(request, "complaints/recover.html", {"form": form}, 400)
    limit, window = settings.REPORT_RECOVER_THROTTLE
    if not throttle.hit(request, "report-recover", limit, window):
        form.add_error(None, "找回尝试过于频繁，请一小时后再试。")
        return _render(request, "complaints/recover.html", {"form": form}, 429)
    data = form.cleaned_data
    reports = access.reports_of_identity(data["name"], data["id_number"], data["phone"])
    if not reports:
        form.add_error(
            None,
            "未找到与上述身份信息相符的实名举报。请核对姓名、身份证号和联系电话"
            "（须与举报时填写的一致）。",
        )
        return _render(request, "complaints/recover.html", {"form": form}, 400)
    access.reset_password(reports, data["password"])
    return _render(request, "complaints/recovered.html", {"reports": reports})
