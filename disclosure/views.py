"""The public side of a unit's power lists: the list tabs on the unit page, each item's
page, and the downloads. Called by UnitPage's routes.

The public sees published and disclosed items only (`public_items`); drafts live in
revisions, so an item row that is live holds exactly what was approved. Every view
runs a fixed number of queries whatever the number of items (issue 4 performance
figure: 1,000 items, p95 under 150 ms).
"""

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.safestring import mark_safe

from disclosure import exports
from disclosure.filters import PowerItemFilter, facets
from disclosure.flowchart import render_flowchart
from disclosure.models import (
    CatalogVersion,
    ItemChange,
    NegativeListItem,
    PowerItem,
    ProcessStep,
)

PER_PAGE = 20
#: The unit page's lists, in tab order: key (the `?list=` value) → heading.
LISTS = {
    "powers": "权力清单",
    "duties": "责任清单",
    "process": "流程清单",
    "risks": "风险防控清单",
    "negative": "负面清单",
}
ITEM_FIELDS = {
    "powers": ("code", "name", "index_number", "power_type", "office", "time_limit"),
    "duties": ("code", "name", "duties", "responsible", "accountability"),
    "process": ("code", "name", "office", "time_limit"),
}


def public_items(unit):
    return PowerItem.objects.filter(unit=unit, live=True, disclosed=True)


def unit_lists(unit, request):
    """Context for the unit page's lists: tabs, filters with counts, one page of the
    chosen list, the non-disclosed items with their reasons, and the export links.

    Every count comes from the one facet query, so a list costs one more query for
    its page of rows (and the 负面清单 one for its count).
    """
    active = request.GET.get("list", "")
    if active not in LISTS:
        active = "powers"
    rows = facets(public_items(unit))
    filterset = PowerItemFilter(request.GET, public_items(unit), rows=rows)
    negatives = _negatives(unit)
    totals = _totals(rows, negatives.count())
    found = _totals(filterset.matching, totals["negative"])
    if active == "negative":
        objects = negatives
    elif active == "risks":
        objects = _risks(filterset.qs)
    else:
        objects = _items(filterset.qs, active)
    page = CountedPaginator(objects, PER_PAGE, count=found[active]).get_page(
        request.GET.get("page")
    )
    page.object_list = list(page.object_list)
    base = unit.get_url(request)
    _add_urls(unit, base, page.object_list, active)
    return {
        "lists": [(key, label, totals[key]) for key, label in LISTS.items()],
        "active_list": active,
        "active_label": LISTS[active],
        "filter": filterset if active != "negative" else None,
        "page_obj": page,
        "page_range": page.paginator.get_elided_page_range(
            page.number, on_each_side=2, on_ends=1
        ),
        "item_total": totals["powers"],
        "has_lists": bool(totals["powers"] or totals["negative"]),
        "withheld": list(
            PowerItem.objects.filter(unit=unit, live=True, disclosed=False)
            .only("code", "name", "withheld_reason")
            .order_by("code")
        ),
        "catalog_version": CatalogVersion.objects.filter(unit=unit)
        .order_by("-number")
        .only("number", "approved_at")
        .first(),
        "exports": {
            "xlsx": base + unit.reverse_subpage("export_xlsx"),
            **{
                name: base
                + unit.reverse_subpage("export_csv", kwargs={"list_name": name})
                for name in CSV_EXPORTS
            },
        },
    }


class CountedPaginator(Paginator):
    """A paginator told its count (from the facets) instead of asking the database."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self.count = count


def _totals(rows, negative_count):
    items = sum(row.items for row in rows)
    return {
        "powers": items,
        "duties": items,
        "process": items,
        "risks": sum(row.risks for row in rows),
        "negative": negative_count,
    }


def _items(items, active):
    items = items.only(*ITEM_FIELDS[active]).order_by("code")
    if active == "process":
        items = items.annotate(
            step_count=Count("steps"),
            risk_count=Count("steps", filter=~Q(steps__risk="")),
        )
    return items


def _risks(items):
    return (
        ProcessStep.objects.filter(item__in=items)
        .exclude(risk="")
        .select_related("item")
        .only(
            "name",
            "risk",
            "risk_level",
            "prevention",
            "item__code",
            "item__name",
        )
        .order_by("item__code", "sort_order", "pk")
    )


def _negatives(unit):
    return NegativeListItem.objects.filter(unit=unit, live=True).order_by(
        "sort_order", "pk"
    )


def _add_urls(unit, base, objects, active):
    """Give each listed item its page address, from the unit's (`base`)."""
    if active == "negative":
        return
    for obj in objects:
        item = obj.item if active == "risks" else obj
        item.public_url = base + unit.reverse_subpage(
            "power_item", kwargs={"code": item.code}
        )


