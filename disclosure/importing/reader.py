"""Reading an import file — UTF-8 CSV (with or without BOM) or XLSX — row by row.

Every row keeps its line number in the file (for XLSX, its row number in the first
sheet) so problems can point at it. Cells come back as stripped text; invisible
characters are refused here, once, for every kind of list.
"""

import csv
import datetime
import difflib
import io
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from .errors import Problems, display_name

XLSX_SUFFIXES = {".xlsx", ".xlsm"}
ZIP_MAGIC = b"PK\x03\x04"
SAVE_AS_HINT = (
    "请在 Excel 或 WPS 中“另存为”“CSV UTF-8（逗号分隔）”或 .xlsx 后重新导入。"
)


@dataclass(frozen=True)
class Row:
    """One data row: its line number and its cells by header name."""

    line: int
    values: dict[str, str]

    def __getitem__(self, column):
        return self.values.get(column, "")


@dataclass(frozen=True)
class Table:
    name: str
    header_line: int
    rows: list[Row]


def read_table(
    source,
    columns: Sequence[str],
    problems: Problems,
    *,
    name: str | None = None,
    multiline: Collection[str] = (),
) -> Table | None:
    """Read a file whose header must name exactly `columns` (in any order).

    `source` is a path or an open binary file (an upload); `multiline` names the
    columns whose cells may hold line breaks. Problems go to `problems`; the result
    is None when the rows cannot be read at all.
    """
    name = display_name(name or getattr(source, "name", None) or source)
    report = problems.reporter(name, columns)
    data = _read_bytes(source, name, report)
    if data is None:
        return None
    if Path(name).suffix.lower() == ".xls":
        report(None, None, f"不支持旧版 Excel（.xls）文件“{name}”。{SAVE_AS_HINT}")
        return None
    is_workbook = Path(name).suffix.lower() in XLSX_SUFFIXES or data[:4] == ZIP_MAGIC
    records = (
        _workbook_records(data, name, report)
        if is_workbook
        else _csv_records(data, name, report)
    )
    if records is None:
        return None
    records = [(line, cells) for line, cells in records if any(cells)]
    if not records:
        report(1, None, f"文件“{name}”是空的：没有表头，也没有数据行。")
        return None
    header_line, header = records[0]
    positions = _check_header(header, header_line, columns, report)
    if positions is None:
        return None
    titled = {index for index, cell in enumerate(header) if cell}
    rows = [
        _row(line, cells, positions, titled, multiline, report)
        for line, cells in records[1:]
    ]
    if not rows:
        report(header_line, None, "文件只有表头，没有数据行。")
    return Table(name=name, header_line=header_line, rows=rows)


def invisible_problem(text: str, *, multiline: bool = False) -> str | None:
    """Why a cell's text is refused: control, zero-width or direction characters
    hide in copied text and make codes that look equal differ."""
    for char in text:
        if char in "\n\r\t":
            if multiline:
                continue
            return "不能含有换行符或制表符，请把内容写在一行内。"
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Zl", "Zp"):
            label = unicodedata.name(char, "控制字符")
            return f"含有不可见字符 U+{ord(char):04X}（{label}），请删除后重新导入。"
    return None


def _read_bytes(source, name, report) -> bytes | None:
    if hasattr(source, "read"):
        return source.read()
    try:
        return Path(source).read_bytes()
    except FileNotFoundError:
        report(None, None, f"找不到文件“{source}”。")
    except OSError as error:
        report(None, None, f"无法读取文件“{source}”：{error.strerror or error}。")
    return None


def _csv_records(data: bytes, name, report):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        report(line, None, _encoding_message(data, name))
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    records, start = [], 1
    try:
        for cells in reader:
            records.append((start, [cell.strip() for cell in cells]))
            start = reader.line_num + 1
    except csv.Error as error:
        report(start, None, f"无法按 CSV 格式读取这一行（{error}）。{SAVE_AS_HINT}")
        return None
    return records


def _encoding_message(data: bytes, name) -> str:
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        guess = ""
    else:
        guess = "看起来是 GBK/GB18030 编码，"
    return f"文件“{name}”不是 UTF-8 编码，{guess}从这一行起无法识别。{SAVE_AS_HINT}"


def _workbook_records(data: bytes, name, report):
    """Rows of the first sheet, numbered as Excel numbers them."""
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True
        )
        try:
            sheet = workbook.worksheets[0]
            return [
                (line, [_cell_text(value) for value in values])
                for line, values in enumerate(sheet.iter_rows(values_only=True), 1)
            ]
        finally:
            workbook.close()
    # openpyxl fails on damaged or disguised files with whatever the zip, XML or
    # its own layers raise; the clerk needs the file named, not a traceback.
    except Exception:  # noqa: BLE001
        report(
            None,
            None,
            f"文件“{name}”不是有效的 Excel 工作簿（.xlsx），无法打开。{SAVE_AS_HINT}",
        )
        return None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


def _check_header(header, line, columns, report) -> dict[str, int] | None:
    """Map each expected column to its position; None when a column is missing."""
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        title = unicodedata.normalize("NFKC", cell).strip()
        if not title:
            continue
        problem = invisible_problem(title)
        if problem:
            report(line, f"第{index + 1}列", f"表头{problem}")
            continue
        if title in found:
            report(line, title, f"列“{title}”重复出现。")
            continue
        found[title] = index
    missing = [column for column in columns if column not in found]
    for title in found:
        if title not in columns:
            report(line, title, _unknown_column_message(title, missing, columns))
    for column in missing:
        report(line, column, f"缺少列“{column}”。表头应为：{'，'.join(columns)}")
    if missing:
        return None
    return {column: found[column] for column in columns}


def _unknown_column_message(title, missing, columns):
    guess = difflib.get_close_matches(title, missing, n=1, cutoff=0.5)
    if guess:
        return f"无法识别的列“{title}”，是否应为“{guess[0]}”？"
    return f"无法识别的列“{title}”。表头应为：{'，'.join(columns)}"


def _row(line, cells, positions, titled, multiline, report) -> Row:
    values = {}
    for column, index in positions.items():
        text = cells[index] if index < len(cells) else ""
        problem = invisible_problem(text, multiline=column in multiline)
        if problem:
            report(line, column, problem)
        values[column] = text
    for index, text in enumerate(cells):
        if text and index not in titled:
            report(
                line, f"第{index + 1}列", f"这一列没有表头，内容“{text[:20]}”无法识别。"
            )
    return Row(line=line, values=values)
