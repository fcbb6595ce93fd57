"""Keeps an unverified session out of the Wagtail admin (see sunlight.twofactor)."""

from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.urls import reverse

from . import enforced, is_verified, pending_step

#: Admin views an unverified session may reach: signing in and out, password reset,
#: the assets of those pages, and the two steps of two-factor login itself.
EXEMPT = {
    "wagtailadmin_login",
    "wagtailadmin_logout",
    "wagtailadmin_password_reset",
    "wagtailadmin_password_reset_done",
    "wagtailadmin_password_reset_confirm",
    "wagtailadmin_password_reset_complete",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
    "twofactor_verify",
    "twofactor_enrol",
}


class TwoFactorMiddleware:
    """After AuthenticationMiddleware and django_otp's OTPMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not enforced():
            return None
        if not request.path_info.startswith(reverse("wagtailadmin_home")):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in EXEMPT:
            return None
        user = request.user
        if not user.is_authenticated or is_verified(user):
            return None
        step = pending_step(user)
        if step is None:
            return None
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse('twofactor_' + step)}?{query}")
