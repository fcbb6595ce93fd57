"""Open data on 一事一公开 results and 三重一大 decisions: /api/v1/results/ and
/api/v1/decisions/ (DESIGN, Public URLs; issue 5 item 8).

What the public pages show and nothing more: a private person's name only during
the 公示 period, no individual ratings (only `rating_total`), no part of a decision
marked 不宜公开.
"""

from datetime import date
from typing import Annotated, Literal

from django.db.models import F, OuterRef, Subquery, Value
from django.http import Http404
from django.utils import timezone

from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from disclosure.api import PowerType, _filter_unit
from disclosure.models import Decision, RatingTally
from disclosure.models.ratings import SATISFIED_LEVELS
from disclosure.ratings import percent
from disclosure.views_results import public_decisions, public_results
from sunlight.opendata import Blankable, ErrorOut, Text, absolute_url, paginated

router = Router(tags=["一事一公开与三重一大"])
SATISFIED_COLUMNS = [RatingTally.COLUMNS[level] for level in SATISFIED_LEVELS]

DecisionType = Literal[tuple(Decision.DecisionType.values)]


class ResultOut(Schema):
    id: int = Field(description="结果编号")
    unit_code: str = Field(description="单位编码")
    unit: str = Field(description="单位名称")
    code: str = Field(description="权力事项编码")
    item: str = Field(description="权力事项名称")
    power_type: PowerType = Field(description="权力类型")
    title: str = Field(description="办理事项")
    subject: str | None = Field(
        description="申请/办理对象（法人或组织；自然人仅在公示期内公开），否则为 null"
    )
    act_date: date = Field(description="权力行为发生日")
    result_date: date = Field(description="结果产生日")
    outcome: str = Field(description="办理结果")
    handling_post: str = Field(description="办理岗位")
    entered_on: date = Field(description="录入日期")
    disclosed_on: date | None = Field(description="公开日期")
    entry_due: date = Field(description="录入期限（行为发生后 3 个工作日）")
    disclosure_due: date = Field(description="公开期限（结果产生后 10 个工作日）")
    disclosed_late: bool = Field(description="是否逾期公开")
    publicity_ends: date | None = Field(description="公示截止日期，无公示为 null")
    rating_total: int = Field(description="已收到的评议数（评议即时计数）")
    satisfaction_rate: float | None = Field(
        description="满意率（%，非常满意、满意、基本满意之和÷评议数，保留一位小数）；"
        "尚无评议为 null"
    )
    url: str | None = Field(description="结果公开页面的完整地址")

    @staticmethod
    def resolve_unit_code(result):
        return result.unit.code

    @staticmethod
    def resolve_unit(result):
        return result.unit.title

    @staticmethod
    def resolve_code(result):
        return result.item.code

    @staticmethod
    def resolve_item(result):
        return result.item.name

    @staticmethod
    def resolve_power_type(result):
        return result.item.power_type

    @staticmethod
    def resolve_subject(result):
        return result.public_subject(timezone.localdate()) or None

    @staticmethod
    def resolve_disclosed_late(result):
        return result.disclosed_late

    @staticmethod
    def resolve_satisfaction_rate(result):
        if not result.rating_total:
            return None
        satisfied = getattr(result, "rating_satisfied", None) or 0
        return float(percent(satisfied, result.rating_total))

    @staticmethod
    def resolve_url(result, context):
        request = context["request"]
        if not result.unit.get_url(request):
            return None
        return absolute_url(request, result.get_url(request))


class VoteOut(Schema):
    order: int | None = Field(description="发言顺序；未到会为 null")
    name: str = Field(description="姓名")
    post: str = Field(description="职务")
    is_head: bool = Field(description="是否主要负责人（末位表态）")
    present: bool = Field(description="是否到会")
    vote: str | None = Field(description="同意/不同意/缓议；未到会为 null")
    reason: str = Field(description="理由，或未到会成员的书面意见（不计票）")


class DecisionOut(Schema):
    id: int = Field(description="决策编号")
    unit_code: str = Field(description="单位编码")
    unit: str = Field(description="单位名称")
    meeting: str = Field(description="会议名称")
    meeting_date: date = Field(description="会议日期")
    topic: str = Field(description="议题")
    decision_type: DecisionType = Field(description="事项类型")
    basis: str = Field(description="决策依据")
    vote_form: str = Field(description="表决方式")
    outcome: str = Field(description="表决结果")
    responsible_department: str = Field(description="责任部门")
    responsible_person: str = Field(description="责任人")
    members: int = Field(description="班子成员数")
    present: int = Field(description="到会人数")
    agree: int = Field(description="同意票")
    disagree: int = Field(description="不同意票")
    defer: int = Field(description="缓议票")
    votes: list[VoteOut] = Field(
        description="按发言顺序的表决意见；不记名投票只公开票数，此处为空"
    )
    url: str | None = Field(description="决策公开页面的完整地址")

    @staticmethod
    def resolve_unit_code(decision):
        return decision.unit.code

    @staticmethod
    def resolve_unit(decision):
        return decision.unit.title

    @staticmethod
    def resolve_members(decision):
        return decision.tally.members

    @staticmethod
    def resolve_present(decision):
        return decision.tally.present

    @staticmethod
    def resolve_agree(decision):
        return decision.tally.agree

    @staticmethod
    def resolve_disagree(decision):
        return decision.tally.disagree

    @staticmethod
    def resolve_defer(decision):
        return decision.tally.defer

    @staticmethod
    def resolve_votes(decision):
        if decision.vote_form == Decision.VoteForm.BALLOT:
            return []  # a secret ballot publishes the tally only
        return [
            {
                "order": m.speaking_order if m.present else None,
                "name": m.name,
                "post": m.post,
                "is_head": m.is_head,
                "present": m.present,
                "vote": (m.vote or None) if m.present else None,
                "reason": m.reason if m.present else m.written_opinion,
            }
            for m in decision.members_in_order()
        ]

    @staticmethod
    def resolve_url(decision, context):
        request = context["request"]
        if not decision.unit.get_url(request):
            return None
        return absolute_url(request, decision.get_url(request))


