"""一事一公开 in the admin: results and 三重一大 decisions (entered by a unit's clerk,
approved for disclosure by its 分管领导 or 主要领导), objections to answer, and the
deadline dashboards.

Scope follows the power lists: a unit's staff see their unit and the units below;
a 纪委 reads the units it supervises; a superuser (the county's administrators)
sees everything. Dashboards read deadline states from stored due dates in SQL, so a
page costs the same few queries however many records exist.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.views.reports import ReportView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log
from wagtail.snippets.views import snippets

import django_filters

from . import deadlines
from .forms import DecisionAdminForm, ResultAdminForm
from .models import Decision, Objection, Result, UnitPage
from .permissions import (
    EDITOR_ROLES,
    _is_staff,
    direct_units,
    supervised_scope,
    unit_scope,
)
from .results import with_states
from .viewsets import (
    ScopedHistoryView,
    ScopedUsageView,
    UnitChoiceFilter,
    UnitItemViewSet,
    published_filter,
    status_column,
    visible_units,
)
from .workdays import load_calendar

RESULTS_SUBMENU_HOOK = "register_results_menu_item"
DASHBOARD_URL_NAME = "result_deadlines"
UNIT_SUMMARY_URL_NAME = "result_deadlines_by_unit"
STATE_CHOICES = [(state, state) for state in deadlines.STATES]


def visible_unit_ids(user):
    """The units whose records the user may see: own (with the units below) and
    supervised; None for a superuser (everything)."""
    if user.is_superuser:
        return None
    return unit_scope(user, EDITOR_ROLES) | supervised_scope(user)


def scoped(queryset, user, field="unit_id"):
    if not _is_staff(user):
        return queryset.none()
    units = visible_unit_ids(user)
    return queryset if units is None else queryset.filter(**{f"{field}__in": units})


# Results and decisions ---------------------------------------------------------------


class ResultFilterSet(WagtailFilterSet):
    unit = UnitChoiceFilter()
    live = published_filter()
    disclosure_state = django_filters.ChoiceFilter(
        label="公开时限", choices=STATE_CHOICES, method="filter_state"
    )

    class Meta:
        model = Result
        fields = ["unit", "live", "disclosure_state"]

    def filter_state(self, queryset, name, value):
        return with_states(queryset, timezone.localdate(), load_calendar()).filter(
            disclosure_state=value
        )


def disclosure_state_text(result):
    return result.disclosure_standing().label


class ResultViewSet(UnitItemViewSet):
    model = Result
    icon = "doc-full"
    menu_label = "办理结果"
    menu_name = "results"
    list_display = [
        "title",
        "unit",
        Column("item", label="权力事项"),
        DateColumn("result_date", label="结果产生日"),
        DateColumn("disclosure_due", label="公开期限"),
        Column("disclosure_state", label="时限", accessor=disclosure_state_text),
        status_column(),
    ]
    filterset_class = ResultFilterSet
    search_fields = ["title"]
    ordering = ["-result_date", "-pk"]
    inspect_view_fields = [
        "unit",
        "item",
        "title",
        "subject_kind",
        "subject",
        "subject_details",
        "act_date",
        "result_date",
        "outcome",
        "handling_post",
        "publicity_days",
        "entered_on",
        "entry_due",
        "disclosed_on",
        "disclosure_due",
        "publicity_ends",
        "status",
    ]

    @cached_property
    def edit_handler(self):
        return ObjectList(self.model.panels, base_form_class=ResultAdminForm)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("item")


class DecisionFilterSet(WagtailFilterSet):
    unit = UnitChoiceFilter()
    live = published_filter()

    class Meta:
        model = Decision
        fields = ["unit", "decision_type", "live"]


class DecisionViewSet(UnitItemViewSet):
    model = Decision
    icon = "group"
    menu_label = "三重一大决策"
    menu_name = "decisions"
    list_display = [
        "topic",
        "unit",
        "decision_type",
        DateColumn("meeting_date", label="会议日期"),
        "outcome",
        status_column(),
    ]
    filterset_class = DecisionFilterSet
    search_fields = ["topic", "meeting"]
    ordering = ["-meeting_date", "-pk"]
    inspect_view_fields = [
        "unit",
        "meeting",
        "meeting_date",
        "topic",
        "decision_type",
        "basis",
        "attendees",
        "vote_form",
        "outcome",
        "responsible_department",
        "responsible_person",
        "withheld",
        "status",
    ]

    @cached_property
    def edit_handler(self):
        return ObjectList(self.model.panels, base_form_class=DecisionAdminForm)


# Objections --------------------------------------------------------------------------


class AnswerForm(forms.ModelForm):
    class Meta:
        model = Objection
        fields = ["answer"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 6})}

    def clean_answer(self):
        answer = self.cleaned_data["answer"].strip()
        if not answer:
            raise forms.ValidationError("请填写答复内容：答复将在结果页面公开。")
        from .models.powers import personal_data_errors

        self.instance.answer = answer
        errors = personal_data_errors(self.instance, ["answer"])
        if errors:
            raise forms.ValidationError(errors["answer"])
        return answer


def may_answer(user, objection):
    if not _is_staff(user):
        return False
    if user.is_superuser:
        return True
    return objection.result.unit_id in unit_scope(user, EDITOR_ROLES)


class ObjectionIndexView(generic.IndexView):
    def get_base_queryset(self):
        return scoped(
            Objection.objects.select_related("result__unit"),
            self.request.user,
            field="result__unit_id",
        ).order_by("answered_at", "answer_due", "-pk")


class ObjectionEditView(generic.EditView):
    """The unit answers; the 纪委 reads (the form is refused to it)."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.objection = get_object_or_404(
            Objection.objects.select_related("result__unit"), pk=kwargs.get("pk")
        )

    def dispatch(self, request, *args, **kwargs):
        objection = self.objection
        if not may_answer(request.user, objection):
            units = visible_unit_ids(request.user)
            if units is not None and objection.result.unit_id not in units:
                raise PermissionDenied
            if request.method == "POST":
                raise PermissionDenied
        if objection.is_answered and request.method == "POST":
            messages.error(request, "该异议已经答复，答复公开后不能修改。")
            return redirect(self.index_url_name)
        return super().dispatch(request, *args, **kwargs)

    def save_instance(self):
        objection = self.form.save(commit=False)
        objection.answered_at = timezone.now()
        objection.answered_by = self.request.user
        objection.save()
        log(objection, "sunlight.objection_answered", user=self.request.user)
        return objection

    def get_success_message(self):
        return "答复已保存，并在结果页面公开。"


