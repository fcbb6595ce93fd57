"""Importing the unit tree (单位清单): check every row, then create or update pages.

The checks are plain functions over rows and a code→parent map, so they run without
a database; `apply_units` is the only part that writes. Units in the database but not
in the file are left alone: a list adds and corrects units, it never deletes them.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.utils.text import slugify

from wagtail.actions.move_page import MovePageAction
from wagtail.actions.publish_page_revision import PublishPageRevisionAction
from wagtail.coreutils import find_available_slug

from disclosure import units as unit_rules
from disclosure.models import HomePage, UnitPage
from disclosure.signals import deferred_unit_refresh

from .errors import Problems
from .fields import (
    REQUIRED,
    choice_problem,
    code_problem,
    length_problem,
    normalise_choice,
    normalise_code,
)
from .reader import Row, read_table

CODE, NAME, PARENT, LEVEL, TYPE = COLUMNS = (
    "单位编码",
    "单位名称",
    "上级单位编码",
    "层级",
    "单位类型",
)
NAME_MAX_LENGTH = 255

Report = Callable[[int | None, str | None, str], None]


@dataclass(frozen=True)
class UnitRow:
    line: int
    code: str
    name: str
    parent_code: str | None
    level: str
    unit_type: str


@dataclass
class Counts:
    created: int = 0
    changed: int = 0
    unchanged: int = 0

    def __str__(self):
        return f"新建 {self.created}，更新 {self.changed}，未变 {self.unchanged}"


def check_file(source, problems: Problems, *, name=None) -> list[UnitRow]:
    """Read and check a units file against the units already in the database;
    the rows come back parents first, ready for `apply_units`."""
    table = read_table(source, COLUMNS, problems, name=name)
    if table is None:
        return []
    report = problems.reporter(table.name)
    rows = [unit for row in table.rows if (unit := parse_row(row, report))]
    existing = existing_parents()
    ordered = check_tree(rows, existing, report)
    top = next(
        (row for row in ordered if row.code not in existing and not row.parent_code),
        None,
    )
    if top and not HomePage.objects.exists():
        report(top.line, PARENT, "站点还没有首页，无法放置顶级单位，请先运行 migrate。")
    return ordered


def parse_row(row: Row, report: Report) -> UnitRow | None:
    """Normalise and check one row; None when it has no usable 单位编码."""
    code, parent = normalise_code(row[CODE]), normalise_code(row[PARENT])
    level, unit_type = normalise_choice(row[LEVEL]), normalise_choice(row[TYPE])
    name = row[NAME]
    problems = {
        CODE: code_problem(code) if code else REQUIRED,
        NAME: length_problem(name, NAME_MAX_LENGTH) if name else REQUIRED,
        PARENT: code_problem(parent) if parent else None,
        LEVEL: choice_problem(level, unit_rules.LEVELS, "层级") if level else REQUIRED,
        TYPE: (
            choice_problem(unit_type, unit_rules.UNIT_TYPES, "单位类型")
            if unit_type
            else REQUIRED
        ),
    }
    for column, message in problems.items():
        if message:
            report(row.line, column, message)
    if problems[CODE]:
        return None
    return UnitRow(
        line=row.line,
        code=code,
        name=name,
        parent_code=parent if parent and not problems[PARENT] else None,
        level=level,
        unit_type=unit_type,
    )


def check_tree(
    rows: Iterable[UnitRow], existing: Mapping[str, str | None], report: Report
) -> list[UnitRow]:
    """Check codes are unique, parents exist and nobody is their own ancestor.

    `existing` maps the database's unit codes to their parents' codes; a parent may
    be there or anywhere in the file. Returns each code's row, parents first.
    """
    first: dict[str, UnitRow] = {}
    for row in rows:
        if row.code in first:
            report(
                row.line,
                CODE,
                f"单位编码“{row.code}”重复，第 {first[row.code].line} 行已有。",
            )
        else:
            first[row.code] = row
    parents = dict(existing)
    parents.update({code: row.parent_code for code, row in first.items()})
    for row in first.values():
        if row.parent_code and row.parent_code not in parents:
            report(row.line, PARENT, f"上级单位“{row.parent_code}”不存在")
    for cycle in find_cycles(parents, first):
        for code in cycle:
            if code in first:
                report(first[code].line, PARENT, _cycle_message(code, cycle))
    return sorted(first.values(), key=lambda row: (_depth(row, first), row.line))


def find_cycles(
    parents: Mapping[str, str | None], starts: Iterable[str]
) -> list[list[str]]:
    """Every cycle reachable by walking up from `starts`, each listed once."""
    done: set[str] = set()
    cycles = []
    for start in starts:
        path: list[str] = []
        position: dict[str, int] = {}
        code = start
        while code in parents and code not in done:
            if code in position:
                cycles.append(path[position[code] :])
                break
            position[code] = len(path)
            path.append(code)
            code = parents[code]
        done.update(path)
    return cycles


def _cycle_message(code, cycle):
    if len(cycle) == 1:
        return f"上级单位不能是本单位“{code}”。"
    turn = cycle.index(code)
    ring = [*cycle[turn:], *cycle[:turn], code]
    return f"上级关系形成循环：{' → '.join(ring)}。"


def _depth(row: UnitRow, first: Mapping[str, UnitRow]) -> int:
    """How many of the file's own units sit above this one (cycles cut short)."""
    depth, seen, parent = 0, {row.code}, row.parent_code
    while parent in first and parent not in seen:
        seen.add(parent)
        depth += 1
        parent = first[parent].parent_code
    return depth