class DateRange(Schema):
    date_from: Annotated[date | None, Blankable] = Field(
        None, description="起始日期（含），YYYY-MM-DD"
    )
    date_to: Annotated[date | None, Blankable] = Field(
        None, description="截止日期（含），YYYY-MM-DD"
    )


class ResultFilters(DateRange):
    unit: Annotated[Text | None, Blankable] = Field(
        None, description="单位编码：该单位及其全部下级单位的结果"
    )
    code: Annotated[Text | None, Blankable] = Field(None, description="权力事项编码")
    power_type: Annotated[PowerType | None, Blankable] = Field(
        None, description="权力类型"
    )


class DecisionFilters(DateRange):
    unit: Annotated[Text | None, Blankable] = Field(
        None, description="单位编码：该单位及其全部下级单位的决策"
    )
    decision_type: Annotated[DecisionType | None, Blankable] = Field(
        None, description="事项类型"
    )


def _dates(objects, filters, field):
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise HttpError(400, "起始日期不能晚于截止日期。")
    if filters.date_from:
        objects = objects.filter(**{f"{field}__gte": filters.date_from})
    if filters.date_to:
        objects = objects.filter(**{f"{field}__lte": filters.date_to})
    return objects


def _results():
    """Public results with their stored rating aggregate (one indexed lookup per
    row in the same query, never a count over the ratings)."""
    tally = RatingTally.objects.filter(
        scope=RatingTally.Scope.RESULT, object_id=OuterRef("pk")
    )
    satisfied = sum((F(column) for column in SATISFIED_COLUMNS), Value(0))
    return (
        public_results()
        .select_related("unit", "item")
        .annotate(
            rating_satisfied=Subquery(tally.annotate(n=satisfied).values("n")[:1])
        )
        .order_by("-disclosed_on", "-pk")
    )


def _decisions():
    return (
        public_decisions()
        .select_related("unit")
        .prefetch_related("members")
        .order_by("-meeting_date", "-pk")
    )


@router.get(
    "/results/",
    response={200: list[ResultOut], 400: ErrorOut, 404: ErrorOut},
    summary="一事一公开结果列表",
    description="已公开的办理结果，按公开日期从新到旧；日期范围按公开日期筛选。",
)
@paginated
def list_results(request, filters: Query[ResultFilters]):
    results = _results()
    if filters.unit:
        unit = _filter_unit(filters.unit)
        results = results.filter(unit__path__startswith=unit.path)
    if filters.code:
        results = results.filter(item__code=filters.code)
    if filters.power_type:
        results = results.filter(item__power_type=filters.power_type)
    return _dates(results, filters, "disclosed_on")


@router.get(
    "/results/{result_id}/",
    response={200: ResultOut, 404: ErrorOut},
    summary="一事一公开结果详情",
)
def get_result(request, result_id: int):
    result = _results().filter(pk=result_id).first()
    if result is None:
        raise Http404(f"没有编号为 {result_id} 的公开结果。")
    return result


@router.get(
    "/decisions/",
    response={200: list[DecisionOut], 400: ErrorOut, 404: ErrorOut},
    summary="“三重一大”决策列表",
    description="已公开的决策记录，按会议日期从新到旧；不含依法不宜公开的内容。",
)
@paginated
def list_decisions(request, filters: Query[DecisionFilters]):
    decisions = _decisions()
    if filters.unit:
        unit = _filter_unit(filters.unit)
        decisions = decisions.filter(unit__path__startswith=unit.path)
    if filters.decision_type:
        decisions = decisions.filter(decision_type=filters.decision_type)
    return _dates(decisions, filters, "meeting_date")


@router.get(
    "/decisions/{decision_id}/",
    response={200: DecisionOut, 404: ErrorOut},
    summary="“三重一大”决策详情",
)
def get_decision(request, decision_id: int):
    decision = _decisions().filter(pk=decision_id).first()
    if decision is None:
        raise Http404(f"没有编号为 {decision_id} 的公开决策。")
    return decision
