"""Per-source throttles for the public forms (reports, ratings, objections).

DESIGN rule 9: anonymous means anonymous, so a throttle may not keep the client's
address anywhere. The counter key is an HMAC of the address under a secret derived
from SECRET_KEY (which lives in the environment, never beside the data), so a cache
dump shows only opaque digests that cannot be reversed or matched against an access
log. Counters live in Django's cache — Redis when REDIS_URL is set, so every worker
shares them — and expire with their window.

The contract's demo mode (CAPTCHA_TEST_MODE with DEBUG) lifts every throttle: the
outside checks file many forms from one address. THROTTLE_ENABLED=0 does the same for
load tests only (bench/).

    if not throttle.hit(request, "report-submit", limit=10, window=3600):
        ...  # refuse with a message
"""

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache

KEY_PREFIX = "throttle"


def lifted():
    """Whether throttles are off: demo/test mode under DEBUG, or switched off."""
    if settings.DEBUG and getattr(settings, "CAPTCHA_TEST_MODE", False):
        return True
    return not getattr(settings, "THROTTLE_ENABLED", True)


def _secret():
    return hmac.new(
        settings.SECRET_KEY.encode(), b"sunlight throttle v1", hashlib.sha256
    ).digest()


def digest(value):
    """An opaque, keyed digest of `value` (a client address, a 查询码...)."""
    return hmac.new(_secret(), str(value).encode(), hashlib.sha256).hexdigest()[:32]


def client_address(request):
    """The address to count by: REMOTE_ADDR, or the header a trusted proxy sets
    (THROTTLE_CLIENT_HEADER, e.g. HTTP_X_REAL_IP behind nginx)."""
    header = getattr(settings, "THROTTLE_CLIENT_HEADER", "") or "REMOTE_ADDR"
    value = request.META.get(header, "") or request.META.get("REMOTE_ADDR", "")
    return value.split(",")[-1].strip()


def _key(scope, subject):
    return f"{KEY_PREFIX}:{scope}:{digest(subject)}"


def count(scope, subject, window):
    """Add one to the counter for `subject` in `scope`; the new count."""
    key = _key(scope, subject)
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:
        # Expired between add() and incr(): this hit opens a new window.
        cache.set(key, 1, timeout=window)
        return 1


def exceeded(scope, subject, limit):
    """Whether `subject` already used up `limit` in `scope` (does not count)."""
    if lifted():
        return False
    return (cache.get(_key(scope, subject)) or 0) >= limit


def hit(request, scope, limit, window):
    """Count one request from this client in `scope`; False once it exceeds
    `limit` requests within `window` seconds."""
    if lifted():
        return True
    return count(scope, client_address(request), window) <= limit


def blocked(request, scope, limit):
    """Whether this client exhausted `scope` (for counting failures only)."""
    return exceeded(scope, client_address(request), limit)


def fail(request, scope, window):
    """Count a failure (e.g. a wrong password) from this client in `scope`."""
    if not lifted():
        count(scope, client_address(request), window)


def reset(scope, subject):
    cache.delete(_key(scope, subject))
