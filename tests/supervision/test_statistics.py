import datetime

from django.urls import reverse
from django.utils import timezone

import pytest

from complaints.models import Report
from disclosure.models import Rating, Result
from supervision import notices, orders, statistics
from tests.factories import make_item, make_result

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 18)


@pytest.mark.parametrize(
    ("kind", "year", "number", "first", "last"),
    [
        ("monthly", "2026", "2", datetime.date(2026, 2, 1), datetime.date(2026, 2, 28)),
        (
            "monthly",
            "2025",
            "12",
            datetime.date(2025, 12, 1),
            datetime.date(2025, 12, 31),
        ),
        (
            "quarterly",
            "2026",
            "3",
            datetime.date(2026, 7, 1),
            datetime.date(2026, 9, 30),
        ),
        (
            "quarterly",
            "2026",
            "4",
            datetime.date(2026, 10, 1),
            datetime.date(2026, 12, 31),
        ),
        ("yearly", "2024", "", datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)),
        ("", "", "", datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)),
    ],
)
def test_periods(kind, year, number, first, last):
    period = statistics.parse_period(kind, year, number, TODAY)
    assert (period.first_day, period.last_day) == (first, last)


@pytest.mark.parametrize(
    ("kind", "year", "number", "message"),
    [
        ("weekly", "", "", "月、季度或年"),
        ("monthly", "abc", "", "数字"),
        ("monthly", "2027", "1", "年份"),
        ("monthly", "2026", "13", "月份"),
        ("quarterly", "2026", "5", "季度"),
    ],
)
def test_bad_periods(kind, year, number, message):
    with pytest.raises(statistics.PeriodError, match=message):
        statistics.parse_period(kind, year, number, TODAY)


def test_talk_flags():
    flags = statistics.talk_flags(
        {"overdue": 3, "reports": 1}, {"overdue": 3, "reports": 2}
    )
    assert flags == ["逾期公开 3 件（提醒线 3）"]


def build(people, size):
    """`size` late results, negative ratings, reports and 问责 in the township."""
    units = people["units"]
    item = make_item(units["T01-A-1"], f"S-{size}")
    today = timezone.localdate()
    for number in range(size):
        result = make_result(
            item,
            title=f"结果{size}-{number}",
            act_date=today - datetime.timedelta(days=3),
            result_date=today - datetime.timedelta(days=2),
            handling_post="低保经办岗",
            user=people["clerk"],
        )
        Result.objects.filter(pk=result.pk).update(
            disclosure_due=today - datetime.timedelta(days=1),
            disclosed_on=today,
        )
        Rating.objects.create(
            result=result,
            unit=result.unit,
            handling_post=result.handling_post,
            level=1,
            voter=f"v{size}-{number}",
        )
        Report.objects.create(
            code=f"{size:04d}{number:012d}",
            password_hash="x",
            accused_person="吴某",
            accused_unit=units["T01-A-1"],
            content="内容",
            handler=units["T01-A-J"],
            received_on=today,
            acknowledge_due=today,
            transfer_due=today,
        )
        notices.record(
            people["township_jiwei"],
            units["T01-A-J"],
            units["T01-A-1"],
            person="吴某",
            post="副主任",
            circumstance="8-3",
            method="谈话提醒",
            decided_on=today,
            basis="第八条",
            facts="未及时录入。",
        )
    orders.issue(
        people["township_jiwei"],
        units["T01-A-J"],
        units["T01-A-2"],
        "请整改",
    )


def test_counts_per_unit_cadre_and_rollup(people):
    build(people, 3)
    today = timezone.localdate()
    period = statistics.parse_period("", "", "", today)
    later = orders.deadline_for(today).due + datetime.timedelta(days=1)
    stats = statistics.compute(None, None, period, today=later)
    by_unit = {row.label: row for row in stats.units}
    office = by_unit["东河镇社会事务办公室"]
    assert office.counts == {
        "overdue": 3,
        "negative": 3,
        "reports": 3,
        "accountability": 3,
    }
    assert any("逾期公开 3 件" in flag for flag in office.flags)
    assert by_unit["东河镇村镇建设办公室"].counts == {"orders": 1}
    cadres = {row.label: row for row in stats.cadres}
    assert cadres["低保经办岗（岗位）"].count("negative") == 3
    assert cadres["吴某"].count("reports") == 3 and cadres["吴某"].flags
    assert [row.label for row in stats.rollup] == ["中共东河镇纪律检查委员会"]
    assert stats.totals["overdue"] == 3
    sheets = statistics.sheets(stats)
    assert [name for name, _, _ in sheets] == [
        "按单位",
        "按干部岗位",
        "按月",
        "按监督纪委汇总",
    ]


def test_reports_sent_over_the_township_head_stay_out_of_its_numbers(people):
    units = people["units"]
    today = timezone.localdate()
    Report.objects.create(
        code="9999000000000001",
        password_hash="x",
        accused_person="镇长",
        accused_unit=units["T01-A"],
        content="内容",
        handler=units["T01-J"],
        received_on=today,
        acknowledge_due=today,
        transfer_due=today,
    )
    period = statistics.parse_period("", "", "", today)
    township = people["township_jiwei"]
    visible = statistics.handler_scope(township, frozenset({units["T01-A"].pk}))
    stats = statistics.compute(frozenset({units["T01-A"].pk}), visible, period)
    assert stats.totals["reports"] == 0


def test_statistics_page_costs_the_same_queries_at_two_sizes(
    client, people, django_assert_num_queries
):
    client.force_login(people["township_jiwei"])
    url = reverse("supervision_statistics")
    build(people, 1)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    build(people, 6)
    with django_assert_num_queries(len(small.captured_queries)):
        page = client.get(url).content.decode()
    assert "谈话提醒" in page and "<svg" in page


def test_workspace_costs_the_same_queries_at_two_sizes(
    client, people, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people["township_jiwei"])
    url = reverse("supervision_home")
    build(people, 1)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    build(people, 5)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
