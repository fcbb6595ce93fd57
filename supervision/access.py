"""Who sees what in the 纪委 workspace (issue 9, part 6).

- A 纪委 member sees the units its 纪委 supervises (a township 纪委 its township,
  the county 纪委 every township and department below it, `staff.supervised_units`),
  and the patrols of its own 纪委 and of the 纪委s in that scope.
- Nobody sees records about a unit where they themselves hold a staff role, or
  about themselves by name — as with reports (complaints.handling), a 纪委 member
  who is also a unit's clerk is recused from that unit.
- Unit staff see only the 督办 orders sent to their unit (the unit where they hold
  the role), with the replies; never patrols, findings, 问责 or 容错 records.
- A superuser (the county's administrators) sees everything.

Role rows come from `disclosure.permissions`, cached per request.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from disclosure import units as unit_rules
from disclosure.models import UnitGroup, UnitPage
from disclosure.permissions import (
    EDITOR_ROLES,
    _cached,
    _is_staff,
    direct_units,
    supervised_scope,
)

Role = UnitGroup.Role


def is_commission_staff(user):
    """Superusers and members of a 纪委 group: who gets the workspace."""
    if not _is_staff(user):
        return False
    return user.is_superuser or bool(direct_units(user, [Role.COMMISSION]))


def is_unit_staff(user):
    return _is_staff(user) and bool(direct_units(user, EDITOR_ROLES))


def require_commission_staff(user):
    if not is_commission_staff(user):
        raise PermissionDenied("只有纪委工作人员可以使用纪委监督工作台。")


def own_commissions(user):
    """The 纪委 units the user can act for: where they sit in the 纪委 group, or
    every 纪委 for a superuser."""
    if user.is_superuser:
        return UnitPage.objects.filter(unit_type=unit_rules.COMMISSION)
    return UnitPage.objects.filter(pk__in=direct_units(user, [Role.COMMISSION]))


def own_commission_ids(user):
    return _cached(
        user,
        ("supervision", "commissions"),
        lambda: frozenset(own_commissions(user).values_list("pk", flat=True)),
    )


def recused_units(user):
    """Units where the user holds a clerk, leader or head role."""
    return direct_units(user, EDITOR_ROLES)


def visible_unit_ids(user):
    """Units whose findings, orders, statistics and records the user may read;
    None means every unit (a superuser)."""
    if user.is_superuser:
        return None
    return supervised_scope(user) - recused_units(user)


def person_name(user):
    return f"{user.last_name}{user.first_name}".strip()


def in_scope(queryset, user, field="unit_id"):
    """`queryset` narrowed to what a 纪委 member may read."""
    if not is_commission_staff(user):
        return queryset.none()
    units = visible_unit_ids(user)
    if units is None:
        return queryset
    return queryset.filter(**{f"{field}__in": units})


def about_someone_else(queryset, user, field="person"):
    """Leave out records that name the user (问责, 容错)."""
    name = person_name(user)
    if not name or user.is_superuser:
        return queryset
    return queryset.exclude(**{field: name})


def visible_patrols(queryset, user):
    """Patrols of the user's own 纪委 and of the 纪委s in its scope."""
    if not is_commission_staff(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(
        Q(commission_id__in=own_commission_ids(user))
        | Q(commission_id__in=supervised_scope(user))
    )


def supervised_by(commission):
    """Ids of the units `commission` supervises, directly or through the 纪委s
    below it (the closure of `staff.supervised_units` for one 纪委)."""
    supervisors = dict(UnitPage.objects.values_list("code", "supervisor__code"))
    codes = unit_rules.supervised_closure(supervisors, commission.code)
    return frozenset(
        UnitPage.objects.filter(code__in=codes).values_list("pk", flat=True)
    )


def may_act_for(user, commission):
    """Whether the user may write for this 纪委 (patrols, orders, records)."""
    if not _is_staff(user) or not commission.is_commission:
        return False
    return user.is_superuser or commission.pk in own_commission_ids(user)


def replying_units(user):
    """Units whose 督办 orders the user answers: where they hold a staff role."""
    if not _is_staff(user):
        return frozenset()
    return direct_units(user, EDITOR_ROLES)
