from django.conf import settings
from django.db import models

from .. import cadence


class WorkReport(models.Model):
    """A report a unit owes the level above for one period (`ledgers.cadence`):
    the row exists with its due date before it is filed, so overdue reports are
    one indexed query and reminders go through `check_deadlines`."""

    unit = models.ForeignKey(
        "disclosure.UnitPage",
        verbose_name="单位",
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(
        "报告类型", max_length=20, choices=list(cadence.KIND_LABELS.items())
    )
    year = models.PositiveSmallIntegerField("年度")
    period = models.PositiveSmallIntegerField("报告期", default=0)
    due = models.DateField("报送期限")
    due_provisional = models.BooleanField("期限暂定", default=False)
    title = models.CharField("标题", max_length=200, blank=True)
    content = models.TextField("报告正文", blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_on = models.DateField("报送日期", null=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "责任报告"
        verbose_name_plural = "责任报告"
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "year", "period"], name="unique_work_report"
            )
        ]
        indexes = [models.Index(fields=["submitted_on", "due"])]

    def __str__(self):
        return self.period_info.title

    @property
    def period_info(self):
        return cadence.Period(self.kind, self.year, self.period)

    @property
    def late(self):
        return bool(self.submitted_on and self.submitted_on > self.due)
