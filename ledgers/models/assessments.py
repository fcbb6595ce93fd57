from django.conf import settings
from django.db import models


class Assessment(models.Model):
    """One year's 量化考核 by a 纪委 of the units it supervises (seed 001 第十三条):
    indicators and weights fixed at the start, scores at the end, a ranked report
    published only within the scope chosen for it."""

    class State(models.TextChoices):
        DRAFT = "draft", "设定指标"
        SCORING = "scoring", "指标已确定，评分中"
        FINAL = "final", "已定稿"

    class Scope(models.TextChoices):
        NONE = "none", "不公布（仅考核机关）"
        UNITS = "units", "在被考核单位内通报"
        STAFF = "staff", "在全县干部中通报"
        PUBLIC = "public", "向社会公开"

    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("名称", max_length=200)
    assessor = models.ForeignKey(
        "disclosure.UnitPage",
        verbose_name="考核机关",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"unit_type": "纪委"},
    )
    units = models.ManyToManyField(
        "disclosure.UnitPage", verbose_name="被考核单位", related_name="+"
    )
    state = models.CharField(
        "状态", max_length=8, choices=State.choices, default=State.DRAFT
    )
    scope = models.CharField(
        "公布范围", max_length=8, choices=Scope.choices, default=Scope.NONE
    )
    published_on = models.DateField("公布日期", null=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("建立时间", auto_now_add=True)

    class Meta:
        verbose_name = "量化考核"
        verbose_name_plural = "量化考核"
        ordering = ["-year", "-pk"]

    def __str__(self):
        return self.title


class Indicator(models.Model):
    class Source(models.TextChoices):
        ENTERED = "entered", "人工评分"
        OVERDUE_DISCLOSURES = "overdue_disclosures", "系统计算：逾期公开（一事一公开）"
        NEGATIVE_RATINGS = "negative_ratings", "系统计算：负面评议"
        ORDERS_ON_TIME = "orders_on_time", "系统计算：督办按时回复率"
        RECTIFIED_ON_TIME = "rectified_on_time", "系统计算：问题整改按期完成率"
        REPORTS_ON_TIME = "reports_on_time", "系统计算：责任报告按时报送率"

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="indicators"
    )
    sort_order = models.PositiveIntegerField(default=0)
    name = models.CharField("指标名称", max_length=100)
    weight = models.PositiveSmallIntegerField("权重")
    source = models.CharField(
        "评分方式", max_length=20, choices=Source.choices, default=Source.ENTERED
    )
    deduction = models.DecimalField(
        "每次扣分",
        max_digits=5,
        decimal_places=2,
        default=10,
        help_text="计数类指标每发生一次扣的分数（满分100）。",
    )
    note = models.CharField("评分标准", max_length=300, blank=True)

    class Meta:
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.name


class Score(models.Model):
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="scores"
    )
    unit = models.ForeignKey(
        "disclosure.UnitPage", on_delete=models.CASCADE, related_name="+"
    )
    raw = models.CharField("系统数据", max_length=100, blank=True)
    score = models.DecimalField("得分", max_digits=5, decimal_places=2)
    note = models.CharField("说明", max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit"], name="unique_score")
        ]

    def __str__(self):
        return f"{self.indicator} {self.score}"
