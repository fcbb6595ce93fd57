"""What every /api/v1/ endpoint shares: the contract's pagination, error bodies and
absolute links on the host that was asked.

DESIGN, Public URLs: list endpoints paginate as {"count", "next", "previous",
"results"}. An app's api.py builds on these; sunlight.api mounts the app's router.
Kept apart from sunlight.api so that app routers can import it without a cycle.
"""

import re
from typing import Annotated, Any

from django.http import Http404

from ninja import Field, Schema
from ninja.pagination import PaginationBase, paginate
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
#: Everything the API shows is public and the same for everyone.
CACHE_SECONDS = 300


class ParamError(Schema):
    param: str = Field(description="出错的参数名")
    message: str = Field(description="错误说明")


class ErrorOut(Schema):
    detail: str = Field(description="错误说明（中文）")
    errors: list[ParamError] = Field(default=[], description="逐个参数的错误")


class PageParams(Schema):
    page: int = Field(1, ge=1, description="页码，从 1 开始；超出末页返回 404")
    page_size: int = Field(
        PAGE_SIZE,
        ge=1,
        description=f"每页条数，默认 {PAGE_SIZE}，最大 {MAX_PAGE_SIZE}（超过按最大值）",
    )


class ContractPagination(PaginationBase):
    """`?page=N&page_size=M` → {"count", "next", "previous", "results"}.

    next/previous are absolute URLs on the host that was asked, keeping every other
    query parameter. A page_size above the maximum is served at the maximum; a page
    past the last one is a 404 (page 1 of an empty list is an empty page).
    """

    Input = PageParams

    class Output(Schema):
        count: int = Field(description="符合条件的总条数")
        next: str | None = Field(description="下一页的完整地址，没有则为 null")
        previous: str | None = Field(description="上一页的完整地址，没有则为 null")
        results: list[Any]

    items_attribute = "results"

    def paginate_queryset(self, queryset, pagination, request, **params):
        size = min(pagination.page_size, MAX_PAGE_SIZE)
        count = self._items_count(queryset)
        last = max(1, -(-count // size))
        if pagination.page > last:
            raise Http404(f"页码 {pagination.page} 超出范围：共 {last} 页。")
        start = (pagination.page - 1) * size
        return {
            "count": count,
            "next": page_link(request, pagination.page + 1)
            if pagination.page < last
            else None,
            "previous": page_link(request, pagination.page - 1)
            if pagination.page > 1
            else None,
            "results": queryset[start : start + size],
        }


#: Decorate a list operation (declared with `response=list[SomeOut]`) with it.
paginated = paginate(ContractPagination)


def page_link(request, page):
    query = request.GET.copy()
    query["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def absolute_url(request, path):
    """A public page's address on the host that was asked (None when it has none)."""
    return request.build_absolute_uri(path) if path else None


CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def _no_control_characters(value):
    if CONTROL_CHARACTERS.search(value):
        raise ValueError("不能包含控制字符")
    return value


#: A text parameter. Control characters are a 400 here rather than a 500 from
#: PostgreSQL, which refuses NUL in a query.
Text = Annotated[
    str,
    AfterValidator(_no_control_characters),
    WithJsonSchema({"type": "string", "pattern": r"^[^\u0000-\u001f\u007f]*$"}),
]


def _blank_to_none(value):
    return None if isinstance(value, str) and not value.strip() else value


#: Marks a filter for which `?name=` means "no filter", as HTML forms send it:
#: `unit: Annotated[Text | None, Blankable] = None`.
Blankable = BeforeValidator(_blank_to_none)


REASONS = {
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "string_type": "应为文本",
    "missing": "缺少此参数",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "string_too_long": "长度不能超过 {max_length} 个字符",
    "string_too_short": "长度不能少于 {min_length} 个字符",
    "too_long": "长度不能超过 {max_length} 个字符",
}


def param_errors(errors):
    """Ninja's validation errors as [{"param", "message"}] in Chinese."""
    out = []
    for error in errors:
        name = str(error["loc"][-1]) if error.get("loc") else "参数"
        out.append({"param": name, "message": _reason(error)})
    return out


def _reason(error):
    context = error.get("ctx") or {}
    if error["type"] in ("literal_error", "enum"):
        choices = re.findall(r"'([^']*)'", str(context.get("expected", "")))
        return "应为以下之一：" + "、".join(choices)
    if error["type"] == "value_error":
        return str(context.get("error", "取值无效"))
    template = REASONS.get(error["type"], "取值无效")
    return template.format(**context)
