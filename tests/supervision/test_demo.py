import pytest

from disclosure import demo
from supervision import demo as supervision_demo
from supervision.models import Accountability, FaultTolerance, Patrol, SupervisionOrder

pytestmark = pytest.mark.django_db


def test_demo_supervision_covers_every_state_and_is_idempotent():
    demo.load_demo()
    first = supervision_demo.load_demo()
    assert first.created and "督办" in first.line()
    states = set(SupervisionOrder.objects.values_list("state", flat=True))
    assert states == set(SupervisionOrder.State.values)
    overdue = SupervisionOrder.objects.filter(state="issued").order_by("due").first()
    assert overdue.is_overdue()
    assert Accountability.objects.filter(published_on__isnull=False).count() == 1
    assert set(FaultTolerance.objects.values_list("state", flat=True)) == {
        "received",
        "decided",
    }
    counts = (
        Patrol.objects.count(),
        SupervisionOrder.objects.count(),
        Accountability.objects.count(),
        FaultTolerance.objects.count(),
    )
    again = supervision_demo.load_demo()
    assert not again.created and "未作改动" in again.line()
    assert counts == (
        Patrol.objects.count(),
        SupervisionOrder.objects.count(),
        Accountability.objects.count(),
        FaultTolerance.objects.count(),
    )