def existing_parents() -> dict[str, str | None]:
    rows = list(UnitPage.objects.values_list("code", "path"))
    code_by_path = {path: code for code, path in rows}
    step = UnitPage.steplen
    return {code: code_by_path.get(path[:-step]) for code, path in rows}


def unit_slug(code: str) -> str:
    """The code lowercased, or the closest slug when it holds other characters."""
    allow_unicode = getattr(settings, "WAGTAIL_ALLOW_UNICODE_SLUGS", True)
    return slugify(code, allow_unicode=allow_unicode) or "unit"


def apply_units(rows: list[UnitRow], *, user=None, progress=None) -> Counts:
    """Create, update and move unit pages to match checked rows (parents first).

    Staff groups and supervisors are brought up to date once, at the end.
    """
    with deferred_unit_refresh():
        return _apply(rows, user, progress)


def _apply(rows, user, progress) -> Counts:
    counts = Counts()
    units = {unit.code: unit for unit in UnitPage.objects.all()}
    current_parents = existing_parents()
    home = None
    moves = []
    for row in progress(rows) if progress else rows:
        unit = units.get(row.code)
        if unit is None:
            if row.parent_code is None:
                home = home or HomePage.objects.get()
            parent = units[row.parent_code] if row.parent_code else home
            units[row.code] = unit = _create(row, parent, user)
            counts.created += 1
            continue
        edited = _update(unit, row, user)
        moved = current_parents.get(row.code) != row.parent_code
        if moved:
            moves.append(row)
        if edited or moved:
            counts.changed += 1
        else:
            counts.unchanged += 1
    for row in moves:
        _move(row, user)
    return counts


def _create(row: UnitRow, parent, user) -> UnitPage:
    unit = UnitPage(
        title=row.name,
        slug=find_available_slug(parent, unit_slug(row.code)),
        code=row.code,
        level=row.level,
        unit_type=row.unit_type,
        owner=user,
        live=False,
    )
    parent.add_child(instance=unit)
    _publish(unit, user)
    return unit


def _update(unit: UnitPage, row: UnitRow, user) -> bool:
    wanted = {"title": row.name, "level": row.level, "unit_type": row.unit_type}
    if all(getattr(unit, field) == value for field, value in wanted.items()):
        return False
    for field, value in wanted.items():
        setattr(unit, field, value)
    _publish(unit, user)
    return True


def _move(row: UnitRow, user):
    unit = UnitPage.objects.get(code=row.code)
    target = (
        UnitPage.objects.get(code=row.parent_code)
        if row.parent_code
        else HomePage.objects.get()
    )
    current = unit.get_parent()
    if _slug_taken(unit.slug, target, unit):
        unit.slug = _free_slug(unit, current, target)
        _publish(unit, user)
    MovePageAction(unit, target, pos="last-child", user=user).execute(
        skip_permission_checks=True
    )


def _slug_taken(slug, parent, page) -> bool:
    return parent.get_children().filter(slug=slug).exclude(pk=page.pk).exists()


def _free_slug(page, *parents) -> str:
    base, number, slug = page.slug, 1, page.slug
    while any(_slug_taken(slug, parent, page) for parent in parents):
        slug, number = f"{base}-{number}", number + 1
    return slug


def _publish(unit: UnitPage, user):
    """Save a revision and publish it as the admin does (audit log included)."""
    revision = unit.save_revision(user=user, log_action=True)
    # The operator running the import is trusted: `user` is recorded, not checked.
    PublishPageRevisionAction(revision, user=user).execute(skip_permission_checks=True)
