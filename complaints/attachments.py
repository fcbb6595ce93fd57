"""Report attachments: type by content, size limits, metadata stripped (DESIGN rule 9).

A photo's EXIF can carry the GPS position of the reporter's home and the phone's
serial; a DOCX or XLSX its author and company; a PDF its author and creating
software. Whatever the reporter meant to send, these must not reach the 纪委's
files, so every accepted file is rewritten here before it is stored:
images are re-encoded by Pillow from their pixels alone, OOXML documents get empty
core/app/custom properties and lose comment and revision author names, PDFs are
rebuilt page by page without their Info dictionary or XMP metadata.

The file name and extension count for nothing: an executable renamed `.jpg` is
refused because its bytes are not an image.
"""

import io
import re
import zipfile
from dataclasses import dataclass

from disclosure import documents

JPEG, PNG, WEBP = "jpeg", "png", "webp"
PDF, DOCX, XLSX = documents.PDF, documents.DOCX, documents.XLSX
EXTENSIONS = {
    JPEG: "jpg",
    PNG: "png",
    WEBP: "webp",
    PDF: "pdf",
    DOCX: "docx",
    XLSX: "xlsx",
}
ALLOWED_TEXT = "图片（JPG、PNG、WEBP）、PDF、DOCX 或 XLSX"
MAX_PIXELS = 40_000_000
MAX_UNZIPPED = 200 * 1024 * 1024
MAX_MEMBERS = 5000

EMPTY_CORE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
    b'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    b'xmlns:dcterms="http://purl.org/dc/terms/" '
    b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
)
EMPTY_APP = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties"/>'
)
EMPTY_CUSTOM = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'custom-properties"/>'
)
AUTHOR_ATTRIBUTES = re.compile(rb'(\bw:(?:author|initials)=)"[^"]*"')
XLSX_AUTHORS = re.compile(rb"<author>[^<]*</author>")
XLSX_PERSONS = re.compile(rb'(\bdisplayName=)"[^"]*"')


class Refused(ValueError):
    """A file that cannot be accepted; the message is for the reporter."""


@dataclass(frozen=True)
class CleanFile:
    kind: str
    data: bytes

    @property
    def extension(self):
        return EXTENSIONS[self.kind]


def sniff(data: bytes):
    """The file's type from its first bytes, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    return documents.kind_of(data)


def clean(data: bytes, label: str = "附件") -> CleanFile:
    """The file rewritten without metadata, or Refused with a message naming `label`."""
    kind = sniff(data)
    if kind is None:
        raise Refused(
            f"{label}的类型不被接受：只能上传{ALLOWED_TEXT}。"
            "系统按文件内容判断类型，改扩展名无效。"
        )
    try:
        if kind in (JPEG, PNG, WEBP):
            return CleanFile(kind, _image(data, kind))
        if kind == PDF:
            return CleanFile(kind, _pdf(data, label))
        return CleanFile(kind, _ooxml(data, label))
    except Refused:
        raise
    except Exception as error:  # noqa: BLE001 - any parser failure means "damaged"
        raise Refused(f"{label}已损坏或无法读取，请重新保存后上传。") from error


def _image(data, kind):
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as image:
        if image.width * image.height > MAX_PIXELS:
            raise Refused("图片尺寸过大（超过4000万像素），请缩小后上传。")
        image.load()
        upright = ImageOps.exif_transpose(image)
        mode = "RGBA" if upright.mode in ("RGBA", "LA", "P") and kind != JPEG else "RGB"
        pixels = Image.new(mode, upright.size)
        pixels.paste(upright.convert(mode))
    out = io.BytesIO()
    if kind == JPEG:
        pixels.save(out, "JPEG", quality=90)
    elif kind == PNG:
        pixels.save(out, "PNG", optimize=True)
    else:
        pixels.save(out, "WEBP", quality=90)
    return out.getvalue()


def _pdf(data, label):
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise Refused(f"{label}是加密的 PDF，请去除密码后上传。")
    writer = PdfWriter()
    for page in reader.pages:
        added = writer.add_page(page)
        for key in ("/Metadata", "/PieceInfo"):
            if NameObject(key) in added:
                del added[NameObject(key)]
    writer._info = None
    if NameObject("/Metadata") in writer._root_object:
        del writer._root_object[NameObject("/Metadata")]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _ooxml(data, label):
    source = zipfile.ZipFile(io.BytesIO(data))
    members = source.infolist()
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNZIPPED:
        raise Refused(f"{label}解压后过大，请检查文件后重新上传。")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in members:
            target.writestr(_neutral(member), _scrub(member.filename, source))
    return out.getvalue()


def _neutral(member):
    """Same name, fixed date: the archive's timestamps say when it was edited."""
    info = zipfile.ZipInfo(member.filename, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _scrub(name, source):
    if name == "docProps/core.xml":
        return EMPTY_CORE
    if name == "docProps/app.xml":
        return EMPTY_APP
    if name == "docProps/custom.xml":
        return EMPTY_CUSTOM
    content = source.read(name)
    if name.startswith("word/") and name.endswith(".xml"):
        content = AUTHOR_ATTRIBUTES.sub(rb'\1""', content)
    elif name.startswith("xl/comments") and name.endswith(".xml"):
        content = XLSX_AUTHORS.sub(b"<author></author>", content)
    elif name.startswith("xl/persons/") and name.endswith(".xml"):
        content = XLSX_PERSONS.sub(rb'\1""', content)
    return content
