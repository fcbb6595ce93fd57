"""公开目录 and its four-step approval (seeds 000 公开办法: 提出 → 会审 → 审定 → 报备).

A unit's catalog is a snippet on Wagtail's workflow framework. Saving it records which
item revisions are pending; approval publishes exactly those revisions, so what goes
live is what the reviewers saw. Each approval is one numbered CatalogVersion, filed
with the level above and copied to the supervising 纪委.
"""

from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from wagtail.admin.panels import FieldPanel
from wagtail.forms import TaskStateCommentForm
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    Task,
    TaskState,
    WorkflowMixin,
)

from disclosure.panels import PendingChangesPanel


class DisclosureCatalog(
    WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, models.Model
):
    unit = models.OneToOneField(
        "disclosure.UnitPage",
        verbose_name="单位",
        on_delete=models.CASCADE,
        related_name="catalog",
    )
    note = models.TextField(
        "提出说明",
        blank=True,
        help_text="本次提交的主要变化；不公开事项的理由逐项写在事项中。",
    )
    pending = models.JSONField("待审内容", default=dict, blank=True, editable=False)
    version = models.PositiveIntegerField("已发布版本", default=0, editable=False)

    panels = [
        FieldPanel("note"),
        PendingChangesPanel(heading="本次提交的变更"),
    ]

    class Meta:
        verbose_name = "公开目录"
        verbose_name_plural = "公开目录"

    def __str__(self):
        return f"{self.unit.title}公开目录"

    def save_revision(self, *args, **kwargs):
        """Record, in the revision itself, which item revisions this submission covers."""
        from disclosure.catalogs import pending_changes

        self.pending = pending_changes(self.unit)
        return super().save_revision(*args, **kwargs)


class CatalogVersion(models.Model):
    """One approved version of a unit's catalog, and its 报备 record."""

    unit = models.ForeignKey(
        "disclosure.UnitPage",
        verbose_name="单位",
        on_delete=models.CASCADE,
        related_name="catalog_versions",
    )
    number = models.PositiveIntegerField("版本号")
    approved_at = models.DateTimeField("审定时间")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审定人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    steps = models.JSONField("审批记录", default=list)
    summary = models.JSONField("变更摘要", default=dict)
    filed_to = models.ForeignKey(
        "disclosure.UnitPage",
        verbose_name="报备单位",
        null=True,
        on_delete=models.SET_NULL,
        related_name="filings_received",
    )
    copied_to = models.ForeignKey(
        "disclosure.UnitPage",
        verbose_name="抄送纪委",
        null=True,
        on_delete=models.SET_NULL,
        related_name="filings_copied",
    )
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签收人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "公开目录版本"
        verbose_name_plural = "公开目录报备"
        ordering = ["-approved_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "number"], name="unique_catalog_version"
            ),
        ]

    def __str__(self):
        return f"{self.unit.title}公开目录 第{self.number}版"


class ItemChange(models.Model):
    """变更记录: what changed in a published item, when, in which catalog version."""

    item = models.ForeignKey(
        "disclosure.PowerItem", on_delete=models.CASCADE, related_name="changes"
    )
    version = models.PositiveIntegerField("公开目录版本")
    published_at = models.DateTimeField("发布时间")
    fields = models.JSONField("变更字段", default=list)
    created = models.BooleanField("新增", default=False)

    class Meta:
        verbose_name = "变更记录"
        verbose_name_plural = "变更记录"
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["item", "-published_at"])]

    def __str__(self):
        return f"{self.item} 第{self.version}版：{self.description}"

    @property
    def description(self):
        if self.created:
            return "新增事项"
        return (
            "修改：" + "、".join(self.fields) if self.fields else "重新审定，内容未变"
        )


class ReviewForm(TaskStateCommentForm):
    """会审 approval: legality, confidentiality and privacy are checked and an
    opinion is written (used for the approve action only)."""

    legality = forms.BooleanField(
        label="合法性审查：公开内容有法定依据、表述准确", required=False
    )
    confidentiality = forms.BooleanField(
        label="保密审查：不含国家秘密、工作秘密", required=False
    )
    privacy = forms.BooleanField(
        label="个人信息审查：不含身份证号、手机号等个人信息", required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].required = True
        self.fields["comment"].label = "审查意见"

    def clean(self):
        data = super().clean()
        unchecked = [
            self.fields[name].label.split("：")[0]
            for name in ("legality", "confidentiality", "privacy")
            if not data.get(name)
        ]
        if unchecked:
            raise forms.ValidationError("同意前须完成：" + "、".join(unchecked) + "。")
        return data


