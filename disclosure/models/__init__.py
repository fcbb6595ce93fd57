from .calendar import CalendarDay, CalendarYear
from .pages import HomePage, UnitPage
from .roles import UnitGroup

__all__ = ["CalendarDay", "CalendarYear", "HomePage", "UnitGroup", "UnitPage"]
