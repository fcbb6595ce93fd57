"""The 公开目录 in the admin: each unit's staff see their catalogs, submit them into
the four-step workflow and follow them; nobody publishes one directly (the policy is
disclosure.permissions.CatalogPermissionPolicy)."""

from wagtail.snippets.views.snippets import SnippetViewSet

from .models import DisclosureCatalog


class DisclosureCatalogViewSet(SnippetViewSet):
    model = DisclosureCatalog
    icon = "list-ul"
    menu_label = "公开目录"
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["unit", "version", "status_string"]
    search_fields = ["unit__title", "unit__code"]
    search_backend_name = None
    inspect_view_enabled = True
