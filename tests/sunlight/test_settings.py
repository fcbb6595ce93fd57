"""The contract's environment variables, parsed (DESIGN: interface contract, set-up)."""

import base64
import os
import subprocess
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

import pytest

from sunlight import settings_module
from sunlight.settings.env import (
    cache_config,
    database_config,
    encryption_keys,
    env_bool,
    env_list,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("ON", True),
        ("0", False),
        ("no", False),
        ("", False),
    ],
)
def test_env_bool_reads_the_usual_words(raw, expected):
    assert env_bool("X", environ={"X": raw}) is expected


def test_env_bool_defaults_when_unset_and_rejects_nonsense():
    assert env_bool("X", default=True, environ={}) is True
    with pytest.raises(ImproperlyConfigured):
        env_bool("X", environ={"X": "maybe"})


def test_allowed_hosts_are_comma_separated():
    environ = {"ALLOWED_HOSTS": " gk.example.gov.cn, ,www.example.gov.cn "}
    assert env_list("ALLOWED_HOSTS", environ=environ) == [
        "gk.example.gov.cn",
        "www.example.gov.cn",
    ]


def test_database_defaults_to_sqlite_in_the_project(tmp_path):
    config = database_config(None, tmp_path)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "db.sqlite3")
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_database_url_for_postgresql(tmp_path):
    config = database_config("postgres://postgres@127.0.0.1:5432/test", tmp_path)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == (
        "127.0.0.1",
        5432,
        "test",
    )


def test_redis_url_selects_the_shared_cache():
    assert cache_config("redis://127.0.0.1:6379/1")["default"]["BACKEND"].endswith(
        "RedisCache"
    )
    assert cache_config("")["default"]["BACKEND"].endswith("LocMemCache")


def test_encryption_keys_first_encrypts_and_bad_keys_are_named_without_echo():
    first = base64.urlsafe_b64encode(os.urandom(32)).decode()
    second = base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("=")
    keys = encryption_keys(f"{first},{second}")
    assert [len(k) for k in keys] == [32, 16]
    with pytest.raises(ImproperlyConfigured, match="#2") as error:
        encryption_keys(f"{first},c2hvcnQ=")
    assert first not in str(error.value)


def test_debug_selects_the_settings_module():
    assert settings_module({"DEBUG": "1"}) == "sunlight.settings.dev"
    assert settings_module({"DEBUG": "0"}) == "sunlight.settings.production"
    assert settings_module({}) == "sunlight.settings.production"


def manage(*args, **env):
    environ = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "SECRET_KEY",
            "FIELD_ENCRYPTION_KEYS",
        }
    }
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(**overrides):
    env = {
        "DEBUG": "0",
        "SECRET_KEY": base64.b64encode(os.urandom(48)).decode(),
        "ALLOWED_HOSTS": "gk.example.gov.cn",
        "BASE_URL": "https://gk.example.gov.cn",
        "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "CAPTCHA_TEST_MODE": "1",
    }
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", **production_env(SECRET_KEY=None))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_an_encryption_key():
    result = manage("check", **production_env(FIELD_ENCRYPTION_KEYS=None))
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr


def test_deploy_check_is_clean_with_the_contract_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr


def test_captcha_test_mode_is_ignored_in_production():
    code = "from django.conf import settings; print(settings.CAPTCHA_TEST_MODE)"
    result = manage("shell", "-c", code, **production_env())
    assert result.stdout.split()[-1] == "False", result.stderr
    result = manage("shell", "-c", code, DEBUG="1", CAPTCHA_TEST_MODE="1")
    assert result.stdout.split()[-1] == "True", result.stderr


def test_language_and_time_zone(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
