"""Signs a member of staff out after `SESSION_IDLE_SECONDS` without a request, on
top of the sessions' absolute lifetime (`SESSION_COOKIE_AGE`, 8 hours in
production): a workstation left unlocked in a township office does not stay signed
in to report identities all afternoon (ASVS 3.3.2, 等保 2.0 登录超时).

The time of the last request is kept in the session, rewritten at most once a
minute; the session's end is pinned at sign-in plus SESSION_COOKIE_AGE, so these
rewrites do not extend it. Off (0) with DEBUG and in tests; production defaults to 30 minutes
(`SESSION_IDLE_MINUTES`).
"""

import datetime
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

LAST_SEEN = "_sunlight_last_seen"
#: Seconds between rewrites of the session (each one is a write to the store).
RESOLUTION = 60
SIGNED_OUT = "您已超过 {minutes} 分钟没有操作，为保护数据已自动退出，请重新登录。"


class IdleTimeoutMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = getattr(settings, "SESSION_IDLE_SECONDS", 0)
        user = getattr(request, "user", None)
        if not limit or user is None or not user.is_authenticated:
            return self.get_response(request)
        now = int(time.time())
        last = request.session.get(LAST_SEEN)
        if last is not None and now - last > limit:
            logout(request)
            messages.warning(request, SIGNED_OUT.format(minutes=limit // 60))
            if request.path_info.startswith(reverse("wagtailadmin_home")):
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{reverse('wagtailadmin_login')}?{query}")
            return self.get_response(request)
        if last is None:
            # Rewriting the session would slide its expiry: pin the absolute end.
            request.session.set_expiry(
                timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
            )
        if last is None or now - last >= RESOLUTION:
            request.session[LAST_SEEN] = now
        return self.get_response(request)
