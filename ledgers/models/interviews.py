from django.conf import settings
from django.db import models


class Interview(models.Model):
    """约谈 (seed 001 第十二条): who talked with whom, why — linked to the problem,
    finding, rating flag or report statistic that triggered it — and the outcome."""

    class Trigger(models.TextChoices):
        PROBLEM = "problem", "问题清单中的问题"
        FINDING = "finding", "巡查发现"
        RATINGS = "ratings", "负面评议较多"
        REPORTS = "reports", "信访举报较多"
        DISCLOSURE = "disclosure", "逾期公开较多"
        ROUTINE = "routine", "年度例行约谈（了解履行两个责任情况）"
        OTHER = "other", "其他"

    unit = models.ForeignKey(
        "disclosure.UnitPage",
        verbose_name="被约谈单位",
        on_delete=models.CASCADE,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField("年度")
    held_on = models.DateField("约谈日期")
    interviewer = models.CharField("约谈人", max_length=100)
    interviewees = models.CharField("被约谈人", max_length=200)
    trigger = models.CharField("约谈起因", max_length=12, choices=Trigger.choices)
    problem = models.ForeignKey(
        "ledgers.Problem",
        verbose_name="关联问题",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interviews",
    )
    finding = models.ForeignKey(
        "supervision.Finding",
        verbose_name="关联巡查发现",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    trigger_detail = models.CharField("起因统计", max_length=200, blank=True)
    reason = models.TextField("约谈事由")
    outcome = models.TextField("约谈结果")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "约谈记录"
        verbose_name_plural = "约谈记录"
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["year", "unit"])]

    def __str__(self):
        return f"{self.held_on} 约谈 {self.interviewees}"
