"""A unit's public lists as CSV and XLSX downloads (issue 4, part 7).

Only public items (published and disclosed) and published 负面清单 entries are
exported. Stored text is plain text that may begin with a formula sign, so every cell
goes through `neutralise` (OWASP CSV injection guidance) before it is written. CSV is
UTF-8 with a BOM, so Excel opens the Chinese text correctly.
"""

import csv
import io
from urllib.parse import quote

from django.http import HttpResponse

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from disclosure.importing.powers import POWER_COLUMNS, STEP_COLUMNS

#: A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
POWER_HEADER = ("索引号", *(column for column in POWER_COLUMNS if column != "涉密"))
STEP_HEADER = (*STEP_COLUMNS, "分支")
NEGATIVE_HEADER = ("单位编码", "岗位", "禁止行为", "追责情形")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value):
    """The cell as text, with a leading apostrophe when it would start a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def power_rows(unit, items):
    for item in items:
        yield (
            item.index_number or "",
            unit.code,
            item.code,
            item.name,
            item.power_type,
            item.basis,
            item.conditions,
            item.office,
            item.time_limit,
            item.duties,
            item.responsible,
            item.accountability,
            "是" if item.disclosed else "否",
            item.withheld_reason,
        )


def step_rows(unit, items):
    """One row per step of each item; `items` come with their steps prefetched."""
    for item in items:
        for number, step in enumerate(item.steps.all(), start=1):
            yield (
                unit.code,
                item.code,
                number,
                step.name,
                step.post,
                step.time_limit,
                step.risk,
                step.risk_level,
                step.prevention,
                step.branch,
            )


def negative_rows(unit, negatives):
    for entry in negatives:
        yield (unit.code, entry.post or "全单位", entry.act, entry.consequence)


def to_csv(header, rows):
    """UTF-8 bytes with a BOM; every cell neutralised and quoted."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def to_xlsx(sheets, *, title=""):
    """A workbook with one sheet per (name, header, rows); cells neutralised, and
    characters XLSX cannot hold dropped."""
    workbook = Workbook(write_only=True)
    workbook.properties.creator = "阳光权力"
    workbook.properties.title = title
    bold = Font(bold=True)
    for name, header, rows in sheets:
        sheet = workbook.create_sheet(name)
        sheet.freeze_panes = "A2"
        sheet.append([_header_cell(sheet, text, bold) for text in header])
        for row in rows:
            sheet.append([_xlsx_text(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header_cell(sheet, text, font):
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = font
    return cell


def _xlsx_text(value):
    if isinstance(value, int):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", neutralise(value))


def download(content, content_type, filename, fallback):
    """An attachment named `filename` (RFC 6266/5987 `filename*`), with an ASCII
    `fallback` for old clients."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


def ascii_name(text):
    """`text` reduced to characters that are safe in a quoted ASCII filename."""
    kept = "".join(
        c if c.isascii() and (c.isalnum() or c in "-_.") else "-" for c in text
    )
    return kept.strip("-") or "unit"
