"""一事一评议 in the admin: comments waiting for moderation, follow-ups of negative
ratings, and the 纪委's statistics of negative ratings (平台办法 第十五条).

Who does what: the supervising 纪委 (or a superuser) moderates comments — the unit
rated does not decide which criticism of itself is shown — and reads the original
text (each reading audited); the unit's staff reply to follow-ups; both see the
ratings of their scope only.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.functional import cached_property

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.reports import ReportView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log

import django_filters

from . import ratings
from .models import Rating, RatingSettings, UnitGroup, UnitPage
from .models.powers import personal_data_errors
from .models.ratings import NEGATIVE_LEVELS
from .permissions import (
    EDITOR_ROLES,
    _is_staff,
    direct_units,
    supervised_scope,
    unit_scope,
)
from .results_admin import scoped, visible_unit_ids
from .viewsets import (
    ScopedHistoryView,
    ScopedUsageView,
    UnitChoiceFilter,
    visible_units,
)
from .workdays import start_of_day

Role = UnitGroup.Role
STATISTICS_URL_NAME = "rating_statistics"
FOLLOW_UP_CHOICES = [
    ("waiting", "待回复"),
    ("overdue", "逾期未回复"),
    ("replied", "已回复"),
]


def may_moderate(user, rating):
    if not _is_staff(user):
        return False
    return user.is_superuser or rating.unit_id in supervised_scope(user)


def may_reply(user, rating):
    if not _is_staff(user) or not rating.needs_reply or rating.is_replied:
        return False
    return user.is_superuser or rating.unit_id in unit_scope(user, EDITOR_ROLES)


def can_see_ratings(user):
    """Unit staff and 纪委 staff (from the role rows cached for the request, so the
    menu costs no query); the lists are scoped per rating."""
    if not _is_staff(user):
        return False
    return user.is_superuser or bool(
        direct_units(user, (*EDITOR_ROLES, Role.COMMISSION))
    )


def can_see_statistics(user):
    return _is_staff(user) and (
        user.is_superuser or bool(direct_units(user, [Role.COMMISSION]))
    )


# Moderation and follow-up -----------------------------------------------------------


class RatingFilterSet(WagtailFilterSet):
    unit = UnitChoiceFilter()
    moderation = django_filters.ChoiceFilter(
        label="审核状态",
        choices=[
            c for c in Rating.Moderation.choices if c[0] != Rating.Moderation.NONE
        ],
    )
    follow_up = django_filters.ChoiceFilter(
        label="回复", choices=FOLLOW_UP_CHOICES, method="filter_follow_up"
    )
    negative = django_filters.BooleanFilter(
        label="只看不满意", method="filter_negative"
    )

    class Meta:
        model = Rating
        fields = []

    def filter_follow_up(self, queryset, name, value):
        today = timezone.localdate()
        if value == "replied":
            return queryset.filter(replied_at__isnull=False)
        waiting = queryset.filter(reply_due__isnull=False, replied_at__isnull=True)
        return waiting.filter(reply_due__lt=today) if value == "overdue" else waiting

    def filter_negative(self, queryset, name, value):
        return queryset.filter(level__in=NEGATIVE_LEVELS) if value else queryset


class RatingIndexView(generic.IndexView):
    def get_base_queryset(self):
        return scoped(
            Rating.objects.exclude(moderation=Rating.Moderation.NONE).select_related(
                "result", "unit"
            ),
            self.request.user,
        ).order_by("-created_at", "-pk")


class RatingForm(forms.ModelForm):
    """What the user may do with one rating: the 纪委 decides on the comment, the
    unit replies to a follow-up; fields the user may not use are left out."""

    decision = forms.ChoiceField(
        label="审核意见",
        choices=[("shown", "公开（个人信息已遮盖）"), ("hidden", "不予公开")],
        widget=forms.RadioSelect,
        required=False,
    )

    class Meta:
        model = Rating
        fields = ["moderation_reason", "reply"]
        widgets = {"reply": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, can_moderate=False, can_reply=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.can_moderate, self.can_reply = can_moderate, can_reply
        if not can_moderate:
            del self.fields["decision"], self.fields["moderation_reason"]
        else:
            self.fields[
                "moderation_reason"
            ].help_text = "不予公开时必填，如：含辱骂、广告或与评议事项无关。"
        if not can_reply:
            del self.fields["reply"]
        else:
            self.fields["reply"].help_text = "回复将在结果页面该条评议意见下公开。"

    def clean(self):
        data = super().clean()
        if self.can_moderate and data.get("decision") == "hidden":
            if not (data.get("moderation_reason") or "").strip():
                self.add_error("moderation_reason", "不予公开须写明理由。")
        if self.can_reply and "reply" in data:
            reply = (data.get("reply") or "").strip()
            if reply:
                self.instance.reply = reply
                errors = personal_data_errors(self.instance, ["reply"])
                if errors:
                    self.add_error("reply", errors["reply"])
            elif not (self.can_moderate and data.get("decision")):
                self.add_error("reply", "请填写回复内容：回复将在结果页面公开。")
        if self.can_moderate and not self.can_reply and not data.get("decision"):
            self.add_error("decision", "请选择公开或不予公开。")
        return data


class RatingEditView(generic.EditView):
    template_name = "disclosure/admin/rating_edit.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.rating = get_object_or_404(
            Rating.objects.select_related("result", "unit"), pk=kwargs.get("pk")
        )

    @cached_property
    def can_moderate(self):
        return may_moderate(self.request.user, self.rating)

    @cached_property
    def can_reply(self):
        return may_reply(self.request.user, self.rating)

    def dispatch(self, request, *args, **kwargs):
        if not can_see_ratings(request.user):
            raise PermissionDenied
        units = visible_unit_ids(request.user)
        if units is not None and self.rating.unit_id not in units:
            raise PermissionDenied
        if request.method == "POST" and not (self.can_moderate or self.can_reply):
            messages.error(
                request, "该评议无需您处理，或已经回复（回复公开后不能修改）。"
            )
            return redirect(self.index_url_name)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "can_moderate": self.can_moderate,
            "can_reply": self.can_reply,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rating"] = self.rating
        context["can_moderate"] = self.can_moderate
        context["can_reply"] = self.can_reply
        if self.can_moderate and self.rating.comment_original:
            context["original_comment"] = self.rating.original_comment
            if self.request.method == "GET":
                log(
                    self.rating,
                    "sunlight.rating_original_viewed",
                    user=self.request.user,
                )
        return context

    def save_instance(self):
        data = self.form.cleaned_data
        user = self.request.user
        with transaction.atomic():
            rating = Rating.objects.select_for_update().get(pk=self.rating.pk)
            if self.can_moderate and data.get("decision"):
                ratings.moderate(
                    rating,
                    data["decision"] == "shown",
                    data.get("moderation_reason") or "",
                    user,
                )
            if self.can_reply and (data.get("reply") or "").strip():
                if rating.is_replied:
                    raise PermissionDenied
                ratings.reply(rating, data["reply"], user)
        return rating

    def get_success_message(self):
        return "已保存。"


class RatingViewSet(ModelViewSet):
    model = Rating
    icon = "comment"
    menu_label = "评议意见"
    menu_name = "ratings"
    name = "disclosure_ratings"
    url_prefix = "results/ratings"
    form_fields = ["moderation_reason", "reply"]
    add_to_admin_menu = False
    index_view_class = RatingIndexView
    edit_view_class = RatingEditView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    filterset_class = RatingFilterSet
    list_display = [
        TitleColumn("result", label="评议结果", url_name="disclosure_ratings:edit"),
        Column("unit", label="单位"),
        Column("level", label="评价", accessor="get_level_display"),
        Column("comment", label="评议意见", accessor=lambda r: r.comment[:40]),
        DateColumn("created_at", label="评议时间"),
        Column("moderation", label="审核", accessor="get_moderation_display"),
        Column("follow_up", label="回复", accessor=lambda r: follow_up_label(r)),
    ]

    def get_form_class(self, for_update=False):
        return RatingForm

    def get_permissions_to_register(self):
        return Permission.objects.none()


def follow_up_label(rating):
    if not rating.needs_reply:
        return "—"
    if rating.is_replied:
        return "已回复"
    standing = rating.reply_standing()
    return f"{standing.label}（{rating.reply_due:%Y-%m-%d}前）"


# Statistics --------------------------------------------------------------------------


class StatisticsFilterSet(WagtailFilterSet):
    period = django_filters.ChoiceFilter(
        label="统计周期", method="noop", empty_label=None, null_label=None
    )
    by = django_filters.ChoiceFilter(
        label="统计方式",
        choices=[(ratings.BY_UNIT, "按单位"), (ratings.BY_POST, "按办理岗位")],
        method="noop",
        empty_label=None,
    )
    unit = django_filters.ModelChoiceFilter(
        label="单位（含下级）", queryset=visible_units, method="noop"
    )

    class Meta:
        model = Rating
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.filters["period"].extra["choices"] = [
            (p.value, p.label) for p in ratings.recent_periods(today)
        ]

    def noop(self, queryset, name, value):
        return queryset


class RatingStatisticsReport(ReportView):
    """不良评价统计: negative ratings per unit or handling post in a period, with
    the units and posts over the 谈话提醒 line flagged; exported as XLSX/CSV."""

    page_title = "不良评价统计"
    header_icon = "warning"
    model = Rating
    filterset_class = StatisticsFilterSet
    index_url_name = STATISTICS_URL_NAME
    index_results_url_name = f"{STATISTICS_URL_NAME}_results"
    paginate_by = 100
    columns = [
        Column("unit_code", label="单位编码"),
        Column("unit_title", label="单位"),
        Column("handling_post", label="办理岗位"),
        Column("total", label="评议总数"),
        Column("negative", label="不良评价"),
        Column("very_dissatisfied", label="其中非常不满意"),
        Column("negative_share", label="占比（%）"),
        Column("open_follow_ups", label="待回复"),
        Column("overdue_follow_ups", label="逾期未回复"),
        Column("flag", label="谈话提醒"),
    ]
    template_name = "disclosure/admin/rating_statistics.html"
    results_template_name = "disclosure/admin/rating_statistics_results.html"
    list_export = [
        "unit_code",
        "unit_title",
        "handling_post",
        "total",
        "negative",
        "very_dissatisfied",
        "negative_share",
        "commented",
        "open_follow_ups",
        "overdue_follow_ups",
        "flag",
    ]
    export_headings = {
        "unit_code": "单位编码",
        "unit_title": "单位",
        "handling_post": "办理岗位",
        "total": "评议总数",
        "negative": "不良评价（不满意+非常不满意）",
        "very_dissatisfied": "其中非常不满意",
        "negative_share": "不良评价占比（%）",
        "commented": "附意见的不良评价",
        "open_follow_ups": "待回复",
        "overdue_follow_ups": "逾期未回复",
        "flag": "谈话提醒",
    }

    permission_required = "view"

    def user_has_permission(self, permission):
        return can_see_statistics(self.request.user)

    @cached_property
    def period(self):
        return ratings.parse_period(
            self.request.GET.get("period"), timezone.localdate()
        )

    @cached_property
    def grouping(self):
        by = self.request.GET.get("by")
        return by if by in (ratings.BY_UNIT, ratings.BY_POST) else ratings.BY_UNIT

    @cached_property
    def threshold(self):
        return RatingSettings.load(request_or_site=self.request).threshold(
            self.period.kind
        )

    def filter_queryset(self, queryset):
        """The filters shape the grouped query itself (get_queryset)."""
        return queryset

    def get_filename(self):
        return f"negative-ratings-{self.period.value}-{self.grouping}"

    def get_queryset(self):
        return self.rows

    @cached_property
    def rows(self):
        period = self.period
        rated = Rating.objects.filter(
            created_at__gte=start_of_day(period.start),
            created_at__lt=start_of_day(period.end),
        )
        units = (
            None
            if self.request.user.is_superuser
            else supervised_scope(self.request.user)
        )
        if units is not None:
            rated = rated.filter(unit_id__in=units)
        unit = self._chosen_unit()
        if unit is not None:
            rated = rated.filter(
                unit__in=UnitPage.objects.filter(path__startswith=unit.path)
            )
        rows = ratings.statistics(rated, by=self.grouping, threshold=self.threshold)
        for row in rows:
            row.flag = "是" if row.flagged else ""
            row.handling_post = row.handling_post or "—"
        return rows

    def _chosen_unit(self):
        try:
            pk = int(self.request.GET.get("unit") or 0)
        except ValueError:
            return None
        return visible_units(self.request).filter(pk=pk).first() if pk else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = self.rows
        context.update(
            {
                "period": self.period,
                "grouping": self.grouping,
                "threshold": self.threshold,
                "flagged": [row for row in rows if row.flagged],
                "largest": max((row.negative for row in rows), default=0),
            }
        )
        return context


def statistics_urls():
    from django.urls import path

    return [
        path(
            "results/rating-statistics/",
            RatingStatisticsReport.as_view(),
            name=STATISTICS_URL_NAME,
        ),
        path(
            "results/rating-statistics/results/",
            RatingStatisticsReport.as_view(results_only=True),
            name=f"{STATISTICS_URL_NAME}_results",
        ),
    ]


def panel_counts(user):
    """For the dashboard: comments to moderate (纪委), follow-ups waiting and
    overdue in the user's scope — one query."""
    today = timezone.localdate()
    waiting = Q(reply_due__isnull=False, replied_at__isnull=True)
    counts = scoped(Rating.objects.order_by(), user).aggregate(
        pending=Count("pk", filter=Q(moderation=Rating.Moderation.PENDING)),
        waiting=Count("pk", filter=waiting),
        overdue=Count("pk", filter=waiting & Q(reply_due__lt=today)),
    )
    if not can_see_statistics(user):
        counts["pending"] = 0
    return counts
