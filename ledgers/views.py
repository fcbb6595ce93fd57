"""The 两个责任 workspace in the Wagtail admin: the ledgers of the units a user keeps
or supervises, per year. Views read through `access`, change through `services`,
and show a refusal's message with the form (status 400) — never a 500.

Every page reads a fixed number of queries: counts are grouped in SQL and related
rows fetched in one query per kind, whatever the number of units or problems.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from complaints.models import Report
from disclosure.models import UnitPage
from disclosure.workdays import format_date
from supervision.models import Finding

from . import access, cadence, forms, indicators, rectification, services, signing
from .models import (
    Evidence,
    Interview,
    Problem,
    ResponsibilityList,
    SignOff,
    WorkReport,
)

INDEX = "ledgers_index"
UNIT = "ledgers_unit"
LIST = "ledgers_list"
PROBLEM = "ledgers_problem"
EVIDENCE = "ledgers_evidence"
SIGN = "ledgers_sign"
REPORTS = "ledgers_reports"
REPORT = "ledgers_report"
Subject = SignOff.Subject
OPEN = (rectification.OPEN, rectification.PLANNED, rectification.RETURNED)
LEDGER_UNIT_TYPES = tuple(cadence.OWED_BY)
YEARS_SHOWN = 5


def chosen_year(request):
    current = timezone.localdate().year
    try:
        year = int(request.GET.get("year", current))
    except ValueError:
        return current
    return year if 2000 <= year <= current + 1 else current


def scoped(queryset, user, field="unit_id"):
    units = access.visible_units(user)
    return queryset if units is None else queryset.filter(**{f"{field}__in": units})


class LedgerMixin(WagtailAdminTemplateMixin):
    header_icon = "tasks"
    breadcrumbs_items = [
        *WagtailAdminTemplateMixin.breadcrumbs_items,
        {"url": reverse_lazy(INDEX), "label": "两个责任"},
    ]

    def dispatch(self, request, *args, **kwargs):
        if not access.has_access(request.user):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def refuse(self, message, **context):
        """Show the page again with the refusal; nothing was changed."""
        messages.error(self.request, message)
        return self.render_to_response(self.get_context_data(**context), status=400)


def forbidden(request):
    return TemplateResponse(
        request,
        "ledgers/admin/forbidden.html",
        {"page_title": "无权查看", "header_icon": "warning"},
        status=403,
    )


def _years():
    current = timezone.localdate().year
    return list(range(current + 1, current - YEARS_SHOWN, -1))


# Overview ---------------------------------------------------------------------------


class IndexView(LedgerMixin, TemplateView):
    """Every unit in scope that keeps ledgers (党委, 纪委, or one with problems)
    with its lists' sign-off state, problems by state and overdue reports."""

    page_title = "两个责任"
    breadcrumbs_items = WagtailAdminTemplateMixin.breadcrumbs_items
    template_name = "ledgers/admin/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, year = self.request.user, chosen_year(self.request)
        today = timezone.localdate()
        with_problems = Problem.objects.filter(year=year).values("unit_id")
        units = scoped(
            UnitPage.objects.filter(
                Q(unit_type__in=LEDGER_UNIT_TYPES) | Q(pk__in=with_problems)
            ),
            user,
            "pk",
        ).order_by("path")
        page = Paginator(units.only("pk", "title", "code", "unit_type", "path"), 50)
        page = page.get_page(self.request.GET.get("p"))
        rows = list(page.object_list)
        ids = [unit.pk for unit in rows]
        lists = self._list_states(ids, year)
        problems = {
            row.pop("unit_id"): row
            for row in Problem.objects.filter(unit_id__in=ids, year=year)
            .order_by()
            .values("unit_id")
            .annotate(
                total=Count("pk"),
                open=Count("pk", filter=Q(state__in=OPEN)),
                submitted=Count("pk", filter=Q(state=rectification.SUBMITTED)),
                overdue=Count(
                    "pk",
                    filter=Q(
                        state__in=(rectification.PLANNED, rectification.RETURNED),
                        due__lt=today,
                    ),
                ),
                accepted=Count("pk", filter=Q(state=rectification.ACCEPTED)),
            )
        }
        overdue_reports = dict(
            WorkReport.objects.filter(
                unit_id__in=ids, submitted_on__isnull=True, due__lt=today
            )
            .order_by()
            .values("unit_id")
            .annotate(n=Count("pk"))
            .values_list("unit_id", "n")
        )
        for unit in rows:
            unit.lists = lists.get(unit.pk, [])
            unit.problems = problems.get(unit.pk, {})
            unit.overdue_reports = overdue_reports.get(unit.pk, 0)
        context.update(
            year=year, years=_years(), page_obj=page, units=rows, today=today
        )
        return context

    def _list_states(self, unit_ids, year):
        """{unit id: [(list, sign state)]}: lists, items and sign-offs in three
        queries."""
        lists = list(
            ResponsibilityList.objects.filter(unit_id__in=unit_ids, year=year)
            .prefetch_related("items")
            .order_by("kind")
        )
        latest = services.latest_signoffs(unit_ids, year, [Subject.RESPONSIBILITY])
        found = {}
        for ledger in lists:
            key = (ledger.unit_id, Subject.RESPONSIBILITY, ledger.pk)
            state = services.list_sign_state(
                ledger, ledger.items.all(), latest.get(key)
            )
            found.setdefault(ledger.unit_id, []).append((ledger, state))
        return found


