"""The test suite: fast hashing, memory cache, tasks run at once (as bakerydemo does)."""

from .base import *
from .env import encryption_keys

DEBUG = False
SECRET_KEY = "test-only-secret-key"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
FIELD_ENCRYPTION_KEYS = encryption_keys("dGVzdC1vbmx5LWZpZWxkLWtleS0zMi1ieXRlcy1sb24=")
# Runs with DEBUG off; tests of two-factor login switch it on themselves.
SUNLIGHT_REQUIRE_2FA = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = cache_config("")
PAGE_CACHE_SECONDS = 0  # tests of the page cache switch it on themselves
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
PRIVATE_STORAGE_ROOT = BASE_DIR / "var" / "test-private"
WAGTAILADMIN_BASE_URL = "http://testserver"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
