"""The 公开目录 in the admin: each unit's staff see their catalogs, submit them into
the four-step workflow and follow them; nobody publishes one directly."""

from django.contrib.auth import get_user_model
from django.db.models import Q

from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import DisclosureCatalog, UnitGroup, UnitPage

Role = UnitGroup.Role
STAFF_ROLES = (Role.CLERK, Role.LEADER, Role.HEAD)


def unit_scope(user, roles=STAFF_ROLES):
    """Ids of the units where the user holds one of `roles`, with everything below
    them (Wagtail page permissions are subtree-wide too). Cached on the user."""
    cache = user.__dict__.setdefault("_unit_scope_cache", {})
    key = tuple(sorted(roles))
    if key not in cache:
        paths = UnitPage.objects.filter(
            staff_groups__role__in=roles, staff_groups__group__user=user
        ).values_list("path", flat=True)
        condition = Q()
        for path in paths:
            condition |= Q(path__startswith=path)
        cache[key] = (
            set(UnitPage.objects.filter(condition).values_list("pk", flat=True))
            if paths
            else set()
        )
    return cache[key]


class CatalogPermissionPolicy(BasePermissionPolicy):
    """Staff of a unit may edit (note) and submit its catalog; approval is the
    workflow's and publishing follows it, so no role holds publish or delete."""

    ROLE_ACTIONS = {"change": STAFF_ROLES, "view": STAFF_ROLES, "lock": (Role.HEAD,)}

    def _roles(self, action):
        return self.ROLE_ACTIONS.get(action, ())

    def user_has_permission(self, user, action):
        if not user.is_active:
            return False
        if user.is_superuser:
            return True
        return bool(self._roles(action)) and bool(unit_scope(user, self._roles(action)))

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        if not user.is_active:
            return False
        if user.is_superuser:
            return True
        roles = self._roles(action)
        return bool(roles) and instance.unit_id in unit_scope(user, roles)

    def instances_user_has_any_permission_for(self, user, actions):
        objects = self.model._default_manager.all()
        if user.is_active and user.is_superuser:
            return objects
        units = set()
        for action in actions:
            if self._roles(action):
                units |= unit_scope(user, self._roles(action))
        return objects.filter(unit_id__in=units)

    def users_with_any_permission(self, actions):
        roles = {role for action in actions for role in self._roles(action)}
        return (
            get_user_model()
            .objects.filter(
                Q(is_superuser=True) | Q(groups__unit_role__role__in=roles),
                is_active=True,
            )
            .distinct()
        )


class DisclosureCatalogViewSet(SnippetViewSet):
    model = DisclosureCatalog
    icon = "list-ul"
    menu_label = "公开目录"
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["unit", "version", "status_string"]
    search_fields = ["unit__title", "unit__code"]
    search_backend_name = None
    inspect_view_enabled = True
