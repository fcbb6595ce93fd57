"""Routing rules as a table (complaints/routing.py): who is a principal leader, and
which 纪委 a report goes to. The tree mirrors the demo county: a county with its 纪委,
a bureau with a 派驻纪检组, a township with its 党委, 纪委, offices and a village."""

import pytest

from complaints import routing
from complaints.routing import LEVEL_HEAD, UNIT_HEAD, Unit


def unit(code, unit_type, level, parent, supervisor):
    return Unit(code, unit_type, level, parent, supervisor)


TREE = {
    u.code: u
    for u in (
        unit("C", "政府", "县", None, "C-J"),
        unit("C-J", "纪委", "县", "C", None),
        unit("C-P", "党委", "县", "C", "C-J"),
        unit("C-1", "部门", "县", "C", "C-1-J"),
        unit("C-1-J", "纪委", "县", "C-1", "C-J"),
        unit("C-2", "部门", "县", "C", "C-J"),
        unit("T", "政府", "乡", "C", "T-J"),
        unit("T-P", "党委", "乡", "T", "T-J"),
        unit("T-J", "纪委", "乡", "T", "C-J"),
        unit("T-1", "部门", "乡", "T", "T-J"),
        unit("T-V1", "村(居)委会", "村", "T", "T-J"),
        unit("T-S", "事业单位", "乡", "T", "T-J"),
    )
}


@pytest.mark.parametrize(
    ("post", "unit_type", "kind"),
    [
        ("镇长", "政府", LEVEL_HEAD),
        ("乡长", "政府", LEVEL_HEAD),
        ("代镇长", "政府", LEVEL_HEAD),
        ("镇党委书记", "党委", LEVEL_HEAD),
        ("书记", "党委", UNIT_HEAD),
        ("书记", "政府", UNIT_HEAD),
        ("镇党委副书记、镇长", "政府", LEVEL_HEAD),
        ("副镇长", "政府", ""),
        ("常务副县长", "政府", ""),
        ("党委副书记", "党委", ""),
        ("镇长助理", "政府", ""),
        ("党政办主任", "政府", ""),
        ("局长", "部门", UNIT_HEAD),
        ("县民政局局长", "部门", UNIT_HEAD),
        ("副局长", "部门", ""),
        ("社会事务办主任", "部门", UNIT_HEAD),
        ("副主任", "部门", ""),
        ("四级主任科员", "部门", ""),
        ("所长", "部门", UNIT_HEAD),
        ("村民委员会主任", "村(居)委会", UNIT_HEAD),
        ("村委会主任", "村(居)委会", UNIT_HEAD),
        ("村党支部书记", "村(居)委会", UNIT_HEAD),
        ("村委委员", "村(居)委会", ""),
        ("村会计", "村(居)委会", ""),
        ("院长", "事业单位", UNIT_HEAD),
        ("纪委书记", "纪委", UNIT_HEAD),
        ("纪委委员", "纪委", ""),
        ("法院书记员", "部门", ""),
        ("主要负责人", "部门", UNIT_HEAD),
        ("一把手", "村(居)委会", UNIT_HEAD),
        ("主持工作的副镇长", "政府", UNIT_HEAD),
        ("工作人员", "部门", ""),
        ("", "政府", ""),
        ("局长", "政府", ""),
    ],
)
def test_leader_kind(post, unit_type, kind):
    assert routing.leader_kind(post, unit_type) == kind


@pytest.mark.parametrize(
    ("code", "kind", "handler", "principal"),
    [
        # Ordinary staff: the supervising 纪委 of the accused unit.
        ("T-1", "", "T-J", False),
        ("T-V1", "", "T-J", False),
        ("T", "", "T-J", False),
        ("C-1", "", "C-1-J", False),
        ("C-2", "", "C-J", False),
        # The township's 党政一把手 lead the unit the township 纪委 sits in: one up.
        ("T", UNIT_HEAD, "C-J", True),
        ("T", LEVEL_HEAD, "C-J", True),
        ("T-P", UNIT_HEAD, "C-J", True),
        # A 镇长 reported under one of the township's offices still goes up.
        ("T-1", LEVEL_HEAD, "C-J", True),
        ("T-V1", LEVEL_HEAD, "C-J", True),
        # A bureau head whose bureau hosts a 派驻纪检组: the county 纪委.
        ("C-1", UNIT_HEAD, "C-J", True),
        # Heads managed by the township (office director, village head) stay there.
        ("T-1", UNIT_HEAD, "T-J", True),
        ("T-V1", UNIT_HEAD, "T-J", True),
        ("T-S", UNIT_HEAD, "T-J", True),
        # A bureau without its own 纪委 is supervised by the county 纪委 directly.
        ("C-2", UNIT_HEAD, "C-J", True),
        # A township 纪委 is already supervised one level up.
        ("T-J", "", "C-J", False),
        ("T-J", UNIT_HEAD, "C-J", True),
    ],
)
def test_route(code, kind, handler, principal):
    route = routing.route(code, TREE, kind)
    assert (route.handler, route.principal) == (handler, principal)
    assert not route.escalation_missing


def test_head_of_the_top_level_is_flagged_for_escalation_outside():
    route = routing.route("C", TREE, UNIT_HEAD)
    assert route.handler == "C-J"
    assert route.escalation_missing
    assert "上级纪委" in route.reason


def test_the_top_commission_has_no_handler_on_the_platform():
    assert routing.route("C-J", TREE, "").handler is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("刘某某（桃源村村委委员）", "刘某某"),
        ("张三(镇长)", "张三"),
        (" 李四 ", "李四"),
        ("", ""),
    ],
)
def test_accused_name(text, name):
    assert routing.accused_name(text) == name


def test_recusal_of_the_accused_and_of_the_accused_unit():
    staff = [
        routing.Staff("liu", "刘芳", frozenset({"T-J"})),
        routing.Staff("zhang", "张三", frozenset({"T-J"})),
        routing.Staff("both", "王五", frozenset({"T-J", "T-1"})),
    ]
    assert routing.recused(staff, "T-1", "张三（社会事务办主任）") == {"zhang", "both"}
    assert routing.recused(staff, "T-V1", "某某") == set()
