"""The power lists in the admin: who may see and edit which unit's items, and the
listings of 权力事项, 负面清单 and received 报备.

A unit's staff (录入员, 分管领导, 主要领导) work on the items of their unit and of the
units below it, as Wagtail page permissions work on a subtree; everything else is
invisible to them. A 纪委 reads, never edits, the items of the units it supervises.
Nobody but a superuser publishes an item: items go live only when the unit's catalog
is approved (seeds 000 公开办法: 提出 → 会审 → 审定 → 报备).

The policies answer from the unit role groups, not from Django model permissions,
so a new unit needs no grants beyond the groups it is created with.
"""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import get_list_or_404, get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.views import View

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, StatusTagColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import BooleanRadioSelect
from wagtail.log_actions import log
from wagtail.permissions import policy_registry
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.views import snippets

import django_filters

from .forms import UnitScopedAdminForm, unit_choice_label
from .models import (
    CatalogVersion,
    Decision,
    NegativeListItem,
    PowerItem,
    Result,
    UnitPage,
)
from .permissions import (
    EDITOR_ROLES,
    _is_staff,
    item_policy,
    supervised_scope,
    unit_scope,
    was_published,
)
from .workdays import format_date

ANY_ACCESS = ("add", "change", "delete", "view")
POWER_LISTS_SUBMENU_HOOK = "register_power_lists_menu_item"
PUBLISHED_DELETE_MESSAGE = (
    "已发布的事项不能删除：请修改后随本单位公开目录重新报审，或在公开目录中说明撤销。"
)


# Listing helpers -------------------------------------------------------------------


def visible_units(request):
    """Units for the listing's unit filter: those whose items the user can see."""
    user = request.user if request else None
    if user is None or not _is_staff(user):
        return UnitPage.objects.none()
    if user.is_superuser:
        return UnitPage.objects.order_by("path")
    units = unit_scope(user, EDITOR_ROLES) | supervised_scope(user)
    return UnitPage.objects.filter(pk__in=units).order_by("path")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return unit_choice_label(obj)


class UnitChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = UnitChoiceField

    def __init__(self, **kwargs):
        super().__init__(label="单位", queryset=visible_units, **kwargs)


def published_filter():
    return django_filters.BooleanFilter(label="已发布", widget=BooleanRadioSelect)


class PowerItemFilterSet(WagtailFilterSet):
    unit = UnitChoiceFilter()
    live = published_filter()

    class Meta:
        model = PowerItem
        fields = ["unit", "power_type", "disclosed", "live"]


class NegativeListItemFilterSet(WagtailFilterSet):
    unit = UnitChoiceFilter()
    live = published_filter()

    class Meta:
        model = NegativeListItem
        fields = ["unit", "live"]


def publishing_state(item):
    """Read from the row only: Wagtail's status_string asks the database about
    scheduled revisions once per row."""
    if not item.live:
        return "草稿"
    if item.has_unpublished_changes:
        return "已发布，有修改待审"
    return "已发布"


def status_column():
    return StatusTagColumn(
        "live",
        label="状态",
        accessor=publishing_state,
        sort_key="live",
        primary=lambda item: item.live,
    )


def format_datetime(value):
    if value is None:
        return "—"
    local = timezone.localtime(value)
    return f"{format_date(local)} {local:%H:%M}"


class HtmlValue(Component):
    """Already-escaped HTML shown as one field of an inspect view."""

    def __init__(self, html):
        self.html = html

    def render_html(self, parent_context=None):
        return self.html


# Views -----------------------------------------------------------------------------


class InstanceScopeMixin:
    """Checks the object named in the URL against the policy before the view runs,
    whatever the view; Wagtail's generic views check only model-wide permissions."""

    instance_permissions = ("change",)

    def dispatch(self, request, *args, **kwargs):
        pk = kwargs.get("pk")
        if pk is not None:
            instance = get_object_or_404(self.model, pk=unquote(str(pk)))
            if not item_policy(self.model).user_has_any_permission_for_instance(
                request.user, self.instance_permissions, instance
            ):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class PerInstanceLinksMixin:
    """Links to edit, copy, inspect and delete only where the user may do so."""

    def _allowed(self, actions, instance):
        return self.permission_policy.user_has_any_permission_for_instance(
            self.request.user, actions, instance
        )

    def get_edit_url(self, instance):
        if self._allowed(["change"], instance):
            return super().get_edit_url(instance)
        return None

    def get_copy_url(self, instance):
        if self._allowed(["change"], instance):
            return super().get_copy_url(instance)
        return None

    def get_delete_url(self, instance):
        if self._allowed(["delete"], instance):
            return super().get_delete_url(instance)
        return None

    def get_inspect_url(self, instance):
        if self._allowed(["view", "change"], instance):
            return super().get_inspect_url(instance)
        return None


