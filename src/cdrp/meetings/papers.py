"""Papers for agenda items: only document types a committee uses, recognised by their content,
within a size limit; anything else is refused with a message that says why.

A paper is opened by every member who reads it, so it is checked as a document, not only by its
first bytes:

- a PDF is parsed (pikepdf, on qpdf) and every object, those packed in object streams included,
  is searched for what runs or opens something when the file is read: JavaScript (at opening,
  on a page or a form field), launch actions, form submissions, attached files, XFA forms and
  embedded media;
- a Word (DOCX), Excel (XLSX) or OpenDocument (ODT) paper must be a zip archive that declares
  that type (``[Content_Types].xml``, or the ``mimetype`` entry) with no macros, and is judged
  by its directory alone, never unpacked: refused if it would unpack to more than
  ``PAPER_MAX_UNPACKED_BYTES`` or a part is compressed more than ``PAPER_MAX_COMPRESSION_RATIO``
  to 1 (a zip bomb).

The size limit itself is enforced while the upload is read (cdrp.core.uploads); it is checked
again here for papers that arrive another way.
"""

from __future__ import annotations

import re
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from cdrp.accounts.notifications import Kind, notify
from cdrp.meetings.models import AgendaItem, Paper, refuse_if_locked
from cdrp.meetings.restricted import restricting_group
from cdrp.meetings.services import group_accounts

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
# The main part an Office Open XML document of each type declares in [Content_Types].xml.
_MAIN_CONTENT_TYPE = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_CONTENT_TYPES_MAX_BYTES = 256 * 1024
_ZIP_MAX_PARTS = 10_000
# Small parts may compress well without harm; the ratio is judged on parts above this size.
_RATIO_FROM_BYTES = 1024 * 1024

# What a PDF may not contain, by dictionary key and by the name of an action or object type.
_PDF_KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/EmbeddedFiles": "attached files",
    "/EF": "attached files",
    "/XFA": "an XFA form (which can run scripts)",
}
_PDF_NAMES = {
    "/JavaScript": "JavaScript",
    "/Launch": "a launch action (which would start a program)",
    "/SubmitForm": "a form that sends data",
    "/ImportData": "a form that loads data",
    "/GoToE": "attached files",
    "/EmbeddedFile": "attached files",
    "/RichMedia": "embedded media",
    "/RichMediaExecute": "embedded media",
}
_PDF_MAX_DEPTH = 100


def _mb(n: int) -> str:
    return f"{n / 1_048_576:.0f} MB"


