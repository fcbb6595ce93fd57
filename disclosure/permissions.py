"""Who may do what with a unit's records in the admin (DESIGN: staff see only their
units; a 纪委 sees, never edits, the units it supervises).

Answers come from the unit role groups, not from Django model permissions, so a new
unit needs no grants beyond the groups it is created with. A role at a unit reaches
every unit below it, as Wagtail page permissions reach a subtree. All of a user's
roles are read in one query per request and cached on the user object.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q

from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import policy_registry

from .models import UnitGroup, UnitPage
from .staff import supervised_units

Role = UnitGroup.Role
EDITOR_ROLES = (Role.CLERK, Role.LEADER, Role.HEAD)
#: What each action on an item needs; "view" also comes from 纪委 supervision and
#: "publish" from nothing (superusers only).
ITEM_ACTION_ROLES = {
    "add": EDITOR_ROLES,
    "change": EDITOR_ROLES,
    "view": EDITOR_ROLES,
    "lock": (Role.LEADER, Role.HEAD),
    "unlock": (Role.HEAD,),
    "delete": (Role.HEAD,),
}


# Scope ---------------------------------------------------------------------------


def _cached(user, key, compute):
    """Memoise per user object: the request's user lives for one request."""
    cache = getattr(user, "_sunlight_scope_cache", None)
    if cache is None:
        cache = user._sunlight_scope_cache = {}
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def role_rows(user):
    """(role, unit id, unit path) for each role the user holds: one query per
    request, from which every model-wide answer below is read."""
    return _cached(
        user,
        ("roles",),
        lambda: tuple(
            UnitGroup.objects.filter(group__user=user).values_list(
                "role", "unit_id", "unit__path"
            )
        ),
    )


def direct_units(user, roles=None):
    """Ids of the units where the user holds one of `roles` (any role by default),
    without the units below."""
    return frozenset(
        unit_id
        for role, unit_id, _ in role_rows(user)
        if roles is None or role in roles
    )


def unit_scope(user, roles):
    """Ids of the units where the user holds one of `roles`, and of every unit below
    them (Wagtail page permissions also reach the whole subtree)."""
    paths = sorted({path for role, _, path in role_rows(user) if role in roles})
    if not paths:
        return frozenset()

    def compute():
        below = Q()
        for unit_path in paths:
            below |= Q(path__startswith=unit_path)
        return frozenset(UnitPage.objects.filter(below).values_list("pk", flat=True))

    return _cached(user, ("scope", *paths), compute)


def supervised_scope(user):
    """Ids of the units a 纪委 member watches (staff.supervised_units)."""
    if not (user.is_superuser or direct_units(user, [Role.COMMISSION])):
        return frozenset()
    return _cached(
        user,
        ("supervised",),
        lambda: frozenset(supervised_units(user).values_list("pk", flat=True)),
    )


def editable_units(user):
    """The units whose items the user may create or change."""
    if user.is_active and user.is_superuser:
        return UnitPage.objects.all()
    return UnitPage.objects.filter(pk__in=unit_scope(user, EDITOR_ROLES))


def was_published(instance):
    return bool(instance.live or instance.first_published_at)


def _is_staff(user):
    return bool(user and user.is_authenticated and user.is_active)


# Permission policies ---------------------------------------------------------------


class UnitItemPermissionPolicy(ModelPermissionPolicy):
    """Items of a unit (权力事项, 负面清单): add and change for the unit's 录入员,
    分管领导 and 主要领导, delete for its 主要领导 while the item was never published,
    view for the supervising 纪委, publish for superusers only."""

    def unit_ids(self, user, action):
        units = (
            unit_scope(user, ITEM_ACTION_ROLES[action])
            if action in ITEM_ACTION_ROLES
            else frozenset()
        )
        if action == "view":
            units |= supervised_scope(user)
        return units

    def user_has_permission(self, user, action):
        """Whether the user may do `action` on some item: holding the role in any
        unit is enough (that unit is in scope), so no subtree is computed."""
        if not _is_staff(user):
            return False
        if user.is_superuser:
            return True
        roles = ITEM_ACTION_ROLES.get(action, ())
        if action == "view":
            roles = (*roles, Role.COMMISSION)
        return bool(roles) and bool(direct_units(user, roles))

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        if not _is_staff(user):
            return False
        if action == "delete" and was_published(instance):
            return False
        if user.is_superuser:
            return True
        return instance.unit_id in self.unit_ids(user, action)

    def instances_user_has_any_permission_for(self, user, actions):
        objects = self.model._default_manager.all()
        if not _is_staff(user):
            return objects.none()
        never_published = Q(live=False, first_published_at__isnull=True)
        if user.is_superuser:
            return (
                objects
                if set(actions) - {"delete"}
                else objects.filter(never_published)
            )
        units = set()
        for action in actions:
            if action != "delete":
                units |= self.unit_ids(user, action)
        condition = Q(unit_id__in=units)
        deletable = self.unit_ids(user, "delete") - units if "delete" in actions else ()
        if deletable:
            condition |= Q(unit_id__in=deletable) & never_published
        return objects.filter(condition)

    def users_with_any_permission(self, actions):
        roles = {
            role for action in actions for role in ITEM_ACTION_ROLES.get(action, ())
        }
        if "view" in actions:
            roles.add(Role.COMMISSION)
        return _users(Q(groups__unit_role__role__in=roles))


