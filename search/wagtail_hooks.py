"""Search in the admin (issue 6): editors keep the synonym table and see what the
public searched for without finding anything."""

from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.reports import ReportView
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Synonym, ZeroResultQuery

ZERO_RESULTS_URL_NAME = "search_zero_results"


class SynonymViewSet(SnippetViewSet):
    """低保 ↔ 最低生活保障: a change applies to the next search at once."""

    model = Synonym
    icon = "search"
    menu_label = "同义词"
    menu_name = "synonyms"
    menu_order = 910
    add_to_admin_menu = True
    list_display = ["terms", "active", "updated_at"]
    list_filter = ["active"]
    ordering = ["terms"]


register_snippet(SynonymViewSet)


class ZeroResultReportView(ReportView):
    """无结果检索: the words only — masked, no one's address or account."""

    page_title = "无结果检索"
    header_icon = "search"
    model = ZeroResultQuery
    index_url_name = ZERO_RESULTS_URL_NAME
    index_results_url_name = f"{ZERO_RESULTS_URL_NAME}_results"
    columns = [
        Column("query", label="检索词"),
        Column("count", label="次数"),
        DateColumn("last_seen", label="最近一次"),
    ]
    list_export = ["query", "count", "last_seen"]
    export_headings = {"query": "检索词", "count": "次数", "last_seen": "最近一次"}

    def get_queryset(self):
        return ZeroResultQuery.objects.order_by("-count", "-last_seen", "query")

    def get_filename(self):
        return "search-zero-results"


@hooks.register("register_admin_urls")
def register_zero_result_urls():
    return [
        path(
            "reports/search-zero-results/",
            ZeroResultReportView.as_view(),
            name=ZERO_RESULTS_URL_NAME,
        ),
        path(
            "reports/search-zero-results/results/",
            ZeroResultReportView.as_view(results_only=True),
            name=f"{ZERO_RESULTS_URL_NAME}_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_zero_result_menu_item():
    return MenuItem(
        "无结果检索",
        reverse(ZERO_RESULTS_URL_NAME),
        name="search-zero-results",
        icon_name="search",
        order=950,
    )
