"""Unit staff groups and what each member may see (DESIGN: people and roles).

Every unit gets 录入员 / 分管领导 / 主要领导 groups whose Wagtail page permissions are
rooted at the unit's page; a 纪委 unit also gets a 纪委 group. Wagtail has no "view"
page permission, so a 纪委's read access is decided here and checked by its own views.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from wagtail.models import GroupPagePermission

from sunlight import pagecache

from . import units as unit_rules
from .models import UnitGroup, UnitPage

Role = UnitGroup.Role

PAGE_PERMISSIONS = {
    Role.CLERK: ("add", "change"),
    Role.LEADER: ("add", "change", "lock"),
    Role.HEAD: ("add", "change", "publish", "lock", "unlock"),
    Role.COMMISSION: (),
}


def roles_for(unit):
    roles = [Role.CLERK, Role.LEADER, Role.HEAD]
    if unit.is_commission:
        roles.append(Role.COMMISSION)
    return roles


def group_name(unit, role):
    return f"{unit.code} {unit.title} · {Role(role).label}"[:150]


@transaction.atomic
def ensure_unit_groups(unit):
    """Create (or rename) the unit's role groups; safe to call again."""
    permissions = _permissions()
    existing = {link.role: link for link in unit.staff_groups.select_related("group")}
    for role in roles_for(unit):
        name = group_name(unit, role)
        link = existing.get(role)
        if link is None:
            group, _ = Group.objects.get_or_create(name=name)
            link = UnitGroup.objects.create(unit=unit, role=role, group=group)
        elif link.group.name != name:
            link.group.name = name
            link.group.save(update_fields=["name"])
        link.group.permissions.add(permissions["access_admin"])
        for action in PAGE_PERMISSIONS[role]:
            GroupPagePermission.objects.get_or_create(
                group=link.group,
                page=unit.page_ptr,
                permission=permissions[f"{action}_page"],
            )


def _permissions():
    """The admin-access and page permissions the role groups use, in one query."""
    wanted = {
        f"{action}_page" for actions in PAGE_PERMISSIONS.values() for action in actions
    }
    rows = Permission.objects.filter(
        Q(content_type__app_label="wagtailadmin", codename="access_admin")
        | Q(content_type__app_label="wagtailcore", codename__in=wanted)
    )
    return {permission.codename: permission for permission in rows}


def refresh_supervisors():
    """Recompute every unit's effective 纪委 after the tree or an override changed."""
    rows = list(
        UnitPage.objects.values_list(
            "pk",
            "code",
            "unit_type",
            "supervisor_id",
            "supervisor_override__code",
            "path",
        )
    )
    code_by_path = {path: code for _, code, _, _, _, path in rows}
    step = UnitPage.steplen
    nodes = [
        unit_rules.UnitNode(
            code=code,
            parent_code=code_by_path.get(path[:-step]),
            unit_type=unit_type,
            override_code=override,
        )
        for _, code, unit_type, _, override, path in rows
    ]
    supervisors = unit_rules.effective_supervisors(nodes)
    pk_by_code = {code: pk for pk, code, *_ in rows}
    changed = []
    for pk, code, _, current, _, _ in rows:
        wanted = pk_by_code.get(supervisors.get(code))
        if wanted != current:
            changed.append(UnitPage(pk=pk, supervisor_id=wanted))
    UnitPage.objects.bulk_update(changed, ["supervisor"], batch_size=500)
    if changed:
        pagecache.bump_all()  # bulk writes send no signals; 举报 routing reads this
    return len(changed)


def units_of(user, roles=None):
    """The units where the user holds a role (any role unless `roles` is given)."""
    links = UnitGroup.objects.filter(group__user=user)
    if roles:
        links = links.filter(role__in=roles)
    return UnitPage.objects.filter(pk__in=links.values("unit_id"))


def supervised_units(user):
    """Units a user may watch as 纪委 staff: all for a superuser, else the closure of
    the 纪委 units where they sit in the 纪委 group."""
    if user.is_superuser:
        return UnitPage.objects.all()
    commissions = set(units_of(user, [Role.COMMISSION]).values_list("code", flat=True))
    if not commissions:
        return UnitPage.objects.none()
    supervisors = dict(UnitPage.objects.values_list("code", "supervisor__code"))
    codes = set()
    for commission in commissions:
        codes |= unit_rules.supervised_closure(supervisors, commission)
    return UnitPage.objects.filter(code__in=codes)
