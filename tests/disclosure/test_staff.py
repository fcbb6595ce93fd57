"""Unit staff groups, effective supervisors and 纪委 scope (DESIGN: people and roles)."""

from django.contrib.auth.models import Group

from wagtail.models import GroupPagePermission

import pytest

from disclosure import units
from disclosure.models import UnitGroup, UnitPage
from disclosure.staff import (
    ensure_unit_groups,
    roles_for,
    supervised_units,
    units_of,
)
from disclosure.units import UnitNode, effective_supervisors, supervised_closure
from tests.factories import UserFactory, make_unit, staff

Role = UnitGroup.Role


def unit(code):
    return UnitPage.objects.get(code=code)


def codes(queryset):
    return set(queryset.values_list("code", flat=True))


def page_permissions(group):
    return {
        (perm.page_id, perm.permission.codename)
        for perm in GroupPagePermission.objects.filter(group=group).select_related(
            "permission"
        )
    }


# Groups ---------------------------------------------------------------------


def test_a_new_unit_gets_three_role_groups_rooted_at_its_page(db):
    office = make_unit(code="X01", title="某镇社会事务办公室", unit_type="部门")

    links = {link.role: link.group for link in office.staff_groups.all()}

    assert set(links) == {Role.CLERK, Role.LEADER, Role.HEAD}
    assert page_permissions(links[Role.CLERK]) == {
        (office.pk, "add_page"),
        (office.pk, "change_page"),
    }
    assert page_permissions(links[Role.LEADER]) == {
        (office.pk, "add_page"),
        (office.pk, "change_page"),
        (office.pk, "lock_page"),
    }
    assert page_permissions(links[Role.HEAD]) == {
        (office.pk, "add_page"),
        (office.pk, "change_page"),
        (office.pk, "publish_page"),
        (office.pk, "lock_page"),
        (office.pk, "unlock_page"),
    }
    for group in links.values():
        assert group.permissions.filter(codename="access_admin").exists()
        assert group.name.startswith("X01 某镇社会事务办公室 · ")


def test_a_commission_unit_also_gets_a_commission_group_without_page_rights(db):
    commission = make_unit(
        code="X01-J", title="中共某镇纪律检查委员会", unit_type="纪委"
    )

    links = {link.role: link.group for link in commission.staff_groups.all()}

    assert set(links) == {Role.CLERK, Role.LEADER, Role.HEAD, Role.COMMISSION}
    assert page_permissions(links[Role.COMMISSION]) == set()
    assert links[Role.COMMISSION].permissions.filter(codename="access_admin").exists()


def test_ensure_unit_groups_is_idempotent_and_follows_a_rename(db):
    office = make_unit(code="X02", title="旧名称", unit_type="部门")
    groups_before = Group.objects.count()
    permissions_before = GroupPagePermission.objects.count()

    office.title = "新名称"
    ensure_unit_groups(office)
    ensure_unit_groups(office)

    assert Group.objects.count() == groups_before
    assert GroupPagePermission.objects.count() == permissions_before
    assert set(office.staff_groups.values_list("group__name", flat=True)) == {
        "X02 新名称 · 录入员",
        "X02 新名称 · 分管领导",
        "X02 新名称 · 主要领导",
    }


@pytest.mark.django_db  # a Page looks up its content type (cached, unless cleared)
def test_roles_for_depends_on_unit_type():
    assert roles_for(UnitPage(unit_type="部门")) == [Role.CLERK, Role.LEADER, Role.HEAD]
    assert Role.COMMISSION in roles_for(UnitPage(unit_type="纪委"))


# Effective supervisors -----------------------------------------------------


@pytest.mark.parametrize(
    ("code", "supervisor"),
    [
        ("T01-A-1", "T01-A-J"),
        ("T01-A-2", "T01-A-J"),
        ("T01-A-V1", "T01-A-J"),
        ("T01-A", "T01-A-J"),
        ("T01-A-J", "T01-J"),
        ("T01", "T01-J"),
        ("T01-J", None),
    ],
)
def test_effective_supervisor_in_the_county(county, code, supervisor):
    found = unit(code).supervisor
    assert (found.code if found else None) == supervisor


def test_an_override_wins_and_is_inherited_by_subunits(county):
    office = unit("T01-A-2")
    office.supervisor_override = unit("T01-J")
    office.save_revision().publish()
    make_unit(office, code="T01-A-2-1", title="村镇建设办公室规划股", unit_type="部门")

    assert unit("T01-A-2").supervisor.code == "T01-J"
    assert unit("T01-A-2-1").supervisor.code == "T01-J"
    assert unit("T01-A-1").supervisor.code == "T01-A-J"


def test_removing_an_override_restores_the_inherited_supervisor(county):
    office = unit("T01-A-1")
    office.supervisor_override = unit("T01-J")
    office.save_revision().publish()
    office = unit("T01-A-1")
    office.supervisor_override = None
    office.save_revision().publish()

    assert unit("T01-A-1").supervisor.code == "T01-A-J"


# Who sees what ---------------------------------------------------------------


def test_units_of_lists_the_units_where_a_user_holds_a_role(county):
    clerk = staff(unit("T01-A-1"), Role.CLERK)
    clerk.groups.add(UnitGroup.objects.get(unit__code="T01-A-2", role=Role.HEAD).group)

    assert codes(units_of(clerk)) == {"T01-A-1", "T01-A-2"}
    assert codes(units_of(clerk, [Role.HEAD])) == {"T01-A-2"}


