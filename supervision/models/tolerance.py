from django.conf import settings
from django.db import models
from django.utils import timezone


class FaultTolerance(models.Model):
    """容错纠错 case, seeds 004 二(三): raised by the person's application (申诉) or
    referred by a 纪委 or department; accepted or refused within 10 working days of
    receipt, investigated within 30 of acceptance (longer with a recorded reason),
    decided, filed with the level above within 5 working days of the decision, fed
    back to the applicant, and cleared in public (澄清) where needed."""

    class Origin(models.TextChoices):
        APPLICATION = "application", "当事人申请"
        REFERRAL = "referral", "纪委或部门报送"

    class State(models.TextChoices):
        RECEIVED = "received", "待受理"
        REFUSED = "refused", "不予受理"
        INVESTIGATING = "investigating", "调查中"
        DECIDED = "decided", "已作出决定"

    class Decision(models.TextChoices):
        EXEMPT = "exempt", "予以免责"
        LIGHTER = "lighter", "减轻或从轻问责"
        REJECTED = "rejected", "不予容错"

    commission = models.ForeignKey(
        "disclosure.UnitPage",
        verbose_name="承办纪委（容错调查工作小组）",
        on_delete=models.PROTECT,
        related_name="tolerance_cases",
    )
    unit = models.ForeignKey(
        "disclosure.UnitPage",
        verbose_name="当事人单位",
        on_delete=models.PROTECT,
        related_name="+",
    )
    person = models.CharField("当事人", max_length=50)
    post = models.CharField("职务", max_length=100)
    origin = models.CharField("来源", max_length=12, choices=Origin.choices)
    referred_by = models.CharField(
        "报送单位", max_length=100, blank=True, help_text="报送的纪委或部门。"
    )
    matter = models.TextField("履职事项及问题")
    circumstances = models.JSONField("适用容错情形", default=list)
    received_on = models.DateField("收到日期")
    accept_due = models.DateField("受理期限")
    accept_provisional = models.BooleanField(default=False)
    state = models.CharField(
        "状态", max_length=15, choices=State.choices, default=State.RECEIVED
    )
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    refusal_reason = models.TextField("不予受理理由", blank=True)
    investigation_due = models.DateField("调查期限", null=True, blank=True)
    investigation_provisional = models.BooleanField(default=False)
    extended_due = models.DateField("延长后的调查期限", null=True, blank=True)
    extension_reason = models.TextField("延长理由", blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    decision = models.CharField(
        "认定结论", max_length=10, choices=Decision.choices, blank=True
    )
    decision_reason = models.TextField("认定意见", blank=True)
    filing_due = models.DateField("报备期限", null=True, blank=True)
    filing_provisional = models.BooleanField(default=False)
    filed_on = models.DateField("报备日期", null=True, blank=True)
    filed_to = models.CharField("报备机关", max_length=100, blank=True)
    feedback_on = models.DateField("反馈日期", null=True, blank=True)
    feedback = models.TextField("反馈申请人意见", blank=True)
    clarification = models.TextField(
        "澄清正名内容",
        blank=True,
        help_text="公开发布，不得写入身份证号、电话等个人信息。",
    )
    clarified_on = models.DateField("澄清日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "容错纠错"
        verbose_name_plural = "容错纠错"
        ordering = ["-received_on", "-pk"]
        indexes = [
            models.Index(
                fields=["-clarified_on", "-id"],
                condition=models.Q(clarified_on__isnull=False),
                name="tolerance_clarified",
            ),
        ]

    def __str__(self):
        return f"容错纠错 {self.person}（{self.received_on:%Y-%m-%d}）"

    @property
    def circumstance_labels(self):
        from supervision.circumstances import TOLERANCE_LABELS

        return [TOLERANCE_LABELS.get(code, code) for code in self.circumstances]

    @property
    def effective_investigation_due(self):
        return self.extended_due or self.investigation_due

    def get_url(self):
        from django.urls import reverse

        return reverse("tolerance_clarification", args=[self.pk])