def power_item(unit, request, code):
    """An item's page: every field, the chart and its list, results, 变更记录."""
    newest_first = ItemChange.objects.order_by("-published_at", "-pk")
    item = (
        public_items(unit)
        .filter(code=code)
        .prefetch_related("steps", Prefetch("changes", queryset=newest_first))
        .first()
    )
    if item is None:
        raise Http404("没有找到该事项，或该事项未公开。")
    item.unit = unit
    context = unit.get_context(request)
    context.update(item_context(item, item.changes.all()))
    context.update(_item_results(unit, item, request))
    return TemplateResponse(request, "disclosure/power_item.html", context)


ITEM_RESULTS_SHOWN = 10


def _item_results(unit, item, request):
    """The item's newest public results, with a link to all of them."""
    from disclosure.rating_views import item_rating_summary_html
    from disclosure.views_results import add_result_urls, listed, public_results

    results = list(
        listed(public_results().filter(item=item)).order_by(
            "-disclosed_on", "-result_date", "-pk"
        )[:ITEM_RESULTS_SHOWN]
    )
    add_result_urls(results, request)
    url = unit.get_url(request) + unit.reverse_subpage("results")
    return {
        "item_results": results,
        "item_results_url": f"{url}?item={item.code}",
        "rating_summary_html": item_rating_summary_html(request, item.pk),
    }


def item_context(item, changes):
    """What the item template needs beside the page: the chart and the 变更记录.
    Also used by the admin preview, where `item` is an unsaved draft."""
    chart = render_flowchart(
        item.steps.all(), title=f"{item.name}办理流程图", chart_id="flowchart-chart"
    )
    # render_flowchart escapes every text it draws (tested in test_flowchart.py).
    return {"item": item, "chart": mark_safe(chart), "changes": changes}  # noqa: S308


def export_xlsx(unit):
    """The unit's public lists in one workbook: items, steps with risks, 负面清单."""
    items = public_items(unit).order_by("code").prefetch_related("steps")
    stamp = timezone.localdate().strftime("%Y%m%d")
    content = exports.to_xlsx(
        [
            ("权力清单", exports.POWER_HEADER, exports.power_rows(unit, items)),
            ("流程与风险", exports.STEP_HEADER, exports.step_rows(unit, items)),
            (
                "负面清单",
                exports.NEGATIVE_HEADER,
                exports.negative_rows(unit, _negatives(unit)),
            ),
        ],
        title=f"{unit.title}权力运行清单",
    )
    return exports.download(
        content,
        exports.XLSX_TYPE,
        f"{unit.title}-权力运行清单-{stamp}.xlsx",
        f"{exports.ascii_name(unit.code)}-lists-{stamp}.xlsx",
    )


#: CSV downloads: list name in the URL → (file label, header, rows of the unit).
CSV_EXPORTS = {
    "powers": (
        "权力清单",
        exports.POWER_HEADER,
        lambda unit: exports.power_rows(unit, public_items(unit).order_by("code")),
    ),
    "steps": (
        "流程与风险",
        exports.STEP_HEADER,
        lambda unit: exports.step_rows(
            unit, public_items(unit).order_by("code").prefetch_related("steps")
        ),
    ),
    "negative": (
        "负面清单",
        exports.NEGATIVE_HEADER,
        lambda unit: exports.negative_rows(unit, _negatives(unit)),
    ),
}


def export_csv(unit, list_name):
    if list_name not in CSV_EXPORTS:
        raise Http404("没有这种导出文件。")
    label, header, rows = CSV_EXPORTS[list_name]
    stamp = timezone.localdate().strftime("%Y%m%d")
    return exports.download(
        exports.to_csv(header, rows(unit)),
        exports.CSV_TYPE,
        f"{unit.title}-{label}-{stamp}.csv",
        f"{exports.ascii_name(unit.code)}-{list_name}-{stamp}.csv",
    )
