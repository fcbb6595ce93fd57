"""Problems found in an import file, reported as `file:row:column: message`.

DESIGN (Import): a file with any invalid row imports nothing, and every problem is
listed with the file's line number (header = line 1) and the column's header name,
so a clerk can find each one in Excel. Checks report and carry on; nothing stops at
the first problem.
"""

from dataclasses import dataclass
from pathlib import PurePath


@dataclass(frozen=True)
class Problem:
    """One problem; `row` or `column` is None when it concerns the whole file or row."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self):
        place = [self.file]
        if self.row is not None:
            place.append(str(self.row))
        if self.column is not None:
            place.append(self.column)
        return f"{':'.join(place)}: {self.message}"


class Problems:
    """Collects problems from every file of one import, in a stable reading order."""

    def __init__(self):
        self._items: list[Problem] = []
        self._files: list[str] = []
        self._columns: dict[str, list[str]] = {}

    def add(self, file, row, column, message):
        name = display_name(file)
        if name not in self._files:
            self._files.append(name)
        self._items.append(Problem(name, row, column, message))

    def reporter(self, file, columns=None):
        """A `report(row, column, message)` callable bound to one file; `columns`
        (the expected header) orders a row's problems as the columns stand."""
        name = display_name(file)
        if columns:
            self._columns[name] = list(columns)

        def report(row, column, message):
            self.add(name, row, column, message)

        return report

    def __bool__(self):
        return bool(self._items)

    def __len__(self):
        return len(self._items)

    def __iter__(self):
        """File by file as first reported, then by row and column."""
        return iter(sorted(self._items, key=self._place))

    def _place(self, problem):
        columns = self._columns.get(problem.file, [])
        if problem.column is None:
            column = -1
        elif problem.column in columns:
            column = columns.index(problem.column)
        else:
            column = len(columns)
        return self._files.index(problem.file), problem.row or 0, column

    def lines(self):
        return [str(problem) for problem in self]


class ImportFailed(Exception):
    """Raised with every problem found; the import has changed nothing."""

    def __init__(self, problems: Problems, refused=()):
        self.problems = problems
        self.refused = list(refused)
        super().__init__(f"导入失败：发现 {len(problems)} 个问题，未导入任何数据。")


def display_name(file):
    """The name a clerk knows the file by: its base name, as in `units.csv:5:…`."""
    return PurePath(str(file)).name or str(file)
