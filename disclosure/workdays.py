"""The working-day calendar every deadline uses (DESIGN rule 7).

Seeds 000 平台办法 第十二条 and 公开办法 第八条 count deadlines in working days. Working
days follow the official PRC calendar: weekends and statutory holidays are off, and
调休 make-up Saturdays/Sundays are working days. Counting starts the day after the
event (次日起算). The official calendar comes from the `chinesecalendar` package plus
overrides an admin enters; a year neither knows falls back to weekends only and the
result is marked 暂定 (provisional) until that year's arrangement is entered.

The functions here are pure: they take the calendar data as an argument.
`load_calendar()` at the bottom is the thin loader from the library and the database.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

WEEKDAY_NAMES = "一二三四五六日"


@dataclass(frozen=True)
class DayRule:
    """An entry of the official arrangement: a holiday, or a make-up working day."""

    is_workday: bool
    name: str = ""


@dataclass(frozen=True)
class WorkCalendar:
    """Everything needed to decide whether a date is a working day.

    `official` holds the library's arrangement for `official_years`; `overrides` are
    the admin's corrections and additions, which win; `confirmed_years` are years an
    admin marked as fully entered, so weekends plus overrides are authoritative there.
    """

    official: Mapping[datetime.date, DayRule] = field(default_factory=dict)
    official_years: frozenset[int] = frozenset()
    overrides: Mapping[datetime.date, DayRule] = field(default_factory=dict)
    confirmed_years: frozenset[int] = frozenset()

    def knows_year(self, year):
        return year in self.official_years or year in self.confirmed_years

    def rule(self, day) -> DayRule | None:
        if day in self.overrides:
            return self.overrides[day]
        if day.year in self.official_years:
            return self.official.get(day)
        return None

    def is_workday(self, day):
        rule = self.rule(day)
        if rule is not None:
            return rule.is_workday
        return day.weekday() < 5


@dataclass(frozen=True)
class SkippedRun:
    """Consecutive days off that the count stepped over, and why."""

    first: datetime.date
    last: datetime.date
    reason: str

    @property
    def days(self):
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class Deadline:
    start: datetime.date
    working_days: int
    due: datetime.date
    provisional: bool
    skipped: tuple[SkippedRun, ...]
    makeup_days: tuple[tuple[datetime.date, str], ...]
    unknown_years: tuple[int, ...]

    @cached_property
    def explanation(self):
        return explain(self)


def add_working_days(start, n, calendar: WorkCalendar) -> Deadline:
    """The date `n` working days after `start`, counting from the next day."""
    if n < 0:
        raise ValueError("工作日数不能为负数")
    day, counted = start, 0
    off_days: list[tuple[datetime.date, str]] = []
    makeup: list[tuple[datetime.date, str]] = []
    unknown: set[int] = set()
    while counted < n:
        day += datetime.timedelta(days=1)
        if not calendar.knows_year(day.year):
            unknown.add(day.year)
        if calendar.is_workday(day):
            counted += 1
            if day.weekday() >= 5:
                makeup.append((day, _rule_name(calendar, day)))
        else:
            off_days.append((day, _off_reason(calendar, day)))
    return Deadline(
        start=start,
        working_days=n,
        due=day,
        provisional=bool(unknown),
        skipped=tuple(_runs(off_days)),
        makeup_days=tuple(makeup),
        unknown_years=tuple(sorted(unknown)),
    )


def working_days_between(start, end, calendar: WorkCalendar) -> int:
    """Working days after `start` up to and including `end` (negative if end < start)."""
    if end < start:
        return -working_days_between(end, start, calendar)
    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        count += calendar.is_workday(day)
    return count


def _rule_name(calendar, day):
    rule = calendar.rule(day)
    return rule.name if rule and rule.name else ""


def _off_reason(calendar, day):
    rule = calendar.rule(day)
    if rule is not None and not rule.is_workday:
        return rule.name or "节假日"
    return "周末"


def _runs(off_days):
    runs: list[SkippedRun] = []
    for day, reason in off_days:
        last = runs[-1] if runs else None
        if last and last.reason == reason and (day - last.last).days == 1:
            runs[-1] = SkippedRun(last.first, day, reason)
        else:
            runs.append(SkippedRun(day, day, reason))
    return runs


def start_of_day(day):
    """The aware datetime at 00:00 of `day`, for fields and feeds that want one."""
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def format_date(day):
    """2026年11月22日, the site's date style."""
    return f"{day.year}年{day.month}月{day.day}日"


