"""One import run: check every file first, then write everything in one transaction."""

from dataclasses import dataclass, field

from django.db import transaction

from disclosure.models import PowerItem, UnitPage

from . import powers as power_import
from . import units as unit_import
from .errors import ImportFailed, Problems


@dataclass
class Summary:
    units: unit_import.Counts | None = None
    items: power_import.Counts | None = None
    refused: list = field(default_factory=list)

    def lines(self):
        lines = [f"单位：{self.units}"] if self.units else []
        if self.items:
            lines.append(f"权力事项：{self.items}")
        if self.refused:
            lines.append(
                f"已拒绝涉密事项 {len(self.refused)} 行（涉密事项不得录入本平台，未保存）："
            )
            lines += [f"  {refused}" for refused in self.refused]
        return lines


class NotApprover(Exception):
    """The --approved-by user may not approve (审定) some unit's catalog."""


def import_lists(
    *, units=None, powers=None, steps=None, user=None, progress=None
) -> Summary:
    """Import the given files, or raise ImportFailed listing every problem.

    Files are paths or open binary files with a `name` (uploads). With `user`, items
    are published as an already-approved catalog; without, they are drafts waiting
    for the unit's catalog workflow. `progress` wraps an iterable of rows being
    written (the command passes tqdm).
    """
    problems = Problems()
    summary = Summary()
    with transaction.atomic():
        unit_rows = unit_import.check_file(units, problems) if units else []
        known_units = set(UnitPage.objects.values_list("code", flat=True))
        known_units |= {row.code for row in unit_rows}
        power_rows, refused = [], []
        if powers:
            power_rows, refused = power_import.check_powers(
                powers, problems, known_units
            )
        step_groups = {}
        if steps:
            refused_keys = {(row.unit_code, row.code) for row in refused}
            known_items = _known_items(known_units)
            known_items |= {(row.unit_code, row.code) for row in power_rows}
            step_groups, refused_steps = power_import.check_steps(
                steps, problems, known_items, refused_keys
            )
            refused += refused_steps
        summary.refused = refused
        if problems:
            raise ImportFailed(problems, refused)
        if units:
            summary.units = unit_import.apply_units(
                unit_rows, user=user, progress=progress
            )
        if power_rows or step_groups:
            codes = {row.unit_code for row in power_rows} | {
                key[0] for key in step_groups
            }
            unit_ids = dict(
                UnitPage.objects.filter(code__in=codes).values_list("code", "pk")
            )
            if user is not None:
                check_approver(user, unit_ids)
            summary.items = power_import.apply_lists(
                power_rows, step_groups, unit_ids, user=user, progress=progress
            )
    return summary


def _known_items(unit_codes):
    return set(
        PowerItem.objects.filter(unit__code__in=unit_codes).values_list(
            "unit__code", "code"
        )
    )


def check_approver(user, unit_ids):
    """Publishing an approved file needs 审定 rights (page publish) on every unit."""
    if user.is_superuser:
        return
    denied = [
        unit.code
        for unit in UnitPage.objects.filter(pk__in=unit_ids.values())
        if not unit.permissions_for_user(user).can_publish()
    ]
    if denied:
        raise NotApprover(
            f"用户“{user.get_username()}”没有以下单位的审定权限：{'、'.join(sorted(denied))}。"
        )
