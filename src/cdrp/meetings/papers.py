"""Papers for agenda items: only document types a committee uses, recognised by their content,
within a size limit; anything else is refused with a message that says why."""

from __future__ import annotations

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from cdrp.meetings.models import AgendaItem, Paper

__all__ = ["ALLOWED", "detect_kind", "add_paper"]

# extension → what the content must be
ALLOWED = {
    "pdf": "PDF document",
    "docx": "Word document",
    "xlsx": "Excel workbook",
    "odt": "OpenDocument text",
    "csv": "CSV table",
}
_ZIP_MARKERS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "odt": "content.xml"}


def detect_kind(name: str, head: bytes, upload) -> str:
    """The paper's type from its name and content; ValidationError when they disagree."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED:
        allowed = ", ".join(sorted(ALLOWED))
        raise ValidationError(f"{name}: papers must be one of {allowed}, not .{ext or '(none)'}")
    if ext == "pdf" and not head.startswith(b"%PDF-"):
        raise ValidationError(f"{name} is named .pdf but is not a PDF file")
    if ext in _ZIP_MARKERS:
        try:
            upload.seek(0)
            with zipfile.ZipFile(upload) as archive:
                if _ZIP_MARKERS[ext] not in archive.namelist():
                    raise ValidationError(f"{name} is not a real {ALLOWED[ext]}")
                if any(n.lower().endswith((".bin", ".exe", ".js")) for n in archive.namelist()):
                    raise ValidationError(
                        f"{name} contains macros or programs, which are not accepted"
                    )
        except zipfile.BadZipFile:
            raise ValidationError(f"{name} is not a real {ALLOWED[ext]}") from None
    if ext == "csv":
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(f"{name} is not a UTF-8 text file") from None
        if b"\x00" in head:
            raise ValidationError(f"{name} is not a text file")
    return ext


@transaction.atomic
def add_paper(item: AgendaItem, upload, title: str, user=None) -> Paper:
    limit = settings.PAPER_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"{upload.name} is {upload.size / 1_048_576:.1f} MB: papers must be "
            f"{limit / 1_048_576:.0f} MB or smaller"
        )
    if upload.size == 0:
        raise ValidationError(f"{upload.name} is empty")
    upload.seek(0)
    head = upload.read(4096)
    kind = detect_kind(upload.name, head, upload)
    upload.seek(0)
    paper = Paper(
        item=item, title=title or upload.name, kind=kind, size=upload.size, uploaded_by=user
    )
    paper.file.save(upload.name, upload, save=False)
    paper.save()
    return paper
