"""Editor panels: what a catalog submission covers, so reviewers see what they approve."""

from django.urls import NoReverseMatch, reverse

from wagtail.admin.panels import Panel


class PendingChangesPanel(Panel):
    """Lists the item revisions recorded in this catalog revision (what an approval
    will publish), each with a link to compare it against the public version, and
    warns about later edits that the submission does not cover."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "disclosure/admin/pending_changes_panel.html"

        def get_context_data(self, parent_context=None):
            from disclosure.catalogs import pending_changes
            from disclosure.models import NegativeListItem, PowerItem

            context = super().get_context_data(parent_context)
            catalog = self.instance
            recorded = (catalog.pending or {}).get("items", {}) if catalog.pk else {}
            items = PowerItem.objects.filter(pk__in=recorded.keys()).order_by("code")
            context["items"] = [
                {
                    "item": item,
                    "state": "修改" if item.live else "新增",
                    "compare_url": _compare_url(item, recorded[str(item.pk)]),
                }
                for item in items
            ]
            negatives = (
                (catalog.pending or {}).get("negatives", {}) if catalog.pk else {}
            )
            context["negatives"] = NegativeListItem.objects.filter(
                pk__in=negatives.keys()
            )
            current = (
                pending_changes(catalog.unit) if catalog.unit_id else {"items": {}}
            )
            context["uncovered"] = len(
                {k for k, v in current["items"].items() if recorded.get(k) != v}
            )
            context["withheld"] = items.filter(disclosed=False)
            return context


def _compare_url(item, revision_id):
    viewset = getattr(type(item), "snippet_viewset", None)
    if viewset is None:
        return None
    try:
        if item.live:
            return reverse(
                viewset.get_url_name("revisions_compare"),
                kwargs={
                    "pk": item.pk,
                    "revision_id_a": "live",
                    "revision_id_b": revision_id,
                },
            )
        return reverse(
            viewset.get_url_name("revisions_view"),
            kwargs={"pk": item.pk, "revision_id": revision_id},
        )
    except NoReverseMatch:
        return None
