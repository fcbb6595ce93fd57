"""一事一评议 (seed 000 公开办法 第九条): anyone may rate a disclosed result on five
levels and leave a comment. The rating counts at once; the comment is shown only
after moderation, with personal data masked (the original, encrypted, is read by
the 纪委 only). A negative rating with a comment opens a follow-up: the unit replies
within 10 working days and the reply is shown under the comment.

Nothing identifies the rater: `voter` is a keyed digest of a random browser token
and the result, so it refuses a second rating from the same browser without linking
one person's ratings across results, and no address is kept anywhere.

Aggregates are stored (`RatingTally` per result, item and unit), so pages read one
row instead of counting ratings.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from disclosure import deadlines

COMMENT_CONTEXT = "disclosure.rating.comment"


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    FAIR = 3, "基本满意"
    DISSATISFIED = 2, "不满意"
    VERY_DISSATISFIED = 1, "非常不满意"


#: Levels in the order the form offers them (best first).
LEVELS = sorted(Level, reverse=True)
NEGATIVE_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)
SATISFIED_LEVELS = (Level.VERY_SATISFIED, Level.SATISFIED, Level.FAIR)


class Rating(models.Model):
    # Not in Wagtail's reference index: thousands of ratings are not "usages" of a
    # result or unit, and indexing each one cost five queries per rating.
    wagtail_reference_index_ignore = True

    class Moderation(models.TextChoices):
        NONE = "none", "未留意见"
        PENDING = "pending", "待审核"
        SHOWN = "shown", "已公开"
        HIDDEN = "hidden", "不予公开"

    result = models.ForeignKey(
        "disclosure.Result",
        verbose_name="评议结果",
        on_delete=models.CASCADE,
        related_name="ratings",
    )
    # Copied from the result when rated, so statistics per unit, post and period
    # read one indexed table (and keep the post that handled the case).
    unit = models.ForeignKey(
        "disclosure.UnitPage",
        verbose_name="单位",
        on_delete=models.CASCADE,
        related_name="+",
    )
    handling_post = models.CharField("办理岗位", max_length=100)
    level = models.PositiveSmallIntegerField("评议等级", choices=Level.choices)
    voter = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField("评议时间", default=timezone.now)

    comment = models.TextField("评议意见", blank=True)
    comment_original = models.TextField(blank=True, editable=False)
    moderation = models.CharField(
        "审核状态",
        max_length=8,
        choices=Moderation.choices,
        default=Moderation.NONE,
    )
    moderation_reason = models.CharField("不予公开理由", max_length=200, blank=True)
    moderated_at = models.DateTimeField("审核时间", null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    reply_due = models.DateField("回复期限", null=True, blank=True)
    reply_provisional = models.BooleanField(default=False)
    reply = models.TextField("单位回复", blank=True)
    replied_at = models.DateTimeField("回复时间", null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="回复人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "评议"
        verbose_name_plural = "评议"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["result", "voter"], name="one_rating_per_voter"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="rating_level_1_to_5"
            ),
        ]
        indexes = [
            # Statistics: negative ratings per unit / post and period.
            models.Index(fields=["unit", "created_at"], name="rating_unit_time"),
            models.Index(
                fields=["created_at"],
                condition=Q(level__lte=2),
                name="rating_negative_time",
            ),
            # The moderation queue and the public comments of a result.
            models.Index(fields=["moderation", "created_at"], name="rating_queue"),
            models.Index(
                fields=["result", "created_at"],
                condition=Q(moderation="shown"),
                name="rating_shown",
            ),
            # Follow-ups still waiting for the unit's reply.
            models.Index(
                fields=["reply_due"],
                condition=Q(reply_due__isnull=False, replied_at__isnull=True),
                name="rating_reply_open",
            ),
        ]

    def __str__(self):
        return f"{self.get_level_display()}：{self.result.title}"

    @property
    def is_negative(self):
        return self.level in NEGATIVE_LEVELS

    @property
    def needs_reply(self):
        return self.reply_due is not None

    @property
    def is_replied(self):
        return self.replied_at is not None

    @property
    def original_comment(self):
        """The comment as written, before masking: for the 纪委 only."""
        if not self.comment_original:
            return self.comment
        from sunlight import crypto

        return crypto.decrypt(self.comment_original, COMMENT_CONTEXT)

    def reply_standing(self, today=None, calendar=None):
        from disclosure.workdays import load_calendar

        done = timezone.localdate(self.replied_at) if self.replied_at else None
        return deadlines.standing(
            self.reply_due,
            done,
            today or timezone.localdate(),
            calendar or load_calendar(),
            self.reply_provisional,
        )


class RatingTally(models.Model):
    """Stored counts per level for one result, power item or unit (its own
    results), kept up to date by the rating service in the rating's transaction."""

    class Scope(models.TextChoices):
        RESULT = "result", "结果"
        ITEM = "item", "事项"
        UNIT = "unit", "单位"

    scope = models.CharField(max_length=6, choices=Scope.choices)
    object_id = models.PositiveBigIntegerField()
    very_satisfied = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    fair = models.PositiveIntegerField(default=0)
    dissatisfied = models.PositiveIntegerField(default=0)
    very_dissatisfied = models.PositiveIntegerField(default=0)

    COLUMNS = {
        Level.VERY_SATISFIED: "very_satisfied",
        Level.SATISFIED: "satisfied",
        Level.FAIR: "fair",
        Level.DISSATISFIED: "dissatisfied",
        Level.VERY_DISSATISFIED: "very_dissatisfied",
    }

    class Meta:
        verbose_name = "评议统计"
        verbose_name_plural = "评议统计"
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "object_id"], name="one_tally_per_object"
            )
        ]

    def __str__(self):
        return f"{self.get_scope_display()} {self.object_id}"

    def counts(self):
        """{level: count}, best level first."""
        return {level: getattr(self, self.COLUMNS[level]) for level in LEVELS}


@register_setting(icon="warning")
class RatingSettings(BaseGenericSetting):
    """When negative ratings call for a 谈话提醒 (seed 000 “不良评价”谈话提醒): a unit
    or handling post with at least this many 不满意/非常不满意 in a period is flagged
    in the 纪委's statistics."""

    monthly_threshold = models.PositiveSmallIntegerField(
        "每月不良评价提醒线", default=3, validators=[MinValueValidator(1)]
    )
    quarterly_threshold = models.PositiveSmallIntegerField(
        "每季度不良评价提醒线", default=6, validators=[MinValueValidator(1)]
    )
    yearly_threshold = models.PositiveSmallIntegerField(
        "每年不良评价提醒线", default=15, validators=[MinValueValidator(1)]
    )

    panels = [
        FieldPanel("monthly_threshold"),
        FieldPanel("quarterly_threshold"),
        FieldPanel("yearly_threshold"),
    ]

    class Meta:
        verbose_name = "评议提醒设置"

    def threshold(self, period_kind):
        return getattr(self, f"{period_kind}_threshold")
