"""DESIGN rule 2 for attachments: personal data inside PDF, DOCX and XLSX is found."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from disclosure.documents import (
    UnreadableDocument,
    check_document,
    extract_text,
    kind_of,
)

ID = "11010519491231002X"


def docx(text):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body><w:p><w:r><w:t>申请人身份证</w:t></w:r><w:r><w:t>{text}</w:t></w:r></w:p>"
            "</w:body></w:document>",
        )
    return buffer.getvalue()


def xlsx(value):
    workbook = Workbook()
    workbook.active.append(["姓名", "电话"])
    workbook.active.append(["某某", value])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pdf(text):
    """A one-page PDF whose content stream shows `text` (ASCII)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, xref)
    )
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [(pdf("x"), "pdf"), (docx("x"), "docx"), (xlsx("x"), "xlsx"), (b"GIF89a", None)],
)
def test_the_type_comes_from_the_content(data, kind):
    assert kind_of(data) == kind


@pytest.mark.parametrize("make", [pdf, docx, xlsx])
def test_an_id_number_inside_a_document_is_found_and_masked(make):
    check = check_document(make(f"ID {ID}"))
    assert [finding.kind for finding in check.findings] == ["id_number"]
    message = check.message("附件“公示.pdf”")
    assert "110105********002X" in message and ID not in message


@pytest.mark.parametrize("make", [pdf, docx, xlsx])
def test_a_clean_document_passes(make):
    assert check_document(make("Office 0818-2345678")).findings == []


def test_a_mobile_number_in_a_spreadsheet_is_found():
    assert check_document(xlsx("13800138000")).findings[0].kind == "mobile"


@pytest.mark.parametrize(
    "data", [b"not a document", b"PK\x03\x04broken zip", b"%PDF-1.4 truncated"]
)
def test_unreadable_files_get_a_chinese_message(data):
    with pytest.raises(UnreadableDocument) as error:
        extract_text(data)
    assert any("\u4e00" <= char <= "\u9fff" for char in str(error.value))
