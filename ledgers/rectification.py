"""问题清单 → 整改清单: the states a problem passes through and who moves it.

Seeds 001 第十一条: the level above lists the problems it found (问题清单); the unit
answers each with a rectification plan (整改清单) — owner and deadline — and then
with evidence of completion; the level above accepts it (销号) or returns it.
Pure rules: the services apply them to rows and record who acted.
"""

from dataclasses import dataclass

OPEN = "open"
PLANNED = "planned"
SUBMITTED = "submitted"
RETURNED = "returned"
ACCEPTED = "accepted"

STATE_LABELS = {
    OPEN: "待制定整改方案",
    PLANNED: "整改中",
    SUBMITTED: "待验收",
    RETURNED: "已退回重改",
    ACCEPTED: "已验收销号",
}
#: Still waiting for the unit or for the level above.
UNFINISHED = (OPEN, PLANNED, SUBMITTED, RETURNED)

UNIT = "unit"
ABOVE = "above"
SIDE_LABELS = {UNIT: "被监督单位", ABOVE: "上级（监督方）"}

#: The longest plan a unit may set, in working days (about half a year).
MAX_WORKING_DAYS = 120


class RectificationError(ValueError):
    """An action that does not fit the problem's state; the message is for staff."""


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    side: str
    sources: tuple[str, ...]
    target: str


ACTIONS = {
    action.name: action
    for action in (
        Action("plan", "报送整改方案", UNIT, (OPEN,), PLANNED),
        Action("submit", "报送整改完成情况", UNIT, (PLANNED, RETURNED), SUBMITTED),
        Action("accept", "验收销号", ABOVE, (SUBMITTED,), ACCEPTED),
        Action("return", "退回重改", ABOVE, (SUBMITTED,), RETURNED),
    )
}


def next_state(
    action_name, state, side, *, evidence_count=0, note="", working_days=None
):
    """The state after `action_name`, or RectificationError saying why not."""
    action = ACTIONS.get(action_name)
    if action is None:
        raise RectificationError("未知操作。")
    if side != action.side:
        raise RectificationError(
            f"“{action.label}”应由{SIDE_LABELS[action.side]}办理，您无权办理。"
        )
    if state not in action.sources:
        raise RectificationError(
            f"该问题当前状态为“{STATE_LABELS[state]}”，不能{action.label}。"
        )
    if action_name == "plan":
        _check_working_days(working_days)
    if action_name == "submit" and evidence_count < 1:
        raise RectificationError(
            "标记整改完成须上传至少一份整改佐证材料（文件、照片或台账）。"
        )
    if action_name in ("submit", "return") and not note.strip():
        raise RectificationError(
            "请填写整改完成情况说明。"
            if action_name == "submit"
            else "请填写退回理由。"
        )
    return action.target


def _check_working_days(working_days):
    if working_days is None or working_days < 1:
        raise RectificationError("整改时限应为至少 1 个工作日。")
    if working_days > MAX_WORKING_DAYS:
        raise RectificationError(
            f"整改时限不能超过 {MAX_WORKING_DAYS} 个工作日；"
            "需要更长时间的，请分阶段制定整改方案。"
        )


def available(state, side):
    """The actions `side` may take on a problem in `state`, in order."""
    return [
        action
        for action in ACTIONS.values()
        if action.side == side and state in action.sources
    ]


def finished_on_time(due, submitted_on):
    """A rectification counts as on time when its accepted completion was
    reported on or before the due date."""
    return bool(due and submitted_on and submitted_on <= due)
