"""Deadlines of a 一事一公开 result and how each stands today.

Seeds 000 平台办法 第十二条: a result is entered within 3 working days of the act;
公开办法 第八条: it is disclosed within 10 working days of the result. Both count from
the next day (DESIGN rule 7). Pure functions over dates and a WorkCalendar, so the
rules are tested without a database; `disclosure.results` applies them to rows.
"""

import datetime
from dataclasses import dataclass

from .workdays import Deadline, WorkCalendar, add_working_days, working_days_between

ENTRY_WORKING_DAYS = 3
DISCLOSURE_WORKING_DAYS = 10
#: A unit replies to a negative rating's comment within this many working days.
RATING_REPLY_WORKING_DAYS = 10
#: A deadline this many working days away or fewer is "due soon".
DUE_SOON_WORKING_DAYS = 2

ON_TIME = "按时"
DUE_SOON = "即将到期"
OVERDUE = "逾期"
STATES = (ON_TIME, DUE_SOON, OVERDUE)


@dataclass(frozen=True)
class Standing:
    """Where one deadline stands: met or not, or how close it is."""

    state: str
    due: datetime.date
    done_on: datetime.date | None
    days_late: int
    days_left: int
    provisional: bool

    @property
    def label(self):
        if self.state == OVERDUE:
            return f"逾期 {self.days_late} 个工作日"
        if self.done_on:
            return "按时完成"
        if self.state == DUE_SOON:
            return (
                "今日到期" if self.days_left == 0 else f"还剩 {self.days_left} 个工作日"
            )
        return f"未到期（还剩 {self.days_left} 个工作日）"

    @property
    def css(self):
        return {ON_TIME: "ok", DUE_SOON: "soon", OVERDUE: "late"}[self.state]


def entry_deadline(act_date, calendar: WorkCalendar) -> Deadline:
    return add_working_days(act_date, ENTRY_WORKING_DAYS, calendar)


def disclosure_deadline(result_date, calendar: WorkCalendar) -> Deadline:
    return add_working_days(result_date, DISCLOSURE_WORKING_DAYS, calendar)


def standing(due, done_on, today, calendar: WorkCalendar, provisional=False):
    """A deadline `due` met on `done_on` (None while still open), seen on `today`.

    Anything done after the due date is late — the same rule as the SQL states
    in `disclosure.results` — and lateness is counted in working days, so a result
    disclosed on the Monday after a Friday deadline is one working day late, not
    three days (a weekend day after it counts as one).
    """
    if done_on is not None:
        if done_on <= due:
            return Standing(ON_TIME, due, done_on, 0, 0, provisional)
        late = max(working_days_between(due, done_on, calendar), 1)
        return Standing(OVERDUE, due, done_on, late, 0, provisional)
    if today > due:
        late = max(working_days_between(due, today, calendar), 1)
        return Standing(OVERDUE, due, None, late, 0, provisional)
    left = working_days_between(today, due, calendar)
    state = DUE_SOON if left <= DUE_SOON_WORKING_DAYS else ON_TIME
    return Standing(state, due, None, 0, left, provisional)


def due_soon_limit(today, calendar: WorkCalendar):
    """The last due date that counts as "due soon" on `today`: set-based queries
    compare stored due dates with this one date instead of counting per row."""
    return add_working_days(today, DUE_SOON_WORKING_DAYS, calendar).due
