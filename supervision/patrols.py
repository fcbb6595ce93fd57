"""巡查台账: seeds 000 平台办法 第十四条 — every working day a 纪委 patrols its
units at least once in the morning and once in the afternoon, records what it
finds, and follows each problem up.

`session_states` and `month_grid` are pure: they take the working calendar, the
sessions recorded and the current time, and say which sessions were missed. A
session is missed once it is over — a morning at noon, an afternoon at the end of
the day — so today's afternoon is "due", not "missed", until midnight.
"""

import datetime
from calendar import Calendar
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from wagtail.log_actions import log

from disclosure.models import PowerItem
from disclosure.models.results import EARLIEST_DATE
from disclosure.workdays import WorkCalendar, format_date

from . import access
from .errors import SupervisionError
from .models import Finding, Patrol

SESSIONS = tuple(Patrol.Session)
MORNING_ENDS = datetime.time(12, 0)

DONE = "done"
MISSED = "missed"
DUE = "due"
UPCOMING = "upcoming"
OFF = "off"
STATE_LABELS = {
    DONE: "已巡查",
    MISSED: "漏巡",
    DUE: "待巡查",
    UPCOMING: "未到",
    OFF: "非工作日",
}


def session_over(day, session, now):
    """Whether the session on `day` has ended at the local time `now`."""
    if day < now.date():
        return True
    if day > now.date():
        return False
    return session == Patrol.Session.MORNING and now.time() >= MORNING_ENDS


def session_state(day, session, recorded, calendar: WorkCalendar, now):
    if (day, session) in recorded:
        return DONE
    if not calendar.is_workday(day):
        return OFF
    if session_over(day, session, now):
        return MISSED
    return DUE if day == now.date() else UPCOMING


def today_states(day, recorded, calendar: WorkCalendar, now):
    """[(session label, state, state label)] for both sessions of `day`."""
    states = []
    for session in SESSIONS:
        state = session_state(day, session, recorded, calendar, now)
        states.append((session.label, state, STATE_LABELS[state]))
    return states


def missed_sessions(start, end, recorded, calendar: WorkCalendar, now):
    """[(day, session)] of working-day sessions between `start` and `end` with no
    patrol, in order."""
    missed, day = [], start
    while day <= end:
        for session in SESSIONS:
            if session_state(day, session, recorded, calendar, now) == MISSED:
                missed.append((day, session))
        day += datetime.timedelta(days=1)
    return missed


@dataclass(frozen=True)
class GridDay:
    day: datetime.date | None
    morning: str = OFF
    afternoon: str = OFF
    workday: bool = False

    @property
    def label(self):
        return format_date(self.day) if self.day else ""


def month_grid(year, month, recorded, calendar: WorkCalendar, now):
    """Weeks (Monday first) of GridDays for the month; days of other months are
    blank cells."""
    weeks = []
    for week in Calendar().monthdatescalendar(year, month):
        cells = []
        for day in week:
            if day.month != month:
                cells.append(GridDay(None))
                continue
            cells.append(
                GridDay(
                    day,
                    session_state(day, Patrol.Session.MORNING, recorded, calendar, now),
                    session_state(
                        day, Patrol.Session.AFTERNOON, recorded, calendar, now
                    ),
                    calendar.is_workday(day),
                )
            )
        weeks.append(cells)
    return weeks


def recorded_sessions(commission_ids, start, end):
    """{commission id: {(day, session)}} in one query."""
    found = {pk: set() for pk in commission_ids}
    rows = Patrol.objects.filter(
        commission_id__in=commission_ids, date__range=(start, end)
    ).values_list("commission_id", "date", "session")
    for commission_id, day, session in rows:
        found.setdefault(commission_id, set()).add((day, session))
    return found


# Writing -----------------------------------------------------------------------


def log_patrol(user, commission, day, session, summary=""):
    """Record one patrol; a second one for the same 纪委, day and session is refused
    (the 台账 holds one row per session; further problems go on that row)."""
    if not access.may_act_for(user, commission):
        raise SupervisionError("您不是该纪委的工作人员，不能登记其巡查。")
    today = timezone.localdate()
    if day > today:
        raise SupervisionError("不能登记今天以后的巡查。")
    if day < EARLIEST_DATE:
        raise SupervisionError("巡查日期不能早于2000年1月1日。")
    label = Patrol.Session(session).label
    duplicate = (
        f"{commission.title}{format_date(day)}{label}的巡查已经登记，不能重复登记；"
        "如有新发现的问题，请在该次巡查中添加。"
    )
    if Patrol.objects.filter(commission=commission, date=day, session=session).exists():
        raise SupervisionError(duplicate)
    try:
        with transaction.atomic():
            patrol = Patrol.objects.create(
                commission=commission,
                date=day,
                session=session,
                summary=summary,
                recorded_by=user,
            )
    except IntegrityError as error:
        raise SupervisionError(duplicate) from error
    log(patrol, "supervision.patrol_logged", user=user)
    return patrol


def add_finding(user, patrol, unit, problem_type, description, item=None):
    """A problem found on `patrol`, about a unit its 纪委 supervises."""
    commission = patrol.commission
    if not access.may_act_for(user, commission):
        raise SupervisionError("您不是该纪委的工作人员，不能登记其巡查发现的问题。")
    if unit.pk not in access.supervised_by(commission):
        raise SupervisionError(f"{unit.title}不在{commission.title}的监督范围内。")
    if item is not None and item.unit_id != unit.pk:
        raise SupervisionError(f"权力事项“{item.name}”不属于{unit.title}。")
    description = description.strip()
    if not description:
        raise SupervisionError("请填写问题描述。")
    finding = Finding.objects.create(
        patrol=patrol,
        unit=unit,
        item=item,
        problem_type=problem_type,
        description=description,
    )
    log(finding, "supervision.finding_added", user=user)
    return finding


def items_of(unit):
    return PowerItem.objects.filter(unit=unit).order_by("code")