class ItemIndexView(PerInstanceLinksMixin, snippets.IndexView):
    pass


class ItemEditView(InstanceScopeMixin, snippets.EditView):
    pass


class ItemDeleteView(InstanceScopeMixin, snippets.DeleteView):
    instance_permissions = ("delete",)

    def dispatch(self, request, *args, **kwargs):
        """A published item is withdrawn through the catalog: say so instead of the
        usual bare refusal."""
        if was_published(self.object) and item_policy(
            self.model
        ).user_has_permission_for_instance(request.user, "change", self.object):
            messages.error(request, PUBLISHED_DELETE_MESSAGE)
            return redirect(self.edit_url_name, quote(self.object.pk))
        return super().dispatch(request, *args, **kwargs)


class ItemUsageView(InstanceScopeMixin, snippets.UsageView):
    pass


class ItemHistoryView(InstanceScopeMixin, snippets.HistoryView):
    pass


class ItemPreviewRevisionView(InstanceScopeMixin, snippets.PreviewRevisionView):
    pass


class ItemRevisionsCompareView(InstanceScopeMixin, snippets.RevisionsCompareView):
    pass


class ItemUnpublishView(InstanceScopeMixin, snippets.UnpublishView):
    instance_permissions = ("publish",)


class ItemRevisionsUnscheduleView(InstanceScopeMixin, snippets.RevisionsUnscheduleView):
    instance_permissions = ("publish",)


class ItemLockView(InstanceScopeMixin, snippets.LockView):
    instance_permissions = ("lock",)


class ItemUnlockView(InstanceScopeMixin, snippets.UnlockView):
    """Who may unlock is the view's own rule (the locker, or unlock rights); the
    item must still be one the user works on."""

    instance_permissions = ("change",)


class ItemDeleteBulkAction(DeleteBulkAction):
    """Bulk delete limited to the items the user can see: Wagtail's version lists
    every selected item it may not delete, names included, so `?id=all` would show
    other units' drafts."""

    models = [PowerItem, NegativeListItem, Result, Decision]

    def get_queryset(self, model, object_ids):
        visible = item_policy(model).instances_user_has_any_permission_for(
            self.request.user, ANY_ACCESS
        )
        return get_list_or_404(visible, pk__in=object_ids)


#: What reading a record's history, usage or workflow needs.
READ_ACCESS = ("change", "view")


def scoped_view(view_class, permissions=("change",)):
    """`view_class` checking the object in the URL against the model's policy."""
    return type(
        f"Scoped{view_class.__name__}",
        (InstanceScopeMixin, view_class),
        {"instance_permissions": permissions},
    )


# Workflow views of a unit's snippet: the history for its readers, the actions for
# its editors (the task itself then decides who may approve).
ScopedWorkflowHistoryView = scoped_view(snippets.WorkflowHistoryView, READ_ACCESS)
ScopedWorkflowHistoryDetailView = scoped_view(
    snippets.WorkflowHistoryDetailView, READ_ACCESS
)
ScopedWorkflowPreviewView = scoped_view(snippets.WorkflowPreviewView, READ_ACCESS)
ScopedWorkflowActionView = scoped_view(snippets.WorkflowActionView)
ScopedCollectWorkflowActionDataView = scoped_view(
    snippets.CollectWorkflowActionDataView
)
ScopedConfirmWorkflowCancellationView = scoped_view(
    snippets.ConfirmWorkflowCancellationView
)


class ScopedHistoryView(InstanceScopeMixin, generic.HistoryView):
    """History of a record another unit's staff may not read (异议, 评议)."""

    instance_permissions = READ_ACCESS


class ScopedUsageView(InstanceScopeMixin, generic.UsageView):
    instance_permissions = READ_ACCESS


class ItemInspectView(InstanceScopeMixin, snippets.InspectView):
    """The latest version, drafts included: what a 纪委 checks is what is pending."""

    instance_permissions = ("view", "change")

    def get_object(self, queryset=None):
        return super().get_object().get_latest_revision_as_object()

    def get_edit_url(self):
        if self.permission_policy.user_has_permission_for_instance(
            self.request.user, "change", self.object
        ):
            return super().get_edit_url()
        return None

    def get_delete_url(self):
        if self.permission_policy.user_has_permission_for_instance(
            self.request.user, "delete", self.object
        ):
            return super().get_delete_url()
        return None

    def get_field_label(self, field_name, field):
        if field_name == "steps":
            return "流程清单与风险点"
        if field_name == "status":
            return "状态"
        return super().get_field_label(field_name, field)

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        return "—" if value is None or value == "" else value

    def get_status_display_value(self):
        return publishing_state(self.object)

    def get_disclosed_display_value(self):
        return "是" if self.object.disclosed else "否"

    def get_steps_display_value(self):
        steps = list(self.object.steps.all())
        if not steps:
            return "—"
        return HtmlValue(
            format_html(
                "<ol>{}</ol>",
                format_html_join("", "<li>{}</li>", ((step_text(s),) for s in steps)),
            )
        )


