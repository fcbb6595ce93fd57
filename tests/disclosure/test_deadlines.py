"""Result deadlines (DESIGN rules 3 and 7): entry within 3 working days of the act,
disclosure within 10 working days of the result, counted from the next day; where
each stands on a given day, late by working days; provisional across unknown years."""

import datetime

import pytest

from disclosure import deadlines
from disclosure.workdays import WorkCalendar, add_working_days, library_calendar_data

D = datetime.date


@pytest.fixture(scope="module")
def calendar():
    official, years = library_calendar_data()
    return WorkCalendar(official, years, {}, frozenset())


@pytest.mark.parametrize(
    ("act", "due"),
    [
        (D(2026, 11, 16), D(2026, 11, 19)),  # Monday → Thursday
        (D(2026, 11, 19), D(2026, 11, 24)),  # Thursday: the weekend is skipped
        (D(2026, 9, 29), D(2026, 10, 9)),  # 国庆 1–7 October skipped
        (D(2026, 9, 30), D(2026, 10, 10)),  # the make-up Saturday counts
    ],
)
def test_entry_is_due_three_working_days_after_the_act(calendar, act, due):
    assert deadlines.entry_deadline(act, calendar).due == due


def test_disclosure_is_due_ten_working_days_after_the_result(calendar):
    deadline = deadlines.disclosure_deadline(D(2026, 9, 25), calendar)
    assert deadline.due == D(2026, 10, 15)  # 28–30 Sep, 8–10 Oct (10th made up), 12–15
    assert "次日起算" in deadline.explanation
    assert "国庆" in deadline.explanation
    assert not deadline.provisional


def test_a_deadline_into_an_unknown_year_is_provisional_not_an_error(calendar):
    deadline = deadlines.disclosure_deadline(D(2026, 12, 24), calendar)
    assert deadline.provisional
    assert deadline.due.year == 2027
    assert "暂定" in deadline.explanation


@pytest.mark.parametrize(
    ("done_on", "today", "state", "late", "label"),
    [
        (D(2026, 11, 20), D(2026, 11, 30), deadlines.ON_TIME, 0, "按时完成"),
        # Friday's deadline met on Monday: one working day late, not three days.
        (D(2026, 11, 23), D(2026, 11, 30), deadlines.OVERDUE, 1, "逾期 1 个工作日"),
        # Done on the Saturday after: late all the same, by at least one day.
        (D(2026, 11, 21), D(2026, 11, 30), deadlines.OVERDUE, 1, "逾期 1 个工作日"),
        (None, D(2026, 11, 25), deadlines.OVERDUE, 3, "逾期 3 个工作日"),
        (None, D(2026, 11, 20), deadlines.DUE_SOON, 0, "今日到期"),
        (None, D(2026, 11, 18), deadlines.DUE_SOON, 0, "还剩 2 个工作日"),
        (None, D(2026, 11, 16), deadlines.ON_TIME, 0, "未到期（还剩 4 个工作日）"),
    ],
)
def test_standing_of_a_friday_deadline(calendar, done_on, today, state, late, label):
    standing = deadlines.standing(D(2026, 11, 20), done_on, today, calendar)
    assert (standing.state, standing.days_late, standing.label) == (state, late, label)


def test_due_soon_limit_is_two_working_days_ahead(calendar):
    assert deadlines.due_soon_limit(D(2026, 11, 19), calendar) == D(2026, 11, 23)
    assert (
        deadlines.due_soon_limit(D(2026, 11, 19), calendar)
        == add_working_days(
            D(2026, 11, 19), deadlines.DUE_SOON_WORKING_DAYS, calendar
        ).due
    )
