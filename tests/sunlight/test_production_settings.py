"""The production settings start, and refuse to start without their secrets (issue 11
item 1; DESIGN: interface contract, set-up).

test_settings.py covers the contract's path (DEBUG=0 selects production; missing
SECRET_KEY or FIELD_ENCRYPTION_KEYS refused; `check --deploy` clean). These add the
settings module named explicitly, the configuration `make serve-prod` runs (with the
one warning it is meant to have), malformed or empty secrets, the WSGI entry point
gunicorn imports, and the secrets file serve-prod generates.
"""

import base64
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRIPPED = {
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEYS",
    "DEBUG",
    "CAPTCHA_TEST_MODE",
    "SECURE_SSL_REDIRECT",
}


def run(args, **env):
    environ = {k: v for k, v in os.environ.items() if k not in STRIPPED}
    environ.update({k: v for k, v in env.items() if v is not None})
    return subprocess.run(  # noqa: S603 - this interpreter, our manage.py
        [sys.executable, *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def required(**overrides):
    """The variables production needs, explicitly on the production module."""
    env = {
        "DJANGO_SETTINGS_MODULE": "sunlight.settings.production",
        "SECRET_KEY": base64.b64encode(os.urandom(48)).decode(),
        "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "ALLOWED_HOSTS": "gk.example.gov.cn",
        "BASE_URL": "https://gk.example.gov.cn",
        "DATABASE_URL": "postgres://sunlight@127.0.0.1:5432/sunlight",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    env.update(overrides)
    return env


def issue_ids(output):
    return set(re.findall(r"\((\w+\.[EW]\d+)\)", output))


def test_deploy_check_passes_on_the_production_module():
    result = run(["manage.py", "check", "--deploy"], **required())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert issue_ids(output) == set(), output


def test_the_serve_prod_configuration_has_only_the_deliberate_warning():
    """`make serve-prod` on loopback: plain HTTP, so no redirect to HTTPS (W008);
    no other warning and no error."""
    result = run(
        ["manage.py", "check", "--deploy"],
        **required(
            ALLOWED_HOSTS="127.0.0.1,localhost",
            BASE_URL="http://127.0.0.1:8000",
            REDIS_URL="redis://127.0.0.1:6379/1",
            SECURE_SSL_REDIRECT="0",
        ),
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert issue_ids(output) == {"security.W008"}, output


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SECRET_KEY", ""),
        ("FIELD_ENCRYPTION_KEYS", ""),
        ("FIELD_ENCRYPTION_KEYS", " , "),
    ],
)
def test_empty_secrets_are_refused(variable, value):
    result = run(["manage.py", "check"], **required(**{variable: value}))
    assert result.returncode != 0
    assert variable in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_a_malformed_encryption_key_is_refused_without_echoing_it():
    short = base64.urlsafe_b64encode(b"twenty-byte-key-xxxx").decode()
    result = run(["manage.py", "check"], **required(FIELD_ENCRYPTION_KEYS=short))
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS key #1" in result.stderr
    assert short not in result.stderr + result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "FIELD_ENCRYPTION_KEYS"])
def test_the_wsgi_application_refuses_to_load_without_secrets(missing):
    """What gunicorn imports (`sunlight.wsgi`), with DEBUG unset: no application."""
    env = required(**{missing: None})
    del env["DJANGO_SETTINGS_MODULE"]  # wsgi picks production by itself
    result = run(
        ["-c", "import sys; sys.path.insert(0, 'site'); import sunlight.wsgi"], **env
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_the_wsgi_application_loads_with_them():
    env = required()
    del env["DJANGO_SETTINGS_MODULE"]
    code = (
        "import sys; sys.path.insert(0, 'site'); import sunlight.wsgi;"
        "from django.conf import settings;"
        "print(settings.SETTINGS_MODULE, settings.DEBUG, settings.SESSION_COOKIE_SECURE)"
    )
    result = run(["-c", code], **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["sunlight.settings.production", "False", "True"]


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "python").exists(), reason="no .venv")
def test_serve_prod_secrets_are_generated_once_private_and_sufficient(tmp_path):
    """The Makefile's var/local-prod.env recipe, pointed at a scratch path: mode
    0600, a secret key and an encryption key that the deploy check accepts, and a
    second make leaves the file alone."""
    target = tmp_path / "local-prod.env"
    make = ["make", "--no-print-directory", f"LOCAL_PROD_ENV={target}", str(target)]
    subprocess.run(make, cwd=ROOT, check=True, capture_output=True, timeout=60)  # noqa: S603
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    values = dict(
        line.split("=", 1) for line in target.read_text().splitlines() if "=" in line
    )
    assert set(values) == {"SECRET_KEY", "FIELD_ENCRYPTION_KEYS"}
    first = target.read_text()
    subprocess.run(make, cwd=ROOT, check=True, capture_output=True, timeout=60)  # noqa: S603
    assert target.read_text() == first
    result = run(["manage.py", "check", "--deploy"], **required(**values))
    assert result.returncode == 0, result.stdout + result.stderr
    assert issue_ids(result.stdout + result.stderr) == set()
