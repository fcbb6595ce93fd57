"""/api/v1/search/: full-text search as the interface contract has it (DESIGN,
Public URLs): `?q=…&limit=N` → {"count", "results": [{"kind", "code", "title",
"unit", "unit_code", "url", "snippet"}]}, best first.

Snippets are plain text (JSON carries no markup; whoever shows them escapes them).
"""

from typing import Annotated, Literal

from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from disclosure.models import POWER_TYPES, UnitPage
from search import service
from search.models import SearchDocument
from sunlight.opendata import Blankable, ErrorOut, Text, absolute_url

router = Router(tags=["全文检索"])

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_QUERY_LENGTH = 100

Kind = Literal[tuple(SearchDocument.Kind.values)]
PowerType = Literal[POWER_TYPES]


class SearchParams(Schema):
    q: Annotated[Text | None, Blankable] = Field(
        None,
        max_length=MAX_QUERY_LENGTH,
        description="检索词；多个词用空格分开，须全部匹配。为空时不返回结果",
    )
    limit: int = Field(
        DEFAULT_LIMIT,
        ge=1,
        description=f"返回条数，默认 {DEFAULT_LIMIT}，最大 {MAX_LIMIT}（超过按最大值）",
    )
    offset: int = Field(0, ge=0, le=10_000, description="跳过前面若干条，用于翻页")
    unit: Annotated[Text | None, Blankable] = Field(
        None, description="单位编码：只检索该单位及其全部下级单位"
    )
    power_type: Annotated[PowerType | None, Blankable] = Field(
        None, description="权力类型"
    )
    kind: Annotated[Kind | None, Blankable] = Field(
        None,
        description="类别：power 权力事项，result 办理结果，decision 三重一大决策，"
        "notice 问责通报，clarify 澄清正名",
    )
    year: Annotated[int | None, Blankable] = Field(
        None, ge=1949, le=2100, description="发布年份"
    )


class SearchHitOut(Schema):
    kind: str = Field(description="类别：power / result / decision / notice / clarify")
    code: str = Field(description="编码（权力事项为事项编码）")
    title: str = Field(description="标题")
    unit: str = Field(description="单位名称")
    unit_code: str = Field(description="单位编码")
    url: str | None = Field(description="公开页面的完整地址")
    snippet: str = Field(description="正文中命中处前后的文字（纯文本，至多 120 字）")


class SearchOut(Schema):
    count: int = Field(description="命中总数")
    results: list[SearchHitOut] = Field(description="按相关度排序的结果")


@router.get(
    "/search/",
    response={200: SearchOut, 400: ErrorOut, 404: ErrorOut},
    summary="全文检索",
    description="检索已发布且公开的权力事项（名称、依据、条件、责任、流程与风险点、"
    "所属单位），支持同义词（如“低保”即“最低生活保障”）与繁简、全半角。",
)
def search_api(request, params: Query[SearchParams]):
    text = (params.q or "").strip()
    if not text:
        return {"count": 0, "results": []}
    if params.unit and not UnitPage.objects.live().filter(code=params.unit).exists():
        raise HttpError(404, f"没有编码为“{params.unit}”的公开单位。")
    results = service.search(
        text,
        unit_code=params.unit,
        power_type=params.power_type,
        kind=params.kind,
        year=params.year,
        offset=params.offset,
        limit=min(params.limit, MAX_LIMIT),
    )
    filtered = params.unit or params.power_type or params.kind or params.year
    if not results.total and not filtered:
        service.record_zero_result(text)
    units = {
        pk: (title, code)
        for pk, title, code in UnitPage.objects.filter(
            pk__in={hit.unit_id for hit in results.hits}
        ).values_list("pk", "title", "code")
    }
    return {
        "count": results.total,
        "results": [
            {
                "kind": hit.kind,
                "code": hit.code,
                "title": hit.title,
                "unit": units.get(hit.unit_id, ("", ""))[0],
                "unit_code": units.get(hit.unit_id, ("", ""))[1],
                "url": absolute_url(request, hit.url),
                "snippet": hit.snippet,
            }
            for hit in results.hits
        ],
    }