class OpinionForm(TaskStateCommentForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].required = True
        self.fields["comment"].label = "意见"


class UnitRoleTask(Task):
    """A step approved by the holders of one role in the catalog's own unit (会审 by
    the 分管领导, 审定 by the 主要领导): one task serves every unit."""

    class Role(models.TextChoices):
        LEADER = "leader", "分管领导"
        LEADERSHIP = "leadership", "分管领导或主要领导（会审）"
        HEAD = "head", "主要领导"

    ROLES_FOR = {
        "leader": ("leader",),
        "leadership": ("leader", "head"),
        "head": ("head",),
    }

    role = models.CharField("审批角色", max_length=12, choices=Role.choices)
    checklist = models.BooleanField("需要会审清单", default=False)

    admin_form_fields = [*Task.admin_form_fields, "role", "checklist"]

    class Meta:
        verbose_name = "本单位角色审批"
        verbose_name_plural = "本单位角色审批"

    def _is_moderator(self, obj, user):
        if user.is_superuser:
            return True
        unit = getattr(obj, "unit", None)
        return (
            bool(unit)
            and user.groups.filter(
                unit_role__unit=unit, unit_role__role__in=self.ROLES_FOR[self.role]
            ).exists()
        )

    def user_can_access_editor(self, obj, user):
        return self._is_moderator(obj, user)

    def locked_for_user(self, obj, user):
        return not self._is_moderator(obj, user)

    def get_actions(self, obj, user):
        if not self._is_moderator(obj, user):
            return []
        return [("reject", "退回修改", True), ("approve", "同意", True)]

    def get_form_for_action(self, action):
        return ReviewForm if self.checklist and action == "approve" else OpinionForm

    def on_action(self, task_state, user, action_name, **kwargs):
        comment = kwargs.get("comment", "")
        if self.checklist and action_name == "approve":
            checks = [
                label
                for name, label in (
                    ("legality", "合法性审查"),
                    ("confidentiality", "保密审查"),
                    ("privacy", "个人信息审查"),
                )
                if kwargs.get(name)
            ]
            comment = f"【已完成：{'、'.join(checks)}】{comment}"
        super().on_action(task_state, user, action_name, comment=comment)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        """States in progress on this task whose object (a catalog, result or
        decision) belongs to a unit where the user holds the role. In-progress
        states are few, so their objects are checked model by model."""
        states = TaskState.objects.filter(
            status=TaskState.STATUS_IN_PROGRESS, task=self.task_ptr
        )
        if user.is_superuser:
            return states
        units = user.groups.filter(
            unit_role__role__in=self.ROLES_FOR[self.role]
        ).values("unit_role__unit")
        by_type = {}
        for pk, content_type_id, object_id in states.values_list(
            "pk",
            "workflow_state__base_content_type",
            "workflow_state__object_id",
        ):
            by_type.setdefault(content_type_id, {})[object_id] = pk
        allowed = []
        for content_type_id, states_by_object in by_type.items():
            model = ContentType.objects.get_for_id(content_type_id).model_class()
            mine = model._default_manager.filter(
                pk__in=list(states_by_object), unit__in=units
            ).values_list("pk", flat=True)
            allowed += [states_by_object[str(pk)] for pk in mine]
        return states.filter(pk__in=allowed)

    @classmethod
    def get_description(cls):
        return "由公开目录、一事一公开结果或三重一大决策所属单位的指定角色审批"


class FilingTask(Task):
    """报备: the approved catalog is filed with the level above and copied to the
    supervising 纪委. Completes by itself; the record is the CatalogVersion."""

    class Meta:
        verbose_name = "报备"
        verbose_name_plural = "报备"

    def start(self, workflow_state, user=None):
        task_state = super().start(workflow_state, user=user)
        task_state.approve(user=user, comment="已报备上级公开机构，抄送监督纪委。")
        return task_state

    @classmethod
    def get_description(cls):
        return "审定后自动报备上级公开机构并抄送监督纪委"