# One unit's year ----------------------------------------------------------------------


class UnitYearView(LedgerMixin, TemplateView):
    template_name = "ledgers/admin/unit.html"

    @cached_property
    def unit(self):
        unit = get_object_or_404(UnitPage, pk=self.kwargs["pk"])
        if not access.can_view(self.request.user, unit.pk):
            raise Http404("该单位不在您的范围内")
        return unit

    @property
    def year(self):
        return self.kwargs["year"]

    def get_page_title(self):
        return f"{self.unit.title} {self.year}年两个责任台账"

    def _reports_choices(self):
        return (
            scoped(
                Report.objects.only("pk", "code", "received_on"),
                self.request.user,
                "accused_unit_id",
            )
            .filter(accused_unit__path__startswith=self.unit.path)
            .order_by("-received_on")
        )

    def _findings(self):
        return scoped(
            Finding.objects.only("pk", "description", "created_at"),
            self.request.user,
        ).filter(unit__path__startswith=self.unit.path, created_at__year=self.year)

    def get_context_data(
        self, list_form=None, problem_form=None, interview_form=None, **kwargs
    ):
        context = super().get_context_data(**kwargs)
        user, unit, year = self.request.user, self.unit, self.year
        problems = list(
            Problem.objects.filter(unit=unit, year=year)
            .annotate(evidence_count=Count("evidence"))
            .order_by("pk")
        )
        lists = list(
            ResponsibilityList.objects.filter(unit=unit, year=year)
            .prefetch_related("items")
            .order_by("kind")
        )
        signoffs = list(
            SignOff.objects.filter(unit=unit, year=year).order_by("-signed_at", "-pk")
        )
        latest = {}
        for signoff in reversed(signoffs):
            latest[(signoff.subject, signoff.object_id)] = signoff
        list_rows = [
            (
                ledger,
                services.list_sign_state(
                    ledger,
                    ledger.items.all(),
                    latest.get((Subject.RESPONSIBILITY, ledger.pk)),
                ),
            )
            for ledger in lists
        ]
        names = services.evidence_names(problems)
        problem_state = signing.state_of(
            signing.content_hash(services.problem_snapshot(problems)),
            latest.get((Subject.PROBLEMS, None)),
        )
        rectification_state = signing.state_of(
            signing.content_hash(services.rectification_snapshot(problems, names)),
            latest.get((Subject.RECTIFICATIONS, None)),
        )
        today = timezone.localdate()
        for problem in problems:
            problem.overdue = bool(
                problem.due
                and problem.state in (rectification.PLANNED, rectification.RETURNED)
                and problem.due < today
            )
        missing_kinds = [
            kind
            for kind in ResponsibilityList.Kind
            if kind not in {ledger.kind for ledger in lists}
            and (kind == ResponsibilityList.Kind.SUPERVISORY) == unit.is_commission
        ]
        can_edit = access.can_edit(user, unit.pk)
        above = access.can_act_above(user, unit.pk)
        context.update(
            unit=unit,
            year=year,
            years=_years(),
            list_rows=list_rows,
            problems=problems,
            problem_state=problem_state,
            rectification_state=rectification_state,
            has_plans=any(p.planned_on for p in problems),
            reports=WorkReport.objects.filter(unit=unit, year=year).order_by(
                "kind", "period"
            ),
            interviews=Interview.objects.filter(unit=unit, year=year).select_related(
                "problem"
            ),
            signoffs=signoffs,
            can_edit=can_edit,
            above=above,
            can_sign=access.can_sign(user, unit.pk),
            can_interview=access.can_interview(user, unit.pk),
            missing_kinds=missing_kinds,
            today=today,
        )
        if can_edit and missing_kinds:
            context["list_form"] = list_form or forms.ListForm(
                initial={"kind": missing_kinds[0]}, prefix="list"
            )
            context["list_form"].fields["kind"].choices = [
                (kind.value, kind.label) for kind in missing_kinds
            ]
        if above:
            context["problem_form"] = problem_form or forms.ProblemForm(
                reports=self._reports_choices(),
                findings=self._findings(),
                prefix="problem",
            )
        if context["can_interview"]:
            context["interview_form"] = interview_form or forms.InterviewForm(
                problems=Problem.objects.filter(unit=unit, year=year),
                findings=self._findings(),
                prefix="interview",
            )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        handler = {
            "create_list": self._create_list,
            "record_problem": self._record_problem,
            "interview": self._interview,
        }.get(action)
        if handler is None:
            raise Http404("未知操作")
        return handler()

    def _create_list(self):
        form = forms.ListForm(self.request.POST, prefix="list")
        if not form.is_valid():
            return self.refuse("请检查清单信息。", list_form=form)
        data = form.cleaned_data
        try:
            ledger = services.create_list(
                self.request.user,
                self.unit,
                self.year,
                data["kind"],
                data["first_responsible"],
                data["basis"],
            )
        except services.ERRORS as error:
            return self.refuse(str(error), list_form=form)
        messages.success(self.request, f"已建立{ledger.get_kind_display()}。")
        return redirect(LIST, pk=ledger.pk)

    def _record_problem(self):
        form = forms.ProblemForm(
            self.request.POST,
            reports=self._reports_choices(),
            findings=self._findings(),
            prefix="problem",
        )
        if not form.is_valid():
            return self.refuse("请检查问题信息。", problem_form=form)
        try:
            problem = services.record_problem(
                self.request.user, self.unit, form.cleaned_data
            )
        except services.ERRORS as error:
            return self.refuse(str(error), problem_form=form)
        messages.success(
            self.request, "问题已列入问题清单，等待被监督单位报送整改方案。"
        )
        return redirect(UNIT, pk=self.unit.pk, year=problem.year)

    def _interview(self):
        problems = Problem.objects.filter(unit=self.unit, year=self.year)
        form = forms.InterviewForm(
            self.request.POST,
            problems=problems,
            findings=self._findings(),
            prefix="interview",
        )
        if not access.can_interview(self.request.user, self.unit.pk):
            return self.refuse("您无权登记该单位的约谈。")
        if not form.is_valid():
            return self.refuse("请检查约谈记录。", interview_form=form)
        interview = form.save(commit=False)
        if interview.held_on.year != self.year:
            form.add_error("held_on", f"约谈日期应在{self.year}年内。")
            return self.refuse("请检查约谈记录。", interview_form=form)
        if interview.trigger == Interview.Trigger.FINDING and not interview.finding:
            form.add_error("finding", "约谈起因为巡查发现时，请选择该巡查发现。")
            return self.refuse("请检查约谈记录。", interview_form=form)
        if interview.trigger == Interview.Trigger.PROBLEM and not interview.problem:
            form.add_error("problem", "约谈起因为问题清单中的问题时，请选择该问题。")
            return self.refuse("请检查约谈记录。", interview_form=form)
        statistic = STATISTIC_TRIGGERS.get(interview.trigger)
        if statistic:
            interview.trigger_detail = indicators.unit_statistics(self.unit, self.year)[
                statistic
            ]
        interview.unit, interview.year = self.unit, self.year
        interview.recorded_by = self.request.user
        interview.save()
        log(interview, "ledgers.interview_recorded", user=self.request.user)
        messages.success(self.request, "约谈记录已保存。")
        return redirect(UNIT, pk=self.unit.pk, year=self.year)


