"""The 纪委's read-only view of the units it supervises.

DESIGN security notes: Wagtail page permissions have no "view" type, and a 纪委 must
see a unit's drafts without being able to change them. So the 纪委 groups hold no
page permission at all; these views decide access from `staff.supervised_units` and
render the latest revision themselves, with no edit controls.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from wagtail.admin.ui.tables import Column, StatusFlagColumn, TitleColumn
from wagtail.admin.views.generic.base import BaseListingView, WagtailAdminTemplateMixin

from .models import UnitGroup, UnitPage
from .staff import supervised_units, units_of
from .workdays import format_date

INDEX_URL_NAME = "disclosure_supervision_index"
UNIT_URL_NAME = "disclosure_supervision_unit"


def can_supervise(user):
    """Superusers and members of any 纪委 group: who gets the 监督单位 menu."""
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    return units_of(user, [UnitGroup.Role.COMMISSION]).exists()


def format_datetime(value):
    """2026年11月22日 14:05 in Asia/Shanghai, or a dash when there is none."""
    if value is None:
        return "—"
    local = timezone.localtime(value)
    return f"{format_date(local)} {local:%H:%M}"


class SupervisionAccessMixin:
    """Answer 403 with a page that says why, instead of Wagtail's usual redirect to
    the dashboard: a 纪委 following a stale link should learn the unit is out of scope.
    """

    def dispatch(self, request, *args, **kwargs):
        try:
            self.check_access(request)
        except PermissionDenied:
            return TemplateResponse(
                request,
                "disclosure/admin/forbidden.html",
                {"page_title": "无权查看", "header_icon": "warning"},
                status=403,
            )
        return super().dispatch(request, *args, **kwargs)

    def check_access(self, request):
        if not can_supervise(request.user):
            raise PermissionDenied


class SupervisedUnitsView(SupervisionAccessMixin, BaseListingView):
    """Every unit in the user's 纪委 scope, with its draft and publishing state."""

    page_title = "监督单位"
    header_icon = "view"
    template_name = "disclosure/admin/supervised_units.html"
    index_url_name = INDEX_URL_NAME
    default_ordering = "path"
    paginate_by = 100
    verbose_name_plural = "监督单位"
    columns = [
        TitleColumn(
            "title",
            label="单位名称",
            sort_key="title",
            get_url=lambda unit: reverse(UNIT_URL_NAME, args=[unit.pk]),
        ),
        Column("code", label="单位编码", sort_key="code"),
        Column("level", label="层级"),
        Column("unit_type", label="类型"),
        Column("supervisor", label="监督纪委"),
        StatusFlagColumn(
            "has_unpublished_changes", label="未发布修改", true_label="有草稿"
        ),
        Column(
            "last_published",
            label="最近发布",
            accessor=lambda unit: format_datetime(unit.last_published_at),
            sort_key="last_published_at",
        ),
    ]

    def get_base_queryset(self):
        return supervised_units(self.request.user).select_related("supervisor")


class SupervisedUnitView(
    SupervisionAccessMixin, WagtailAdminTemplateMixin, TemplateView
):
    """One supervised unit as its latest revision says, drafts included."""

    template_name = "disclosure/admin/supervised_unit.html"
    header_icon = "view"
    breadcrumbs_items = [
        *WagtailAdminTemplateMixin.breadcrumbs_items,
        {"url": reverse_lazy(INDEX_URL_NAME), "label": "监督单位"},
    ]

    def check_access(self, request):
        super().check_access(request)
        self.unit = get_object_or_404(UnitPage, pk=self.kwargs["pk"])
        if not self.scope.filter(pk=self.unit.pk).exists():
            raise PermissionDenied

    @cached_property
    def scope(self):
        return supervised_units(self.request.user)

    def get_page_title(self):
        return self.unit.title

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.unit.title}]

    def get_context_data(self, **kwargs):
        unit = self.unit
        context = super().get_context_data(**kwargs)
        draft = unit.get_latest_revision_as_object()
        context.update(
            unit=unit,
            fields=content_fields(draft, unit),
            status=publishing_status(unit, unit.latest_revision),
            subunits=self.scope.child_of(unit).order_by("path"),
        )
        return context


def content_fields(draft, unit):
    """(label, text) for each of the unit's own fields: what the clerk wrote comes
    from the draft; fields the system derives (editable=False, e.g. the effective
    supervisor) come from the database, where they are kept current."""
    rows = [("名称", draft.title)]
    for field in type(unit)._meta.local_concrete_fields:
        if field.primary_key:
            continue
        source = draft if field.editable else unit
        if field.choices:
            value = getattr(source, f"get_{field.name}_display")()
        else:
            value = getattr(source, field.name)
        rows.append((field.verbose_name, value if value not in (None, "") else "—"))
    return rows


def publishing_status(unit, revision):
    if not unit.live:
        state = "未发布（仅有草稿）"
    elif unit.has_unpublished_changes:
        state = "已发布，有未发布的修改"
    else:
        state = "已发布"
    editor = revision.user if revision else None
    return [
        ("状态", state),
        ("最近发布", format_datetime(unit.last_published_at)),
        ("最近修改", format_datetime(revision.created_at if revision else None)),
        ("修改人", _display_name(editor) if editor else "—"),
    ]


def _display_name(user):
    return f"{user.last_name}{user.first_name}" or user.get_username()
