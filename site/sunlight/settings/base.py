"""Settings true in every environment. Values come from the contract's environment variables."""

import os
from pathlib import Path

from .env import cache_config, database_config, env_bool, env_list

SITE_DIR = Path(__file__).resolve().parent.parent.parent
BASE_DIR = SITE_DIR.parent

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = BASE_URL
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")

INSTALLED_APPS = [
    "sunlight",
    "sunlight.twofactor",
    "disclosure",
    "complaints",
    "search",
    "supervision",
    "ledgers",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "captcha",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "whitenoise.runserver_nostatic",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "sunlight.uploads.OversizedPostMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "sunlight.twofactor.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "sunlight.idle.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",
    "sunlight.pagecache.PublicPageCacheMiddleware",
]

ROOT_URLCONF = "sunlight.urls"
WSGI_APPLICATION = "sunlight.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "sunlight.context_processors.preferences",
            ],
        },
    },
]

DATABASES = {"default": database_config(os.environ.get("DATABASE_URL"), BASE_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CACHES = cache_config(REDIS_URL)
# Whole public pages for anonymous visitors (sunlight.pagecache): on by default
# only with Redis, the one cache every worker and command shares (invalidation
# must reach them all); 0 turns it off.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", 600 if REDIS_URL else 0))

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "wagtailadmin_login"

# Staff login throttling: five wrong passwords for one account from one address lock
# that pair for an hour. Locking by username alone would let anyone lock staff out.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account_locked.html"
# Staff two-factor login (sunlight.twofactor): required of superusers and 纪委 staff
# whenever DEBUG is off; dev.py turns it off for the demo. Wrong codes: five per
# account within 15 minutes, then locked until the window ends.
SUNLIGHT_REQUIRE_2FA = env_bool("SUNLIGHT_REQUIRE_2FA", default=not DEBUG)
SUNLIGHT_2FA_THROTTLE = (5, 900)
OTP_TOTP_ISSUER = "阳光权力"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "var" / "media"
# Report attachments never go to MEDIA_ROOT: nothing under it may be served publicly.
PRIVATE_STORAGE_ROOT = BASE_DIR / "var" / "private"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Working-day deadlines that are the unit's to meet (DESIGN rules 3 and 10).
SUNLIGHT_OBJECTION_ANSWER_WORKING_DAYS = 5
# Objections to a 公示: per source address (kept only as a keyed hash in the cache).
SUNLIGHT_OBJECTION_THROTTLE = (5, 3600)
# Ratings: a household may rate several of its cases in a sitting, a script may not.
SUNLIGHT_RATING_THROTTLE = (20, 3600)

WAGTAIL_SITE_NAME = "阳光权力"
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "pdf", "xlsx"]
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "webp"]
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_FINISH_WORKFLOW_ACTION = "disclosure.workflow_actions.finish_workflow"
WAGTAILADMIN_NOTIFICATION_USE_HTML = True
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False

# Public pages load nothing from another origin: the site must work on an intranet.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

SESSION_COOKIE_HTTPONLY = True
#: Staff are signed out after this long without a request (sunlight.idle); 0: never.
SESSION_IDLE_SECONDS = 0
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "sunlight@localhost")

CAPTCHA_TEST_MODE = False
# Digits read the same in the picture and in the Mandarin audio (sunlight.captcha);
# a report takes a while to write, so the challenge lives for half an hour.
CAPTCHA_CHALLENGE_FUNCT = "sunlight.captcha.digits_challenge"
CAPTCHA_TIMEOUT = 30
CAPTCHA_DIGITS = 5

# Public form posts larger than this are refused with a Chinese page before they
# reach a view (sunlight.uploads); admin imports are not limited by it.
PUBLIC_POST_MAX_BYTES = 25 * 1024 * 1024
# Per-source throttles (sunlight.throttle). THROTTLE_ENABLED=0 is for load tests only.
THROTTLE_ENABLED = env_bool("THROTTLE_ENABLED", default=True)
THROTTLE_CLIENT_HEADER = os.environ.get("THROTTLE_CLIENT_HEADER", "")
# Field encryption (sunlight.crypto): aes-gcm, or sm4-gcm for 国密 deployments.
FIELD_ENCRYPTION_CIPHER = os.environ.get("FIELD_ENCRYPTION_CIPHER", "aes-gcm")

# 举报 (complaints): working-day timers from the national 检举控告 rules (DESIGN
# rule 6), intake limits, and the 查询密码 hash tuned to tens of milliseconds here.
REPORT_ACKNOWLEDGE_WORKING_DAYS = 15
REPORT_TRANSFER_WORKING_DAYS = 5
REPORT_CONTENT_MAX_CHARS = 5000
REPORT_ATTACHMENT_MAX_COUNT = 5
REPORT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
REPORT_ATTACHMENTS_TOTAL_BYTES = 20 * 1024 * 1024
# OWASP's Password Storage Cheat Sheet minimum for Argon2id (19 MiB, 2 passes, 1
# lane): 23 ms here. Hashes keep their own parameters, so older t=3 ones still verify.
REPORT_PASSWORD_ARGON2 = {"time_cost": 2, "memory_cost": 19_456, "parallelism": 1}
REPORT_SUBMIT_THROTTLE = (10, 3600)
REPORT_STATUS_THROTTLE = (20, 3600)
REPORT_RECOVER_THROTTLE = (5, 3600)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "private_paths": {"()": "sunlight.logging.PrivatePathFilter"},
    },
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["private_paths"],
        },
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "wagtail": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django_tasks": {
            "handlers": ["console"],
            "level": "WARNING",
            "propagate": False,
        },
    },
}