class ObjectionViewSet(ModelViewSet):
    model = Objection
    icon = "warning"
    menu_label = "公示异议"
    menu_name = "objections"
    name = "disclosure_objections"
    url_prefix = "results/objections"
    form_fields = ["answer"]
    add_to_admin_menu = False
    index_view_class = ObjectionIndexView
    edit_view_class = ObjectionEditView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    list_display = [
        Column("result", label="公示结果"),
        Column("content", label="异议内容", accessor=lambda o: o.content[:60]),
        DateColumn("created_at", label="提出时间"),
        DateColumn("answer_due", label="答复期限"),
        Column(
            "answered_at",
            label="状态",
            accessor=lambda o: "已答复" if o.is_answered else o.answer_standing().label,
        ),
    ]
    list_filter = []

    def get_form_class(self, for_update=False):
        return AnswerForm

    def get_permissions_to_register(self):
        return Permission.objects.none()


# Dashboards --------------------------------------------------------------------------


class DeadlineFilterSet(WagtailFilterSet):
    unit = django_filters.ModelChoiceFilter(
        label="单位（含下级）", queryset=visible_units, method="in_subtree"
    )
    disclosure_state = django_filters.ChoiceFilter(
        label="公开时限", choices=STATE_CHOICES
    )
    entry_state = django_filters.ChoiceFilter(label="录入时限", choices=STATE_CHOICES)
    entered_by = django_filters.ModelChoiceFilter(
        label="录入人", queryset=lambda request: _people(request)
    )
    open_only = django_filters.BooleanFilter(
        label="只看未公开", field_name="disclosed_on", lookup_expr="isnull"
    )
    result_from = django_filters.DateFilter(
        label="结果产生日从", field_name="result_date", lookup_expr="gte"
    )
    result_to = django_filters.DateFilter(
        label="至", field_name="result_date", lookup_expr="lte"
    )

    class Meta:
        model = Result
        fields = []

    def in_subtree(self, queryset, name, value):
        return queryset.filter(unit__path__startswith=value.path)


