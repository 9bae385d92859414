"""Upload limits that hold while a request is being read, not after it has arrived.

`LimitedUploadHandler` comes first in ``FILE_UPLOAD_HANDLERS``: it counts the bytes of every file
in a multipart request and stops reading the request as soon as they pass the limit, so a
200 MB upload to a 20 MB form costs at most 20 MB of reading (and a body declared larger than
the limit allows costs nothing beyond the form fields before the file). The limit is the one the
view declares with `upload_limit` (a setting's name, read per request), else
``settings.UPLOAD_MAX_BYTES``. Files are never refused quietly: `upload_refusal` gives the view
the message to show, which names the limit.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.urls import Resolver404, resolve

__all__ = ["LimitedUploadHandler", "upload_limit", "upload_refusal", "FORM_FIELDS_BYTES"]

# Room in a request for the form's other fields and the multipart framing around the file.
FORM_FIELDS_BYTES = 64 * 1024


def upload_limit(setting: str, what: str = "files"):
    """View decorator: files posted to this view may be as large as ``settings.<setting>``
    bytes; `what` names them in the message (e.g. "papers")."""

    def decorate(view):
        view.cdrp_upload_limit = (setting, what)
        return view

    return decorate


def upload_refusal(request) -> str | None:
    """The message for a file refused while the request was read, or None."""
    request.POST  # noqa: B018 - reading the form is what runs the upload handlers
    return getattr(request, "upload_refused", None)


def _megabytes(n: int) -> str:
    return f"{n / 1_048_576:.0f} MB"


def _limit_for(request) -> tuple[int, str]:
    match = getattr(request, "resolver_match", None)
    if match is None and request is not None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
    declared = getattr(match.func, "cdrp_upload_limit", None) if match else None
    setting, what = declared or ("UPLOAD_MAX_BYTES", "files")
    return int(getattr(settings, setting)), what


class LimitedUploadHandler(FileUploadHandler):
    """Stops reading a request whose files pass the view's limit (see the module's docstring).

    ``received`` counts the bytes of file content it was given, over the whole request.
    """

    def __init__(self, request=None):
        super().__init__(request)
        self.limit, self.what = _limit_for(request)
        self.received = 0
        self.declared_too_long = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # The body is declared larger than any file this view takes: refuse its first file
        # before reading a byte of it.
        self.declared_too_long = content_length > self.limit + FORM_FIELDS_BYTES
        return None

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, *a):
        super().new_file(field_name, file_name, content_type, content_length, charset, *a)
        if self.declared_too_long or (content_length or 0) > self.limit:
            self._refuse()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self._refuse()
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) keeps the file

    def _refuse(self):
        size = _megabytes(self.limit)
        if self.request is not None:
            self.request.upload_refused = (
                f"{self.file_name or 'The file'} is larger than {size}: {self.what} must be "
                f"{size} or smaller"
            )
        # Stop reading here: the rest of the body is never read, stored or drained.
        raise StopUpload(connection_reset=True)
