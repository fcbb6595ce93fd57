"""Who sees and acts on which ledgers (issue 10, item 7).

A unit's own staff (its 录入员, 分管领导, 主要领导, and for a 纪委 its members) see
its ledgers and answer for them; as with the power lists, a role reaches the units
below. The level above — the 纪委 that supervises the unit, directly or through the
纪委s below it — sees them too and acts from above: records problems, accepts or
returns rectifications, holds 约谈 and assesses. Nobody acts from above on their own
unit. Superusers (the county's administrators) may do both. Signing is for the
主要领导. Answers come from the role rows `disclosure.permissions` caches per request.
"""

from disclosure.models import UnitGroup
from disclosure.permissions import (
    EDITOR_ROLES,
    _is_staff,
    direct_units,
    supervised_scope,
    unit_scope,
)

from . import rectification

Role = UnitGroup.Role


def own_units(user):
    """Ids of the units whose ledgers the user keeps."""
    if not _is_staff(user):
        return frozenset()
    return unit_scope(user, EDITOR_ROLES) | direct_units(user, [Role.COMMISSION])


def supervising_units(user):
    """Ids of the units the user acts on from above (never their own)."""
    if not _is_staff(user):
        return frozenset()
    return supervised_scope(user) - direct_units(user, [Role.COMMISSION])


def visible_units(user):
    """Ids of the units whose ledgers the user may read; None: all (superuser)."""
    if not _is_staff(user):
        return frozenset()
    if user.is_superuser:
        return None
    return own_units(user) | supervising_units(user)


def has_access(user):
    """Whether the ledgers menu and dashboard panel are shown at all."""
    if not _is_staff(user):
        return False
    return user.is_superuser or bool(direct_units(user))


def can_view(user, unit_id):
    units = visible_units(user)
    return units is None or unit_id in units


def side_of(user, unit_id):
    """The side the user takes on a unit's problems: the unit, the level above,
    or None. A superuser stands above unless the unit is their own."""
    if not _is_staff(user):
        return None
    if unit_id in own_units(user):
        return rectification.UNIT
    if user.is_superuser or unit_id in supervising_units(user):
        return rectification.ABOVE
    return None


def can_edit(user, unit_id):
    """Keep the unit's own lists and reports."""
    return _is_staff(user) and (user.is_superuser or unit_id in own_units(user))


def can_act_above(user, unit_id):
    return side_of(user, unit_id) == rectification.ABOVE


def can_sign(user, unit_id):
    """The unit's 主要领导 (a 主要领导 role at the unit or above it in the tree)."""
    if not _is_staff(user):
        return False
    return unit_id in unit_scope(user, [Role.HEAD])


def can_interview(user, unit_id):
    """约谈 is held by the level above, or by the unit's own 主要领导 with its members."""
    return can_act_above(user, unit_id) or can_sign(user, unit_id)


def assessing_units(user):
    """Ids of the 纪委s whose assessments the user runs."""
    if not _is_staff(user):
        return frozenset()
    return direct_units(user, [Role.COMMISSION])
