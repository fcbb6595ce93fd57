"""一事一公开: every exercise of a power produces a result that is disclosed on time
(seeds 000 公开办法 第八、九条; 平台办法 第十二条), and may be posted for a 公示 period
during which anyone can object (DESIGN rule 10).

Results are snippets rather than pages: a county produces millions over the years,
and a page per record would make the page tree the bottleneck. They keep Wagtail's
drafts, revisions and workflow (审核后公开) and are served by routes on the unit page.
Deadlines are stored as dates, computed when the record is saved and again when the
working calendar changes, so overdue scans are set-based SQL on indexed columns.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.utils import timezone

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    Orderable,
    PreviewableMixin,
    RevisionMixin,
    WorkflowMixin,
)

from disclosure import deadlines, pii

from .powers import personal_data_errors

MAX_PUBLICITY_DAYS = 90
#: Records older than this are history, not 一事一公开 (and would make every
#: working-day count walk decades).
EARLIEST_DATE = datetime.date(2000, 1, 1)


def local_today():
    return timezone.localdate()


class Result(
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    PreviewableMixin,
    ClusterableModel,
):
    """一事一公开 result of one power item."""

    class SubjectKind(models.TextChoices):
        NONE = "none", "不涉及具体对象"
        ORGANISATION = "organisation", "法人或其他组织"
        PERSON = "person", "自然人"

    unit = models.ForeignKey(
        "disclosure.UnitPage",
        verbose_name="单位",
        on_delete=models.PROTECT,
        related_name="results",
    )
    item = models.ForeignKey(
        "disclosure.PowerItem",
        verbose_name="权力事项",
        on_delete=models.PROTECT,
        related_name="results",
    )
    title = models.CharField("办理事项", max_length=200)
    subject_kind = models.CharField(
        "办理对象类型",
        max_length=12,
        choices=SubjectKind.choices,
        default=SubjectKind.NONE,
    )
    subject = models.CharField(
        "申请/办理对象",
        max_length=100,
        blank=True,
        help_text="自然人只写姓名，且只在公示期内公开；不得填写身份证号、电话、住址。",
    )
    subject_details = models.CharField(
        "公示信息",
        max_length=200,
        blank=True,
        help_text="公示依法要求的内容，如“家庭人口 3 人”；公示期满后自动撤下。",
    )
    act_date = models.DateField("权力行为发生日")
    result_date = models.DateField("结果产生日")
    outcome = models.TextField("办理结果")
    handling_post = models.CharField("办理岗位", max_length=100)
    publicity_days = models.PositiveSmallIntegerField(
        "公示期（天）",
        null=True,
        blank=True,
        help_text="需要公示的结果（如低保公示 7 天）填写天数，公示期内群众可提出异议。",
    )

    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_on = models.DateField("录入日期", default=local_today, editable=False)
    disclosed_on = models.DateField("公开日期", null=True, blank=True, editable=False)
    publicity_ends = models.DateField("公示截止", null=True, blank=True, editable=False)
    entry_due = models.DateField("录入期限", editable=False)
    entry_provisional = models.BooleanField(default=False, editable=False)
    disclosure_due = models.DateField("公开期限", editable=False)
    disclosure_provisional = models.BooleanField(default=False, editable=False)
    rating_total = models.PositiveIntegerField("评议数", default=0, editable=False)

    panels = [
        FieldRowPanel([FieldPanel("unit"), FieldPanel("item")]),
        FieldPanel("title"),
        MultiFieldPanel(
            [
                FieldPanel("subject_kind"),
                FieldRowPanel([FieldPanel("subject"), FieldPanel("subject_details")]),
            ],
            heading="申请/办理对象",
        ),
        FieldRowPanel([FieldPanel("act_date"), FieldPanel("result_date")]),
        FieldPanel("outcome"),
        FieldRowPanel([FieldPanel("handling_post"), FieldPanel("publicity_days")]),
        InlinePanel("attachments", heading="附件", label="附件"),
    ]

    #: Free text checked for personal data before anything is saved (DESIGN rule 2).
    TEXT_FIELDS = ("title", "subject", "subject_details", "outcome", "handling_post")

    #: The dashboard's order: open results first, the earliest due (so the overdue)
    #: at the top, then the disclosed ones; served by the index of the same name.
    DASHBOARD_ORDER = (
        ExpressionWrapper(Q(disclosed_on__isnull=False), output_field=BooleanField()),
        "disclosure_due",
        "pk",
    )

    class Meta:
        verbose_name = "一事一公开结果"
        verbose_name_plural = "一事一公开结果"
        ordering = ["-result_date", "-pk"]
        indexes = [
            models.Index(
                fields=["disclosure_due"],
                condition=Q(disclosed_on__isnull=True),
                name="result_open_disclosure_due",
            ),
            models.Index(
                fields=["unit", "disclosure_due"], name="result_unit_disclosure_due"
            ),
            models.Index(
                fields=["unit", "live", "-result_date"], name="result_unit_live"
            ),
            models.Index(
                fields=["item", "live", "-result_date"], name="result_item_live"
            ),
            models.Index(fields=["live", "-disclosed_on"], name="result_latest"),
            models.Index(fields=["-result_date", "-id"], name="result_newest"),
            models.Index(
                ExpressionWrapper(
                    Q(disclosed_on__isnull=False), output_field=BooleanField()
                ),
                F("disclosure_due"),
                F("id"),
                name="result_dashboard_order",
            ),
            models.Index(
                fields=["entered_by", "disclosure_due"], name="result_person_due"
            ),
        ]

    def __str__(self):
        return self.title

    #: Set by the system, never by an editor: publishing an older revision keeps
    #: the values on the record rather than those in the revision.
    SYSTEM_FIELDS = (
        "entered_by_id",
        "entered_on",
        "disclosed_on",
        "publicity_ends",
        "rating_total",
    )

    def with_content_json(self, content):
        obj = super().with_content_json(content)
        for name in self.SYSTEM_FIELDS:
            setattr(obj, name, getattr(self, name))
        return obj

    # Validation -------------------------------------------------------------------

    def clean(self):
        super().clean()
        errors = personal_data_errors(self, self.TEXT_FIELDS)
        for field, message in self.date_problems(local_today()).items():
            errors.setdefault(field, []).append(message)
        if self.item_id and self.unit_id and self.item.unit_id != self.unit_id:
            errors.setdefault("item", []).append("请选择本单位的权力事项。")
        elif self.item_id and not (self.item.live and self.item.disclosed):
            errors.setdefault("item", []).append(
                "只能为已发布且公开的权力事项录入公开结果。"
            )
        if self.subject_kind == self.SubjectKind.NONE and self.subject.strip():
            errors.setdefault("subject_kind", []).append(
                "填写了办理对象时，请选择对象类型（自然人或法人、其他组织）。"
            )
        if (
            self.subject_kind == self.SubjectKind.PERSON
            and self.subject_details.strip()
            and not self.publicity_days
        ):
            errors.setdefault("publicity_days", []).append(
                "自然人的公示信息只能在公示期内公开：请填写公示期，或删去公示信息。"
            )
        errors.update(self._name_outside_subject())
        if self.publicity_days is not None and not (
            1 <= self.publicity_days <= MAX_PUBLICITY_DAYS
        ):
            errors.setdefault("publicity_days", []).append(
                f"公示期应为 1 至 {MAX_PUBLICITY_DAYS} 天。"
            )
        if errors:
            raise ValidationError(errors)

    def _name_outside_subject(self):
        """A private person's name may appear only in the 申请/办理对象 field, which
        is withdrawn after the 公示 (rule 10); elsewhere it would stay public."""
        name = self.subject.strip()
        if self.subject_kind != self.SubjectKind.PERSON or len(name) < 2:
            return {}
        return {
            field: [
                f"“{self._meta.get_field(field).verbose_name}”中含有办理对象姓名"
                f"“{name}”：个人姓名只能填在“申请/办理对象”中，公示期满后自动撤下。"
            ]
            for field in ("title", "outcome", "handling_post")
            if name in (getattr(self, field) or "")
        }

    def date_problems(self, today):
        problems = {}
        for name in ("act_date", "result_date"):
            value = getattr(self, name)
            if value and value < EARLIEST_DATE:
                label = self._meta.get_field(name).verbose_name
                problems[name] = f"{label}不能早于 {EARLIEST_DATE.year} 年。"
        if problems:
            return problems
        if self.act_date and self.act_date > today:
            problems["act_date"] = "权力行为发生日不能晚于今天。"
        if self.result_date and self.result_date > today:
            problems["result_date"] = "结果产生日不能晚于今天。"
        if self.act_date and self.result_date and self.result_date < self.act_date:
            problems["result_date"] = "结果产生日不能早于权力行为发生日。"
        return problems

    # Deadlines ----------------------------------------------------------------------

    def compute_deadlines(self, calendar=None):
        """Entry and disclosure due dates from the working calendar (rule 3)."""
        from disclosure.workdays import load_calendar

        calendar = calendar or load_calendar()
        entry = deadlines.entry_deadline(self.act_date, calendar)
        disclosure = deadlines.disclosure_deadline(self.result_date, calendar)
        self.entry_due, self.entry_provisional = entry.due, entry.provisional
        self.disclosure_due = disclosure.due
        self.disclosure_provisional = disclosure.provisional
        return entry, disclosure

    def save(self, *args, **kwargs):
        if self.act_date and self.result_date:
            self.compute_deadlines()
        super().save(*args, **kwargs)

    @property
    def disclosed_late(self):
        """Disclosed after its due date (the rule `results.with_states` reads in SQL)."""
        return bool(self.disclosed_on and self.disclosed_on > self.disclosure_due)

    def entry_standing(self, today=None, calendar=None):
        from disclosure.workdays import load_calendar

        return deadlines.standing(
            self.entry_due,
            self.entered_on,
            today or local_today(),
            calendar or load_calendar(),
            self.entry_provisional,
        )

    def disclosure_standing(self, today=None, calendar=None):
        from disclosure.workdays import load_calendar

        return deadlines.standing(
            self.disclosure_due,
            self.disclosed_on,
            today or local_today(),
            calendar or load_calendar(),
            self.disclosure_provisional,
        )

    # 公示 -------------------------------------------------------------------------

    def in_publicity(self, today=None):
        today = today or local_today()
        return bool(self.publicity_ends and today <= self.publicity_ends)

    def public_subject(self, today=None):
        """What the public may see of the 申请/办理对象 today (rule 2 and 10): an
        organisation always; a private person only during the 公示 period."""
        if self.subject_kind == self.SubjectKind.ORGANISATION:
            return self.subject
        if self.subject_kind == self.SubjectKind.PERSON and self.in_publicity(today):
            return "，".join(v for v in (self.subject, self.subject_details) if v)
        return ""

    def mark_disclosed(self, on):
        """Called on publication: the date of disclosure (the first) and the end of
        the 公示 period are set by the system, never typed. A 公示 added to an
        already disclosed result runs from this publication."""
        changed = False
        if not self.disclosed_on:
            self.disclosed_on, changed = on, True
        if self.publicity_days and not self.publicity_ends:
            self.publicity_ends = on + datetime.timedelta(days=self.publicity_days - 1)
            changed = True
        return changed

    # URLs and preview ---------------------------------------------------------------

    def get_url(self, request=None):
        return self.unit.get_url(request) + self.unit.reverse_subpage(
            "result", kwargs={"pk": self.pk}
        )

    @property
    def url(self):
        return self.get_url()

    def get_preview_template(self, request, mode_name):
        return "disclosure/result.html"

    def get_preview_context(self, request, mode_name):
        from disclosure.views_results import result_context

        return {**result_context(self, request), "page": self.unit, "preview": True}


class ResultAttachment(Orderable):
    result = ParentalKey(Result, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name="文件",
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField("附件名称", max_length=200, blank=True)

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = "附件"
        verbose_name_plural = "附件"

    def __str__(self):
        return self.title or self.document.title


class Objection(models.Model):
    """异议 raised by anyone during a result's 公示 period (DESIGN rule 10). Nothing
    identifies who raised it: no name, no address, no IP is asked for or kept."""

    # Not a "usage" of the result in Wagtail's reference index (filed by the public).
    wagtail_reference_index_ignore = True

    result = models.ForeignKey(
        Result,
        verbose_name="公示结果",
        on_delete=models.CASCADE,
        related_name="objections",
    )
    content = models.TextField("异议内容")
    created_at = models.DateTimeField("提出时间", auto_now_add=True)
    answer_due = models.DateField("答复期限")
    answer_provisional = models.BooleanField(default=False)
    answer = models.TextField("答复", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["answer_due"],
                condition=Q(answered_at__isnull=True),
                name="objection_open_due",
            )
        ]

    def __str__(self):
        return f"{self.result}：{self.content[:20]}"

    @property
    def is_answered(self):
        return self.answered_at is not None

    @property
    def public_content(self):
        """What the public page shows: personal data masked (DESIGN rule 2)."""
        return pii.redact(self.content)

    def answer_standing(self, today=None, calendar=None):
        from disclosure.workdays import load_calendar

        done = timezone.localdate(self.answered_at) if self.answered_at else None
        return deadlines.standing(
            self.answer_due,
            done,
            today or local_today(),
            calendar or load_calendar(),
            self.answer_provisional,
        )


class DeadlineNotice(models.Model):
    """One reminder sent to one person about one open deadline at one stage; its
    uniqueness is what makes `check_deadlines` safe to run twice."""

    class Kind(models.TextChoices):
        DISCLOSURE = "disclosure", "结果公开"
        OBJECTION = "objection", "异议答复"
        RATING = "rating", "评议回复"
        ORDER = "order", "督办整改"
        WORK_REPORT = "work_report", "责任报告"
        RECTIFICATION = "rectify", "问题整改"

    class Stage(models.TextChoices):
        NEW = "new", "新收到"
        DUE_SOON = "due_soon", deadlines.DUE_SOON
        OVERDUE = "overdue", deadlines.OVERDUE

    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField("对象")
    stage = models.CharField("阶段", max_length=10, choices=Stage.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="deadline_notices",
    )
    due = models.DateField("期限")
    subject = models.CharField("摘要", max_length=300)
    url = models.CharField("后台地址", max_length=300)
    created_at = models.DateTimeField("提醒时间", auto_now_add=True)
    emailed = models.BooleanField("已发邮件", default=False)

    class Meta:
        verbose_name = "到期提醒"
        verbose_name_plural = "到期提醒"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "stage", "recipient"],
                name="unique_deadline_notice",
            )
        ]
        indexes = [models.Index(fields=["recipient", "-created_at"])]

    def __str__(self):
        return self.subject