def detect_kind(name: str, head: bytes, upload) -> str:
    """The paper's type from its name and content; ValidationError when they disagree or the
    content is not safe to hand to members."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED:
        allowed = ", ".join(sorted(ALLOWED))
        raise ValidationError(f"{name}: papers must be one of {allowed}, not .{ext or '(none)'}")
    if ext == "pdf":
        if not head.startswith(b"%PDF-"):
            raise ValidationError(f"{name} is named .pdf but is not a PDF file")
        _check_pdf(name, upload)
    if ext in _ZIP_MARKERS:
        _check_archive(name, ext, upload)
    if ext == "csv":
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(f"{name} is not a UTF-8 text file") from None
        if b"\x00" in head:
            raise ValidationError(f"{name} is not a text file")
    return ext


# PDF --------------------------------------------------------------------------------------------


def _check_pdf(name: str, upload) -> None:
    import pikepdf  # imported when a PDF paper is checked: it is slow to load

    upload.seek(0)
    try:
        with pikepdf.open(upload) as pdf:
            found = _pdf_findings(pdf)
    except pikepdf.PasswordError:
        raise ValidationError(
            f"{name} is protected by a password, so it cannot be checked: upload it without one"
        ) from None
    except (pikepdf.PdfError, ValueError, RecursionError):
        raise ValidationError(f"{name} is not a readable PDF file") from None
    if found:
        raise ValidationError(
            f"{name} contains {' and '.join(sorted(found))}, which papers may not: save it "
            "again as a plain PDF (for example, print it to PDF) and upload that"
        )


def _pdf_findings(pdf) -> set[str]:
    """What the PDF holds that papers may not, searched in every object of the file (those in
    object streams too), whether or not the document tree reaches it."""
    import pikepdf  # imported when a PDF paper is checked: it is slow to load

    found: set[str] = set()

    def visit(obj, depth: int) -> None:
        if depth > _PDF_MAX_DEPTH:
            found.add("objects nested too deeply to check")
            return
        if isinstance(obj, pikepdf.Stream):
            obj = obj.stream_dict
        if isinstance(obj, pikepdf.Dictionary):
            for key in obj.keys():
                if key in _PDF_KEYS:
                    found.add(_PDF_KEYS[key])
                value = obj.get(key)
                if isinstance(value, pikepdf.Name) and str(value) in _PDF_NAMES:
                    if key in ("/S", "/Type", "/Subtype"):
                        found.add(_PDF_NAMES[str(value)])
                elif not getattr(value, "is_indirect", False):
                    visit(value, depth + 1)
        elif isinstance(obj, pikepdf.Array):
            for value in obj:
                if not getattr(value, "is_indirect", False):
                    visit(value, depth + 1)

    for obj in pdf.objects:  # every indirect object; direct ones are reached through them
        visit(obj, 0)
    return found


# Zip-based documents ------------------------------------------------------------------------------


def _check_archive(name: str, ext: str, upload) -> None:
    what = ALLOWED[ext]
    upload.seek(0)
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise ValidationError(f"{name} is not a real {what}") from None
    with archive:
        parts = archive.infolist()
        if len(parts) > _ZIP_MAX_PARTS:
            raise ValidationError(f"{name} has {len(parts):,} parts: a real {what} has fewer")
        unpacked = sum(p.file_size for p in parts)
        if unpacked > settings.PAPER_MAX_UNPACKED_BYTES:
            raise ValidationError(
                f"{name} would unpack to {_mb(unpacked)}: a paper may unpack to at most "
                f"{_mb(settings.PAPER_MAX_UNPACKED_BYTES)}"
            )
        ratio = settings.PAPER_MAX_COMPRESSION_RATIO
        for p in parts:
            if p.file_size > _RATIO_FROM_BYTES and p.file_size > ratio * max(p.compress_size, 1):
                raise ValidationError(
                    f"{name} is compressed more than {ratio} to 1 ({p.filename}: "
                    f"{_mb(p.file_size)} from {p.compress_size:,} bytes), as a zip bomb is, "
                    "so it is not accepted"
                )
            if p.flag_bits & 0x1:
                raise ValidationError(f"{name} is protected by a password: upload it without one")
        names = [p.filename for p in parts]
        lowered = [n.lower() for n in names]
        if any(n.endswith((".bin", ".exe", ".js")) for n in lowered) or any(
            n.startswith(("basic/", "scripts/")) for n in lowered
        ):
            raise ValidationError(f"{name} contains macros or programs, which are not accepted")
        if _ZIP_MARKERS[ext] not in names:
            raise ValidationError(f"{name} is not a real {what}")
        if ext in _MAIN_CONTENT_TYPE:
            _check_content_types(name, ext, archive)
        else:
            _check_odf_mimetype(name, archive, parts)


def _check_content_types(name: str, ext: str, archive: zipfile.ZipFile) -> None:
    """An Office Open XML document says what it is in [Content_Types].xml; a macro-enabled one
    (.docm, .xlsm renamed) says so there too."""
    what = ALLOWED[ext]
    try:
        with archive.open("[Content_Types].xml") as f:
            data = f.read(_CONTENT_TYPES_MAX_BYTES + 1)
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        raise ValidationError(f"{name} is not a real {what}: it has no list of its parts") from None
    if len(data) > _CONTENT_TYPES_MAX_BYTES:
        raise ValidationError(f"{name} is not a real {what}")
    # The content types are read as text, not parsed as XML: no parser is exposed to the file.
    types = {
        t.decode("ascii", "replace")
        for t in re.findall(rb"""ContentType\s*=\s*["']([^"'<>]{1,255})["']""", data)
    }
    if any("macroenabled" in t.lower() or "vbaproject" in t.lower() for t in types):
        raise ValidationError(f"{name} contains macros or programs, which are not accepted")
    if _MAIN_CONTENT_TYPE[ext] not in types:
        raise ValidationError(f"{name} is not a real {what}")


def _check_odf_mimetype(name: str, archive: zipfile.ZipFile, parts) -> None:
    """An OpenDocument file starts with a `mimetype` entry naming its type."""
    if not parts or parts[0].filename != "mimetype" or parts[0].file_size > 200:
        raise ValidationError(f"{name} is not a real {ALLOWED['odt']}")
    try:
        mimetype = archive.read("mimetype").strip()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        raise ValidationError(f"{name} is not a real {ALLOWED['odt']}") from None
    if mimetype != _ODT_MIMETYPE:
        raise ValidationError(f"{name} is not a real {ALLOWED['odt']}")


@transaction.atomic
def add_paper(item: AgendaItem, upload, title: str, user=None) -> Paper:
    refuse_if_locked({item.meeting_id}, "file")
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
    _tell_members(paper, user)
    return paper


def _tell_members(paper: Paper, by) -> None:
    """The group's members (with accounts) hear that a paper is published for their meeting;
    a restricted paper is named by its meeting only (an e-mail may carry the title)."""
    meeting = paper.item.meeting
    group = meeting.group
    named = "" if restricting_group(paper) is not None else f": “{paper.title[:120]}”"
    notify(
        [u for u in group_accounts(group) if by is None or u.pk != getattr(by, "pk", None)],
        Kind.PAPERS,
        f"Paper published for the {group.name} meeting of {meeting.date:%-d %B %Y}{named}",
        reverse(
            "meetings:meeting",
            kwargs={"partnership": group.partnership.slug, "meeting_id": meeting.pk},
        ),
        partnership=group.partnership,
        key=f"paper:{paper.pk}",
    )
