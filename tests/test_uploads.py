"""Uploads: size limits hold while the request is read (a 25 MB body is refused after reading
none of its file, a body that understates its size is cut off at the limit), and papers are
checked by content: a zip-bomb Word document, a macro workbook in disguise and PDFs that run
scripts or programs are refused with their reason, and nothing is saved. Every bad file is
built here, in the test."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pikepdf
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import ClientHandler

from cdrp.accounts.audit import acting_as
from cdrp.core.uploads import FORM_FIELDS_BYTES, LimitedUploadHandler
from cdrp.meetings.models import AgendaItem, Meeting, Paper
from cdrp.meetings.papers import add_paper
from cdrp.partnerships.models import Group, Partnership

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
CHUNK = 64 * 1024  # Django's multipart parser reads this much at a time
BOUNDARY = "cdrp-test-boundary"


@pytest.fixture
def item(partnership, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with acting_as(None, "test"):
        group = Group(partnership=partnership, slug="owg", name="Officer group", kind="officer")
        group.save()
        meeting = Meeting(group=group, date=dt.date(2026, 5, 12))
        meeting.save()
        item = AgendaItem(meeting=meeting, position=1, title="Performance report")
        item.save()
    return item


def _upload_url(item) -> str:
    return f"/meetings/lancashire-south/meeting/{item.meeting_id}/items/{item.pk}/papers"


def _messages(client, item) -> str:
    return client.get(f"/meetings/lancashire-south/meeting/{item.meeting_id}/").content.decode()


# Files made here ---------------------------------------------------------------------------------


def _pdf(build=None, object_streams=True) -> bytes:
    """A one-page PDF; `build(pdf)` adds to it. Objects go into compressed object streams, so
    nothing in them can be found by searching the file's bytes."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    if build:
        build(pdf)
    out = io.BytesIO()
    mode = pikepdf.ObjectStreamMode.generate if object_streams else pikepdf.ObjectStreamMode.disable
    pdf.save(out, object_stream_mode=mode, compress_streams=True)
    return out.getvalue()


def _action(pdf, kind, **entries):
    return pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Action, S=kind, **entries))


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/{part}" ContentType="{main}"/></Types>'
)
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def _zip(parts: dict[str, bytes | str], stored: tuple[str, ...] = ()) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data, zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _docx(main=WORD_MAIN, document: bytes | str = "<w:document/>", **extra) -> bytes:
    return _zip(
        {
            "[Content_Types].xml": CONTENT_TYPES.format(part="word/document.xml", main=main),
            "word/document.xml": document,
            **extra,
        }
    )


