"""Privacy and safety settings: private access logs, CSP, staff login throttling."""

import logging

from django.test import RequestFactory

import pytest

from sunlight.logging import PrivatePathFilter, is_private_path, scrub_access_atoms

ATOMS = {
    "h": "203.0.113.9",
    "a": "Mozilla/5.0",
    "f": "https://example.org/",
    "r": "POST /report/ HTTP/1.1",
    "s": "200",
    "{user-agent}i": "Mozilla/5.0",
    "{x-forwarded-for}i": "203.0.113.9",
    "{x-real-ip}i": "203.0.113.9",
    "{host}i": "gk.example.gov.cn",
}


@pytest.mark.parametrize(
    ("path", "private"),
    [
        ("/report", True),
        ("/report/", True),
        ("/report/status/", True),
        ("/reports-archive/", False),
        ("/", False),
        ("/api/v1/units/", False),
    ],
)
def test_report_paths_are_private(path, private):
    assert is_private_path(path) is private


def test_gunicorn_access_log_on_report_paths_has_no_address_or_agent():
    scrubbed = scrub_access_atoms(ATOMS, "/report/status/")
    assert "203.0.113.9" not in str(scrubbed.values())
    assert "Mozilla" not in str(scrubbed.values())
    assert scrubbed["r"] == "POST /report/ HTTP/1.1"
    assert scrubbed["s"] == "200"
    assert scrubbed["{host}i"] == "gk.example.gov.cn"


def test_gunicorn_access_log_elsewhere_is_untouched():
    assert scrub_access_atoms(ATOMS, "/search/") == ATOMS


def record(message, request=None):
    rec = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, message, (), None
    )
    if request is not None:
        rec.request = request
    return rec


def test_django_log_records_about_report_pages_lose_addresses_and_request():
    request = RequestFactory().post("/report/", REMOTE_ADDR="203.0.113.9")
    rec = record("Bad Request: /report/ from 203.0.113.9 and 2001:db8::1", request)
    assert PrivatePathFilter().filter(rec)
    assert "203.0.113.9" not in rec.getMessage()
    assert "2001:db8::1" not in rec.getMessage()
    assert rec.request is None


def test_other_log_records_keep_their_details():
    request = RequestFactory().get("/admin/", REMOTE_ADDR="203.0.113.9")
    rec = record("Forbidden: /admin/ from 203.0.113.9", request)
    assert PrivatePathFilter().filter(rec)
    assert "203.0.113.9" in rec.getMessage()
    assert rec.request is request


@pytest.mark.django_db
def test_public_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "http" not in policy


@pytest.mark.django_db
def test_staff_login_is_locked_after_repeated_failures(client, django_user_model):
    django_user_model.objects.create_user("clerk", password="Right-Pass-2026!")
    for _ in range(5):
        client.post("/admin/login/", {"username": "clerk", "password": "wrong"})
    response = client.post(
        "/admin/login/", {"username": "clerk", "password": "Right-Pass-2026!"}
    )
    assert response.status_code == 429
    assert "已暂停登录" in response.content.decode()
    assert "_auth_user_id" not in client.session
