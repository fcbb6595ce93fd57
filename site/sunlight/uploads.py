"""Oversized public form posts get a clear Chinese page, never a bare 400 or a 500.

DESIGN rule 8: a submission gets a confirmation or a clear error. Django refuses a
body whose form fields exceed DATA_UPLOAD_MAX_MEMORY_SIZE by raising
RequestDataTooBig — first inside the CSRF middleware, before any view could explain
it — and a 50 MB upload would otherwise be read in full before a form rejected it.
This middleware sits before CsrfViewMiddleware: a public POST larger than
PUBLIC_POST_MAX_BYTES is drained (so the browser reads the answer instead of a reset
connection) and refused with 413; form fields too large to parse are refused the same
way. Nothing of such a request reaches a view, so nothing is stored.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.shortcuts import render

DRAIN_CHUNK = 1024 * 1024
DRAIN_LIMIT = 256 * 1024 * 1024
UNLIMITED_PREFIXES = ("/admin/",)


class OversizedPostMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and not request.path.startswith(UNLIMITED_PREFIXES):
            refusal = self.check(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def check(self, request):
        limit = settings.PUBLIC_POST_MAX_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            _drain(request, length)
            return too_large(request, limit)
        try:
            request.POST  # noqa: B018 - parse now, as the CSRF check would
            request.FILES  # noqa: B018
        except (RequestDataTooBig, TooManyFieldsSent):
            return too_large(request, limit)
        return None


def _drain(request, length):
    stream = request.META.get("wsgi.input")
    remaining = min(length, DRAIN_LIMIT)
    while stream is not None and remaining > 0:
        chunk = stream.read(min(DRAIN_CHUNK, remaining))
        if not chunk:
            break
        remaining -= len(chunk)


def too_large(request, limit):
    return render(
        request,
        "sunlight/too_large.html",
        {"limit_mb": limit // (1024 * 1024), "back": request.path},
        status=413,
    )
