"""权力清单、责任清单、流程清单、风险防控清单 and 负面清单 (seeds 000 平台办法 第六、七条;
公开办法 第五条; 003 负面清单制度).

Items are Wagtail snippets with drafts and revisions rather than pages: a county holds
tens of thousands of them and imports must be fast. Nobody publishes an item alone:
the unit's DisclosureCatalog goes through the four-step workflow and its approval
publishes exactly the item revisions that were reviewed.
"""

from django.core.exceptions import ValidationError
from django.db import models

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    Orderable,
    PreviewableMixin,
    RevisionMixin,
)
from wagtail.search import index

from disclosure import pii

POWER_TYPES = (
    "行政许可",
    "行政处罚",
    "行政强制",
    "行政征收",
    "行政给付",
    "行政检查",
    "行政确认",
    "行政奖励",
    "行政裁决",
    "其他行政权力",
    "党务权力",
    "内部管理",
    "公共服务",
)
RISK_LEVELS = ("一级", "二级", "三级")


def personal_data_errors(instance, field_names):
    """{field: message} for each text field holding an ID, mobile or bank card
    number (DESIGN rule 2); messages show masked matches only."""
    errors = {}
    for name in field_names:
        findings = pii.find_personal_data(getattr(instance, name) or "")
        if findings:
            label = instance._meta.get_field(name).verbose_name
            errors[name] = [pii.describe(label, findings)]
    return errors


