from .assessments import Assessment, Indicator, Score
from .interviews import Interview
from .lists import ResponsibilityItem, ResponsibilityList
from .problems import Evidence, Problem, ProblemEvent
from .reports import WorkReport
from .signoffs import SignOff, SignOffIsFinal

__all__ = [
    "Assessment",
    "Evidence",
    "Indicator",
    "Interview",
    "Problem",
    "ProblemEvent",
    "ResponsibilityItem",
    "ResponsibilityList",
    "Score",
    "SignOff",
    "SignOffIsFinal",
    "WorkReport",
]
