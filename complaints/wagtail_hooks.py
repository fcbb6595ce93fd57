from django.db.models import Count, Q
from django.urls import path, reverse
from django.utils import timezone

from wagtail import hooks
from wagtail.admin.ui.components import Component

from sunlight.menus import MenuItemFor

from . import admin_views as views
from . import handling


@hooks.register("register_admin_urls")
def register_report_urls():
    return [
        path("complaints/", views.ReportListView.as_view(), name=views.INDEX),
        path("complaints/register/", views.RegisterView.as_view(), name=views.REGISTER),
        path("complaints/analysis/", views.AnalysisView.as_view(), name=views.ANALYSIS),
        path(
            "complaints/<int:pk>/", views.ReportDetailView.as_view(), name=views.DETAIL
        ),
        path(
            "complaints/<int:pk>/attachments/<int:attachment_pk>/",
            views.AttachmentView.as_view(),
            name=views.ATTACHMENT,
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_report_menu_item():
    return MenuItemFor(
        "举报办理",
        reverse(views.INDEX),
        name="reports",
        icon_name="warning",
        order=260,
        shown_to=handling.is_handler,
    )


class ReportsPanel(Component):
    """Dashboard for 纪委 staff: reports awaiting acceptance, overdue ones first
    (DESIGN rule 6: acknowledge within 15 working days, transfer within 5)."""

    name = "complaints"
    order = 110
    template_name = "complaints/admin/panel.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        today = timezone.localdate()
        counts = handling.visible_reports(self.user).aggregate(
            awaiting=Count("pk", filter=Q(state__in=handling.AWAITING)),
            overdue=Count(
                "pk",
                filter=Q(state__in=handling.AWAITING, acknowledge_due__lt=today),
            ),
            investigating=Count("pk", filter=Q(state=handling.State.INVESTIGATING)),
        )
        return {**counts, "index_url": reverse(views.INDEX)}


@hooks.register("construct_homepage_panels")
def add_reports_panel(request, panels):
    if handling.is_handler(request.user):
        panels.append(ReportsPanel(request.user))


@hooks.register("register_log_actions")
def register_report_log_actions(actions):
    for action, label in (
        ("registered", "登记举报"),
        ("accepted", "受理举报"),
        ("rejected", "不予受理举报"),
        ("transferred", "移送举报"),
        ("investigating", "核查举报"),
        ("closed", "办结举报"),
        ("replied", "答复举报人"),
        ("marked_principal", "认定被举报人为主要负责人"),
        ("identity_viewed", "查看实名举报人身份"),
        ("attachment_downloaded", "下载举报附件"),
        ("analysis_exported", "导出举报季度分析"),
    ):
        actions.register_action(f"complaints.{action}", label, label)