STATISTIC_TRIGGERS = {
    Interview.Trigger.RATINGS: "ratings",
    Interview.Trigger.REPORTS: "reports",
    Interview.Trigger.DISCLOSURE: "disclosure",
}


# Responsibility list --------------------------------------------------------------------


class ListView(LedgerMixin, TemplateView):
    template_name = "ledgers/admin/list.html"

    @cached_property
    def ledger(self):
        ledger = get_object_or_404(
            ResponsibilityList.objects.select_related("unit"), pk=self.kwargs["pk"]
        )
        if not access.can_view(self.request.user, ledger.unit_id):
            raise Http404("清单不存在或不在您的范围内")
        return ledger

    def get_page_title(self):
        return str(self.ledger)

    def get_breadcrumbs_items(self):
        ledger = self.ledger
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse(UNIT, args=[ledger.unit_id, ledger.year]),
                "label": f"{ledger.unit.title} {ledger.year}年",
            },
            {"url": "", "label": ledger.get_kind_display()},
        ]

    def get_context_data(self, forms_in_error=None, **kwargs):
        context = super().get_context_data(**kwargs)
        ledger, user = self.ledger, self.request.user
        items = list(ledger.items.all())
        evidence = {}
        for file in Evidence.objects.filter(item__in=items):
            evidence.setdefault(file.item_id, []).append(file)
        for item in items:
            item.files = evidence.get(item.pk, [])
        signoffs = list(
            SignOff.objects.filter(
                unit_id=ledger.unit_id,
                year=ledger.year,
                subject=Subject.RESPONSIBILITY,
                object_id=ledger.pk,
            ).select_related("signed_by")
        )
        state = services.list_sign_state(
            ledger, items, signoffs[0] if signoffs else None
        )
        can_edit = access.can_edit(user, ledger.unit_id)
        editing = self._chosen(items, "item")
        progress = self._chosen(items, "progress")
        given = forms_in_error or {}
        context.update(
            ledger=ledger,
            items=items,
            state=state,
            signoffs=signoffs,
            can_edit=can_edit,
            can_sign=access.can_sign(user, ledger.unit_id),
            editing=editing,
            progress_item=progress,
        )
        if can_edit and not state.is_signed:
            context["header_form"] = given.get("header") or forms.ListHeaderForm(
                instance=ledger
            )
            context["item_form"] = given.get("item") or forms.ItemForm(
                instance=editing, prefix="item"
            )
        if can_edit and progress:
            context["progress_form"] = given.get("progress") or forms.ProgressForm(
                initial={"done_on": progress.done_on, "progress": progress.progress},
                prefix="progress",
            )
        if context["can_sign"] and not state.is_signed:
            context["sign_form"] = given.get("sign") or forms.SignForm(prefix="sign")
        return context

    def _chosen(self, items, name):
        try:
            pk = int(self.request.GET.get(name, self.request.POST.get(name, "")))
        except ValueError:
            return None
        return next((item for item in items if item.pk == pk), None)

    def post(self, request, *args, **kwargs):
        ledger, user = self.ledger, request.user
        action = request.POST.get("action")
        items = list(ledger.items.all())
        try:
            if action == "header":
                form = forms.ListHeaderForm(request.POST, instance=ResponsibilityList())
                if not form.is_valid():
                    return self.refuse(
                        "请检查清单信息。", forms_in_error={"header": form}
                    )
                services.update_list(
                    user,
                    ledger.pk,
                    form.cleaned_data["first_responsible"],
                    form.cleaned_data["basis"],
                )
                done = "清单信息已保存。"
            elif action == "item":
                editing = self._chosen(items, "item")
                form = forms.ItemForm(request.POST, prefix="item")
                if not form.is_valid():
                    return self.refuse(
                        "请检查责任事项。", forms_in_error={"item": form}
                    )
                services.save_item(
                    user, ledger.pk, form.cleaned_data, editing.pk if editing else None
                )
                done = "责任事项已保存。"
            elif action == "delete_item":
                item = self._chosen(items, "item")
                if item is None:
                    return self.refuse("该责任事项不存在或已删除。")
                services.delete_item(user, ledger.pk, item.pk)
                done = "责任事项已删除。"
            elif action == "progress":
                item = self._chosen(items, "progress")
                form = forms.ProgressForm(
                    request.POST, request.FILES, prefix="progress"
                )
                if item is None or not form.is_valid():
                    return self.refuse(
                        "请检查履责情况。", forms_in_error={"progress": form}
                    )
                data = form.cleaned_data
                services.record_progress(
                    user, item.pk, data["done_on"], data["progress"], data["files"]
                )
                done = "履责情况已保存。"
            elif action == "reopen":
                services.reopen_list(user, ledger.pk)
                done = "已开启新版本，修改后请主要负责人重新签字背书。"
            elif action == "sign":
                form = forms.SignForm(request.POST, prefix="sign")
                if not form.is_valid():
                    return self.refuse(
                        "请填写审阅意见并确认。", forms_in_error={"sign": form}
                    )
                services.sign(
                    user,
                    Subject.RESPONSIBILITY,
                    unit=ledger.unit,
                    year=ledger.year,
                    target=ledger,
                    opinion=form.cleaned_data["opinion"],
                )
                done = "已签字背书。"
            else:
                raise Http404("未知操作")
        except services.ERRORS as error:
            return self.refuse(str(error))
        messages.success(request, done)
        return redirect(LIST, pk=ledger.pk)


