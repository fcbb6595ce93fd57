"""Evidence files for rectifications and responsibility items.

Each file is checked by content and stripped of metadata as report attachments are
(`complaints.attachments.clean`), and a document whose text holds an ID number,
mobile number or bank card is refused (`disclosure.documents`): ledgers travel to
the level above and into sign-offs, so personal data is masked before upload.
"""

from django.core.files.base import ContentFile

from complaints import attachments
from disclosure import documents

MAX_FILES = 5
MAX_BYTES = 10 * 1024 * 1024


class EvidenceError(ValueError):
    """A file that cannot be kept; the message is for staff."""


def cleaned(uploads):
    """[(name, ContentFile)] for the uploads, or EvidenceError naming the file."""
    if len(uploads) > MAX_FILES:
        raise EvidenceError(f"一次最多上传 {MAX_FILES} 个佐证文件。")
    kept = []
    for upload in uploads:
        label = f"佐证材料“{upload.name}”"
        if upload.size > MAX_BYTES:
            raise EvidenceError(f"{label}超过 10 MB，请压缩或拆分后上传。")
        try:
            clean = attachments.clean(upload.read(), label)
        except attachments.Refused as error:
            raise EvidenceError(str(error)) from error
        if clean.kind in (documents.PDF, documents.DOCX, documents.XLSX):
            try:
                check = documents.check_document(clean.data)
            except documents.UnreadableDocument as error:
                raise EvidenceError(f"{label}无法读取：{error}") from error
            if check.findings:
                raise EvidenceError(check.message(label))
        stem = upload.name.rsplit(".", 1)[0][:100] or "佐证材料"
        name = f"{stem}.{clean.extension}"
        kept.append((name, ContentFile(clean.data, name=f"evidence.{clean.extension}")))
    return kept
