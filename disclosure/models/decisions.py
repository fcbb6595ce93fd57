"""三重一大 decision records (seeds 000 三重一大事项决策监督办法 第五至十一条; 003).

A record keeps the meeting as it happened — who was there, who spoke in which order,
each vote and its reason — and is checked against the meeting rules in
`disclosure.voting`. It is disclosed after approval (第十一条: 除依法不宜公开外，均应在
一定范围内公开), leaving out what the unit marks as not for publication.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property

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

from disclosure import voting

from .powers import personal_data_errors
from .results import local_today


class Decision(
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    PreviewableMixin,
    ClusterableModel,
):
    class DecisionType(models.TextChoices):
        MAJOR_DECISION = "重大决策"
        APPOINTMENT = "重要人事任免"
        PROJECT = "重大项目安排"
        FUNDS = "大额资金使用"

    class VoteForm(models.TextChoices):
        ORAL = "口头"
        HANDS = "举手"
        NAMED = "记名"
        BALLOT = "不记名"

    class Outcome(models.TextChoices):
        PASSED = "通过"
        REJECTED = "未通过"
        DEFERRED = "暂缓决定"

    unit = models.ForeignKey(
        "disclosure.UnitPage",
        verbose_name="单位",
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    meeting = models.CharField(
        "会议名称", max_length=200, help_text="如：镇党委会 2026 年第 12 次会议"
    )
    meeting_date = models.DateField("会议日期")
    topic = models.CharField("议题", max_length=200)
    decision_type = models.CharField(
        "事项类型", max_length=10, choices=DecisionType.choices
    )
    basis = models.TextField("决策依据")
    attendees = models.TextField(
        "列席人员", blank=True, help_text="列席、旁听的部门或人员（可选）。"
    )
    vote_form = models.CharField("表决方式", max_length=4, choices=VoteForm.choices)
    outcome = models.CharField("表决结果", max_length=6, choices=Outcome.choices)
    responsible_department = models.CharField("责任部门", max_length=100)
    responsible_person = models.CharField("责任人", max_length=50)
    withheld = models.TextField(
        "不宜公开的内容",
        blank=True,
        help_text="依法不宜公开的部分（如涉及个人隐私的人事细节），仅内部留存，不公开。",
    )
    entered_on = models.DateField("录入日期", default=local_today, editable=False)

    panels = [
        FieldPanel("unit"),
        FieldRowPanel([FieldPanel("meeting"), FieldPanel("meeting_date")]),
        FieldRowPanel([FieldPanel("topic"), FieldPanel("decision_type")]),
        FieldPanel("basis"),
        FieldPanel("attendees"),
        InlinePanel(
            "members",
            heading="班子成员发言与表决（含缺席人员）",
            label="班子成员",
            min_num=1,
        ),
        FieldRowPanel([FieldPanel("vote_form"), FieldPanel("outcome")]),
        FieldRowPanel(
            [FieldPanel("responsible_department"), FieldPanel("responsible_person")]
        ),
        MultiFieldPanel([FieldPanel("withheld")], heading="不公开部分"),
        InlinePanel("attachments", heading="附件", label="附件"),
    ]

    TEXT_FIELDS = (
        "meeting",
        "topic",
        "basis",
        "attendees",
        "responsible_department",
        "responsible_person",
    )

    class Meta:
        verbose_name = "三重一大决策"
        verbose_name_plural = "三重一大决策"
        ordering = ["-meeting_date", "-pk"]
        indexes = [
            models.Index(
                fields=["unit", "live", "-meeting_date"], name="decision_unit_live"
            ),
            models.Index(fields=["live", "-meeting_date"], name="decision_latest"),
        ]

    def __str__(self):
        return f"{self.meeting}：{self.topic}"

    def with_content_json(self, content):
        obj = super().with_content_json(content)
        obj.entered_on = self.entered_on
        return obj

    def clean(self):
        super().clean()
        errors = personal_data_errors(self, self.TEXT_FIELDS)
        if self.meeting_date and self.meeting_date > local_today():
            errors.setdefault("meeting_date", []).append("会议日期不能晚于今天。")
        if errors:
            raise ValidationError(errors)

    def voting_members(self):
        return [member.as_voting() for member in self.members.all()]

    @cached_property
    def tally(self):
        return voting.tally(self.voting_members())

    def members_in_order(self):
        """Present members in speaking order (the head last), then the absent."""
        return sorted(
            self.members.all(),
            key=lambda m: (not m.present, m.speaking_order or 0, m.sort_order or 0),
        )

    def get_url(self, request=None):
        return self.unit.get_url(request) + self.unit.reverse_subpage(
            "decision", kwargs={"pk": self.pk}
        )

    @property
    def url(self):
        return self.get_url()

    def get_preview_template(self, request, mode_name):
        return "disclosure/decision.html"

    def get_preview_context(self, request, mode_name):
        from disclosure.views_results import decision_context

        return {**decision_context(self), "page": self.unit, "preview": True}


class DecisionMember(Orderable):
    """One leadership member at the meeting: present or not, when they spoke, how
    they voted and why — or, if absent, the written opinion (kept, not counted)."""

    Vote = models.TextChoices("Vote", [(v, v) for v in voting.VOTES])

    decision = ParentalKey(Decision, on_delete=models.CASCADE, related_name="members")
    name = models.CharField("姓名", max_length=50)
    post = models.CharField("职务", max_length=100)
    is_head = models.BooleanField("主要负责人（一把手）", default=False)
    is_reporter = models.BooleanField("分管汇报人", default=False)
    present = models.BooleanField("到会", default=True)
    speaking_order = models.PositiveSmallIntegerField("发言顺序", null=True, blank=True)
    vote = models.CharField("表决意见", max_length=4, choices=Vote.choices, blank=True)
    reason = models.TextField("理由", blank=True)
    written_opinion = models.TextField(
        "书面意见", blank=True, help_text="未到会成员的书面意见：存档，不计入表决票数。"
    )

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("post")]),
        FieldRowPanel(
            [FieldPanel("is_head"), FieldPanel("is_reporter"), FieldPanel("present")]
        ),
        FieldRowPanel([FieldPanel("speaking_order"), FieldPanel("vote")]),
        FieldPanel("reason"),
        FieldPanel("written_opinion"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = "班子成员"
        verbose_name_plural = "班子成员"

    def __str__(self):
        return self.name

    def as_voting(self):
        return voting.Member(
            name=self.name,
            present=self.present,
            speaking_order=self.speaking_order,
            vote=self.vote,
            reason=self.reason,
            written_opinion=self.written_opinion,
            is_head=self.is_head,
            is_reporter=self.is_reporter,
        )


class DecisionAttachment(Orderable):
    decision = ParentalKey(
        Decision, on_delete=models.CASCADE, related_name="attachments"
    )
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name="文件",
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField("附件名称", max_length=200, blank=True)
    public = models.BooleanField(
        "公开", default=True, help_text="不宜公开的附件取消勾选，仅内部留存。"
    )

    panels = [
        FieldRowPanel([FieldPanel("document"), FieldPanel("title")]),
        FieldPanel("public"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = "附件"
        verbose_name_plural = "附件"

    def __str__(self):
        return self.title or self.document.title
