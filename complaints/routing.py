"""Which 纪委 handles a report, and which of its staff must never see it.

Seeds 000 公开办法 第十条: reports are handled or transferred 按管理权限 (by who manages
the accused). 加强党政"一把手"监督的实施办法: a report about a unit's principal leader
(党政"一把手", including a deputy 主持工作) goes to the 纪委 one level up, because the
leader leads the unit the usual 纪委 sits in. DESIGN rule 6.

So a report first goes to the supervising 纪委 of the accused unit. It goes one 纪委
up when the accused is the principal leader of the unit hosting that 纪委 — the unit
itself, or the same level's 党委/政府 — e.g. a 镇长 or 镇党委书记 (township 纪委 → county
纪委), or the head of a county bureau with its own 派驻纪检组. The director of a
township office or a village head is managed by the township, whose 纪委 is not led by
them, so it stays there. A 纪委 reported about is already supervised one level up.

Pure functions: the unit tree comes in as `Unit` records, titles as text.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

PARTY, GOVERNMENT, COMMISSION = "党委", "政府", "纪委"
LEADING_TYPES = (PARTY, GOVERNMENT)

#: Titles that make someone the principal leader of a unit of each type.
HEAD_TITLES = {
    GOVERNMENT: ("县长", "市长", "区长", "州长", "镇长", "乡长", "书记"),
    PARTY: ("书记",),
    COMMISSION: ("书记", "监委主任", "监察委员会主任"),
    "部门": (
        "局长",
        "主任",
        "部长",
        "所长",
        "站长",
        "队长",
        "馆长",
        "社长",
        "行长",
        "书记",
    ),
    "事业单位": ("院长", "校长", "所长", "站长", "主任", "馆长", "书记", "园长"),
    "村(居)委会": ("主任", "村长", "书记", "支书", "社区书记"),
}
#: Titles that name the head of a level's 党委/政府 whichever unit was chosen.
LEVEL_HEAD_TITLES = (
    "县长",
    "市长",
    "区长",
    "镇长",
    "乡长",
    "县委书记",
    "市委书记",
    "区委书记",
    "党委书记",
    "党工委书记",
)
#: Said of the unit as a whole, whatever its type.
GENERIC_HEAD_TITLES = ("主要负责人", "一把手", "主要领导", "法定代表人", "主持工作")
#: A part of a post naming one of these is not the head (副镇长, 主任科员, 村委委员,
#: 镇长助理, 书记员); 主持工作 overrides 副 (seeds: 由副职主持工作的参照执行).
NOT_HEAD = re.compile(r"副|助理|科员|委员(?!会)|干事|秘书|书记员|办事员")
SEPARATORS = re.compile(r"[、，,/;；\s]+|兼|和|及")


@dataclass(frozen=True)
class Unit:
    code: str
    unit_type: str
    level: str
    parent_code: str | None
    supervisor_code: str | None


@dataclass(frozen=True)
class Route:
    """Where a report goes: `handler` is a 纪委's code, None when no 纪委 on the
    platform may take it (then it is refused at intake with a clear message)."""

    handler: str | None
    principal: bool
    reason: str
    escalation_missing: bool = False


UNIT_HEAD, LEVEL_HEAD = "unit", "level"


def leader_kind(post: str, unit_type: str) -> str:
    """ "level" when the post (被举报人职务) names the head of a level's 党委/政府
    (镇长, 县委书记), "unit" when it names the principal leader of a unit of
    `unit_type` (局长 of a 部门, 村主任), else "". A post may list several offices
    (镇党委副书记、镇长)."""
    found = ""
    for part in SEPARATORS.split(post or ""):
        if not part:
            continue
        if any(title in part for title in GENERIC_HEAD_TITLES):
            found = found or UNIT_HEAD
            continue
        if NOT_HEAD.search(part):
            continue
        if any(part.endswith(title) for title in LEVEL_HEAD_TITLES):
            return LEVEL_HEAD
        if any(part.endswith(title) for title in HEAD_TITLES.get(unit_type, ())):
            found = UNIT_HEAD
    return found


def is_principal_leader(post: str, unit_type: str) -> bool:
    return bool(leader_kind(post, unit_type))


def leads_commission(
    unit: Unit, commission: Unit, units: Mapping[str, Unit], kind: str = UNIT_HEAD
) -> bool:
    """Whether the principal leader of `unit` leads the unit `commission` sits in."""
    host = units.get(commission.parent_code) if commission.parent_code else None
    if host is None:
        return False
    if unit.code == host.code:
        return True
    if kind == LEVEL_HEAD:
        return host.unit_type in LEADING_TYPES
    return (
        unit.unit_type in LEADING_TYPES
        and host.unit_type in LEADING_TYPES
        and unit.level == host.level
        and unit.supervisor_code == commission.code
    )


def route(unit_code: str, units: Mapping[str, Unit], kind: str = "") -> Route:
    """The 纪委 that handles a report about `unit_code` (see the module docstring);
    `kind` is `leader_kind()` of the accused's post, or UNIT_HEAD when the
    receiving 纪委 marked the accused as the unit's principal leader."""
    unit = units[unit_code]
    usual = units.get(unit.supervisor_code) if unit.supervisor_code else None
    principal = bool(kind)
    if usual is None:
        return Route(None, principal, "该单位的监督机关不在本平台")
    if not principal:
        return Route(usual.code, False, "由被举报单位的监督纪委按管理权限办理")
    if not leads_commission(unit, usual, units, kind):
        return Route(
            usual.code,
            True,
            "被举报人为单位主要负责人，按管理权限仍由监督纪委办理",
        )
    if usual.supervisor_code and usual.supervisor_code in units:
        return Route(
            usual.supervisor_code,
            True,
            "被举报人为单位主要负责人（一把手），由上一级纪委办理",
        )
    return Route(
        usual.code,
        True,
        "被举报人为单位主要负责人，本平台无上一级纪委：须报上级纪委办理",
        escalation_missing=True,
    )


def accused_name(text: str) -> str:
    """The person's name without a bracketed post: 刘某某（村委委员） → 刘某某."""
    return re.sub(r"[（(].*?[）)]", "", text or "").strip()


@dataclass(frozen=True)
class Staff:
    key: object
    name: str
    unit_codes: frozenset[str]


def recused(staff: Iterable[Staff], accused_unit: str, accused: str) -> set:
    """Keys of handlers who must never see the report: the accused themself (same
    full name) and anyone holding a role in the accused unit."""
    name = accused_name(accused)
    return {
        member.key
        for member in staff
        if accused_unit in member.unit_codes or (name and member.name == name)
    }