def step_text(step):
    parts = [step.name]
    if step.post:
        parts.append(f"办理岗位：{step.post}")
    if step.time_limit:
        parts.append(f"时限：{step.time_limit}")
    if step.branch:
        parts.append(f"分支：{step.branch}")
    if step.risk:
        parts.append(f"风险点（{step.risk_level}）：{step.risk}")
    if step.prevention:
        parts.append(f"防控措施：{step.prevention}")
    return "；".join(parts)


# Viewsets --------------------------------------------------------------------------


class UnitItemViewSet(snippets.SnippetViewSet):
    """Shared by the unit-owned snippets: scoped listing, views, form and chooser."""

    index_view_class = ItemIndexView
    edit_view_class = ItemEditView
    delete_view_class = ItemDeleteView
    usage_view_class = ItemUsageView
    history_view_class = ItemHistoryView
    inspect_view_class = ItemInspectView
    revisions_view_class = ItemPreviewRevisionView
    revisions_compare_view_class = ItemRevisionsCompareView
    unpublish_view_class = ItemUnpublishView
    revisions_unschedule_view_class = ItemRevisionsUnscheduleView
    lock_view_class = ItemLockView
    unlock_view_class = ItemUnlockView
    # The copy form is filled from the original: only for items the user edits.
    copy_view_class = scoped_view(snippets.CopyView)
    workflow_history_view_class = ScopedWorkflowHistoryView
    workflow_history_detail_view_class = ScopedWorkflowHistoryDetailView
    workflow_preview_view_class = ScopedWorkflowPreviewView
    workflow_action_view_class = ScopedWorkflowActionView
    collect_workflow_action_data_view_class = ScopedCollectWorkflowActionDataView
    confirm_workflow_cancellation_view_class = ScopedConfirmWorkflowCancellationView
    inspect_view_enabled = True
    search_backend_name = None
    list_per_page = 50

    @cached_property
    def edit_handler(self):
        return ObjectList(self.model.panels, base_form_class=UnitScopedAdminForm)

    def get_queryset(self, request):
        return (
            item_policy(self.model)
            .instances_user_has_any_permission_for(request.user, ANY_ACCESS)
            .select_related("unit")
        )

    def get_permissions_to_register(self):
        """Nothing to grant in the group editor: the unit roles decide."""
        return Permission.objects.none()

    def register_chooser_viewset(self):
        """No chooser: nothing links to these items, and Wagtail's chooser would
        list every unit's items to anyone with admin access."""


class PowerItemViewSet(UnitItemViewSet):
    model = PowerItem
    icon = "list-ul"
    menu_label = "权力事项"
    menu_name = "power-items"
    list_display = [
        "code",
        "name",
        "unit",
        "power_type",
        status_column(),
        Column("index_number", label="索引号", sort_key="index_number"),
    ]
    filterset_class = PowerItemFilterSet
    search_fields = ["name", "code"]
    ordering = ["unit__path", "code"]
    inspect_view_fields = [
        "unit",
        "code",
        *PowerItem.CONTENT_FIELDS,
        "index_number",
        "status",
        "steps",
    ]


class NegativeListItemViewSet(UnitItemViewSet):
    model = NegativeListItem
    icon = "cross"
    menu_label = "负面清单"
    menu_name = "negative-list"
    list_display = ["__str__", "unit", "post", status_column()]
    filterset_class = NegativeListItemFilterSet
    search_fields = ["act", "post"]
    ordering = ["unit__path", "sort_order", "pk"]
    inspect_view_fields = ["unit", "post", "act", "consequence", "sort_order", "status"]


# 报备记录 ---------------------------------------------------------------------------


def acknowledgement(version):
    if version.acknowledged_at is None:
        return "未签收"
    return f"已签收（{format_datetime(version.acknowledged_at)}）"


class FilingIndexView(generic.IndexView):
    page_title = "报备记录"

    def get_base_queryset(self):
        return (
            policy_registry.get_by_type(CatalogVersion)
            .instances_user_has_any_permission_for(self.request.user, ["view"])
            .select_related("unit", "filed_to", "copied_to")
        )