def test_a_township_commission_supervises_its_township(county):
    user = staff(unit("T01-A-J"), Role.COMMISSION)

    assert codes(supervised_units(user)) == {"T01-A", "T01-A-1", "T01-A-2", "T01-A-V1"}


def test_the_county_commission_also_supervises_through_township_commissions(county):
    user = staff(unit("T01-J"), Role.COMMISSION)

    assert codes(supervised_units(user)) == {
        "T01",
        "T01-A-J",
        "T01-A",
        "T01-A-1",
        "T01-A-2",
        "T01-A-V1",
    }


def test_only_the_commission_group_gives_supervision(county):
    clerk_of_commission = staff(unit("T01-A-J"), Role.CLERK)
    office_head = staff(unit("T01-A-1"), Role.HEAD)

    assert not supervised_units(clerk_of_commission).exists()
    assert not supervised_units(office_head).exists()


def test_a_superuser_supervises_everything(county):
    admin = UserFactory(username="root", is_superuser=True)

    assert codes(supervised_units(admin)) == codes(UnitPage.objects.all())


# disclosure.units: pure rules ----------------------------------------------

TREE = [
    UnitNode("C", None, "政府"),
    UnitNode("C-J", "C", "纪委"),
    UnitNode("C-1", "C", "部门"),
    UnitNode("C-1-J", "C-1", "纪委"),
    UnitNode("C-2", "C", "部门", override_code="C-1-J"),
    UnitNode("C-2-1", "C-2", "部门"),
    UnitNode("T", "C", "政府"),
    UnitNode("T-J", "T", "纪委"),
    UnitNode("T-1", "T", "部门"),
    UnitNode("T-V1", "T", "村(居)委会"),
    UnitNode("T-V1-1", "T-V1", "村(居)委会"),
    UnitNode("T-2", "T", "部门", override_code="C-J"),
    UnitNode("N", None, "政府"),
    UnitNode("N-1", "N", "部门"),
]


@pytest.mark.parametrize(
    ("code", "supervisor", "why"),
    [
        ("C", "C-J", "a commission directly under the unit"),
        ("C-J", None, "nothing above the county's own commission"),
        ("C-1", "C-1-J", "a commission placed in a department supervises it"),
        ("C-1-J", "C-J", "a commission is supervised one level up"),
        ("C-2", "C-1-J", "its own override"),
        ("C-2-1", "C-1-J", "the parent's override is inherited"),
        ("T", "T-J", "a township's commission sits under it"),
        ("T-J", "C-J", "a township commission is supervised by the county's"),
        ("T-1", "T-J", "an office inherits its township's commission"),
        ("T-V1-1", "T-J", "inherited over two levels"),
        ("T-2", "C-J", "an override may skip a level"),
        ("N", None, "a tree without any commission"),
        ("N-1", None, "a tree without any commission"),
    ],
)
def test_effective_supervisors(code, supervisor, why):
    assert effective_supervisors(TREE)[code] == supervisor, why


def test_two_commissions_under_one_unit_look_one_level_up():
    nodes = [
        UnitNode("P", None, "政府"),
        UnitNode("P-J", "P", "纪委"),
        UnitNode("C", "P", "政府"),
        UnitNode("C-J", "C", "纪委"),
        UnitNode("C-Z", "C", "纪委"),
    ]
    supervisors = effective_supervisors(nodes)
    assert (supervisors["C-J"], supervisors["C-Z"]) == ("P-J", "P-J")


def test_an_override_pointing_at_the_unit_itself_is_ignored():
    nodes = [
        UnitNode("C", None, "政府"),
        UnitNode("C-J", "C", "纪委"),
        UnitNode("C-1", "C", "部门", override_code="C-1"),
    ]
    assert effective_supervisors(nodes)["C-1"] == "C-J"


def test_a_cycle_in_parent_codes_does_not_hang():
    nodes = [UnitNode("A", "B", "部门"), UnitNode("B", "A", "部门")]
    assert effective_supervisors(nodes) == {"A": None, "B": None}


@pytest.mark.parametrize(
    ("commission", "expected"),
    [
        ("T-J", {"T", "T-1", "T-V1", "T-V1-1"}),
        ("C-1-J", {"C-1", "C-2", "C-2-1"}),
        (
            "C-J",
            {"C", "C-1-J", "T-J", "T-2"}
            | {"C-1", "C-2", "C-2-1"}
            | {"T", "T-1", "T-V1", "T-V1-1"},
        ),
        ("T-1", set()),
        ("nobody", set()),
    ],
)
def test_supervised_closure(commission, expected):
    assert supervised_closure(effective_supervisors(TREE), commission) == expected


def test_supervised_closure_survives_a_supervision_cycle():
    assert supervised_closure({"A": "B", "B": "A"}, "A") == {"A", "B"}


def test_the_contract_vocabulary():
    assert units.LEVELS == ("市", "县", "乡", "村")
    assert units.UNIT_TYPES == (
        "党委",
        "政府",
        "纪委",
        "部门",
        "村(居)委会",
        "事业单位",
    )
    assert units.COMMISSION in units.UNIT_TYPES
