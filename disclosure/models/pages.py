from django.db import models

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page
from wagtail.search import index

from disclosure import units


class UnitTreeRouteMixin:
    """Wagtail routes a URL one segment at a time, two queries per level: a page
    four units down cost eight queries before its view ran. The unit pages named
    by the whole URL are read in one query (by their `url_path`, which Wagtail keeps
    up to date on every move and slug change) when the site root starts routing,
    and each level takes its child from them; anything not found there is left to
    Wagtail's own lookup, so routing is unchanged (routable sub-pages first, then
    children; drafts answered 404 as before)."""

    def route(self, request, path_components):
        if not path_components or request is None:
            return super().route(request, path_components)
        children = getattr(request, "_unit_route_pages", None)
        if children is None:
            prefixes = [
                self.url_path + "/".join(path_components[:n]) + "/"
                for n in range(1, len(path_components) + 1)
            ]
            children = {
                page.url_path: page
                for page in UnitPage.objects.filter(url_path__in=prefixes)
            }
            request._unit_route_pages = children
        child = children.get(f"{self.url_path}{path_components[0]}/")
        if child is None or child.path[: -self.steplen] != self.path:
            return super().route(request, path_components)
        child._cached_parent_obj = self
        return child.route(request, path_components[1:])


class HomePage(UnitTreeRouteMixin, Page):
    """The portal's front page: the county and its units."""

    intro = models.TextField("简介", blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["disclosure.UnitPage"]
    max_count = 1

    class Meta:
        verbose_name = "首页"

    def get_context(self, request, *args, **kwargs):
        """The whole public unit tree in one query, so every unit is one page away.

        A unit under a draft unit is left out: its branch is not public yet.
        """
        context = super().get_context(request, *args, **kwargs)
        rows = UnitPage.objects.descendant_of(self).live().order_by("depth", "code")
        by_path, top_level = {}, []
        for unit in rows:
            parent = by_path.get(unit.path[: -UnitPage.steplen])
            if unit.depth != self.depth + 1 and parent is None:
                continue
            unit.tree_children = []
            (parent.tree_children if parent else top_level).append(unit)
            by_path[unit.path] = unit
        public = list(by_path.values())
        for unit in public:
            unit.subunit_groups = _grouped(unit.tree_children, unit)
        context["units"] = top_level
        context["unit_count"] = len(public)
        context["level_counts"] = [
            (level.value, sum(unit.level == level for unit in public))
            for level in UnitPage.Level
        ]
        context["last_updated"] = max(
            (unit.last_published_at for unit in public if unit.last_published_at),
            default=None,
        )
        context["latest_results"] = _latest_results(request)
        return context


LATEST_RESULTS_SHOWN = 8


def _latest_results(request):
    from disclosure.views_results import add_result_urls, listed, public_results

    results = list(
        listed(public_results()).order_by("-disclosed_on", "-pk")[:LATEST_RESULTS_SHOWN]
    )
    add_result_urls(results, request)
    return results


class UnitPage(RoutablePageMixin, UnitTreeRouteMixin, Page):
    """A unit of the tree 市/县/乡/村 with its departments; the page title is its name."""

    class Level(models.TextChoices):
        CITY = "市", "市"
        COUNTY = "县", "县"
        TOWNSHIP = "乡", "乡"
        VILLAGE = "村", "村"

    class UnitType(models.TextChoices):
        PARTY_COMMITTEE = "党委", "党委"
        GOVERNMENT = "政府", "政府"
        COMMISSION = "纪委", "纪委"
        DEPARTMENT = "部门", "部门"
        VILLAGE_COMMITTEE = "村(居)委会", "村(居)委会"
        INSTITUTION = "事业单位", "事业单位"

    code = models.CharField("单位编码", max_length=32, unique=True)
    level = models.CharField("层级", max_length=2, choices=Level.choices)
    unit_type = models.CharField("单位类型", max_length=10, choices=UnitType.choices)
    supervisor_override = models.ForeignKey(
        "self",
        verbose_name="指定监督纪委",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"unit_type": "纪委"},
        help_text="留空则由本级或上级纪委监督（自动继承）。",
    )
    supervisor = models.ForeignKey(
        "self",
        verbose_name="监督纪委",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="supervised_units",
    )
    duties = models.TextField("主要职责", blank=True)
    address = models.CharField("办公地址", max_length=200, blank=True)
    phone = models.CharField("办公电话", max_length=50, blank=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("code"), FieldPanel("level"), FieldPanel("unit_type")],
            heading="单位信息",
        ),
        FieldPanel("supervisor_override"),
        FieldPanel("duties"),
        MultiFieldPanel(
            [FieldPanel("address"), FieldPanel("phone")], heading="联系方式"
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("duties"),
        index.FilterField("code"),
    ]
    parent_page_types = ["disclosure.HomePage", "disclosure.UnitPage"]
    subpage_types = ["disclosure.UnitPage"]

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        indexes = [models.Index(fields=["unit_type", "level"])]

    def __str__(self):
        return self.title

    @property
    def is_commission(self):
        return self.unit_type == units.COMMISSION

    @path("")
    def index_route(self, request, *args, **kwargs):
        """The unit page with its power lists (the `?list=` tab, filters, page)."""
        from disclosure.rating_views import unit_rating_summary_html
        from disclosure.views import unit_lists

        request.is_preview = getattr(request, "is_preview", False)
        subunits = list(
            UnitPage.objects.child_of(self)
            .live()
            .order_by("code")
            .select_related("supervisor")
        )
        return self.render(
            request,
            context_overrides={
                "subunits": subunits,
                "subunit_groups": _grouped(subunits, self),
                "rating_summary_html": unit_rating_summary_html(request, self.path),
                **unit_lists(self, request),
            },
        )

    @path("powers/<str:code>/", name="power_item")
    def power_item(self, request, code):
        """A published, disclosed power item of this unit (its own public page)."""
        from disclosure.views import power_item

        return power_item(self, request, code)

    @path("results/", name="results")
    def results_route(self, request):
        """The unit's 一事一公开 results, newest first, with filters."""
        from disclosure.views_results import unit_results

        return unit_results(self, request)

    @path("results/feed/", name="results_feed")
    def results_feed(self, request):
        from disclosure.views_results import unit_results_feed

        return unit_results_feed(request, self)

    @path("results/<int:pk>/", name="result")
    def result_route(self, request, pk):
        from disclosure.views_results import result_detail

        return result_detail(self, request, pk)

    @path("results/<int:pk>/objection/", name="result_objection")
    def result_objection_route(self, request, pk):
        """异议 on a result during its 公示 period (POST only)."""
        from disclosure.objections import raise_objection_view

        return raise_objection_view(self, request, pk)

    @path("results/<int:pk>/rating/", name="result_rating")
    def result_rating_route(self, request, pk):
        """一事一评议 of a result (POST only)."""
        from disclosure.rating_views import rate_view

        return rate_view(self, request, pk)

    @path("decisions/", name="decisions")
    def decisions_route(self, request):
        from disclosure.views_results import unit_decisions

        return unit_decisions(self, request)

    @path("decisions/<int:pk>/", name="decision")
    def decision_route(self, request, pk):
        from disclosure.views_results import decision_detail

        return decision_detail(self, request, pk)

    @path("export/xlsx/", name="export_xlsx")
    def export_xlsx(self, request):
        """The unit's public lists as one workbook."""
        from disclosure.views import export_xlsx

        return export_xlsx(self)

    @path("export/csv/<slug:list_name>/", name="export_csv")
    def export_csv(self, request, list_name):
        """One of the unit's public lists as CSV (powers, steps, negative)."""
        from disclosure.views import export_csv

        return export_csv(self, list_name)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["breadcrumb"] = (
            UnitPage.objects.ancestor_of(self).live().order_by("depth")
        )
        return context


#: Sub-units are listed under these headings, in this order.
SUBUNIT_GROUPS = (
    "纪委",
    "党委、政府",
    "部门",
    "事业单位",
    "县（市、区）",
    "乡镇",
    "村(居)委会",
)
LOWER_LEVEL_GROUPS = {"县": "县（市、区）", "乡": "乡镇", "村": "村(居)委会"}


def _group_name(unit, parent):
    """A unit's 纪委 comes first; the party and government of a lower level are
    listed as that level (a county's townships, a township's villages)."""
    if unit.unit_type == units.COMMISSION:
        return "纪委"
    if unit.unit_type not in ("党委", "政府"):
        return unit.unit_type
    if unit.level == getattr(parent, "level", unit.level):
        return "党委、政府"
    return LOWER_LEVEL_GROUPS.get(unit.level, "党委、政府")


def _grouped(subunits, parent):
    """[(heading, [units])] in SUBUNIT_GROUPS order, empty headings left out."""
    groups = {}
    for unit in subunits:
        groups.setdefault(_group_name(unit, parent), []).append(unit)
    return sorted(groups.items(), key=lambda item: SUBUNIT_GROUPS.index(item[0]))
