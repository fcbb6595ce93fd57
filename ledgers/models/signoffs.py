from django.conf import settings
from django.db import models
from django.utils import timezone

from .. import signing


class SignOffIsFinal(signing.SigningError):
    pass


class SignOff(models.Model):
    """签字背书: who signed what, when, which version and the content's hash.

    Never changed or deleted once made (seeds 001 第十一条（三）: the basis of
    assessment and accountability); a later edit of the content needs a new one.
    """

    class Subject(models.TextChoices):
        RESPONSIBILITY = "responsibility", "责任清单"
        PROBLEMS = "problems", "问题清单"
        RECTIFICATIONS = "rectifications", "整改清单"
        REPORT = "report", "工作报告"

    unit = models.ForeignKey(
        "disclosure.UnitPage",
        verbose_name="单位",
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField("年度")
    subject = models.CharField("签字事项", max_length=16, choices=Subject.choices)
    object_id = models.PositiveBigIntegerField("对象", null=True)
    version = models.PositiveIntegerField("版本")
    content_hash = models.CharField("内容摘要（SHA-256）", max_length=64)
    snapshot = models.JSONField("签字时的内容")
    opinion = models.TextField("审阅意见")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签字人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    signer_name = models.CharField("签字人姓名", max_length=150)
    signed_at = models.DateTimeField("签字时间", default=timezone.now)

    class Meta:
        verbose_name = "签字背书"
        verbose_name_plural = "签字背书"
        ordering = ["-signed_at", "-pk"]
        indexes = [models.Index(fields=["unit", "year", "subject", "object_id"])]

    def __str__(self):
        return f"{self.get_subject_display()} 第{self.version}版 {self.signer_name}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise SignOffIsFinal("签字背书记录一经形成不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise SignOffIsFinal("签字背书记录不能删除。")
