"""Production (DEBUG unset or 0): refuses to start without its secrets."""

from django.core.exceptions import ImproperlyConfigured

from .base import *
from .env import encryption_keys, env_bool

if not SECRET_KEY:
    raise ImproperlyConfigured("生产环境必须设置 SECRET_KEY（SECRET_KEY must be set).")
# Only separators (" , ") counts as unset: no key at all must not start either.
FIELD_ENCRYPTION_KEYS = encryption_keys(os.environ.get("FIELD_ENCRYPTION_KEYS", ""))
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "生产环境必须设置 FIELD_ENCRYPTION_KEYS（FIELD_ENCRYPTION_KEYS must be set)."
    )

DEBUG = False
CAPTCHA_TEST_MODE = False
if not ALLOWED_HOSTS:
    from urllib.parse import urlsplit

    ALLOWED_HOSTS = [urlsplit(BASE_URL).hostname or ""]
CSRF_TRUSTED_ORIGINS = [BASE_URL]

# TLS ends at nginx, which sets X-Forwarded-Proto (see docs/deployment.md).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_MINUTES") or 30) * 60
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
