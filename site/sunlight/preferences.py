"""The 适老化 (large text, high contrast) preference, kept in a cookie so it works
without JavaScript and survives page caching (cached pages vary on this cookie)."""

from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

ELDERLY_COOKIE = "elderly"
ONE_YEAR = 365 * 24 * 60 * 60


def elderly_mode(request):
    return request.COOKIES.get(ELDERLY_COOKIE) == "1"


@never_cache
@require_GET
def toggle_elderly(request):
    """Switch the mode and go back to `next` (same site only, else the home page).

    never_cache: a shared cache must not replay one reader's Set-Cookie to another.
    """
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if request.GET.get("on") == "1":
        response.set_cookie(
            ELDERLY_COOKIE,
            "1",
            max_age=ONE_YEAR,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure(),
        )
    else:
        response.delete_cookie(ELDERLY_COOKIE, samesite="Lax")
    return response
