"""Text out of uploaded documents (PDF, DOCX, XLSX), so the personal-data guard can
read attachments as it reads form fields (DESIGN rule 2). The type is decided by the
file's content, never by its name."""

import io
import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

from openpyxl import load_workbook

from . import pii

PDF, DOCX, XLSX = "pdf", "docx", "xlsx"
MAX_TEXT = 2_000_000  # characters read from one document at most


class UnreadableDocument(ValueError):
    """The file is not a PDF, DOCX or XLSX we can read; the message is for people."""


def kind_of(data: bytes):
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return None
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    return None


def extract_text(data: bytes) -> str:
    kind = kind_of(data)
    try:
        if kind == PDF:
            return _pdf_text(data)
        if kind == DOCX:
            return _docx_text(data)
        if kind == XLSX:
            return _xlsx_text(data)
    except UnreadableDocument:
        raise
    except Exception as error:  # noqa: BLE001 - any parser failure means "unreadable"
        raise UnreadableDocument("文件已损坏或无法读取，请重新导出后上传。") from error
    raise UnreadableDocument(
        "只能上传 PDF、DOCX 或 XLSX 文件（按文件内容判断，而非扩展名）。"
    )


def _pdf_text(data):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise UnreadableDocument(
            "PDF 文件已加密，无法检查其中是否含有个人信息，请去除密码后上传。"
        )
    parts, size = [], 0
    for page in reader.pages:
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
        if size > MAX_TEXT:
            break
    return "\n".join(parts)


def _docx_text(data):
    archive = zipfile.ZipFile(io.BytesIO(data))
    parts = [
        name
        for name in archive.namelist()
        if re.fullmatch(
            r"word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml",
            name,
        )
    ]
    texts = []
    for name in parts:
        root = ElementTree.fromstring(archive.read(name))  # noqa: S314 - no DTDs in OOXML parts
        for paragraph in root.iter(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"
        ):
            texts.append(
                "".join(
                    node.text or ""
                    for node in paragraph.iter(
                        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"
                    )
                )
            )
    return "\n".join(texts)


def _xlsx_text(data):
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    lines, size = [], 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            line = " ".join(str(cell) for cell in row if cell is not None)
            lines.append(line)
            size += len(line)
            if size > MAX_TEXT:
                return "\n".join(lines)
    return "\n".join(lines)


@dataclass(frozen=True)
class DocumentCheck:
    findings: list

    def message(self, file_label):
        return pii.describe(file_label, self.findings) if self.findings else ""


def check_document(data: bytes) -> DocumentCheck:
    """Personal data in a document's text (masked findings only)."""
    return DocumentCheck(pii.find_personal_data(extract_text(data)))
