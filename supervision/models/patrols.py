from django.conf import settings
from django.db import models
from django.utils import timezone


class Patrol(models.Model):
    """巡查: seeds 000 平台办法 第十四条 — the 纪委 patrols its units every working
    day, at least once in the morning and once in the afternoon, and keeps a 台账."""

    class Session(models.TextChoices):
        MORNING = "am", "上午"
        AFTERNOON = "pm", "下午"

    commission = models.ForeignKey(
        "disclosure.UnitPage",
        verbose_name="纪委",
        on_delete=models.PROTECT,
        related_name="patrols",
    )
    date = models.DateField("巡查日期")
    session = models.CharField("时段", max_length=2, choices=Session.choices)
    summary = models.TextField("巡查情况", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "巡查"
        verbose_name_plural = "巡查台账"
        ordering = ["-date", "-session"]
        constraints = [
            models.UniqueConstraint(
                fields=["commission", "date", "session"], name="unique_patrol_session"
            ),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_session_display()}巡查"


class Finding(models.Model):
    """A problem found on a patrol: 如实登记、分类处置 (第十四条)."""

    class ProblemType(models.TextChoices):
        LATE_ENTRY = "late_entry", "未按时录入"
        LATE_DISCLOSURE = "late_disclosure", "未按时公开"
        CONTENT = "content", "公开内容不规范"
        PROCESS = "process", "未按流程办理"
        RISK = "risk", "风险防控措施未落实"
        PRIVACY = "privacy", "公开内容含个人隐私"
        RATING = "rating", "群众评议差"
        OTHER = "other", "其他"

    patrol = models.ForeignKey(
        Patrol, verbose_name="巡查", on_delete=models.CASCADE, related_name="findings"
    )
    unit = models.ForeignKey(
        "disclosure.UnitPage",
        verbose_name="单位",
        on_delete=models.PROTECT,
        related_name="+",
    )
    item = models.ForeignKey(
        "disclosure.PowerItem",
        verbose_name="权力事项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    problem_type = models.CharField(
        "问题类型", max_length=20, choices=ProblemType.choices
    )
    description = models.TextField("问题描述")
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = "巡查发现问题"
        verbose_name_plural = "巡查发现问题"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.unit} · {self.get_problem_type_display()}"