def _people(request):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True)
    if request is None or not _is_staff(request.user):
        return users.none()
    units = visible_unit_ids(request.user)
    if units is not None:
        users = users.filter(groups__unit_role__unit_id__in=units).distinct()
    return users.order_by("username")


def person_name(user):
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


class ResultDeadlineReport(ReportView):
    """时限看板: every result with its entry and disclosure deadlines, due soon and
    overdue first; by unit and by person through the filters; XLSX/CSV export."""

    page_title = "一事一公开时限"
    header_icon = "time"
    model = Result
    filterset_class = DeadlineFilterSet
    index_url_name = DASHBOARD_URL_NAME
    index_results_url_name = f"{DASHBOARD_URL_NAME}_results"
    paginate_by = 50
    columns = [
        Column("title", label="办理事项", accessor="title"),
        Column("unit", label="单位", accessor="unit.title"),
        Column("person", label="录入人", accessor=lambda r: person_name(r.entered_by)),
        DateColumn("result_date", label="结果产生日"),
        Column("entry", label="录入", accessor=lambda r: r.entry_text),
        DateColumn("disclosure_due", label="公开期限"),
        Column("disclosure", label="公开", accessor=lambda r: r.disclosure_text),
    ]
    list_export = [
        "unit.code",
        "unit.title",
        "item.code",
        "title",
        "person",
        "act_date",
        "entry_due",
        "entered_on",
        "entry_text",
        "result_date",
        "disclosure_due",
        "disclosed_on",
        "disclosure_text",
        "explanation",
    ]
    export_headings = {
        "unit.code": "单位编码",
        "unit.title": "单位",
        "item.code": "事项编码",
        "title": "办理事项",
        "person": "录入人",
        "act_date": "权力行为发生日",
        "entry_due": "录入期限",
        "entered_on": "录入日期",
        "entry_text": "录入时限",
        "result_date": "结果产生日",
        "disclosure_due": "公开期限",
        "disclosed_on": "公开日期",
        "disclosure_text": "公开时限",
        "explanation": "期限计算说明",
    }

    permission_required = "view"

    def user_has_permission(self, permission):
        return can_see_dashboards(self.request.user)

    def get_queryset(self):
        today = timezone.localdate()
        results = scoped(
            Result.objects.select_related("unit", "item", "entered_by"),
            self.request.user,
        )
        return with_states(results, today, load_calendar()).order_by(
            *Result.DASHBOARD_ORDER
        )

    def decorate_paginated_queryset(self, object_list):
        today, calendar = timezone.localdate(), load_calendar()
        rows = list(object_list)
        for result in rows:
            decorate(result, today, calendar)
        return rows

    def as_spreadsheet(self, queryset, spreadsheet_format):
        today, calendar = timezone.localdate(), load_calendar()
        decorated = (decorate(r, today, calendar, explain=True) for r in queryset)
        return super().as_spreadsheet(decorated, spreadsheet_format)

    def get_filename(self):
        return f"result-deadlines-{timezone.localdate():%Y%m%d}"


def decorate(result, today, calendar, explain=False):
    entry = result.entry_standing(today, calendar)
    disclosure = result.disclosure_standing(today, calendar)
    result.entry_text = entry.label + ("（暂定）" if entry.provisional else "")
    result.disclosure_text = disclosure.label + (
        "（暂定）" if disclosure.provisional else ""
    )
    result.person = person_name(result.entered_by)
    if explain:
        result.explanation = deadlines.disclosure_deadline(
            result.result_date, calendar
        ).explanation
    return result


