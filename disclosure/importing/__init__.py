"""Importing the county's lists from CSV or XLSX (DESIGN: interface contract, Import).

`reader` turns a file into numbered rows, `errors` collects `file:row:column: message`
problems, `fields` holds the rules every list shares, and one module per list checks
and applies its rows. `import_lists` runs them all in one transaction.
"""

from .errors import ImportFailed, Problem, Problems
from .service import NotApprover, Summary, import_lists

__all__ = [
    "ImportFailed",
    "NotApprover",
    "Problem",
    "Problems",
    "Summary",
    "import_lists",
]
