"""Derived unit data stays right whatever way the tree changes."""

from wagtail.actions.move_page import MovePageAction

import pytest

from disclosure.models import UnitPage
from disclosure.signals import deferred_unit_refresh
from tests.factories import make_unit


def unit(code):
    return UnitPage.objects.get(code=code)


@pytest.mark.django_db
def test_moving_a_unit_in_the_admin_refreshes_supervisors(county):
    office = unit("T01-A-1")
    assert office.supervisor.code == "T01-A-J"

    MovePageAction(office, unit("T01"), pos="last-child").execute(
        skip_permission_checks=True
    )

    assert unit("T01-A-1").supervisor.code == "T01-J"


@pytest.mark.django_db
def test_deleting_a_commission_hands_its_units_to_the_level_above(county):
    unit("T01-A-J").delete()
    assert unit("T01-A-1").supervisor.code == "T01-J"
    assert unit("T01-A").supervisor.code == "T01-J"


@pytest.mark.django_db
def test_deferred_refresh_creates_groups_and_supervisors_once_at_the_end(county):
    with deferred_unit_refresh():
        office = make_unit(unit("T01-A"), code="T01-A-3", unit_type="部门")
        assert not office.staff_groups.exists()
    office = unit("T01-A-3")
    assert office.staff_groups.count() == 3
    assert office.supervisor.code == "T01-A-J"
