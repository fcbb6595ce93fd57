"""The 纪委's 举报 workspace in the Wagtail admin (issue 8, items 3, 4 and 6).

Access is decided by `handling` (members of the handling 纪委, recusals removed);
these views only render and dispatch. A report out of scope answers 404, so a
probing URL does not even learn that it exists.
"""

import secrets

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from disclosure.exports import XLSX_TYPE, download
from disclosure.workdays import due_date, explain, format_date

from . import admin_forms, analysis, handling, intake
from .models import Report, ReportAttachment

INDEX = "complaints_admin_index"
DETAIL = "complaints_admin_detail"
REGISTER = "complaints_admin_register"
ANALYSIS = "complaints_admin_analysis"
ATTACHMENT = "complaints_admin_attachment"
State = Report.State

ACTIONS = {
    "accept": (admin_forms.AcceptForm, "受理"),
    "reject": (admin_forms.RejectForm, "不予受理"),
    "transfer": (admin_forms.TransferForm, "移送"),
    "investigate": (admin_forms.InvestigateForm, "开始核查"),
    "close": (admin_forms.CloseForm, "办结"),
    "reply": (admin_forms.ReplyForm, "答复举报人"),
    "principal": (admin_forms.PrincipalForm, "认定为主要负责人"),
}
#: Which actions each state offers (beyond 答复, always offered while open).
STATE_ACTIONS = {
    State.PENDING: ("accept", "reject", "transfer", "principal"),
    State.TRANSFERRED: ("accept", "reject", "transfer", "principal"),
    State.ACCEPTED: ("investigate", "close", "transfer", "principal"),
    State.INVESTIGATING: ("close", "principal"),
    State.REJECTED: (),
    State.CLOSED: (),
}


class HandlerMixin(WagtailAdminTemplateMixin):
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        if not handling.is_handler(request.user):
            return TemplateResponse(
                request,
                "complaints/admin/forbidden.html",
                {"page_title": "无权访问", "header_icon": "warning"},
                status=403,
            )
        return super().dispatch(request, *args, **kwargs)


def flags(report, today):
    result = handling.overdue_flags(report, today)
    if report.due_provisional:
        result.append("期限暂定")
    if report.escalation_missing:
        result.append("须报上级纪委")
    return result


class ReportListView(HandlerMixin, TemplateView):
    page_title = "举报办理"
    template_name = "complaints/admin/index.html"
    filters = (
        ("open", "待办"),
        ("overdue", "逾期"),
        ("all", "全部"),
        *((state.value, state.label) for state in State),
    )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        chosen = self.request.GET.get("show", "open")
        reports = handling.visible_reports(self.request.user).select_related(
            "accused_unit", "handler"
        )
        if chosen == "open":
            reports = reports.filter(
                state__in=(*handling.AWAITING, State.ACCEPTED, State.INVESTIGATING)
            )
        elif chosen == "overdue":
            reports = reports.filter(
                state__in=handling.AWAITING, acknowledge_due__lt=today
            )
        elif chosen in State.values:
            reports = reports.filter(state=chosen)
        page = Paginator(reports.order_by("acknowledge_due", "pk"), 50).get_page(
            self.request.GET.get("p")
        )
        for report in page:
            report.flags = flags(report, today)
        context.update(
            page_obj=page,
            filters=self.filters,
            chosen=chosen,
            commissions=handling.commissions_of(self.request.user),
        )
        return context


