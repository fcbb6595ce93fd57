"""DESIGN rule 7: working days follow the official calendar, counted from the next day."""

import datetime
from io import StringIO

from django.core.management import CommandError, call_command

import pytest

from disclosure import workdays
from disclosure.models import CalendarDay, CalendarYear
from disclosure.workdays import DayRule, WorkCalendar, add_working_days

D = datetime.date.fromisoformat


@pytest.fixture(scope="module")
def official():
    rules, years = workdays.library_calendar_data()
    return WorkCalendar(rules, years)


@pytest.mark.parametrize(
    ("start", "n", "due", "why"),
    [
        ("2026-11-20", 1, "2026-11-23", "Friday + 1: the weekend is skipped"),
        ("2026-11-23", 1, "2026-11-24", "counting starts the next day"),
        ("2026-11-23", 0, "2026-11-23", "zero working days is the day itself"),
        ("2026-09-30", 3, "2026-10-10", "国庆节 skipped, Saturday 10 October is 调休"),
        ("2026-09-30", 1, "2026-10-08", "the first day after National Day"),
        (
            "2026-02-12",
            5,
            "2026-02-26",
            "春节 15–23 February skipped, 14 February worked",
        ),
        (
            "2026-02-13",
            1,
            "2026-02-14",
            "the 调休 Saturday before 春节 is a working day",
        ),
        ("2026-04-30", 3, "2026-05-08", "劳动节 skipped, Saturday 9 May is 调休"),
        (
            "2026-12-24",
            10,
            "2027-01-07",
            "crosses into 2027: weekends only, provisional",
        ),
    ],
)
def test_due_dates_follow_the_official_calendar(official, start, n, due, why):
    assert add_working_days(D(start), n, official).due == D(due), why


def test_national_day_explanation_names_the_holiday_and_the_makeup_day(official):
    deadline = add_working_days(D("2026-09-30"), 3, official)
    assert not deadline.provisional
    text = deadline.explanation
    assert "次日起算" in text
    assert "国庆节 10月1日—10月7日（7天）" in text
    assert "10月10日（星期六）为国庆节调休上班日" in text
    assert "暂定" not in text


def test_spring_festival_2026(official):
    deadline = add_working_days(D("2026-02-12"), 5, official)
    assert [(r.first, r.last, r.reason) for r in deadline.skipped] == [
        (D("2026-02-15"), D("2026-02-23"), "春节")
    ]
    assert deadline.makeup_days == ((D("2026-02-14"), "春节"),)


def test_a_year_the_library_does_not_know_falls_back_to_weekends_and_is_provisional(
    official,
):
    deadline = add_working_days(D("2026-12-24"), 10, official)
    assert deadline.provisional
    assert deadline.unknown_years == (2027,)
    assert "暂定" in deadline.explanation
    assert "2027年" in deadline.explanation


def test_a_deadline_far_in_an_unknown_future_does_not_crash(official):
    deadline = add_working_days(D("2030-06-01"), 30, official)
    assert deadline.provisional
    assert deadline.due.weekday() < 5


def test_overrides_win_over_the_library():
    calendar = WorkCalendar(
        official={D("2026-11-24"): DayRule(True, "")},
        official_years=frozenset({2026}),
        overrides={D("2026-11-24"): DayRule(False, "防汛停工")},
    )
    deadline = add_working_days(D("2026-11-23"), 1, calendar)
    assert deadline.due == D("2026-11-25")
    assert "防汛停工 11月24日（1天）" in deadline.explanation


def test_a_confirmed_year_is_not_provisional():
    calendar = WorkCalendar(
        overrides={D("2027-01-01"): DayRule(False, "元旦")},
        confirmed_years=frozenset({2027}),
    )
    deadline = add_working_days(D("2026-12-31"), 1, calendar)
    assert not deadline.provisional
    assert deadline.due == D("2027-01-04")


def test_negative_counts_are_refused(official):
    with pytest.raises(ValueError, match="不能为负数"):
        add_working_days(D("2026-11-23"), -1, official)


def test_working_days_between(official):
    assert (
        workdays.working_days_between(D("2026-09-30"), D("2026-10-10"), official) == 3
    )
    assert (
        workdays.working_days_between(D("2026-10-10"), D("2026-09-30"), official) == -3
    )


def test_dates_are_written_the_chinese_way():
    assert workdays.format_date(D("2026-11-22")) == "2026年11月22日"


@pytest.mark.django_db
def test_entering_the_2027_calendar_recomputes_the_provisional_deadline():
    before = workdays.due_date(D("2026-12-24"), 10)
    assert before.provisional and before.due == D("2027-01-07")

    year = CalendarYear.objects.create(year=2027, source="测试通知", complete=True)
    CalendarDay.objects.create(
        calendar=year, date=D("2027-01-01"), kind="holiday", name="元旦"
    )

    after = workdays.due_date(D("2026-12-24"), 10)
    assert not after.provisional
    assert after.due == D("2027-01-08")
    assert "元旦 2027年1月1日（1天）" in after.explanation


@pytest.mark.django_db
def test_an_incomplete_year_stays_provisional():
    year = CalendarYear.objects.create(year=2027, complete=False)
    CalendarDay.objects.create(
        calendar=year, date=D("2027-01-01"), kind="holiday", name="元旦"
    )
    deadline = workdays.due_date(D("2026-12-24"), 10)
    assert deadline.provisional
    assert deadline.due == D("2027-01-08")


@pytest.mark.django_db
def test_deleting_an_entry_takes_effect_at_once():
    year = CalendarYear.objects.create(year=2026)
    day = CalendarDay.objects.create(
        calendar=year, date=D("2026-11-24"), kind="holiday", name="临时放假"
    )
    assert workdays.due_date(D("2026-11-23"), 1).due == D("2026-11-25")
    day.delete()
    assert workdays.due_date(D("2026-11-23"), 1).due == D("2026-11-24")


@pytest.mark.django_db
def test_workdays_command_prints_the_due_date_first_then_the_explanation():
    out = StringIO()
    call_command("workdays", "2026-09-30", "3", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "2026-10-10"
    assert "国庆节" in "\n".join(lines[1:])


@pytest.mark.django_db
def test_workdays_command_marks_provisional_results():
    out = StringIO()
    call_command("workdays", "2026-12-24", "10", stdout=out)
    assert out.getvalue().splitlines()[0] == "2027-01-07"
    assert "暂定" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "n", "message"),
    [
        ("2026-13-01", "1", "起算日期"),
        ("2026-11-23", "x", "工作日数"),
        ("2026-11-23", "-2", "0 到"),
    ],
)
def test_workdays_command_rejects_bad_input_in_chinese(start, n, message):
    with pytest.raises(CommandError, match=message):
        call_command("workdays", start, n)
