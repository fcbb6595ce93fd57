from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views
from .catalog_admin import CatalogPermissionPolicy, DisclosureCatalogViewSet
from .models import CalendarYear, DisclosureCatalog


class CalendarYearViewSet(SnippetViewSet):
    """Site admins keep the holiday arrangement current (DESIGN rule 7)."""

    model = CalendarYear
    icon = "date"
    menu_label = "节假日安排"
    menu_order = 900
    add_to_admin_menu = True
    list_display = ["year", "source", "complete", "updated_at"]


register_snippet(CalendarYearViewSet)


class SupervisionMenuItem(MenuItem):
    """Shown to 纪委 staff and superusers only; the views check access again."""

    def is_shown(self, request):
        return admin_views.can_supervise(request.user)


@hooks.register("register_admin_urls")
def register_supervision_urls():
    return [
        path(
            "supervision/",
            admin_views.SupervisedUnitsView.as_view(),
            name=admin_views.INDEX_URL_NAME,
        ),
        path(
            "supervision/<int:pk>/",
            admin_views.SupervisedUnitView.as_view(),
            name=admin_views.UNIT_URL_NAME,
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_supervision_menu_item():
    return SupervisionMenuItem(
        "监督单位",
        reverse(admin_views.INDEX_URL_NAME),
        name="supervision",
        icon_name="view",
        order=250,
    )


@hooks.register("register_log_actions")
def register_catalog_log_actions(actions):
    actions.register_action(
        "sunlight.catalog_filed", "公开目录审定报备", "公开目录审定并报备上级、抄送纪委"
    )


register_permission_policy(
    DisclosureCatalog, CatalogPermissionPolicy(DisclosureCatalog)
)
register_snippet(DisclosureCatalogViewSet)
