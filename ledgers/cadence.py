"""Reporting cadence (seeds 001 第十条, 002 第十条（十六）).

A 党委 reports on its 主体责任 for the past year to the level above by 15 January.
A 纪委 reports on its 监督责任 every year (in January) and every half year in
writing, every quarter on the conduct of the same-level leadership, and every month
on the 作风 cases it handled. The due dates of the periodic reports count working
days from the end of the period (DESIGN rule 7), so they may be 暂定 across a year
the calendar does not know; the January dates are fixed calendar days.

Pure: `obligations` says which reports a unit owes for a year, `check_period` why a
filing does not fit; the calendar comes in as an argument.
"""

import datetime
from dataclasses import dataclass

from disclosure.workdays import WorkCalendar, add_working_days

ANNUAL_PRINCIPAL = "annual_principal"
ANNUAL_SUPERVISORY = "annual_supervisory"
HALF = "half"
QUARTER = "quarter"
MONTH = "month"

KIND_LABELS = {
    ANNUAL_PRINCIPAL: "主体责任年度报告",
    ANNUAL_SUPERVISORY: "监督责任年度报告",
    HALF: "监督责任半年报告",
    QUARTER: "季度报告（同级班子廉洁从政情况）",
    MONTH: "月度报告（作风问题查处情况）",
}
#: How many periods a year has for each kind (0: the year itself).
PERIODS = {ANNUAL_PRINCIPAL: 0, ANNUAL_SUPERVISORY: 0, HALF: 2, QUARTER: 4, MONTH: 12}
#: Which unit types owe which reports.
OWED_BY = {
    "党委": (ANNUAL_PRINCIPAL,),
    "纪委": (ANNUAL_SUPERVISORY, HALF, QUARTER, MONTH),
}
#: Working days after the period's end for the periodic reports.
WORKING_DAYS_AFTER = {HALF: 10, QUARTER: 10, MONTH: 5}
#: The annual reports fall due on fixed days of the next January.
ANNUAL_DUE = {ANNUAL_PRINCIPAL: (1, 15), ANNUAL_SUPERVISORY: (1, 31)}
#: A report may be filed from this many days before its period ends.
OPENS_BEFORE_END_DAYS = 10


class PeriodError(ValueError):
    """A report for a period that does not fit; the message is for staff."""


@dataclass(frozen=True)
class Period:
    kind: str
    year: int
    number: int

    @property
    def first_day(self):
        if self.number == 0:
            return datetime.date(self.year, 1, 1)
        months = 12 // PERIODS[self.kind]
        return datetime.date(self.year, (self.number - 1) * months + 1, 1)

    @property
    def last_day(self):
        if self.number == 0:
            return datetime.date(self.year, 12, 31)
        months = 12 // PERIODS[self.kind]
        end_month = self.number * months
        if end_month == 12:
            return datetime.date(self.year, 12, 31)
        return datetime.date(self.year, end_month + 1, 1) - datetime.timedelta(days=1)

    @property
    def opens_on(self):
        return self.last_day - datetime.timedelta(days=OPENS_BEFORE_END_DAYS)

    @property
    def label(self):
        if self.kind == HALF:
            return f"{self.year}年{'上' if self.number == 1 else '下'}半年"
        if self.kind == QUARTER:
            return f"{self.year}年第{'一二三四'[self.number - 1]}季度"
        if self.kind == MONTH:
            return f"{self.year}年{self.number}月"
        return f"{self.year}年度"

    @property
    def title(self):
        return f"{self.label}{KIND_LABELS[self.kind]}"


@dataclass(frozen=True)
class Due:
    date: datetime.date
    provisional: bool
    explanation: str


def due(period: Period, calendar: WorkCalendar) -> Due:
    if period.kind in ANNUAL_DUE:
        month, day = ANNUAL_DUE[period.kind]
        date = datetime.date(period.year + 1, month, day)
        return Due(date, False, f"次年{month}月{day}日前报送（细则规定的日期）。")
    deadline = add_working_days(
        period.last_day, WORKING_DAYS_AFTER[period.kind], calendar
    )
    return Due(deadline.due, deadline.provisional, deadline.explanation)


def periods(kind, year):
    count = PERIODS[kind]
    if count == 0:
        return [Period(kind, year, 0)]
    return [Period(kind, year, number) for number in range(1, count + 1)]


def kinds_owed(unit_type):
    return OWED_BY.get(unit_type, ())


def obligations(unit_type, year):
    """Every report a unit of `unit_type` owes for `year`."""
    return [period for kind in kinds_owed(unit_type) for period in periods(kind, year)]


def check_period(unit_type, kind, year, number, today):
    """The Period for a filing, or PeriodError saying what does not fit."""
    if kind not in KIND_LABELS:
        raise PeriodError("未知的报告类型。")
    if kind not in kinds_owed(unit_type):
        owed = "、".join(KIND_LABELS[k] for k in kinds_owed(unit_type)) or "无"
        raise PeriodError(
            f"{unit_type}单位不报送{KIND_LABELS[kind]}；应报送的报告：{owed}。"
        )
    count = PERIODS[kind]
    if (count == 0 and number != 0) or (count and not 1 <= number <= count):
        raise PeriodError(f"{year}年没有这个报告期（{KIND_LABELS[kind]}）。")
    period = Period(kind, year, number)
    if today < period.opens_on:
        raise PeriodError(
            f"{period.label}尚未结束，{period.title}自"
            f"{period.opens_on.year}年{period.opens_on.month}月{period.opens_on.day}日"
            "起才能报送。"
        )
    return period
