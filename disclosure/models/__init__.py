from .calendar import CalendarDay, CalendarYear
from .catalog import (
    CatalogVersion,
    DisclosureCatalog,
    FilingTask,
    ItemChange,
    UnitRoleTask,
)
from .pages import HomePage, UnitPage
from .powers import POWER_TYPES, RISK_LEVELS, NegativeListItem, PowerItem, ProcessStep
from .roles import UnitGroup

__all__ = [
    "POWER_TYPES",
    "RISK_LEVELS",
    "CalendarDay",
    "CalendarYear",
    "CatalogVersion",
    "DisclosureCatalog",
    "FilingTask",
    "HomePage",
    "ItemChange",
    "NegativeListItem",
    "PowerItem",
    "ProcessStep",
    "UnitGroup",
    "UnitRoleTask",
    "UnitPage",
]
