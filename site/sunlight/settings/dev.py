"""Development and the contract's demo mode (`make run`, DEBUG=1)."""

from .base import *
from .env import encryption_keys, env_bool

DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-never-used-in-production"
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
# A fixed development key: demo data only. Production refuses to start without its own.
FIELD_ENCRYPTION_KEYS = encryption_keys(
    os.environ.get("FIELD_ENCRYPTION_KEYS")
    or "ZGV2LW9ubHktZmllbGQta2V5LTMyLWJ5dGVzLWxvbmc="
)
CAPTCHA_TEST_MODE = env_bool("CAPTCHA_TEST_MODE", default=False)
# Demo mode: the demo accounts log in with their password alone.
SUNLIGHT_REQUIRE_2FA = env_bool("SUNLIGHT_REQUIRE_2FA", default=False)
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
