from django.db.models import Count, Q
from django.urls import path, reverse
from django.utils import timezone

from wagtail import hooks
from wagtail.admin.ui.components import Component

from sunlight.menus import MenuItemFor

from . import access, assessment_views, rectification, views
from .models import Problem, ResponsibilityList, WorkReport


@hooks.register("register_admin_urls")
def register_ledger_urls():
    return [
        path("ledgers/", views.IndexView.as_view(), name=views.INDEX),
        path(
            "ledgers/units/<int:pk>/<int:year>/",
            views.UnitYearView.as_view(),
            name=views.UNIT,
        ),
        path(
            "ledgers/units/<int:pk>/<int:year>/sign/<slug:subject>/",
            views.SignListView.as_view(),
            name=views.SIGN,
        ),
        path("ledgers/lists/<int:pk>/", views.ListView.as_view(), name=views.LIST),
        path(
            "ledgers/problems/<int:pk>/",
            views.ProblemView.as_view(),
            name=views.PROBLEM,
        ),
        path(
            "ledgers/evidence/<int:pk>/",
            views.EvidenceView.as_view(),
            name=views.EVIDENCE,
        ),
        path("ledgers/reports/", views.ReportsView.as_view(), name=views.REPORTS),
        path(
            "ledgers/reports/<int:pk>/", views.ReportView.as_view(), name=views.REPORT
        ),
        path(
            "ledgers/assessments/",
            assessment_views.AssessmentsView.as_view(),
            name=assessment_views.ASSESSMENTS,
        ),
        path(
            "ledgers/assessments/<int:pk>/",
            assessment_views.AssessmentView.as_view(),
            name=assessment_views.ASSESSMENT,
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_ledger_menu_item():
    return MenuItemFor(
        "两个责任",
        reverse(views.INDEX),
        name="ledgers",
        icon_name="tasks",
        order=270,
        shown_to=access.has_access,
    )


class LedgerPanel(Component):
    """Dashboard: 主体责任 and 监督责任 lists of the year, the 问题清单 and 整改 waiting,
    overdue reports — for the units the user keeps or supervises."""

    name = "ledgers"
    order = 115
    template_name = "ledgers/admin/panel.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        today = timezone.localdate()
        units = access.visible_units(self.user)

        def scoped(rows):
            return rows if units is None else rows.filter(unit_id__in=units)

        lists = scoped(ResponsibilityList.objects.filter(year=today.year)).aggregate(
            principal=Count("pk", filter=Q(kind=ResponsibilityList.Kind.PRINCIPAL)),
            supervisory=Count("pk", filter=Q(kind=ResponsibilityList.Kind.SUPERVISORY)),
        )
        problems = scoped(Problem.objects.all()).aggregate(
            open=Count("pk", filter=Q(state__in=views.OPEN)),
            submitted=Count("pk", filter=Q(state=rectification.SUBMITTED)),
            overdue=Count(
                "pk",
                filter=Q(
                    state__in=(rectification.PLANNED, rectification.RETURNED),
                    due__lt=today,
                ),
            ),
        )
        reports = scoped(
            WorkReport.objects.filter(submitted_on__isnull=True, due__lt=today)
        ).count()
        return {
            **lists,
            **problems,
            "overdue_reports": reports,
            "year": today.year,
            "index_url": reverse(views.INDEX),
            "reports_url": reverse(views.REPORTS),
            "assessments_url": reverse(assessment_views.ASSESSMENTS),
        }


@hooks.register("construct_homepage_panels")
def add_ledger_panel(request, panels):
    if access.has_access(request.user):
        panels.append(LedgerPanel(request.user))


LOG_ACTIONS = (
    ("list_created", "建立责任清单"),
    ("list_changed", "修改责任清单"),
    ("list_reopened", "修订责任清单（开启新版本）"),
    ("progress_recorded", "记录履责情况"),
    ("problem_recorded", "列入问题清单"),
    ("problem_plan", "报送整改方案"),
    ("problem_submit", "报送整改完成情况"),
    ("problem_accept", "验收销号"),
    ("problem_return", "退回重改"),
    ("evidence_downloaded", "下载佐证材料"),
    ("signed", "签字背书"),
    ("report_filed", "报送责任报告"),
    ("interview_recorded", "登记约谈"),
    ("assessment_created", "建立量化考核"),
    ("indicators_set", "设定考核指标"),
    ("indicators_confirmed", "确定考核指标"),
    ("scores_computed", "计算系统指标得分"),
    ("scores_entered", "录入考核得分"),
    ("assessment_finalized", "考核结果定稿"),
    ("assessment_published", "公布考核结果"),
    ("assessment_exported", "导出考核结果"),
)


@hooks.register("register_log_actions")
def register_ledger_log_actions(actions):
    for action, label in LOG_ACTIONS:
        actions.register_action(f"ledgers.{action}", label, label)
