import pytest

from tests.factories import make_unit


@pytest.fixture
def county(db):
    """A small county: 县 with its 纪委, one township with its 纪委, two offices and a village."""
    county = make_unit(code="T01", title="测试县人民政府", level="县", unit_type="政府")
    make_unit(
        county,
        code="T01-J",
        title="中共测试县纪律检查委员会",
        level="县",
        unit_type="纪委",
    )
    township = make_unit(county, code="T01-A", title="测试县东河镇人民政府")
    make_unit(
        township, code="T01-A-J", title="中共东河镇纪律检查委员会", unit_type="纪委"
    )
    make_unit(township, code="T01-A-1", title="东河镇社会事务办公室", unit_type="部门")
    make_unit(township, code="T01-A-2", title="东河镇村镇建设办公室", unit_type="部门")
    make_unit(
        township,
        code="T01-A-V1",
        title="东河镇柳树村民委员会",
        level="村",
        unit_type="村(居)委会",
    )
    return county


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Throttle counters live in the cache, which outlives a test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