def _short(day, year_of_reference):
    if day.year != year_of_reference:
        return format_date(day)
    return f"{day.month}月{day.day}日"


def _span(run: SkippedRun, year):
    if run.days == 1:
        return _short(run.first, year)
    return f"{_short(run.first, year)}—{_short(run.last, year)}"


def explain(deadline: Deadline) -> str:
    """How the due date was computed, in Chinese, for staff and the public."""
    year = deadline.start.year
    lines = [
        f"自{format_date(deadline.start)}次日起算{deadline.working_days}个工作日，"
        f"截止{format_date(deadline.due)}"
        f"（星期{WEEKDAY_NAMES[deadline.due.weekday()]}）。"
    ]
    holidays = [run for run in deadline.skipped if run.reason != "周末"]
    weekends = [run for run in deadline.skipped if run.reason == "周末"]
    if holidays:
        parts = [f"{run.reason} {_span(run, year)}（{run.days}天）" for run in holidays]
        lines.append("跳过节假日：" + "；".join(parts) + "。")
    if weekends:
        days = sum(run.days for run in weekends)
        parts = [_span(run, year) for run in weekends]
        lines.append(f"跳过周末{days}天：" + "、".join(parts) + "。")
    for day, name in deadline.makeup_days:
        label = f"{name}调休" if name else "调休"
        lines.append(
            f"{_short(day, year)}（星期{WEEKDAY_NAMES[day.weekday()]}）为{label}上班日，"
            "计为工作日。"
        )
    if deadline.provisional:
        years = "、".join(f"{y}年" for y in deadline.unknown_years)
        lines.append(
            f"暂定：{years}的节假日安排尚未录入，暂按只跳过周末计算；"
            "录入该年安排后将自动重新计算。"
        )
    return "\n".join(lines)


def library_calendar_data():
    """The `chinesecalendar` package's arrangement as (rules, years it knows)."""
    import chinese_calendar

    chinese = {holiday.value: holiday.chinese for holiday in chinese_calendar.Holiday}
    rules: dict[datetime.date, DayRule] = {}
    for day, name in chinese_calendar.holidays.items():
        rules[day] = DayRule(False, chinese.get(name, name or ""))
    for day, name in chinese_calendar.workdays.items():
        rules[day] = DayRule(True, chinese.get(name, name or ""))
    years = frozenset(day.year for day in chinese_calendar.holidays)
    return rules, years


CACHE_VERSION_KEY = "workcalendar:version"
_memo: dict[str, object] = {}


def load_calendar() -> WorkCalendar:
    """The library's arrangement plus the admin's entries, memoised per process.

    A change in the admin bumps a version in the shared cache, so every worker
    reloads on its next deadline computation.
    """
    from django.core.cache import cache

    version = cache.get(CACHE_VERSION_KEY, 0)
    if _memo.get("version") == version and "calendar" in _memo:
        return _memo["calendar"]
    library = _memo.get("library") or library_calendar_data()
    _memo.clear()
    _memo.update(version=version, library=library, calendar=_build_calendar(library))
    return _memo["calendar"]


def calendar_changed():
    from django.core.cache import cache

    try:
        cache.incr(CACHE_VERSION_KEY)
    except ValueError:
        cache.set(CACHE_VERSION_KEY, 1, None)
    _memo.pop("calendar", None)


def _build_calendar(library):
    from disclosure.models import CalendarDay, CalendarYear

    official, official_years = library
    overrides = {
        day.date: DayRule(day.kind == CalendarDay.Kind.WORKDAY, day.name)
        for day in CalendarDay.objects.all()
    }
    confirmed = frozenset(
        CalendarYear.objects.filter(complete=True).values_list("year", flat=True)
    )
    return WorkCalendar(official, official_years, overrides, confirmed)


def due_date(start, n):
    """`add_working_days` on the current calendar: what the rest of the code calls."""
    return add_working_days(start, n, load_calendar())
