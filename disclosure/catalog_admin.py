"""The 公开目录 in the admin: each unit's staff see their catalogs, submit them into
the four-step workflow and follow them; nobody publishes one directly (the policy is
disclosure.permissions.CatalogPermissionPolicy)."""

from wagtail.snippets.views import snippets
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import DisclosureCatalog
from .viewsets import (
    READ_ACCESS,
    ScopedCollectWorkflowActionDataView,
    ScopedConfirmWorkflowCancellationView,
    ScopedWorkflowActionView,
    ScopedWorkflowHistoryDetailView,
    ScopedWorkflowHistoryView,
    ScopedWorkflowPreviewView,
    scoped_view,
)


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
    # Wagtail's views check model-wide permissions only: each also checks the
    # catalog named in the URL, so another unit's drafts stay unseen.
    edit_view_class = scoped_view(snippets.EditView)
    delete_view_class = scoped_view(snippets.DeleteView, ("delete",))
    copy_view_class = scoped_view(snippets.CopyView)
    usage_view_class = scoped_view(snippets.UsageView, READ_ACCESS)
    history_view_class = scoped_view(snippets.HistoryView, READ_ACCESS)
    inspect_view_class = scoped_view(snippets.InspectView, READ_ACCESS)
    revisions_view_class = scoped_view(snippets.PreviewRevisionView, READ_ACCESS)
    revisions_compare_view_class = scoped_view(
        snippets.RevisionsCompareView, READ_ACCESS
    )
    revisions_unschedule_view_class = scoped_view(
        snippets.RevisionsUnscheduleView, ("publish",)
    )
    unpublish_view_class = scoped_view(snippets.UnpublishView, ("publish",))
    lock_view_class = scoped_view(snippets.LockView, ("lock",))
    unlock_view_class = scoped_view(snippets.UnlockView)
    workflow_history_view_class = ScopedWorkflowHistoryView
    workflow_history_detail_view_class = ScopedWorkflowHistoryDetailView
    workflow_preview_view_class = ScopedWorkflowPreviewView
    workflow_action_view_class = ScopedWorkflowActionView
    collect_workflow_action_data_view_class = ScopedCollectWorkflowActionDataView
    confirm_workflow_cancellation_view_class = ScopedConfirmWorkflowCancellationView