class ReportDetailView(HandlerMixin, TemplateView):
    template_name = "complaints/admin/detail.html"
    breadcrumbs_items = [
        *WagtailAdminTemplateMixin.breadcrumbs_items,
        {"url": reverse_lazy(INDEX), "label": "举报办理"},
    ]

    @cached_property
    def report(self):
        report = get_object_or_404(
            Report.objects.select_related("accused_unit", "handler"),
            pk=self.kwargs["pk"],
        )
        if not handling.can_view(self.request.user, report):
            raise Http404("举报不存在或不在您的办理范围内")
        return report

    def get_page_title(self):
        return f"举报 {self.report.grouped_code}"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def forms(self, bound=None, data=None, files=None):
        available = (*STATE_ACTIONS[State(self.report.state)],)
        if self.report.state not in (State.REJECTED, State.CLOSED):
            available += ("reply",)
        result = []
        for name in available:
            form_class, label = ACTIONS[name]
            kwargs = {"prefix": name}
            if form_class is admin_forms.TransferForm:
                kwargs["report"] = self.report
            if name == bound:
                form = form_class(data, files, **kwargs)
            else:
                form = form_class(**kwargs)
            result.append((name, label, form))
        return result

    def get_context_data(self, identity=None, action_forms=None, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.report
        today = timezone.localdate()
        context.update(
            report=report,
            flags=flags(report, today),
            events=report.events.select_related("actor", "from_unit", "to_unit"),
            attachments=report.attachments.all(),
            action_forms=action_forms or self.forms(),
            identity=identity,
            acknowledge_explanation=explain(
                due_date(report.received_on, _days("ACKNOWLEDGE"))
            ),
            transfer_explanation=explain(
                due_date(report.received_on, _days("TRANSFER"))
            ),
            format_date=format_date,
        )
        return context

    def get(self, request, *args, **kwargs):
        self.report  # noqa: B018 - 404 before anything renders
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        report = self.report
        action = request.POST.get("action", "")
        if action == "identity":
            identity = handling.reveal_identity(report, request.user)
            return self.render_to_response(self.get_context_data(identity=identity))
        if action not in ACTIONS:
            raise Http404("未知操作")
        action_forms = self.forms(action, request.POST, request.FILES)
        form = next(f for name, _, f in action_forms if name == action)
        if not form.is_valid():
            return self.render_to_response(
                self.get_context_data(action_forms=action_forms), status=400
            )
        try:
            outcome = self.apply(action, form.cleaned_data)
        except handling.HandlingError as error:
            form.add_error(None, str(error))
            return self.render_to_response(
                self.get_context_data(action_forms=action_forms), status=400
            )
        messages.success(request, outcome)
        if handling.can_view(request.user, Report.objects.get(pk=report.pk)):
            return redirect(DETAIL, pk=report.pk)
        return redirect(INDEX)

    def apply(self, action, data):
        report, user = self.report, self.request.user
        label = ACTIONS[action][1]
        if action == "accept":
            handling.accept(report, user, data["category"], data["message"])
        elif action == "reject":
            handling.reject(report, user, data["reason"], data["message"])
        elif action == "transfer":
            handling.transfer(
                report, user, data["to_unit"], data["reason"], data["message"]
            )
            return f"已移送{data['to_unit'].title}。"
        elif action == "investigate":
            handling.investigate(report, user, data["note"])
        elif action == "close":
            handling.close(
                report, user, data["result"], data["scope"], data["announcement"]
            )
        elif action == "reply":
            handling.reply(report, user, data["message"])
        elif action == "principal":
            target = handling.mark_principal(report, user, data["reason"])
            if target is not None:
                return f"已认定为主要负责人，举报已转由{target.title}办理。"
        return f"已{label}。"


def _days(which):
    return getattr(settings, f"REPORT_{which}_WORKING_DAYS")


class AttachmentView(HandlerMixin, TemplateView):
    def get(self, request, pk, attachment_pk):
        report = get_object_or_404(Report, pk=pk)
        if not handling.can_view(request.user, report):
            raise Http404("附件不存在")
        attachment = get_object_or_404(
            ReportAttachment, pk=attachment_pk, report=report
        )
        try:
            handle = handling.open_attachment(report, attachment, request.user)
        except (PermissionDenied, FileNotFoundError) as error:
            raise Http404("附件不存在") from error
        response = FileResponse(handle, as_attachment=True, filename=attachment.name)
        response["Cache-Control"] = "no-store"
        return response


class RegisterView(HandlerMixin, TemplateView):
    """来信/来电/来访 entered by 纪委 staff; the 查询码 (and a generated password)
    are shown once, to be passed on to the reporter."""

    page_title = "登记来信来电来访举报"
    template_name = "complaints/admin/register.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = form or admin_forms.RegisterForm(
            initial={"received_on": timezone.localdate()}
        )
        return context

    def post(self, request, *args, **kwargs):
        form = admin_forms.RegisterForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        data = form.cleaned_data
        password = data["password"] or secrets.token_urlsafe(9)
        try:
            filed = intake.file_report(
                intake.Submission(
                    accused_person=data["accused_person"],
                    accused_post=data["accused_post"],
                    accused_unit=data["accused_unit"],
                    content=data["content"],
                    password=password,
                    anonymous=form.anonymous,
                    name=data["name"],
                    id_number=data["id_number"],
                    phone=data["phone"],
                    files=data["attachments"],
                    channel=data["channel"],
                    received_on=data["received_on"],
                    registered_by=request.user,
                )
            )
        except intake.IntakeError as error:
            form.add_error("accused_unit", str(error))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        report = filed.report
        log(report, "complaints.registered", user=request.user)
        return TemplateResponse(
            request,
            "complaints/admin/registered.html",
            {
                "page_title": "举报已登记",
                "header_icon": "warning",
                "report": report,
                "password": None if data["password"] else password,
                "visible": handling.can_view(request.user, report),
            },
        )


class AnalysisView(HandlerMixin, TemplateView):
    page_title = "举报季度分析"
    template_name = "complaints/admin/analysis.html"

    @cached_property
    def quarter(self):
        current = analysis.Quarter.of(timezone.localdate())
        try:
            year = int(self.request.GET.get("year", current.year))
            number = int(self.request.GET.get("quarter", current.number))
        except ValueError:
            return current
        if not (2000 <= year <= current.year + 1 and 1 <= number <= 4):
            return current
        return analysis.Quarter(year, number)

    def tables(self):
        return analysis.quarter_tables(
            handling.visible_reports(self.request.user), self.quarter
        )

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") != "xlsx":
            return super().get(request, *args, **kwargs)
        names = [c.title for c in handling.commissions_of(request.user)]
        content = analysis.workbook(self.tables(), self.quarter, names)
        log_target = handling.commissions_of(request.user).first()
        if log_target is not None:
            log(
                log_target,
                "complaints.analysis_exported",
                user=request.user,
                data={"quarter": self.quarter.label},
            )
        name = f"举报分析-{self.quarter.year}Q{self.quarter.number}.xlsx"
        return download(
            content,
            XLSX_TYPE,
            name,
            f"reports-{self.quarter.year}Q{self.quarter.number}.xlsx",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        current = analysis.Quarter.of(timezone.localdate())
        choices, quarter = [], current
        for _ in range(8):
            choices.append(quarter)
            quarter = quarter.previous()
        context.update(
            quarter=self.quarter,
            tables=self.tables(),
            choices=choices,
            export_url=reverse(ANALYSIS)
            + f"?year={self.quarter.year}&quarter={self.quarter.number}&format=xlsx",
        )
        return context
