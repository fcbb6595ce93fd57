from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import CalendarYear


class CalendarYearViewSet(SnippetViewSet):
    """Site admins keep the holiday arrangement current (DESIGN rule 7)."""

    model = CalendarYear
    icon = "date"
    menu_label = "节假日安排"
    menu_order = 900
    add_to_admin_menu = True
    list_display = ["year", "source", "complete", "updated_at"]


register_snippet(CalendarYearViewSet)
