from django.db import models

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import Page
from wagtail.search import index

from disclosure import units


class HomePage(Page):
    """The portal's front page: the county and its units."""

    intro = models.TextField("简介", blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["disclosure.UnitPage"]
    max_count = 1

    class Meta:
        verbose_name = "首页"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["units"] = UnitPage.objects.child_of(self).live().order_by("code")
        return context


class UnitPage(Page):
    """A unit of the tree 市/县/乡/村 with its departments; the page title is its name."""

    class Level(models.TextChoices):
        CITY = "市"
        COUNTY = "县"
        TOWNSHIP = "乡"
        VILLAGE = "村"

    class UnitType(models.TextChoices):
        PARTY_COMMITTEE = "党委"
        GOVERNMENT = "政府"
        COMMISSION = "纪委"
        DEPARTMENT = "部门"
        VILLAGE_COMMITTEE = "村(居)委会"
        INSTITUTION = "事业单位"

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

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["subunits"] = (
            UnitPage.objects.child_of(self)
            .live()
            .order_by("code")
            .select_related("supervisor")
        )
        context["breadcrumb"] = (
            UnitPage.objects.ancestor_of(self).live().order_by("depth")
        )
        return context
