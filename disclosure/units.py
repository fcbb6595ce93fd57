"""The unit tree's rules, free of Django: levels, types and who supervises whom.

DESIGN: each unit has a supervising 纪委, inherited from the nearest level unless set.
A 纪委 belongs to the unit it sits under (a township's 纪委 is a child of the township)
and supervises that unit's whole subtree; a 纪委 itself is supervised one level up.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

LEVELS = ("市", "县", "乡", "村")
UNIT_TYPES = ("党委", "政府", "纪委", "部门", "村(居)委会", "事业单位")
COMMISSION = "纪委"


@dataclass(frozen=True)
class UnitNode:
    code: str
    parent_code: str | None
    unit_type: str
    override_code: str | None = None


def effective_supervisors(nodes: Iterable[UnitNode]) -> dict[str, str | None]:
    """Map each unit code to its supervising 纪委's code (None at the top).

    Walking up from the unit itself: a unit's own override wins, then a 纪委 that sits
    directly under the unit, then the same question one level up. A 纪委 never
    supervises itself, so its supervisor is found at the level above.
    """
    nodes = {node.code: node for node in nodes}
    commissions: dict[str, list[str]] = {}
    for node in sorted(nodes.values(), key=lambda n: n.code):
        if node.unit_type == COMMISSION and node.parent_code:
            commissions.setdefault(node.parent_code, []).append(node.code)
    return {code: _supervisor(code, nodes, commissions) for code in nodes}


def _supervisor(code, nodes: Mapping[str, UnitNode], commissions) -> str | None:
    current, seen = code, set()
    node = nodes[code]
    if node.unit_type == COMMISSION:
        # A 纪委 answers to the level above the unit it sits under, never to a
        # fellow 纪委 at its own level.
        if node.override_code and node.override_code != code:
            return node.override_code
        parent = nodes.get(node.parent_code) if node.parent_code else None
        current = parent.parent_code if parent else None
    while current in nodes and current not in seen:
        seen.add(current)
        node = nodes[current]
        if node.override_code and node.override_code != code:
            return node.override_code
        for commission in commissions.get(current, ()):
            if commission != code:
                return commission
        current = node.parent_code
    return None


def supervised_closure(
    supervisors: Mapping[str, str | None], commission: str
) -> set[str]:
    """Every unit a 纪委 supervises, directly or through the 纪委s below it."""
    below: dict[str, list[str]] = {}
    for unit, supervisor in supervisors.items():
        if supervisor:
            below.setdefault(supervisor, []).append(unit)
    found, queue = set(), [commission]
    while queue:
        for unit in below.get(queue.pop(), ()):
            if unit not in found:
                found.add(unit)
                queue.append(unit)
    return found