class PowerItem(
    LockableMixin,
    DraftStateMixin,
    RevisionMixin,
    PreviewableMixin,
    index.Indexed,
    ClusterableModel,
):
    """权力事项 with its 责任 fields; identified by unit + 事项编码."""

    PowerType = models.TextChoices("PowerType", [(t, t) for t in POWER_TYPES])

    unit = models.ForeignKey(
        "disclosure.UnitPage",
        verbose_name="单位",
        on_delete=models.PROTECT,
        related_name="power_items",
    )
    code = models.CharField("事项编码", max_length=64)
    name = models.CharField("事项名称", max_length=255)
    power_type = models.CharField("权力类型", max_length=10, choices=PowerType.choices)
    basis = models.TextField("行使依据")
    conditions = models.TextField("行使条件", blank=True)
    office = models.CharField("承办机构", max_length=200)
    time_limit = models.CharField("办理时限", max_length=50, blank=True)
    duties = models.TextField("责任事项", blank=True)
    responsible = models.CharField("责任主体", max_length=200, blank=True)
    accountability = models.TextField("追责情形", blank=True)
    disclosed = models.BooleanField("是否公开", default=True)
    withheld_reason = models.TextField(
        "不公开理由", blank=True, help_text="不公开的事项必须说明理由（依据公开办法）。"
    )
    index_number = models.CharField(
        "索引号", max_length=64, unique=True, null=True, blank=True, editable=False
    )
    catalog_version = models.PositiveIntegerField(
        "公开目录版本", null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    panels = [
        FieldPanel("unit"),
        FieldRowPanel([FieldPanel("code"), FieldPanel("power_type")]),
        FieldPanel("name"),
        FieldPanel("basis"),
        FieldPanel("conditions"),
        FieldRowPanel([FieldPanel("office"), FieldPanel("time_limit")]),
        MultiFieldPanel(
            [
                FieldPanel("duties"),
                FieldPanel("responsible"),
                FieldPanel("accountability"),
            ],
            heading="责任清单",
        ),
        MultiFieldPanel(
            [FieldPanel("disclosed"), FieldPanel("withheld_reason")], heading="公开属性"
        ),
        InlinePanel("steps", heading="流程清单与风险点", label="办理环节"),
    ]
    # Wagtail's own index is not the public search (that is the search app); these
    # fields let bench/bench_search.py compare it fairly on the same text.
    search_fields = [
        index.SearchField("name", boost=3),
        index.SearchField("code"),
        index.SearchField("basis"),
        index.SearchField("conditions"),
        index.SearchField("office"),
        index.SearchField("duties"),
        index.AutocompleteField("name"),
        index.FilterField("unit"),
        index.FilterField("power_type"),
        index.FilterField("live"),
        index.FilterField("disclosed"),
    ]

    class Meta:
        verbose_name = "权力事项"
        verbose_name_plural = "权力事项"
        ordering = ["unit", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "code"], name="unique_item_code_per_unit"
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "live", "disclosed"]),
            models.Index(fields=["power_type"]),
            models.Index(fields=["office"]),
        ]

    #: What an item says, in reading order: compared for 变更记录 and on re-import.
    CONTENT_FIELDS = (
        "name",
        "power_type",
        "basis",
        "conditions",
        "office",
        "time_limit",
        "duties",
        "responsible",
        "accountability",
        "disclosed",
        "withheld_reason",
    )

    def __str__(self):
        return f"{self.name}（{self.code}）"

    #: Free-text fields checked for personal data (the code is an identifier).
    TEXT_FIELDS = (
        "name",
        "basis",
        "conditions",
        "office",
        "time_limit",
        "duties",
        "responsible",
        "accountability",
        "withheld_reason",
    )

    def clean(self):
        super().clean()
        errors = personal_data_errors(self, self.TEXT_FIELDS)
        if not self.disclosed and not self.withheld_reason.strip():
            errors.setdefault("withheld_reason", []).append(
                "不公开的事项必须填写不公开理由。"
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_public(self):
        return self.live and self.disclosed

    def get_url(self, request=None):
        """The item's public page below its unit's page (a path)."""
        return self.unit.get_url(request) + self.unit.reverse_subpage(
            "power_item", kwargs={"code": self.code}
        )

    @property
    def url(self):
        return self.get_url()

    def get_preview_template(self, request, mode_name):
        return "disclosure/power_item.html"

    def get_preview_context(self, request, mode_name):
        from disclosure.models import ItemChange
        from disclosure.views import item_context

        changes = ItemChange.objects.filter(item_id=self.pk) if self.pk else []
        return {**item_context(self, changes), "page": self.unit, "preview": True}


class ProcessStep(Orderable):
    """流程清单: one step, with its 风险点 (风险防控清单) when it has one."""

    RiskLevel = models.TextChoices(
        "RiskLevel", [(level, level) for level in RISK_LEVELS]
    )

    #: What a step says, in reading order.
    CONTENT_FIELDS = (
        "name",
        "post",
        "time_limit",
        "branch",
        "risk",
        "risk_level",
        "prevention",
    )

    item = ParentalKey(PowerItem, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField("环节名称", max_length=100)
    post = models.CharField("办理岗位", max_length=100, blank=True)
    time_limit = models.CharField("办理时限", max_length=50, blank=True)
    branch = models.CharField(
        "分支", max_length=200, blank=True, help_text="如：不予受理——一次性书面告知理由"
    )
    risk = models.TextField("风险点", blank=True)
    risk_level = models.CharField(
        "风险等级", max_length=2, choices=RiskLevel.choices, blank=True
    )
    prevention = models.TextField("防控措施", blank=True)

    panels = [
        FieldRowPanel(
            [FieldPanel("name"), FieldPanel("post"), FieldPanel("time_limit")]
        ),
        FieldPanel("branch"),
        FieldRowPanel([FieldPanel("risk"), FieldPanel("risk_level")]),
        FieldPanel("prevention"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = "办理环节"
        verbose_name_plural = "办理环节"

    def __str__(self):
        return self.name

    TEXT_FIELDS = ("name", "post", "time_limit", "branch", "risk", "prevention")

    def clean(self):
        super().clean()
        errors = personal_data_errors(self, self.TEXT_FIELDS)
        if self.risk.strip() and not self.risk_level:
            errors.setdefault("risk_level", []).append(
                "填写了风险点的环节必须选择风险等级。"
            )
        if self.risk_level and not self.risk.strip():
            errors.setdefault("risk", []).append("选择了风险等级的环节必须写明风险点。")
        if errors:
            raise ValidationError(errors)


class NegativeListItem(LockableMixin, DraftStateMixin, RevisionMixin, models.Model):
    """负面清单 (seed 003): what a unit or one of its posts must never do, and the
    consequence. Published with the unit's catalog like the power items."""

    unit = models.ForeignKey(
        "disclosure.UnitPage",
        verbose_name="单位",
        on_delete=models.PROTECT,
        related_name="negative_items",
    )
    post = models.CharField(
        "岗位", max_length=100, blank=True, help_text="留空表示适用于全单位。"
    )
    act = models.TextField("禁止行为")
    consequence = models.TextField("追责情形")
    sort_order = models.PositiveIntegerField("排序", default=0)

    panels = [
        FieldPanel("unit"),
        FieldPanel("post"),
        FieldPanel("act"),
        FieldPanel("consequence"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        verbose_name = "负面清单事项"
        verbose_name_plural = "负面清单"
        ordering = ["unit", "sort_order", "pk"]
        indexes = [models.Index(fields=["unit", "live"])]

    def __str__(self):
        return f"{self.post or '全单位'}：{self.act[:30]}"

    TEXT_FIELDS = ("post", "act", "consequence")

    def clean(self):
        super().clean()
        errors = personal_data_errors(self, self.TEXT_FIELDS)
        if errors:
            raise ValidationError(errors)
