from django.conf import settings
from django.db import models
from django.utils import timezone

from supervision import circumstances


class Accountability(models.Model):
    """问责: a record of accountability under 《权力运行监督问责办法》, and its public
    通报 once published (第十四条). The public page shows the fields official
    notices carry — name, post, unit, 情形, 方式, date, basis and the problem as the
    notice states it — and nothing else of the record."""

    Method = models.TextChoices("Method", [(m, m) for m in circumstances.METHODS])

    commission = models.ForeignKey(
        "disclosure.UnitPage",
        verbose_name="问责机关（纪委）",
        on_delete=models.PROTECT,
        related_name="accountabilities_decided",
    )
    unit = models.ForeignKey(
        "disclosure.UnitPage",
        verbose_name="所在单位",
        on_delete=models.PROTECT,
        related_name="accountabilities",
    )
    person = models.CharField("被问责人", max_length=50)
    post = models.CharField("职务", max_length=100)
    circumstance = models.CharField(
        "问责情形", max_length=5, choices=circumstances.ACCOUNTABILITY_CHOICES
    )
    method = models.CharField("问责方式", max_length=10, choices=Method.choices)
    decided_on = models.DateField("问责日期")
    basis = models.TextField(
        "问责依据", help_text="如：《权力运行监督问责办法（试行）》第八条第（三）项。"
    )
    facts = models.TextField(
        "主要问题",
        help_text="通报中写明的问题事实。不得写入身份证号、电话、住址等个人信息。",
    )
    order = models.ForeignKey(
        "supervision.SupervisionOrder",
        verbose_name="相关督办",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_on = models.DateField("通报日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    #: Published text: checked for personal data (DESIGN rule 2).
    PUBLIC_TEXT_FIELDS = ("person", "post", "basis", "facts")

    class Meta:
        verbose_name = "问责"
        verbose_name_plural = "问责"
        ordering = ["-decided_on", "-pk"]
        indexes = [
            models.Index(fields=["unit", "decided_on"], name="accountability_unit"),
            models.Index(
                fields=["-published_on", "-id"],
                condition=models.Q(published_on__isnull=False),
                name="accountability_published",
            ),
        ]

    def __str__(self):
        return f"{self.person}（{self.post}）{self.method}"

    @property
    def circumstance_label(self):
        return circumstances.circumstance_label(self.circumstance)

    @property
    def is_published(self):
        return self.published_on is not None

    def get_url(self):
        from django.urls import reverse

        return reverse("accountability_notice", args=[self.pk])
