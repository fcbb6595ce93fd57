import datetime

from django.utils import timezone

import pytest

from disclosure.workdays import DayRule, WorkCalendar
from supervision import patrols
from supervision.errors import SupervisionError
from supervision.models import Patrol

AM, PM = Patrol.Session.MORNING, Patrol.Session.AFTERNOON
# 2026-10-01..07 National Day holidays, 2026-10-10 (Saturday) a make-up working day.
CALENDAR = WorkCalendar(
    official={
        **{
            datetime.date(2026, 10, day): DayRule(False, "国庆节")
            for day in range(1, 8)
        },
        datetime.date(2026, 10, 10): DayRule(True, "国庆节"),
    },
    official_years=frozenset({2026}),
)
# Friday 9 October 2026, 15:00.
NOW = datetime.datetime(2026, 10, 9, 15, 0)


@pytest.mark.parametrize(
    ("day", "session", "recorded", "expected"),
    [
        (datetime.date(2026, 10, 8), AM, set(), patrols.MISSED),
        (datetime.date(2026, 10, 8), AM, {(datetime.date(2026, 10, 8), AM)}, "done"),
        (datetime.date(2026, 10, 9), AM, set(), patrols.MISSED),  # after noon
        (datetime.date(2026, 10, 9), PM, set(), patrols.DUE),  # until midnight
        (datetime.date(2026, 10, 10), AM, set(), patrols.UPCOMING),  # 调休 Saturday
        (datetime.date(2026, 10, 11), AM, set(), patrols.OFF),  # Sunday
        (datetime.date(2026, 10, 2), PM, set(), patrols.OFF),  # holiday
    ],
)
def test_session_state(day, session, recorded, expected):
    assert patrols.session_state(day, session, recorded, CALENDAR, NOW) == expected


def test_missed_sessions_skip_holidays_and_count_makeup_days():
    recorded = {(datetime.date(2026, 10, 8), AM), (datetime.date(2026, 10, 8), PM)}
    missed = patrols.missed_sessions(
        datetime.date(2026, 9, 30),
        datetime.date(2026, 10, 12),
        recorded,
        CALENDAR,
        datetime.datetime(2026, 10, 12, 9, 0),
    )
    assert missed == [
        (datetime.date(2026, 9, 30), AM),
        (datetime.date(2026, 9, 30), PM),
        (datetime.date(2026, 10, 9), AM),
        (datetime.date(2026, 10, 9), PM),
        (datetime.date(2026, 10, 10), AM),
        (datetime.date(2026, 10, 10), PM),
    ]


def test_month_grid_marks_weeks_from_monday():
    grid = patrols.month_grid(2026, 10, set(), CALENDAR, NOW)
    first_week = grid[0]
    assert [cell.day for cell in first_week[:3]] == [None, None, None]
    assert first_week[3].day == datetime.date(2026, 10, 1)
    assert not first_week[3].workday
    saturday = grid[1][5]
    assert saturday.day == datetime.date(2026, 10, 10) and saturday.workday


@pytest.mark.django_db
def test_a_duplicated_patrol_is_refused_with_a_message(people):
    jiwei = people["township_jiwei"]
    commission = people["units"]["T01-A-J"]
    today = timezone.localdate()
    patrols.log_patrol(jiwei, commission, today, AM, "巡查各办公室")
    with pytest.raises(SupervisionError, match="不能重复登记"):
        patrols.log_patrol(jiwei, commission, today, AM)
    with pytest.raises(SupervisionError, match="今天以后"):
        patrols.log_patrol(jiwei, commission, today + datetime.timedelta(days=1), PM)
    with pytest.raises(SupervisionError, match="不是该纪委"):
        patrols.log_patrol(people["county_jiwei"], commission, today, PM)
    assert Patrol.objects.count() == 1


@pytest.mark.django_db
def test_findings_stay_within_the_commissions_units(people):
    jiwei = people["township_jiwei"]
    units = people["units"]
    patrol = patrols.log_patrol(jiwei, units["T01-A-J"], timezone.localdate(), AM)
    finding = patrols.add_finding(
        jiwei, patrol, units["T01-A-1"], "late_disclosure", "低保结果逾期未公开"
    )
    assert finding.patrol == patrol
    with pytest.raises(SupervisionError, match="不在"):
        patrols.add_finding(jiwei, patrol, units["T01"], "other", "县政府")