class UnitSummaryReport(ReportView):
    """按单位统计: per unit, open results overdue and due soon, and how many were
    entered or disclosed late — one grouped query."""

    page_title = "一事一公开时限（按单位）"
    header_icon = "table"
    model = UnitPage
    index_url_name = UNIT_SUMMARY_URL_NAME
    index_results_url_name = f"{UNIT_SUMMARY_URL_NAME}_results"
    paginate_by = 100
    columns = [
        Column("code", label="单位编码"),
        Column("title", label="单位"),
        Column("total", label="结果总数"),
        Column("open_overdue", label="逾期未公开"),
        Column("open_soon", label="即将到期"),
        Column("late_disclosed", label="逾期公开"),
        Column("late_entered", label="逾期录入"),
    ]
    list_export = [
        "code",
        "title",
        "total",
        "open_overdue",
        "open_soon",
        "late_disclosed",
        "late_entered",
    ]
    export_headings = {
        "code": "单位编码",
        "title": "单位",
        "total": "结果总数",
        "open_overdue": "逾期未公开",
        "open_soon": "即将到期",
        "late_disclosed": "逾期公开",
        "late_entered": "逾期录入",
    }

    permission_required = "view"

    def user_has_permission(self, permission):
        return can_see_dashboards(self.request.user)

    def get_queryset(self):
        """Counts grouped on the results table alone (one pass over its unit
        column), then the units named in one more query."""
        today = timezone.localdate()
        soon = deadlines.due_soon_limit(today, load_calendar())
        results = scoped(Result.objects.order_by(), self.request.user)
        is_open = Q(disclosed_on__isnull=True)
        rows = results.values("unit_id").annotate(
            total=Count("pk"),
            open_overdue=Count("pk", filter=is_open & Q(disclosure_due__lt=today)),
            open_soon=Count(
                "pk",
                filter=is_open & Q(disclosure_due__gte=today, disclosure_due__lte=soon),
            ),
            late_disclosed=Count("pk", filter=Q(disclosed_on__gt=F("disclosure_due"))),
            late_entered=Count("pk", filter=Q(entered_on__gt=F("entry_due"))),
        )
        counts = {row.pop("unit_id"): row for row in rows}
        units = UnitPage.objects.filter(pk__in=counts).only("code", "title", "path")
        summary = []
        for unit in units:
            for name, value in counts[unit.pk].items():
                setattr(unit, name, value)
            summary.append(unit)
        summary.sort(key=lambda u: (-u.open_overdue, -u.open_soon, u.path))
        return summary

    def get_filename(self):
        return f"result-deadlines-by-unit-{timezone.localdate():%Y%m%d}"


def can_see_dashboards(user):
    """Any unit role opens the dashboards (each shows only the user's scope): read
    from the role rows already cached for the request, so menus cost nothing."""
    if not _is_staff(user):
        return False
    return user.is_superuser or bool(direct_units(user))


def dashboard_urls():
    return [
        path(
            "results/deadlines/",
            ResultDeadlineReport.as_view(),
            name=DASHBOARD_URL_NAME,
        ),
        path(
            "results/deadlines/results/",
            ResultDeadlineReport.as_view(results_only=True),
            name=f"{DASHBOARD_URL_NAME}_results",
        ),
        path(
            "results/deadlines/units/",
            UnitSummaryReport.as_view(),
            name=UNIT_SUMMARY_URL_NAME,
        ),
        path(
            "results/deadlines/units/results/",
            UnitSummaryReport.as_view(results_only=True),
            name=f"{UNIT_SUMMARY_URL_NAME}_results",
        ),
    ]


class ResultsGroup(snippets.SnippetViewSetGroup):
    """The 一事一公开 menu: results, decisions, objections and the dashboards."""

    menu_label = "一事一公开"
    menu_name = "disclosures"
    menu_icon = "doc-full"
    menu_order = 220
    items = (ResultViewSet, DecisionViewSet)
    submenu_hook = RESULTS_SUBMENU_HOOK


def dashboard_menu_url():
    return reverse(DASHBOARD_URL_NAME)
