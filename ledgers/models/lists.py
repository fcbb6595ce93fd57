from django.conf import settings
from django.db import models

from disclosure.models import UnitPage


class ResponsibilityList(models.Model):
    """A unit's responsibility list for one year.

    A 党委's 主体责任清单 (seed 002 第二十一条: items of the leadership, the principal
    leader as 第一责任人, each member's 一岗双责); a 纪委's 监督责任清单 (seed 001
    第十一条（一）: from the annual 监督责任书 signed with the level above). Once signed
    it is locked; a revision opens a new version that needs a new sign-off.
    """

    class Kind(models.TextChoices):
        PRINCIPAL = "principal", "主体责任清单"
        SUPERVISORY = "supervisory", "监督责任清单"

    unit = models.ForeignKey(
        UnitPage, verbose_name="单位", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("清单类型", max_length=12, choices=Kind.choices)
    first_responsible = models.CharField(
        "第一责任人", max_length=100, help_text="单位主要负责人的姓名和职务。"
    )
    basis = models.TextField(
        "依据",
        blank=True,
        help_text="如“2026年度党风廉政建设监督责任书（2026年1月8日与县纪委签订）”。",
    )
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField("建立时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "责任清单"
        verbose_name_plural = "责任清单"
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "kind"], name="unique_responsibility_list"
            )
        ]
        indexes = [models.Index(fields=["year", "unit"])]

    def __str__(self):
        return f"{self.unit.title} {self.year}年{self.get_kind_display()}"


class ResponsibilityItem(models.Model):
    """One responsibility with its owner and due date; progress (done, evidence) is
    recorded through the year without touching what was signed."""

    class Category(models.TextChoices):
        COLLECTIVE = "collective", "领导班子责任"
        FIRST = "first", "第一责任人责任"
        MEMBER = "member", "班子成员一岗双责"
        SUPERVISION = "supervision", "监督责任"

    responsibility_list = models.ForeignKey(
        ResponsibilityList, on_delete=models.CASCADE, related_name="items"
    )
    sort_order = models.PositiveIntegerField("序号", default=0)
    category = models.CharField("责任类别", max_length=12, choices=Category.choices)
    content = models.TextField("责任内容")
    owner = models.CharField("责任人", max_length=100)
    owner_post = models.CharField("职务或分工", max_length=100, blank=True)
    due_on = models.DateField("完成时限", null=True, blank=True)
    done_on = models.DateField("完成日期", null=True, blank=True)
    progress = models.TextField("履责情况", blank=True)

    class Meta:
        verbose_name = "责任事项"
        verbose_name_plural = "责任事项"
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.content[:40]
