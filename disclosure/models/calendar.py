from django.core.exceptions import ValidationError
from django.db import models

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable


class CalendarYear(ClusterableModel):
    """One year's official holiday arrangement as an admin enters it (DESIGN rule 7).

    `chinesecalendar` knows years up to 2026; for later years the State Council's
    notice is entered here. Days listed here also correct the library's data.
    """

    year = models.PositiveSmallIntegerField("年份", unique=True)
    complete = models.BooleanField(
        "已完整录入",
        default=False,
        help_text="勾选后，该年未列出的日期按周一至周五上班、周末休息计算，截止日期不再标注“暂定”。",
    )
    source = models.CharField(
        "依据",
        max_length=200,
        blank=True,
        help_text="如：国务院办公厅关于2027年部分节假日安排的通知",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    panels = [
        FieldPanel("year"),
        FieldPanel("source"),
        FieldPanel("complete"),
        InlinePanel("days", label="放假与调休日期", heading="放假与调休日期"),
    ]

    class Meta:
        ordering = ["-year"]
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"

    def __str__(self):
        return f"{self.year}年节假日安排"


class CalendarDay(Orderable):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "放假"
        WORKDAY = "workday", "调休上班"

    calendar = ParentalKey(CalendarYear, on_delete=models.CASCADE, related_name="days")
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("节日", max_length=20, help_text="如：元旦、春节、国庆节")

    panels = [FieldPanel("date"), FieldPanel("kind"), FieldPanel("name")]

    class Meta(Orderable.Meta):
        verbose_name = "日期"
        verbose_name_plural = "日期"

    def __str__(self):
        return f"{self.date} {self.name}{self.get_kind_display()}"

    def clean(self):
        if self.date and self.calendar_id and self.date.year != self.calendar.year:
            raise ValidationError({"date": f"日期必须在{self.calendar.year}年内。"})