class FilingPermissionPolicy(ModelPermissionPolicy):
    """报备 records: seen by the unit they were filed with and by the 纪委 they were
    copied to; acknowledged (签收) by the receiving unit's staff. They are written by
    the catalog workflow alone, so nobody adds, changes or deletes them here."""

    def received(self, user):
        return direct_units(user)

    def copied(self, user):
        return direct_units(user, [Role.COMMISSION])

    def acknowledging(self, user):
        return direct_units(user, EDITOR_ROLES)

    def user_has_permission(self, user, action):
        if not _is_staff(user):
            return False
        if action == "view":
            return user.is_superuser or bool(self.received(user) | self.copied(user))
        if action == "acknowledge":
            return bool(self.acknowledging(user))
        return False

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        if not _is_staff(user):
            return False
        if action == "view":
            return (
                user.is_superuser
                or instance.filed_to_id in self.received(user)
                or instance.copied_to_id in self.copied(user)
            )
        if action == "acknowledge":
            return instance.filed_to_id in self.acknowledging(user)
        return False

    def instances_user_has_any_permission_for(self, user, actions):
        objects = self.model._default_manager.all()
        if not _is_staff(user):
            return objects.none()
        condition = Q(pk__in=[])
        if "view" in actions:
            condition |= (
                Q()
                if user.is_superuser
                else Q(filed_to__in=self.received(user))
                | Q(copied_to__in=self.copied(user))
            )
        if "acknowledge" in actions:
            condition |= Q(filed_to__in=self.acknowledging(user))
        return objects.filter(condition)

    def users_with_any_permission(self, actions):
        if "view" in actions or "acknowledge" in actions:
            return _users(Q(groups__unit_role__isnull=False))
        return get_user_model().objects.none()


def _users(condition):
    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | condition, is_active=True)
        .distinct()
    )


def item_policy(model):
    return policy_registry.get_by_type(model)


class CatalogPermissionPolicy(BasePermissionPolicy):
    """公开目录: the unit's staff may edit its note and submit it; approval is the
    workflow's and publishing follows it, so no role holds publish or delete."""

    ROLE_ACTIONS = {"change": EDITOR_ROLES, "view": EDITOR_ROLES, "lock": (Role.HEAD,)}

    def _roles(self, action):
        return self.ROLE_ACTIONS.get(action, ())

    def user_has_permission(self, user, action):
        if not _is_staff(user):
            return False
        return user.is_superuser or bool(direct_units(user, self._roles(action)))

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        if not _is_staff(user):
            return False
        if user.is_superuser:
            return True
        return instance.unit_id in unit_scope(user, self._roles(action))

    def instances_user_has_any_permission_for(self, user, actions):
        objects = self.model._default_manager.all()
        if not _is_staff(user):
            return objects.none()
        if user.is_superuser:
            return objects
        units = set()
        for action in actions:
            units |= unit_scope(user, self._roles(action))
        return objects.filter(unit_id__in=units)

    def users_with_any_permission(self, actions):
        roles = {role for action in actions for role in self._roles(action)}
        return _users(Q(groups__unit_role__role__in=roles))


class ObjectionPermissionPolicy(BasePermissionPolicy):
    """公示异议: the unit's staff answer them, the supervising 纪委 reads them;
    nobody adds (the public does, on the result page) or deletes."""

    def _units(self, user, action):
        units = unit_scope(user, EDITOR_ROLES)
        if action == "view":
            units |= supervised_scope(user)
        return units

    def user_has_permission(self, user, action):
        if not _is_staff(user) or action not in ("view", "change"):
            return False
        roles = (*EDITOR_ROLES, Role.COMMISSION) if action == "view" else EDITOR_ROLES
        return user.is_superuser or bool(direct_units(user, roles))

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        return user.is_superuser or instance.result.unit_id in self._units(user, action)

    def instances_user_has_any_permission_for(self, user, actions):
        objects = self.model._default_manager.all()
        if not _is_staff(user):
            return objects.none()
        if user.is_superuser:
            return objects
        units = set()
        for action in actions:
            if action in ("view", "change"):
                units |= self._units(user, action)
        return objects.filter(result__unit_id__in=units)

    def users_with_any_permission(self, actions):
        return _users(Q(groups__unit_role__isnull=False))


class RatingPermissionPolicy(BasePermissionPolicy):
    """评议: the unit's staff read their ratings and reply to follow-ups; the
    supervising 纪委 reads and moderates; nobody adds (the public does) or deletes.
    Which of moderating and replying a user may do is decided per rating
    (ratings_admin.may_moderate / may_reply)."""

    def _units(self, user):
        return unit_scope(user, EDITOR_ROLES) | supervised_scope(user)

    def user_has_permission(self, user, action):
        if not _is_staff(user) or action not in ("view", "change"):
            return False
        return user.is_superuser or bool(
            direct_units(user, (*EDITOR_ROLES, Role.COMMISSION))
        )

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        return user.is_superuser or instance.unit_id in self._units(user)

    def instances_user_has_any_permission_for(self, user, actions):
        objects = self.model._default_manager.all()
        if not _is_staff(user) or not {"view", "change"} & set(actions):
            return objects.none()
        if user.is_superuser:
            return objects
        return objects.filter(unit_id__in=self._units(user))

    def users_with_any_permission(self, actions):
        return _users(Q(groups__unit_role__isnull=False))