class FilingInspectView(generic.InspectView):
    acknowledge_url_name = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if not self.permission_policy.user_has_permission_for_instance(
            request.user, "view", self.object
        ):
            raise PermissionDenied

    def get_field_display_value(self, field_name, field):
        version = self.object
        if field_name == "approved_at":
            return format_datetime(version.approved_at)
        if field_name == "acknowledged_at":
            return self.acknowledgement_with_form()
        if field_name == "steps":
            return HtmlValue(
                format_html(
                    "<ol>{}</ol>",
                    format_html_join(
                        "",
                        "<li>{}：{} {}{}</li>",
                        (
                            (
                                step.get("step", ""),
                                step.get("user", ""),
                                _iso_datetime(step.get("at")),
                                f"；意见：{step['opinion']}"
                                if step.get("opinion")
                                else "",
                            )
                            for step in version.steps or []
                        ),
                    ),
                )
            )
        if field_name == "summary":
            summary = version.summary or {}
            return (
                f"新增 {summary.get('created', 0)} 项，修改 {summary.get('changed', 0)} 项，"
                f"不公开 {summary.get('withheld', 0)} 项"
            )
        value = super().get_field_display_value(field_name, field)
        return "—" if value in (None, "") else value

    def acknowledgement_with_form(self):
        """The state, and for the receiving unit's staff the 签收 button (POST)."""
        version = self.object
        can_acknowledge = (
            version.acknowledged_at is None
            and self.permission_policy.user_has_permission_for_instance(
                self.request.user, "acknowledge", version
            )
        )
        if not can_acknowledge:
            return acknowledgement(version)
        return HtmlValue(
            format_html(
                '<form method="post" action="{}">{} '
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                '<button type="submit" class="button button-small">签收</button>'
                "</form>",
                reverse(self.acknowledge_url_name, args=(quote(version.pk),)),
                acknowledgement(version),
                get_token(self.request),
            )
        )


def _iso_datetime(text):
    if not text:
        return ""
    try:
        return format_datetime(datetime.datetime.fromisoformat(text))
    except ValueError:
        return text


class AcknowledgeFilingView(View):
    """签收: the receiving unit confirms it has the filing; once, audited."""

    http_method_names = ["post"]
    inspect_url_name = None

    def post(self, request, pk):
        version = get_object_or_404(CatalogVersion, pk=pk)
        policy = policy_registry.get_by_type(CatalogVersion)
        if not policy.user_has_permission_for_instance(
            request.user, "acknowledge", version
        ):
            raise PermissionDenied
        with transaction.atomic():
            now = timezone.now()
            signed = CatalogVersion.objects.filter(
                pk=version.pk, acknowledged_at__isnull=True
            ).update(acknowledged_at=now, acknowledged_by=request.user)
            if signed:
                log(
                    instance=version,
                    action="sunlight.filing_acknowledged",
                    user=request.user,
                    data={"unit": version.unit.code, "version": version.number},
                )
        if signed:
            messages.success(request, f"已签收：{version}。")
        else:
            messages.info(request, f"{version} 此前已签收。")
        return HttpResponseRedirect(reverse(self.inspect_url_name, args=(pk,)))


class FilingViewSet(ModelViewSet):
    """报备记录: catalogs filed with the user's unit, or copied to the user's 纪委."""

    model = CatalogVersion
    name = "filings"
    icon = "doc-full-inverse"
    menu_label = "报备记录"
    menu_name = "filings"
    index_view_class = FilingIndexView
    inspect_view_class = FilingInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_per_page = 50
    ordering = ["-approved_at"]
    list_display = [
        "__str__",
        Column(
            "approved_at",
            label="审定时间",
            accessor=lambda version: format_datetime(version.approved_at),
            sort_key="approved_at",
        ),
        "filed_to",
        "copied_to",
        Column("acknowledged", label="签收", accessor=acknowledgement),
    ]
    inspect_view_fields = [
        "unit",
        "number",
        "approved_at",
        "approved_by",
        "steps",
        "summary",
        "filed_to",
        "copied_to",
        "acknowledged_at",
        "acknowledged_by",
    ]

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        for name in (
            "add_url_name",
            "edit_url_name",
            "delete_url_name",
            "history_url_name",
            "usage_url_name",
        ):
            view_kwargs[name] = None
        return view_kwargs

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            acknowledge_url_name=self.get_url_name("acknowledge"), **kwargs
        )

    @property
    def acknowledge_view(self):
        return AcknowledgeFilingView.as_view(
            inspect_url_name=self.get_url_name("inspect")
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("acknowledge/<int:pk>/", self.acknowledge_view, name="acknowledge"),
        ]

    def get_permissions_to_register(self):
        return Permission.objects.none()


class PowerListsGroup(snippets.SnippetViewSetGroup):
    """The 权力清单 menu: items, negative list, received filings, and the import
    (added through the submenu hook)."""

    menu_label = "权力清单"
    menu_name = "power-lists"
    menu_icon = "list-ul"
    menu_order = 210
    items = (PowerItemViewSet, NegativeListItemViewSet, FilingViewSet)
    submenu_hook = POWER_LISTS_SUBMENU_HOOK
