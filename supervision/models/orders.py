from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class SupervisionOrder(models.Model):
    """督办: seeds 000 平台办法 第十四条 — the unit rectifies and reports back within
    10 working days; the 纪委 closes the order or orders again (a new order, linked
    to this one, with a new deadline)."""

    class State(models.TextChoices):
        ISSUED = "issued", "待整改回复"
        REPLIED = "replied", "已回复待审核"
        CLOSED = "closed", "已办结"
        REORDERED = "reordered", "已再次督办"

    OPEN_STATES = (State.ISSUED, State.REPLIED)

    commission = models.ForeignKey(
        "disclosure.UnitPage",
        verbose_name="督办纪委",
        on_delete=models.PROTECT,
        related_name="orders_issued",
    )
    unit = models.ForeignKey(
        "disclosure.UnitPage",
        verbose_name="被督办单位",
        on_delete=models.PROTECT,
        related_name="orders_received",
    )
    finding = models.ForeignKey(
        "supervision.Finding",
        verbose_name="巡查发现问题",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    previous = models.OneToOneField(
        "self",
        verbose_name="前次督办",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_order",
    )
    round = models.PositiveSmallIntegerField("督办次数", default=1)
    requirement = models.TextField("督办事项及整改要求")
    state = models.CharField(
        "状态", max_length=10, choices=State.choices, default=State.ISSUED
    )
    issued_on = models.DateField("下发日期")
    due = models.DateField("整改期限")
    due_provisional = models.BooleanField("期限暂定", default=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="下发人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    replied_on = models.DateField("回复日期", null=True, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    closing_note = models.TextField("审核意见", blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "督办"
        verbose_name_plural = "督办"
        ordering = ["-issued_on", "-pk"]
        indexes = [
            models.Index(
                fields=["unit", "due"],
                condition=Q(state__in=["issued", "replied"]),
                name="order_open_unit_due",
            ),
            models.Index(fields=["commission", "state"], name="order_commission"),
        ]

    def __str__(self):
        return f"督办 {self.unit} 第{self.round}次"

    @property
    def is_open(self):
        return self.state in self.OPEN_STATES

    def is_overdue(self, today=None):
        """Late: still waiting for the reply past the due date, or replied late."""
        today = today or timezone.localdate()
        if self.replied_on:
            return self.replied_on > self.due
        return self.state == self.State.ISSUED and today > self.due


class OrderReply(models.Model):
    """The unit's 整改情况 reply to a 督办, written in the admin by its staff."""

    order = models.ForeignKey(
        SupervisionOrder,
        verbose_name="督办",
        on_delete=models.CASCADE,
        related_name="replies",
    )
    content = models.TextField("整改情况")
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="回复人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("回复时间", default=timezone.now)

    class Meta:
        verbose_name = "督办回复"
        verbose_name_plural = "督办回复"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.order} 回复"
