"""Open data on units and their power lists: /api/v1/units/ and /api/v1/powers/
(DESIGN, Public URLs; issue 4 item 8).

Only what the public site shows: live units whose branch is public (as on the home
page), and live, disclosed items of those units. 涉密 items are never stored at all.
"""

from datetime import datetime
from typing import Annotated, Literal

from django.db.models import Exists, F, OuterRef, Subquery, Value
from django.db.models.functions import Left, Length
from django.db.models.lookups import StartsWith
from django.http import Http404
from django.utils import timezone

from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from disclosure.models import POWER_TYPES, RISK_LEVELS, PowerItem, UnitPage
from disclosure.units import LEVELS, UNIT_TYPES
from sunlight.opendata import Blankable, ErrorOut, Text, absolute_url, paginated

router = Router(tags=["单位与权力清单"])

Level = Literal[LEVELS]
UnitType = Literal[UNIT_TYPES]
PowerType = Literal[POWER_TYPES]
RiskLevel = Literal[RISK_LEVELS]
UnitCode = Annotated[Text, Path(description="单位编码")]
ItemCode = Annotated[Text, Path(description="事项编码")]


def public_units():
    """Live units none of whose ancestor units is a draft."""
    draft_ancestor = UnitPage.objects.filter(
        StartsWith(OuterRef("path"), F("path")),
        live=False,
        depth__lt=OuterRef("depth"),
    )
    return UnitPage.objects.live().filter(~Exists(draft_ancestor))


def public_items():
    return PowerItem.objects.filter(
        live=True, disclosed=True, unit__in=public_units().values("pk")
    )


def _units_for_api():
    parent = UnitPage.objects.filter(
        path=Left(OuterRef("path"), Length(OuterRef("path")) - Value(UnitPage.steplen))
    )
    return (
        public_units()
        .annotate(
            parent_code=Subquery(parent.values("code")[:1]),
            supervisor_code=F("supervisor__code"),
        )
        .order_by("code")
    )


def _items_for_api():
    return (
        public_items()
        .select_related("unit")
        .prefetch_related("steps")
        .order_by("unit__code", "code")
    )


class UnitOut(Schema):
    unit_code: str = Field(description="单位编码")
    code: str = Field(description="单位编码（同 unit_code）")
    name: str = Field(description="单位名称")
    level: Level = Field(description="层级")
    unit_type: UnitType = Field(description="单位类型")
    parent_code: str | None = Field(description="上级单位编码，顶层单位为 null")
    supervisor_code: str | None = Field(description="监督纪委的单位编码")
    url: str | None = Field(description="单位公开页面的完整地址")

    @staticmethod
    def resolve_unit_code(unit):
        return unit.code

    @staticmethod
    def resolve_name(unit):
        return unit.title

    @staticmethod
    def resolve_url(unit, context):
        request = context["request"]
        return absolute_url(request, unit.get_url(request))


class StepOut(Schema):
    order: int = Field(description="步骤序号，从 1 开始")
    name: str = Field(description="环节名称")
    post: str = Field(description="办理岗位")
    time_limit: str = Field(description="办理时限")
    branch: str = Field(description="分支（如不予受理）")
    risk: str = Field(description="风险点")
    risk_level: RiskLevel | None = Field(description="风险等级，无风险点为 null")
    prevention: str = Field(description="防控措施")