# Problems -----------------------------------------------------------------------------


class ProblemView(LedgerMixin, TemplateView):
    template_name = "ledgers/admin/problem.html"

    @cached_property
    def problem(self):
        problem = get_object_or_404(
            Problem.objects.select_related(
                "unit", "report", "recorded_by", "reviewed_by"
            ),
            pk=self.kwargs["pk"],
        )
        if not access.can_view(self.request.user, problem.unit_id):
            raise Http404("问题不存在或不在您的范围内")
        return problem

    def get_page_title(self):
        return f"问题：{self.problem.description[:20]}"

    def get_breadcrumbs_items(self):
        problem = self.problem
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse(UNIT, args=[problem.unit_id, problem.year]),
                "label": f"{problem.unit.title} {problem.year}年",
            },
            {"url": "", "label": "问题详情"},
        ]

    def action_forms(self, bound=None, data=None, files=None):
        side = access.side_of(self.request.user, self.problem.unit_id)
        if side is None:
            return []
        found = []
        for action in rectification.available(self.problem.state, side):
            form_class = forms.ACTION_FORMS[action.name]
            if action.name == bound:
                form = form_class(data, files, prefix=action.name)
            else:
                form = form_class(prefix=action.name)
            found.append((action.name, action.label, form))
        return found

    def get_context_data(self, action_forms=None, **kwargs):
        context = super().get_context_data(**kwargs)
        problem = self.problem
        labels = {
            "recorded": "列入问题清单",
            **{name: a.label for name, a in rectification.ACTIONS.items()},
        }
        events = list(problem.events.select_related("actor"))
        for event in events:
            event.label = labels.get(event.action, event.action)
        context.update(
            problem=problem,
            state_label=rectification.STATE_LABELS[problem.state],
            events=events,
            evidence=problem.evidence.all(),
            interviews=problem.interviews.all(),
            action_forms=self.action_forms() if action_forms is None else action_forms,
            overdue=problem.is_overdue_open,
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        if action not in rectification.ACTIONS:
            raise Http404("未知操作")
        action_forms = self.action_forms(action, request.POST, request.FILES)
        form = next((f for name, _, f in action_forms if name == action), None)
        if form is None:
            return self.refuse(
                f"该问题当前状态为“{rectification.STATE_LABELS[self.problem.state]}”，"
                f"您不能{rectification.ACTIONS[action].label}。"
            )
        if not form.is_valid():
            return self.refuse("请检查填写的内容。", action_forms=action_forms)
        data = dict(form.cleaned_data)
        files = data.pop("files", [])
        try:
            services.act(request.user, self.problem.pk, action, data, files)
        except services.ERRORS as error:
            form.add_error(None, str(error))
            return self.refuse(str(error), action_forms=action_forms)
        messages.success(request, f"已{rectification.ACTIONS[action].label}。")
        return redirect(PROBLEM, pk=self.problem.pk)


class EvidenceView(LedgerMixin, TemplateView):
    def get(self, request, pk):
        evidence = get_object_or_404(
            Evidence.objects.select_related("problem", "item__responsibility_list"),
            pk=pk,
        )
        unit_id = (
            evidence.problem.unit_id
            if evidence.problem
            else evidence.item.responsibility_list.unit_id
        )
        if not access.can_view(request.user, unit_id):
            raise Http404("文件不存在")
        try:
            handle = evidence.file.open("rb")
        except FileNotFoundError as error:
            raise Http404("文件不存在") from error
        log(
            evidence.problem or evidence.item.responsibility_list,
            "ledgers.evidence_downloaded",
            user=request.user,
            data={"file": evidence.name},
        )
        response = FileResponse(handle, as_attachment=True, filename=evidence.name)
        response["Cache-Control"] = "no-store"
        return response


# Sign-off of the problem and rectification lists ------------------------------------


class SignListView(UnitYearView):
    """The principal leader reviews the 问题清单 or 整改清单 as it stands and signs."""

    template_name = "ledgers/admin/sign.html"

    @cached_property
    def subject(self):
        subject = self.kwargs["subject"]
        if subject not in (Subject.PROBLEMS, Subject.RECTIFICATIONS):
            raise Http404("未知的签字事项")
        return Subject(subject)

    def get_page_title(self):
        return f"{self.unit.title} {self.year}年{self.subject.label}签字背书"

    def get_context_data(self, sign_form=None, **kwargs):
        context = TemplateView.get_context_data(self, **kwargs)
        context.update(WagtailAdminTemplateMixin.get_context_data(self))
        problems = list(
            Problem.objects.filter(unit=self.unit, year=self.year).order_by("pk")
        )
        names = services.evidence_names(problems)
        if self.subject == Subject.PROBLEMS:
            snapshot = services.problem_snapshot(problems)
        else:
            snapshot = services.rectification_snapshot(problems, names)
            problems = [p for p in problems if p.planned_on]
        latest = (
            SignOff.objects.filter(
                unit=self.unit, year=self.year, subject=self.subject, object_id=None
            )
            .order_by("-signed_at", "-pk")
            .first()
        )
        for problem in problems:
            problem.evidence_names = names.get(problem.pk, [])
        context.update(
            unit=self.unit,
            year=self.year,
            subject=self.subject,
            problems=problems,
            state=signing.state_of(signing.content_hash(snapshot), latest),
            can_sign=access.can_sign(self.request.user, self.unit.pk),
            sign_form=sign_form or forms.SignForm(prefix="sign"),
            state_labels=rectification.STATE_LABELS,
        )
        return context

    def post(self, request, *args, **kwargs):
        form = forms.SignForm(request.POST, prefix="sign")
        if not form.is_valid():
            return self.refuse("请填写审阅意见并确认。", sign_form=form)
        try:
            services.sign(
                request.user,
                self.subject,
                unit=self.unit,
                year=self.year,
                opinion=form.cleaned_data["opinion"],
            )
        except services.ERRORS as error:
            return self.refuse(str(error), sign_form=form)
        messages.success(request, f"{self.subject.label}已签字背书。")
        return redirect(UNIT, pk=self.unit.pk, year=self.year)


# Reports ------------------------------------------------------------------------------


class ReportsView(LedgerMixin, TemplateView):
    """Reports owed by the units in scope, overdue first: what the level above
    watches (seed 001 第十条)."""

    page_title = "责任报告"
    template_name = "ledgers/admin/reports.html"
    filters = (("open", "未报送"), ("overdue", "逾期未报送"), ("all", "全部"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, year = self.request.user, chosen_year(self.request)
        today = timezone.localdate()
        services.ensure_reports(
            year, services.reporting_units(year, access.visible_units(user))
        )
        chosen = self.request.GET.get("show", "open")
        reports = scoped(WorkReport.objects.filter(year=year), user).select_related(
            "unit"
        )
        if chosen == "open":
            reports = reports.filter(submitted_on__isnull=True)
        elif chosen == "overdue":
            reports = reports.filter(submitted_on__isnull=True, due__lt=today)
        page = Paginator(reports.order_by("due", "unit__path", "pk"), 50).get_page(
            self.request.GET.get("p")
        )
        context.update(
            year=year,
            years=_years(),
            page_obj=page,
            filters=self.filters,
            chosen=chosen,
            today=today,
        )
        return context


class ReportView(LedgerMixin, TemplateView):
    template_name = "ledgers/admin/report.html"

    @cached_property
    def report(self):
        report = get_object_or_404(
            WorkReport.objects.select_related("unit", "submitted_by"),
            pk=self.kwargs["pk"],
        )
        if not access.can_view(self.request.user, report.unit_id):
            raise Http404("报告不存在或不在您的范围内")
        return report

    def get_page_title(self):
        return f"{self.report.unit.title} {self.report.period_info.title}"

    def get_context_data(self, report_form=None, sign_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        report, user = self.report, self.request.user
        signoffs = list(
            SignOff.objects.filter(
                unit_id=report.unit_id,
                year=report.year,
                subject=Subject.REPORT,
                object_id=report.pk,
            )
        )
        state = signing.state_of(
            signing.content_hash(services.report_snapshot(report)),
            signoffs[0] if signoffs else None,
        )
        period = report.period_info
        context.update(
            report=report,
            period=period,
            state=state,
            signoffs=signoffs,
            due_text=format_date(report.due),
            overdue=report.submitted_on is None and report.due < timezone.localdate(),
        )
        if access.can_edit(user, report.unit_id) and not state.is_signed:
            context["report_form"] = report_form or forms.ReportForm(
                initial={
                    "title": report.title or period.title,
                    "content": report.content,
                }
            )
        if (
            access.can_sign(user, report.unit_id)
            and report.submitted_on
            and not state.is_signed
        ):
            context["sign_form"] = sign_form or forms.SignForm(prefix="sign")
        return context

    def post(self, request, *args, **kwargs):
        report = self.report
        if request.POST.get("action") == "sign":
            form = forms.SignForm(request.POST, prefix="sign")
            if not form.is_valid():
                return self.refuse("请填写审阅意见并确认。", sign_form=form)
            try:
                services.sign(
                    request.user,
                    Subject.REPORT,
                    unit=report.unit,
                    year=report.year,
                    target=report,
                    opinion=form.cleaned_data["opinion"],
                )
            except services.ERRORS as error:
                return self.refuse(str(error), sign_form=form)
            messages.success(request, "报告已签字背书。")
            return redirect(REPORT, pk=report.pk)
        form = forms.ReportForm(request.POST)
        if not form.is_valid():
            return self.refuse("请检查报告内容。", report_form=form)
        try:
            filed = services.file_report(
                request.user,
                report.unit,
                request.POST.get("kind", report.kind),
                _int(request.POST.get("year"), report.year),
                _int(request.POST.get("period"), report.period),
                form.cleaned_data["title"],
                form.cleaned_data["content"],
            )
        except services.ERRORS as error:
            return self.refuse(str(error), report_form=form)
        messages.success(request, "报告已报送。")
        return redirect(REPORT, pk=filed.pk)


def _int(value, default):
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return -1
