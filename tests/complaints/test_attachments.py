"""Attachments lose their metadata and are typed by content (DESIGN rule 9)."""

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from PIL import Image
from pypdf import PdfReader, PdfWriter

from complaints import attachments
from complaints.attachments import Refused


def jpeg_with_gps():
    image = Image.new("RGB", (64, 48), "blue")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x013B] = "Reporter Name"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (30.0, 15.0, 12.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_jpeg_loses_exif_and_gps():
    data = jpeg_with_gps()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)
    cleaned = attachments.clean(data)
    assert cleaned.kind == "jpeg" and cleaned.extension == "jpg"
    image = Image.open(io.BytesIO(cleaned.data))
    assert not image.getexif()
    assert b"PhoneMaker" not in cleaned.data and b"Reporter Name" not in cleaned.data
    assert image.size == (64, 48)


def test_png_loses_text_chunks():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "SecretAuthor")
    buffer = io.BytesIO()
    Image.new("RGBA", (10, 10)).save(buffer, "PNG", pnginfo=info)
    cleaned = attachments.clean(buffer.getvalue())
    assert cleaned.kind == "png" and b"SecretAuthor" not in cleaned.data


def docx_with_author():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
            '2006/main"><w:body><w:p><w:ins w:author="修订人甲"><w:r><w:t>举报材料'
            "</w:t></w:r></w:ins></w:p></w:body></w:document>",
        )
        archive.writestr(
            "docProps/core.xml",
            '<cp:coreProperties xmlns:cp="x" xmlns:dc="y"><dc:creator>作者张三'
            "</dc:creator></cp:coreProperties>",
        )
        archive.writestr(
            "docProps/app.xml", "<Properties><Company>某某公司</Company></Properties>"
        )
    return buffer.getvalue()


def test_docx_loses_author_company_and_revision_names():
    cleaned = attachments.clean(docx_with_author())
    assert cleaned.kind == "docx"
    archive = zipfile.ZipFile(io.BytesIO(cleaned.data))
    text = b"".join(archive.read(name) for name in archive.namelist()).decode()
    assert "作者张三" not in text and "某某公司" not in text and "修订人甲" not in text
    assert "举报材料" in text
    assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())


def test_xlsx_loses_creator_but_keeps_cells():
    workbook = Workbook()
    workbook.properties.creator = "创建人李四"
    workbook.properties.lastModifiedBy = "修改人王五"
    workbook.active["A1"] = "补贴名单"
    buffer = io.BytesIO()
    workbook.save(buffer)
    cleaned = attachments.clean(buffer.getvalue())
    assert cleaned.kind == "xlsx"
    reopened = load_workbook(io.BytesIO(cleaned.data))
    assert reopened.active["A1"].value == "补贴名单"
    archive = zipfile.ZipFile(io.BytesIO(cleaned.data))
    raw = b"".join(archive.read(name) for name in archive.namelist()).decode()
    assert "李四" not in raw and "王五" not in raw


def test_pdf_loses_info_and_xmp():
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": "作者赵六", "/Creator": "SecretTool"})
    buffer = io.BytesIO()
    writer.write(buffer)
    cleaned = attachments.clean(buffer.getvalue())
    assert cleaned.kind == "pdf"
    reader = PdfReader(io.BytesIO(cleaned.data))
    assert len(reader.pages) == 1
    assert not (reader.metadata or {}).get("/Author")
    assert b"SecretTool" not in cleaned.data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"MZ\x90\x00\x03" + b"\x00" * 100, "改扩展名无效"),
        (b"#!/bin/sh\nrm -rf /\n", "类型不被接受"),
        (b"GIF89a" + b"\x00" * 20, "类型不被接受"),
        (b"\xff\xd8\xff\xe0 broken jpeg", "已损坏"),
        (b"%PDF-1.4 not really", "已损坏"),
        (b"PK\x03\x04 not a zip", "类型不被接受"),
    ],
)
def test_refused_by_content(data, message):
    with pytest.raises(Refused) as refused:
        attachments.clean(data, "第1个附件")
    assert message in str(refused.value)
    assert "第1个附件" in str(refused.value)


def test_encrypted_pdf_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(Refused, match="加密"):
        attachments.clean(buffer.getvalue())
