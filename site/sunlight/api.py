"""/api/v1/: the read-only open-data API of the interface contract (DESIGN, Public URLs).

One API for the whole site; each app contributes a ninja Router from its own api.py,
mounted below. Errors answer in Chinese JSON ({"detail", "errors"}), bad parameters
with 400 rather than Ninja's 422. There are no interactive docs: Ninja's load Swagger
UI from a CDN, which an intranet cannot reach and the CSP forbids; the OpenAPI schema
at /api/v1/schema/ describes everything.
"""

from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.renderers import JSONRenderer

from sunlight.opendata import CACHE_SECONDS, param_errors

DESCRIPTION = """阳光权力开放数据接口（只读）。

- 列表接口统一分页：`?page=N&page_size=M`（默认每页 20 条，最多 100 条），返回
  `{"count", "next", "previous", "results"}`，next/previous 为完整地址，没有则为 null；
  页码超出末页返回 404。
- 只提供已发布、公开的内容；每个对象的 `url` 是其公开页面的完整地址。
- 参数错误返回 400，未找到返回 404，正文均为 `{"detail": "中文说明", "errors": [...]}`。
- 只接受 GET 请求；成功的响应可被缓存 5 分钟。
"""


class ReadableJSONRenderer(JSONRenderer):
    """Chinese text as itself rather than \\u escapes: a third of the bytes."""

    json_dumps_params = {"ensure_ascii": False}


class OpenDataAPI(NinjaAPI):
    def create_response(self, request, data, *, status=None, temporal_response=None):
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        if request.method == "GET" and response.status_code == 200:
            patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
        return response


def _schema_view(view):
    """The schema is a plain Django view: give it the operations' manners."""
    return csrf_exempt(
        require_GET(cache_control(public=True, max_age=CACHE_SECONDS)(view))
    )


api = OpenDataAPI(
    title="阳光权力开放数据接口",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    openapi_url="/schema/",
    docs_url=None,
    docs_decorator=_schema_view,
    renderer=ReadableJSONRenderer(),
)


@api.exception_handler(ValidationError)
def bad_parameters(request, exc):
    errors = param_errors(exc.errors)
    detail = "；".join(f"参数 {e['param']} {e['message']}" for e in errors)
    return api.create_response(
        request, {"detail": f"{detail}。", "errors": errors}, status=400
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    detail = str(exc) if exc.args else "未找到。"
    return api.create_response(request, {"detail": detail, "errors": []}, status=404)


@api.exception_handler(HttpError)
def http_error(request, exc):
    return api.create_response(
        request, {"detail": exc.message, "errors": []}, status=exc.status_code
    )


@csrf_exempt
def unknown_endpoint(request, *args, **kwargs):
    """Any other address below /api/: JSON, never the site's HTML error page."""
    return JsonResponse(
        {"detail": "没有这个接口。接口说明见 /api/v1/schema/。", "errors": []},
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )


@api.get("/", include_in_schema=False)
def index(request):
    return {
        "detail": "阳光权力开放数据接口（只读）。接口说明见 schema。",
        "schema": request.build_absolute_uri(reverse("api-v1:openapi-json")),
    }


api.add_router("", "disclosure.api.router")
api.add_router("", "disclosure.api_results.router")
api.add_router("", "search.api.router")
