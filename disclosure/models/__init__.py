from .calendar import CalendarDay, CalendarYear
from .catalog import (
    CatalogVersion,
    DisclosureCatalog,
    FilingTask,
    ItemChange,
    UnitRoleTask,
)
from .decisions import Decision, DecisionAttachment, DecisionMember
from .pages import HomePage, UnitPage
from .powers import POWER_TYPES, RISK_LEVELS, NegativeListItem, PowerItem, ProcessStep
from .ratings import Rating, RatingSettings, RatingTally
from .results import DeadlineNotice, Objection, Result, ResultAttachment
from .roles import UnitGroup

__all__ = [
    "POWER_TYPES",
    "RISK_LEVELS",
    "CalendarDay",
    "CalendarYear",
    "CatalogVersion",
    "DeadlineNotice",
    "Decision",
    "DecisionAttachment",
    "DecisionMember",
    "DisclosureCatalog",
    "FilingTask",
    "HomePage",
    "ItemChange",
    "NegativeListItem",
    "Objection",
    "PowerItem",
    "ProcessStep",
    "Rating",
    "RatingSettings",
    "RatingTally",
    "Result",
    "ResultAttachment",
    "UnitGroup",
    "UnitRoleTask",
    "UnitPage",
]
