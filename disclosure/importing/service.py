"""One import run: check every file first, then write everything in one transaction."""

from dataclasses import dataclass

from django.db import transaction

from . import units as unit_import
from .errors import ImportFailed, Problems


@dataclass
class Summary:
    units: unit_import.Counts | None = None

    def lines(self):
        return [f"单位：{self.units}"] if self.units else []


def import_lists(*, units=None, user=None, progress=None) -> Summary:
    """Import the given files, or raise ImportFailed listing every problem.

    Files are paths or open binary files with a `name` (uploads). `progress`, if
    given, wraps an iterable of rows being written (the command passes tqdm).
    """
    problems = Problems()
    summary = Summary()
    with transaction.atomic():
        unit_rows = unit_import.check_file(units, problems) if units else []
        if problems:
            raise ImportFailed(problems)
        if units:
            summary.units = unit_import.apply_units(
                unit_rows, user=user, progress=progress
            )
    return summary
