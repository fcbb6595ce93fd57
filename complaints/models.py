"""举报 (Report) and what hangs off it.

DESIGN rules 6, 8, 9, 11 and seeds 000 公开办法 第十条. What is deliberately absent:
no IP address, user agent, session or cookie value is a field of anything here; the
reporter's identity exists only as ciphertext (`identity`) and a keyed lookup digest
(`identity_digest`); the 查询密码 only as an Argon2id hash; attachments live in
private storage under neutral names, their metadata stripped.
"""

import json
import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from sunlight import crypto

IDENTITY_CONTEXT = "complaints.Report.identity"


def coarse_now():
    """The current hour: a reporter's own actions are dated no finer, so their time
    cannot be matched against other requests in an access log."""
    return timezone.now().replace(minute=0, second=0, microsecond=0)


class PrivateStorage(FileSystemStorage):
    """Report files: under PRIVATE_STORAGE_ROOT, outside MEDIA_ROOT, so no web
    server ever serves them; read from settings on use, not at import."""

    @property
    def base_location(self):
        return settings.PRIVATE_STORAGE_ROOT / "reports"

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("举报附件没有公开地址，只能由承办纪委在后台下载。")


def private_storage():
    return PrivateStorage()


class Report(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "待受理"
        ACCEPTED = "accepted", "已受理"
        REJECTED = "rejected", "不予受理"
        TRANSFERRED = "transferred", "已移送"
        INVESTIGATING = "investigating", "核查中"
        CLOSED = "closed", "已办结"

    class Channel(models.TextChoices):
        ONLINE = "online", "网上举报"
        LETTER = "letter", "来信"
        CALL = "call", "来电"
        VISIT = "visit", "来访"

    class Category(models.TextChoices):
        INTEGRITY = "integrity", "违反廉洁纪律"
        MASSES = "masses", "违反群众纪律"
        WORK = "work", "违反工作纪律"
        ORGANISATION = "organisation", "违反组织纪律"
        CONDUCT = "conduct", "作风问题"
        DUTY = "duty", "失职失责"
        OTHER = "other", "其他"

    class Announcement(models.TextChoices):
        PUBLIC = "public", "公开通报"
        UNIT = "unit", "在被举报单位范围内通报"
        INTERNAL = "internal", "在纪委内部通报"

    code = models.CharField("查询码", max_length=16, unique=True)
    password_hash = models.CharField("查询密码哈希", max_length=200)
    submission_key = models.CharField(
        "提交标识", max_length=64, unique=True, null=True, blank=True, editable=False
    )
    channel = models.CharField(
        "来源", max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    anonymous = models.BooleanField("匿名举报", default=True)
    identity = models.TextField("举报人身份（密文）", blank=True, editable=False)
    identity_digest = models.CharField(
        "身份查找摘要", max_length=64, blank=True, db_index=True, editable=False
    )
    accused_person = models.CharField("被举报人", max_length=100)
    accused_post = models.CharField("被举报人职务", max_length=100, blank=True)
    accused_unit = models.ForeignKey(
        "disclosure.UnitPage",
        verbose_name="被举报单位",
        on_delete=models.PROTECT,
        related_name="reports_about",
    )
    content = models.TextField("举报内容")
    category = models.CharField(
        "问题类别", max_length=20, choices=Category.choices, blank=True
    )
    principal = models.BooleanField("被举报人为单位主要负责人", default=False)
    principal_marked = models.BooleanField("由纪委认定为主要负责人", default=False)
    escalation_missing = models.BooleanField("须报系统外上级纪委", default=False)
    routing_reason = models.CharField("分办依据", max_length=200, blank=True)
    handler = models.ForeignKey(
        "disclosure.UnitPage",
        verbose_name="承办纪委",
        on_delete=models.PROTECT,
        related_name="reports_handled",
    )
    state = models.CharField(
        "状态", max_length=15, choices=State.choices, default=State.PENDING
    )
    received_on = models.DateField("收到日期")
    acknowledge_due = models.DateField("受理期限")
    transfer_due = models.DateField("移送期限")
    due_provisional = models.BooleanField("期限暂定", default=False)
    acknowledged_on = models.DateField("受理（处置）日期", null=True, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    result = models.TextField("办理结果（反馈举报人）", blank=True)
    announcement_scope = models.CharField(
        "通报范围", max_length=10, choices=Announcement.choices, blank=True
    )
    announcement = models.TextField("通报内容", blank=True)
    announced_on = models.DateField("通报日期", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", default=coarse_now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "举报"
        verbose_name_plural = "举报"
        ordering = ["-received_on", "-pk"]
        indexes = [
            models.Index(fields=["handler", "state"]),
            models.Index(fields=["received_on"]),
        ]

    def __str__(self):
        # Shown in the audit log: the code's tail only, never a person.
        return f"举报 …{self.code[-6:]}"

    @property
    def grouped_code(self):
        return " ".join(self.code[i : i + 4] for i in range(0, 16, 4))

    def set_identity(self, name, id_number, phone):
        """Encrypt the reporter's identity and keep a digest to find it again."""
        payload = {"name": name, "id_number": id_number.upper(), "phone": phone}
        self.identity = crypto.encrypt(
            json.dumps(payload, ensure_ascii=False), IDENTITY_CONTEXT
        )
        self.identity_digest = crypto.lookup_hash(identity_key(name, id_number, phone))

    def read_identity(self):
        """The decrypted identity. Call through `handling.reveal_identity`, which
        writes the audit log entry; nothing else should."""
        if not self.identity:
            return None
        return json.loads(crypto.decrypt(self.identity, IDENTITY_CONTEXT))

    @cached_property
    def is_open(self):
        return self.state in (
            self.State.PENDING,
            self.State.ACCEPTED,
            self.State.INVESTIGATING,
        )


def identity_key(name, id_number, phone):
    """The normalised text the identity lookup digest is computed over."""
    return "|".join(
        ("".join(name.split()), id_number.strip().upper(), "".join(phone.split()))
    )


class ReportEvent(models.Model):
    """One step in a report's history. `public_message` is what the reporter
    reads on the status page; `note` stays with the 纪委."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "提交举报"
        REGISTERED = "registered", "登记举报"
        ROUTED = "routed", "分办"
        ACCEPTED = "accepted", "受理"
        REJECTED = "rejected", "不予受理"
        TRANSFERRED = "transferred", "移送"
        RECEIVED = "received", "接收移送"
        INVESTIGATING = "investigating", "开始核查"
        CLOSED = "closed", "办结"
        ANNOUNCED = "announced", "通报结果"
        MESSAGE = "message", "答复举报人"
        SUPPLEMENT = "supplement", "举报人补充材料"
        PRINCIPAL = "principal", "认定为主要负责人"
        PASSWORD_RESET = "password_reset", "举报人找回查询码"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事项", max_length=20, choices=Kind.choices)
    public_message = models.TextField("告知举报人", blank=True)
    note = models.TextField("内部说明", blank=True)
    text = models.TextField("举报人补充内容", blank=True)
    from_unit = models.ForeignKey(
        "disclosure.UnitPage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_unit = models.ForeignKey(
        "disclosure.UnitPage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "举报办理记录"
        verbose_name_plural = "举报办理记录"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.get_kind_display()


class ReportAttachment(models.Model):
    """A file the reporter sent, checked by content and stripped of metadata."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="attachments"
    )
    event = models.ForeignKey(
        ReportEvent,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(storage=private_storage, upload_to="%Y/%m/")
    name = models.CharField("文件名", max_length=40)
    kind = models.CharField("类型", max_length=10)
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=coarse_now)

    class Meta:
        verbose_name = "举报附件"
        verbose_name_plural = "举报附件"
        ordering = ["pk"]

    def __str__(self):
        return self.name
