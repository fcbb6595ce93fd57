"""Fuzzing the open-data API against its own OpenAPI schema (issue 11 item 5):
schemathesis generates requests for every operation at /api/v1/schema/ — valid and
invalid parameters — and checks that no answer is a server error and every answer
(status, content type, body) is the one the schema documents. The budget is bounded
so CI stays fast; FUZZ_EXAMPLES raises it for a longer local run."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from disclosure.models import UnitPage
from tests.factories import make_item, make_result

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
#: CI explores the same examples every run (a red build is reproducible); local runs
#: draw new ones each time.
DERANDOMIZE = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """schemathesis calls the WSGI app directly, so Django's end-of-request signal
    would close the test's database connection (inside its transaction) — Django's
    own test client switches that off the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(county):
    """The county with an item, a disclosed result and a rating, so that the
    generated requests meet real rows, then the schema read from the app."""
    from disclosure import ratings
    from sunlight.wsgi import application

    office = UnitPage.objects.get(code="T01-A-1")
    result = make_result(make_item(office, "F-1", name="临时救助审批"))
    ratings.submit(result, 4, "", "fuzz-browser-token-0001")
    return schemathesis.openapi.from_wsgi("/api/v1/schema/", application)


def test_every_api_answer_matches_the_schema_and_none_is_a_server_error(api_schema):
    """Each operation in turn (schemathesis's own pytest plugin does not run on
    this pytest; its strategies and checks are used directly)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 6

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=DERANDOMIZE,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case):
            response = case.call()
            if inverted_dates(case.query or {}):
                # A range the schema cannot rule out: refused with a reason
                # (unless a unit named in the same request is not found first).
                assert response.status_code in (400, 404), response.text
                if response.status_code == 400:
                    assert "起始日期不能晚于截止日期" in response.text
                return
            case.validate_response(response)

        fuzz()


def inverted_dates(query):
    start, end = query.get("date_from"), query.get("date_to")
    return bool(start and end) and str(start) > str(end)
