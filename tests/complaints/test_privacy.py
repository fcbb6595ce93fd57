"""DESIGN rule 9, proven from the outside: after reports are filed, looked up and
added to, no IP address, user agent or cookie value is in any database row or any
log record, and real-name identity is only ciphertext."""

import io
import logging
import re

from django.core.management import call_command

import pytest

from complaints.models import Report
from sunlight.logging import PrivatePathFilter

from .conftest import PASSWORD, VALID_ID

pytestmark = pytest.mark.django_db

UA = "PrivacyProbe/7.3 (unique-agent-4f1c9e)"
IP = "203.0.113.219"
FORWARDED = "198.51.100.77"
HEADERS = {
    "HTTP_USER_AGENT": UA,
    "REMOTE_ADDR": IP,
    "HTTP_X_FORWARDED_FOR": FORWARDED,
    "HTTP_REFERER": "https://example.org/from-here",
}


def everything_stored():
    out = io.StringIO()
    call_command("dumpdata", stdout=out, format="json")
    return out.getvalue()


def test_no_address_agent_or_cookie_is_kept(client, report_data, caplog):
    caplog.set_level(logging.DEBUG)
    client.get("/report/", **HEADERS)
    real = report_data(
        mode="real", name="钟启明", id_number=VALID_ID, phone="13800138000"
    )
    response = client.post("/report/", real, **HEADERS)
    assert response.status_code == 200
    client.post("/report/", report_data(), **HEADERS)
    client.post("/report/", report_data(content=""), **HEADERS)  # a refused one too
    code = Report.objects.first().code
    client.post("/report/status/", {"code": code, "password": PASSWORD}, **HEADERS)
    client.post("/report/status/", {"code": code, "password": "wrong-pass"}, **HEADERS)

    stored = everything_stored()
    for trace in (UA, "unique-agent", IP, FORWARDED, "example.org/from-here"):
        assert trace not in stored
        assert trace not in caplog.text
    for value in ("钟启明", VALID_ID, "13800138000"):
        assert value not in stored
    assert Report.objects.count() == 2

    # No cookie but the CSRF token, which names nobody and links to no report.
    assert set(response.cookies) <= {"csrftoken"}
    assert "sessionid" not in client.cookies


def test_log_records_about_report_paths_lose_their_request():
    from django.test import RequestFactory

    request = RequestFactory().post("/report/status/", REMOTE_ADDR=IP)
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        f"Bad Request from {IP}: /report/status/",
        (),
        None,
    )
    record.request = request
    assert PrivatePathFilter().filter(record)
    assert IP not in record.getMessage() and record.request is None


def test_report_timestamps_are_no_finer_than_the_hour(client, report_data):
    client.post("/report/", report_data())
    report = Report.objects.get()
    assert (report.created_at.minute, report.created_at.second) == (0, 0)
    for event in report.events.all():
        assert (event.created_at.minute, event.created_at.second) == (0, 0)


def test_audit_log_labels_never_name_a_person(client, report_data, county):
    from complaints import handling
    from tests.factories import staff

    client.post(
        "/report/",
        report_data(
            mode="real", name="钟启明", id_number=VALID_ID, phone="13800138000"
        ),
    )
    report = Report.objects.get()
    officer = staff(report.handler, "commission")
    assert handling.reveal_identity(report, officer)["name"] == "钟启明"
    stored = everything_stored()
    assert "钟启明" not in stored and re.search(r"complaints\.identity_viewed", stored)
