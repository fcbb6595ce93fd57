import pytest

from disclosure.models import UnitPage
from tests.factories import staff


@pytest.fixture
def people(county):
    """The test county's 纪委 members and unit staff (tests/conftest.py `county`)."""
    units = {unit.code: unit for unit in UnitPage.objects.all()}
    people = {
        "units": units,
        "township_jiwei": staff(units["T01-A-J"], "commission", "dh_jiwei"),
        "county_jiwei": staff(units["T01-J"], "commission", "county_jiwei"),
        "clerk": staff(units["T01-A-1"], "clerk", "shehui_clerk"),
        "other_clerk": staff(units["T01-A-2"], "clerk", "cunzhen_clerk"),
    }
    people["township_jiwei"].last_name = "刘"
    people["township_jiwei"].first_name = "芳"
    people["township_jiwei"].save()
    return people
