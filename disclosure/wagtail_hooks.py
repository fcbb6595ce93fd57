from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from sunlight.menus import MenuItemFor

from . import admin_import, admin_views, ratings_admin, results_admin
from .catalog_admin import DisclosureCatalogViewSet
from .models import (
    CalendarYear,
    CatalogVersion,
    DeadlineNotice,
    Decision,
    DisclosureCatalog,
    NegativeListItem,
    Objection,
    PowerItem,
    Rating,
    Result,
)
from .permissions import (
    CatalogPermissionPolicy,
    FilingPermissionPolicy,
    ObjectionPermissionPolicy,
    RatingPermissionPolicy,
    UnitItemPermissionPolicy,
)
from .viewsets import POWER_LISTS_SUBMENU_HOOK, ItemDeleteBulkAction, PowerListsGroup


class CalendarYearViewSet(SnippetViewSet):
    """Site admins keep the holiday arrangement current (DESIGN rule 7)."""

    model = CalendarYear
    icon = "date"
    menu_label = "节假日安排"
    menu_order = 900
    add_to_admin_menu = True
    list_display = ["year", "source", "complete", "updated_at"]


register_snippet(CalendarYearViewSet)


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
    return MenuItemFor(
        "监督单位",
        reverse(admin_views.INDEX_URL_NAME),
        name="supervision",
        icon_name="view",
        order=250,
        shown_to=admin_views.can_supervise,
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


# Power lists: 权力事项, 负面清单, 报备记录 and the CMS import ------------------------
# Policies first: Wagtail refuses a policy registered after a view asked for one.

register_permission_policy(PowerItem, UnitItemPermissionPolicy(PowerItem))
register_permission_policy(NegativeListItem, UnitItemPermissionPolicy(NegativeListItem))
register_permission_policy(CatalogVersion, FilingPermissionPolicy(CatalogVersion))
register_snippet(PowerListsGroup)

# After Wagtail's own (order 0), so that this one is the delete for these models.
hooks.register("register_bulk_action", ItemDeleteBulkAction, order=1)


@hooks.register(POWER_LISTS_SUBMENU_HOOK)
def register_import_menu_item():
    return admin_import.import_menu_item()


@hooks.register("register_admin_urls")
def register_import_urls():
    return [
        path(
            "power-lists/import/",
            admin_import.ImportView.as_view(),
            name=admin_import.IMPORT_URL_NAME,
        ),
        path(
            "power-lists/import/confirm/",
            admin_import.ConfirmImportView.as_view(),
            name=admin_import.CONFIRM_URL_NAME,
        ),
    ]


@hooks.register("register_log_actions")
def register_filing_log_actions(actions):
    actions.register_action(
        "sunlight.filing_acknowledged", "签收报备", "上级公开机构签收公开目录报备"
    )


class FilingsPanel(Component):
    """Dashboard: catalogs filed with the user's units and not yet 签收, and those
    copied to the user's 纪委 (seeds 000 公开办法: 报备上级, 抄送纪委)."""

    name = "filings"
    order = 120
    template_name = "disclosure/admin/filings_panel.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        policy = FilingPermissionPolicy(CatalogVersion)
        received = policy.received(self.user)
        copied = policy.copied(self.user)
        versions = CatalogVersion.objects.select_related("unit").order_by(
            "-approved_at"
        )
        return {
            "waiting": versions.filter(filed_to__in=received, acknowledged_at=None)[
                :10
            ],
            "copied": versions.filter(copied_to__in=copied)[:10],
            "index_url": reverse("filings:index"),
        }


@hooks.register("construct_homepage_panels")
def add_filings_panel(request, panels):
    if FilingPermissionPolicy(CatalogVersion).user_has_permission(request.user, "view"):
        panels.append(FilingsPanel(request.user))


# 一事一公开: results, decisions, objections and the deadline dashboards ---------------

register_permission_policy(Result, UnitItemPermissionPolicy(Result))
register_permission_policy(Decision, UnitItemPermissionPolicy(Decision))
register_permission_policy(Objection, ObjectionPermissionPolicy(Objection))
register_permission_policy(Rating, RatingPermissionPolicy(Rating))
register_snippet(results_admin.ResultsGroup)


@hooks.register("register_admin_viewset")
def register_objection_viewset():
    return results_admin.ObjectionViewSet()


def can_read_objections(user):
    return ObjectionPermissionPolicy(Objection).user_has_permission(user, "view")


@hooks.register(results_admin.RESULTS_SUBMENU_HOOK)
def register_objections_menu_item():
    return MenuItemFor(
        "公示异议",
        reverse("disclosure_objections:index"),
        name="objections",
        icon_name="warning",
        order=300,
        shown_to=can_read_objections,
    )


@hooks.register(results_admin.RESULTS_SUBMENU_HOOK)
def register_deadline_menu_item():
    return MenuItemFor(
        "时限看板",
        reverse(results_admin.DASHBOARD_URL_NAME),
        name="result-deadlines",
        icon_name="time",
        order=400,
        shown_to=results_admin.can_see_dashboards,
    )


@hooks.register(results_admin.RESULTS_SUBMENU_HOOK)
def register_unit_summary_menu_item():
    return MenuItemFor(
        "时限统计（按单位）",
        reverse(results_admin.UNIT_SUMMARY_URL_NAME),
        name="result-deadlines-by-unit",
        icon_name="table",
        order=410,
        shown_to=results_admin.can_see_dashboards,
    )


@hooks.register("register_admin_urls")
def register_dashboard_urls():
    return results_admin.dashboard_urls()


@hooks.register("register_log_actions")
def register_objection_log_actions(actions):
    actions.register_action(
        "sunlight.objection_answered", "答复公示异议", "答复公示异议并在结果页面公开"
    )
    actions.register_action(
        "sunlight.rating_shown", "公开评议意见", "评议意见审核后公开"
    )
    actions.register_action(
        "sunlight.rating_hidden", "不予公开评议意见", "评议意见不予公开"
    )
    actions.register_action(
        "sunlight.rating_replied", "回复评议意见", "回复不满意评议并在结果页面公开"
    )
    actions.register_action(
        "sunlight.rating_original_viewed",
        "查看评议原文",
        "查看未遮盖个人信息的评议原文",
    )


class DeadlineNoticesPanel(Component):
    """Dashboard: the user's newest deadline reminders (the same ones e-mailed by
    `check_deadlines`), so nobody depends on mail alone."""

    name = "deadline_notices"
    order = 110
    template_name = "disclosure/admin/deadline_notices_panel.html"

    def __init__(self, notices):
        self.notices = notices

    def get_context_data(self, parent_context=None):
        return {"notices": self.notices}


@hooks.register("construct_homepage_panels")
def add_deadline_notices_panel(request, panels):
    notices = list(
        DeadlineNotice.objects.filter(recipient=request.user).order_by("-created_at")[
            :10
        ]
    )
    if notices:
        panels.append(DeadlineNoticesPanel(notices))


# 一事一评议: comments, follow-ups and the 纪委's statistics ------------------------------


@hooks.register("register_admin_viewset")
def register_rating_viewset():
    return ratings_admin.RatingViewSet()


@hooks.register("register_admin_urls")
def register_rating_statistics_urls():
    return ratings_admin.statistics_urls()


@hooks.register(results_admin.RESULTS_SUBMENU_HOOK)
def register_ratings_menu_item():
    return MenuItemFor(
        "评议意见",
        reverse("disclosure_ratings:index"),
        name="ratings",
        icon_name="comment",
        order=350,
        shown_to=ratings_admin.can_see_ratings,
    )


@hooks.register(results_admin.RESULTS_SUBMENU_HOOK)
def register_rating_statistics_menu_item():
    return MenuItemFor(
        "不良评价统计",
        reverse(ratings_admin.STATISTICS_URL_NAME),
        name="rating-statistics",
        icon_name="warning",
        order=600,
        shown_to=ratings_admin.can_see_statistics,
    )


class RatingsPanel(Component):
    """Dashboard: comments waiting for the 纪委's decision and follow-ups waiting
    for (or overdue from) the units in the user's scope — three counts, one query."""

    name = "ratings"
    order = 130
    template_name = "disclosure/admin/ratings_panel.html"

    def __init__(self, counts, can_moderate):
        self.counts = counts
        self.can_moderate = can_moderate

    def get_context_data(self, parent_context=None):
        return {
            **self.counts,
            "can_moderate": self.can_moderate,
            "index_url": reverse("disclosure_ratings:index"),
        }


@hooks.register("construct_homepage_panels")
def add_ratings_panel(request, panels):
    user = request.user
    if not ratings_admin.can_see_ratings(user):
        return
    counts = ratings_admin.panel_counts(user)
    if any(counts.values()):
        panels.append(RatingsPanel(counts, ratings_admin.can_see_statistics(user)))
