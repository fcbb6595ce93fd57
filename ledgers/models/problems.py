import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models

from disclosure.models import UnitPage

from .. import rectification


class Problem(models.Model):
    """A problem the level above found in a unit (问题清单) and the unit's
    rectification of it (整改清单): plan, owner, deadline in working days, evidence,
    acceptance. Seeds 001 第十一条（一）（二）; the states are `ledgers.rectification`.
    """

    class Source(models.TextChoices):
        INSPECTION = "inspection", "监督检查"
        PATROL = "patrol", "巡察巡查"
        REPORT = "report", "信访举报"
        AUDIT = "audit", "审计"
        ASSESSMENT = "assessment", "考核评议"
        OTHER = "other", "其他"

    unit = models.ForeignKey(
        UnitPage, verbose_name="被监督单位", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    source = models.CharField("问题来源", max_length=12, choices=Source.choices)
    description = models.TextField("问题描述")
    requirement = models.TextField("整改要求", blank=True)
    found_on = models.DateField("发现日期")
    report = models.ForeignKey(
        "complaints.Report",
        verbose_name="关联举报",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    finding = models.ForeignKey(
        "supervision.Finding",
        verbose_name="关联巡查发现",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)
    state = models.CharField(
        "整改状态",
        max_length=10,
        choices=list(rectification.STATE_LABELS.items()),
        default=rectification.OPEN,
    )
    plan = models.TextField("整改措施", blank=True)
    owner = models.CharField("整改责任人", max_length=100, blank=True)
    working_days = models.PositiveSmallIntegerField("整改时限（工作日）", null=True)
    planned_on = models.DateField("方案报送日期", null=True)
    due = models.DateField("整改期限", null=True)
    due_provisional = models.BooleanField("期限暂定", default=False)
    completion = models.TextField("整改完成情况", blank=True)
    submitted_on = models.DateField("完成报送日期", null=True)
    review_note = models.TextField("验收意见", blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_on = models.DateField("销号日期", null=True)

    class Meta:
        verbose_name = "问题"
        verbose_name_plural = "问题清单"
        indexes = [
            models.Index(fields=["year", "unit", "state"]),
            models.Index(fields=["state", "due"]),
        ]

    def __str__(self):
        return self.description[:40]

    @property
    def is_overdue_open(self):
        from django.utils import timezone

        return bool(
            self.due
            and self.state in (rectification.PLANNED, rectification.RETURNED)
            and self.due < timezone.localdate()
        )


class ProblemEvent(models.Model):
    """Each step of a problem's rectification, with who took it and why."""

    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField("操作", max_length=20)
    note = models.TextField("说明", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.action} {self.at:%Y-%m-%d}"


class LedgerStorage(FileSystemStorage):
    """Evidence files: private, outside MEDIA_ROOT, downloaded through the admin."""

    @property
    def base_location(self):
        return settings.PRIVATE_STORAGE_ROOT / "ledgers"

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("佐证材料没有公开地址，只能在后台下载。")


def ledger_storage():
    return LedgerStorage()


class Evidence(models.Model):
    """A file proving a rectification or a responsibility carried out: checked by
    content, stripped of metadata and refused when it holds personal data."""

    problem = models.ForeignKey(
        Problem, null=True, on_delete=models.CASCADE, related_name="evidence"
    )
    item = models.ForeignKey(
        "ledgers.ResponsibilityItem",
        null=True,
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    file = models.FileField(storage=ledger_storage, upload_to="%Y/%m/")
    name = models.CharField("文件名", max_length=120)
    size = models.PositiveIntegerField("大小")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name