def _zip_bomb_docx(unpacked: int) -> bytes:
    """A Word document whose body is `unpacked` bytes of zeros: a few tens of kilobytes that
    would unpack to `unpacked`. Written a megabyte at a time, never held whole."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml", CONTENT_TYPES.format(part="word/document.xml", main=WORD_MAIN)
        )
        with z.open("word/document.xml", "w", force_zip64=True) as body:
            zeros = bytes(MB)
            for _ in range(unpacked // MB):
                body.write(zeros)
    return out.getvalue()


def _refused(item, name, data, match):
    with pytest.raises(ValidationError, match=match):
        add_paper(item, SimpleUploadedFile(name, data), "")
    assert not Paper.objects.exists()


# Checked by content ------------------------------------------------------------------------------


def test_a_zip_bomb_word_document_is_refused_without_unpacking_it(item):
    bomb = _zip_bomb_docx(100 * MB)
    assert len(bomb) < MB  # 100 MB of document in well under a megabyte
    _refused(
        item,
        "minutes.docx",
        bomb,
        r"minutes.docx is compressed more than 100 to 1 "
        r"\(word/document.xml: 100 MB from [\d,]+ bytes\), as a zip bomb is",
    )


def test_an_archive_that_would_unpack_past_the_cap_is_refused(item, settings):
    import os

    settings.PAPER_MAX_UNPACKED_BYTES = 1 * MB
    # Incompressible parts, so only the sum of their sizes can refuse it.
    parts = {f"word/media/image{i}.png": os.urandom(400 * 1024) for i in range(3)}
    _refused(
        item,
        "photos.docx",
        _docx(**parts),
        "photos.docx would unpack to 1 MB: a paper may unpack to at most 1 MB",
    )


@pytest.mark.parametrize(
    "build, reason",
    [
        (
            lambda pdf: setattr(
                pdf.Root, "OpenAction", _action(pdf, pikepdf.Name.JavaScript, JS="app.alert(1)")
            ),
            "JavaScript",
        ),
        (
            lambda pdf: setattr(
                pdf.pages[0].obj,
                "AA",
                pikepdf.Dictionary(O=_action(pdf, pikepdf.Name.Launch, F="cmd.exe")),
            ),
            "a launch action \\(which would start a program\\)",
        ),
        (
            lambda pdf: setattr(
                pdf.Root,
                "Names",
                pikepdf.Dictionary(
                    JavaScript=pikepdf.Dictionary(
                        Names=[
                            pikepdf.String("init"),
                            _action(pdf, pikepdf.Name.JavaScript, JS="this.print()"),
                        ]
                    )
                ),
            ),
            "JavaScript",
        ),
        (
            lambda pdf: pdf.attachments.__setitem__(
                "payload.exe", pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00")
            ),
            "attached files",
        ),
    ],
    ids=["open-action-script", "page-launch-action", "document-script", "attached-file"],
)
def test_a_pdf_that_runs_or_opens_something_is_refused_with_its_reason(item, build, reason):
    data = _pdf(build)
    assert b"JavaScript" not in data and b"Launch" not in data  # packed in object streams
    _refused(item, "agenda.pdf", data, f"agenda.pdf contains {reason}, which papers may not")


def test_a_plain_pdf_with_links_and_an_opening_page_is_accepted(item):
    def build(pdf):
        pdf.Root.OpenAction = pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit])
        pdf.pages[0].obj.Annots = pdf.make_indirect(
            pikepdf.Array(
                [
                    pikepdf.Dictionary(
                        Type=pikepdf.Name.Annot,
                        Subtype=pikepdf.Name.Link,
                        Rect=[0, 0, 100, 20],
                        A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI="https://example.org"),
                    )
                ]
            )
        )

    paper = add_paper(item, SimpleUploadedFile("report.pdf", _pdf(build)), "Report")
    assert paper.kind == "pdf"


def test_an_unreadable_or_locked_pdf_is_refused(item):
    _refused(item, "broken.pdf", b"%PDF-1.7\nnot really a pdf", "broken.pdf is not a readable PDF")
    pdf, out = pikepdf.new(), io.BytesIO()
    pdf.add_blank_page()
    pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    _refused(item, "locked.pdf", out.getvalue(), "locked.pdf is protected by a password")


def test_a_macro_workbook_or_document_in_disguise_is_refused(item):
    docm = "application/vnd.ms-word.document.macroEnabled.main+xml"
    _refused(item, "letter.docx", _docx(main=docm), "letter.docx contains macros or programs")
    xlsm = _zip(
        {
            "[Content_Types].xml": CONTENT_TYPES.format(
                part="xl/workbook.xml", main="application/vnd.ms-excel.sheet.macroEnabled.main+xml"
            ),
            "xl/workbook.xml": "<workbook/>",
        }
    )
    _refused(item, "budget.xlsx", xlsm, "budget.xlsx contains macros or programs")
    odt_basic = _zip(
        {
            "mimetype": "application/vnd.oasis.opendocument.text",
            "content.xml": "<office:document-content/>",
            "Basic/Standard/Module1.xml": "Sub Main",
        },
        stored=("mimetype",),
    )
    _refused(item, "notes.odt", odt_basic, "notes.odt contains macros or programs")


def test_a_zip_that_does_not_declare_its_type_is_refused(item):
    _refused(item, "report.docx", _docx(main=EXCEL_MAIN), "report.docx is not a real Word document")
    no_types = _zip({"word/document.xml": "<w:document/>"})
    _refused(item, "report.docx", no_types, "report.docx is not a real Word document")
    wrong_odt = _zip(
        {"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"},
        stored=("mimetype",),
    )
    _refused(item, "notes.odt", wrong_odt, "notes.odt is not a real OpenDocument text")


def test_real_word_excel_and_opendocument_papers_are_accepted(item):
    xlsx = _zip(
        {
            "[Content_Types].xml": CONTENT_TYPES.format(part="xl/workbook.xml", main=EXCEL_MAIN),
            "xl/workbook.xml": "<workbook/>",
        }
    )
    odt = _zip(
        {
            "mimetype": "application/vnd.oasis.opendocument.text",
            "content.xml": "<office:document-content/>",
        },
        stored=("mimetype",),
    )
    for name, data in [("a.docx", _docx()), ("b.xlsx", xlsx), ("c.odt", odt)]:
        assert add_paper(item, SimpleUploadedFile(name, data), "").kind == name[-4:].lstrip(".")
    assert Paper.objects.count() == 3


def test_a_bad_paper_posted_to_the_page_is_refused_with_its_message(client, item, coordinator):
    client.force_login(coordinator)
    data = _pdf(
        lambda pdf: setattr(pdf.Root, "OpenAction", _action(pdf, pikepdf.Name.JavaScript, JS="x"))
    )
    response = client.post(
        _upload_url(item), {"title": "Agenda", "file": SimpleUploadedFile("agenda.pdf", data)}
    )
    assert response.status_code == 302
    assert "agenda.pdf contains JavaScript, which papers may not" in _messages(client, item)
    assert not Paper.objects.exists()


# Limits enforced while the request is read -------------------------------------------------------


class StreamedBody:
    """A multipart body made as it is read, never held whole: the form fields, then a PDF
    `file_size` bytes long, then the closing boundary. `read_bytes` counts what was read."""

    def __init__(self, fields: dict[str, str], file_size: int, filename: str = "big.pdf"):
        head = b"".join(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        )
        head += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\n'
        ).encode()
        self.head, self.tail = head, f"\r\n--{BOUNDARY}--\r\n".encode()
        self.file_size = file_size - len(b"%PDF-1.7\n")
        self.length = len(head) + self.file_size + len(self.tail)
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        start = self.read_bytes
        end = self.length if size is None or size < 0 else min(self.length, start + size)
        out = bytearray()
        for lo, hi, data in [
            (0, len(self.head), self.head),
            (len(self.head), len(self.head) + self.file_size, None),
            (len(self.head) + self.file_size, self.length, self.tail),
        ]:
            a, b = max(start, lo), min(end, hi)
            if a < b:
                out += data[a - lo : b - lo] if data is not None else b"0" * (b - a)
        self.read_bytes = end
        return bytes(out)

    def readline(self, size: int = -1) -> bytes:  # pragma: no cover - the parser never asks
        raise AssertionError("the multipart parser reads in chunks")


def _post_streamed(client, path, body: StreamedBody, declared: int | None = None):
    """POST `body` through the whole stack (middleware, CSRF check, view) as a server would
    hand it over: a stream, with its declared Content-Length."""
    environ = client._base_environ(
        PATH_INFO=path,
        REQUEST_METHOD="POST",
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(declared if declared is not None else body.length),
        **{"wsgi.input": body},
    )
    response = ClientHandler(enforce_csrf_checks=True)(environ)
    client.cookies.update(response.cookies)  # the message rides in a cookie
    return response


def _signed_in_with_csrf(client, user, item) -> str:
    client.force_login(user)
    client.get(f"/meetings/lancashire-south/meeting/{item.meeting_id}/")
    return client.cookies["csrftoken"].value


def test_a_25_mb_paper_is_refused_before_any_of_it_is_read(client, item, coordinator):
    token = _signed_in_with_csrf(client, coordinator, item)
    body = StreamedBody({"csrfmiddlewaretoken": token, "title": "Big"}, 25 * MB)
    response = _post_streamed(client, _upload_url(item), body)
    assert response.status_code == 302  # the CSRF token came before the file and was checked
    handler = response.wsgi_request.upload_handlers[0]
    assert isinstance(handler, LimitedUploadHandler) and handler.received == 0
    assert body.read_bytes <= len(body.head) + CHUNK  # the file's bytes were never read
    assert "big.pdf is larger than 20 MB: papers must be 20 MB or smaller" in _messages(
        client, item
    )
    assert not Paper.objects.exists()


def test_a_body_that_understates_its_file_is_cut_off_at_the_limit(
    client, item, coordinator, settings
):
    settings.PAPER_MAX_BYTES = 1 * MB
    token = _signed_in_with_csrf(client, coordinator, item)
    # Within the room the form's fields get, so only counting the file's bytes can catch it.
    body = StreamedBody({"csrfmiddlewaretoken": token}, 1 * MB + FORM_FIELDS_BYTES // 2)
    response = _post_streamed(client, _upload_url(item), body)
    handler = response.wsgi_request.upload_handlers[0]
    assert 1 * MB < handler.received <= 1 * MB + CHUNK  # stopped at the first chunk past it
    assert body.read_bytes <= len(body.head) + 1 * MB + 2 * CHUNK
    assert "big.pdf is larger than 1 MB: papers must be 1 MB or smaller" in _messages(client, item)
    assert not Paper.objects.exists()


def test_a_paper_within_the_limit_passes_through_the_handler_whole(client, item, coordinator):
    client.force_login(coordinator)
    data = _pdf()
    response = client.post(
        _upload_url(item), {"title": "Report", "file": SimpleUploadedFile("report.pdf", data)}
    )
    assert response.wsgi_request.upload_handlers[0].received == len(data)
    assert Paper.objects.get().size == len(data)


def test_a_large_structure_file_is_refused_while_it_is_read(client, partnership, coordinator):
    client.force_login(coordinator)
    text = "cdrp-structure: 1\n" + "# padding\n" * (300 * 1024)  # 3 MB of YAML
    response = client.post(
        "/partnerships/lancashire-south/import/",
        {"file": SimpleUploadedFile("south.yaml", text.encode())},
    )
    page = response.content.decode()
    assert "south.yaml is larger than 2 MB: structure files must be 2 MB or smaller" in page
    assert response.wsgi_request.upload_handlers[0].received == 0
    assert Partnership.objects.get().name == "Lancashire South Strategic CDRP"


def test_upload_limits_are_set_for_every_form():
    from django.conf import settings

    assert settings.FILE_UPLOAD_HANDLERS[0] == "cdrp.core.uploads.LimitedUploadHandler"
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 2 * MB
    assert settings.UPLOAD_MAX_BYTES < settings.PAPER_MAX_BYTES
