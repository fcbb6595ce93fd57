import pytest

from complaints import demo as report_demo
from complaints.models import Report
from disclosure import demo

pytestmark = pytest.mark.django_db


def test_demo_reports_cover_every_state_and_are_idempotent(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    demo.load_demo()
    first = report_demo.load_demo()
    assert len(first.created) == len(report_demo.SCENARIOS)
    states = set(Report.objects.values_list("state", flat=True))
    assert states == set(Report.State.values)
    head = Report.objects.get(code="8000000000000008")
    assert head.principal and head.handler.code == "QS-J"
    moved = Report.objects.get(code="8000000000000004")
    assert moved.state == Report.State.TRANSFERRED and moved.handler.code == "QS-B-J"
    assert Report.objects.filter(channel=Report.Channel.LETTER).exists()
    assert not report_demo.load_demo().created
    assert Report.objects.count() == len(report_demo.SCENARIOS)