class PowerOut(Schema):
    code: str = Field(description="事项编码")
    unit_code: str = Field(description="单位编码")
    unit: str = Field(description="单位名称")
    name: str = Field(description="事项名称")
    power_type: PowerType = Field(description="权力类型")
    basis: str = Field(description="行使依据")
    conditions: str = Field(description="行使条件")
    office: str = Field(description="承办机构")
    time_limit: str = Field(description="办理时限")
    duties: str = Field(description="责任事项")
    responsible: str = Field(description="责任主体")
    accountability: str = Field(description="追责情形")
    index_number: str | None = Field(description="索引号")
    catalog_version: int | None = Field(description="公开目录版本")
    published_at: datetime | None = Field(description="最近发布时间（北京时间）")
    steps: list[StepOut] = Field(description="流程清单与风险防控清单")
    url: str | None = Field(description="事项公开页面的完整地址")

    @staticmethod
    def resolve_unit_code(item):
        return item.unit.code

    @staticmethod
    def resolve_unit(item):
        return item.unit.title

    @staticmethod
    def resolve_published_at(item):
        published = item.last_published_at
        return timezone.localtime(published) if published else None

    @staticmethod
    def resolve_steps(item):
        return [
            {
                "order": order,
                "name": step.name,
                "post": step.post,
                "time_limit": step.time_limit,
                "branch": step.branch,
                "risk": step.risk,
                "risk_level": step.risk_level or None,
                "prevention": step.prevention,
            }
            for order, step in enumerate(item.steps.all(), start=1)
        ]

    @staticmethod
    def resolve_url(item, context):
        request = context["request"]
        if not item.unit.get_url(request):
            return None
        return absolute_url(request, item.get_url(request))


class UnitFilters(Schema):
    parent: Annotated[Text | None, Blankable] = Field(
        None, description="上级单位编码：只列出其直属下级单位"
    )
    level: Annotated[Level | None, Blankable] = Field(None, description="层级")
    unit_type: Annotated[UnitType | None, Blankable] = Field(
        None, description="单位类型"
    )


class PowerFilters(Schema):
    unit: Annotated[Text | None, Blankable] = Field(
        None, description="单位编码：该单位及其全部下级单位的事项"
    )
    power_type: Annotated[PowerType | None, Blankable] = Field(
        None, description="权力类型"
    )
    q: Annotated[Text | None, Blankable] = Field(
        None, max_length=100, description="事项名称包含的文字（全文检索见搜索接口）"
    )


def _filter_unit(code):
    """The public unit a filter names; an unknown one is not found (404): the
    request is well formed, the unit it names does not exist or is not public."""
    unit = public_units().filter(code=code).first()
    if unit is None:
        raise HttpError(404, f"没有编码为“{code}”的公开单位。")
    return unit


@router.get(
    "/units/",
    response={200: list[UnitOut], 400: ErrorOut, 404: ErrorOut},
    summary="单位列表",
    description="按单位编码排序。",
)
@paginated
def list_units(request, filters: Query[UnitFilters]):
    units = _units_for_api()
    if filters.parent:
        parent = _filter_unit(filters.parent)
        units = units.filter(path__startswith=parent.path, depth=parent.depth + 1)
    if filters.level:
        units = units.filter(level=filters.level)
    if filters.unit_type:
        units = units.filter(unit_type=filters.unit_type)
    return units


@router.get(
    "/units/{code}/",
    response={200: UnitOut, 404: ErrorOut},
    summary="单位详情",
)
def get_unit(request, code: UnitCode):
    unit = _units_for_api().filter(code=code).first()
    if unit is None:
        raise Http404(f"没有编码为“{code}”的公开单位。")
    return unit


@router.get(
    "/powers/",
    response={200: list[PowerOut], 400: ErrorOut, 404: ErrorOut},
    summary="权力事项列表",
    description="只含已发布且公开的事项，按单位编码、事项编码排序。",
)
@paginated
def list_powers(request, filters: Query[PowerFilters]):
    items = _items_for_api()
    if filters.unit:
        unit = _filter_unit(filters.unit)
        items = items.filter(unit__path__startswith=unit.path)
    if filters.power_type:
        items = items.filter(power_type=filters.power_type)
    if filters.q:
        items = items.filter(name__icontains=filters.q.strip())
    return items


@router.get(
    "/powers/{unit_code}/{code}/",
    response={200: PowerOut, 404: ErrorOut},
    summary="权力事项详情",
)
def get_power(request, unit_code: UnitCode, code: ItemCode):
    item = _items_for_api().filter(unit__code=unit_code, code=code).first()
    if item is None:
        raise Http404(f"单位“{unit_code}”没有编码为“{code}”的公开事项。")
    return item
