"""Reading the interface contract's environment variables.

Pure functions, so that parsing is unit-tested without reloading settings.
"""

import base64
import binascii
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name, default=False, environ=None):
    environ = os.environ if environ is None else environ
    raw = environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r}: expected 1/0, true/false, yes/no or on/off"
    )


def env_list(name, default=(), environ=None):
    """A comma-separated variable as a list, blanks dropped."""
    environ = os.environ if environ is None else environ
    raw = environ.get(name)
    if raw is None:
        return list(default)
    return [part.strip() for part in raw.split(",") if part.strip()]


def database_config(url, base_dir: Path):
    """DATABASE_URL as Django's DATABASES['default']; SQLite in the project by default."""
    import dj_database_url

    url = url or f"sqlite:///{base_dir / 'db.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=0)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers go on while a form is being stored; IMMEDIATE takes the
        # write lock at BEGIN so two submissions never deadlock into "database is locked".
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    else:
        config["CONN_MAX_AGE"] = 60
        config["CONN_HEALTH_CHECKS"] = True
    return config


def cache_config(redis_url):
    """Redis when REDIS_URL is set (shared by every worker), else per-process memory."""
    if redis_url:
        return {
            "default": {
                "BACKEND": "sunlight.rediscache.SharedClientRedisCache",
                "LOCATION": redis_url,
                "KEY_PREFIX": "sunlight",
                "TIMEOUT": 300,
            }
        }
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "sunlight",
        }
    }


def encryption_keys(raw):
    """FIELD_ENCRYPTION_KEYS: comma-separated URL-safe base64 keys; the first encrypts.

    16-byte keys suit SM4, 32-byte keys AES-256; anything else is a configuration error,
    reported without echoing the key.
    """
    keys = []
    for position, text in enumerate(env_list("_", environ={"_": raw or ""}), start=1):
        try:
            key = base64.urlsafe_b64decode(
                text.encode("ascii") + b"=" * (-len(text) % 4)
            )
        except (binascii.Error, UnicodeEncodeError, ValueError) as error:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS key #{position} is not URL-safe base64"
            ) from error
        if len(key) not in (16, 32):
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS key #{position} decodes to {len(key)} bytes; "
                "expected 16 or 32"
            )
        keys.append(key)
    return keys
