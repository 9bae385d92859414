"""Documents rendered once per version of what they show, stored, and served with an ETag.

A PDF of an assessment takes WeasyPrint many seconds; the same version of the record gives the
same bytes, so `cached` renders it once per *fingerprint* (a hash of the record's version, or
of the content the document is drawn from, plus the templates and code that lay it out) and
keeps it: the bytes in the documents' storage (`default_storage`: disk, or S3 through
django-storages, shared by every server), the row naming them in `RenderedDocument`.
`response` answers a download from the stored bytes with an ETag, and 304 Not Modified when
the browser already holds that version (If-None-Match). The views check permissions before
either is called.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable, Iterable
from functools import cache
from importlib import metadata
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render as render_page
from django.utils import timezone

from cdrp.core.models import RenderedDocument

__all__ = [
    "KEEP",
    "PENDING_MINUTES",
    "cached",
    "fingerprint",
    "is_cached",
    "layout_version",
    "pending",
    "response",
    "waiting",
]

#: A queued render older than this is not waited for (no worker may be running): the request
#: renders the document itself.
PENDING_MINUTES = 3

#: Stored versions kept per document (the oldest used beyond these are deleted).
KEEP = 3


@cache
def layout_version() -> str:
    """The code and templates that lay documents out: the package version and every template's
    name and modification time, so a new release or an edited template renders afresh."""
    try:
        version = metadata.version("cdrp")
    except metadata.PackageNotFoundError:  # pragma: no cover - always installed
        version = "unknown"
    root = Path(__file__).resolve().parent.parent
    stamps = sorted(
        (str(p.relative_to(root)), p.stat().st_mtime_ns)
        for p in root.glob("*/templates/**/*")
        if p.is_file()
    )
    return hashlib.sha256(json.dumps([version, stamps]).encode()).hexdigest()[:16]


def fingerprint(*parts) -> str:
    """A hash of `parts` (anything JSON can write, other values by their text) with the layout
    version: the same parts give the same fingerprint."""
    text = json.dumps([layout_version(), *parts], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _prune(kind: str, object_id: str) -> None:
    stale = RenderedDocument.objects.filter(kind=kind, object_id=object_id).order_by("-used_at")[
        KEEP:
    ]
    rows = list(stale)
    if rows:
        RenderedDocument.objects.filter(pk__in=[r.pk for r in rows]).delete()
        for row in rows:
            if not row.body:
                default_storage.delete(row.storage_name)


def cached(
    kind: str,
    object_id: object,
    parts: Iterable,
    render: Callable[[], bytes],
    content_type: str,
) -> RenderedDocument:
    """The stored document for this version (`parts`), rendered by `render()` the first time."""
    object_id = str(object_id)
    fp = fingerprint(kind, object_id, *parts)
    found = RenderedDocument.objects.filter(kind=kind, object_id=object_id, fingerprint=fp).first()
    if found is not None:
        RenderedDocument.objects.filter(pk=found.pk).update(used_at=timezone.now())
        return found
    started = time.perf_counter()
    body = bytes(render())
    seconds = time.perf_counter() - started
    doc = RenderedDocument(kind=kind, object_id=object_id, fingerprint=fp)
    if body:
        if default_storage.exists(doc.storage_name):  # left by a render that did not commit
            default_storage.delete(doc.storage_name)
        saved = default_storage.save(doc.storage_name, ContentFile(body))
        if saved != doc.storage_name:  # stored under the name at the same moment by another
            default_storage.delete(saved)
    try:
        with transaction.atomic():
            doc = RenderedDocument.objects.create(
                kind=kind,
                object_id=object_id,
                fingerprint=fp,
                content_type=content_type,
                body=b"",
                etag=hashlib.sha256(body).hexdigest()[:32],
                size=len(body),
                render_seconds=round(seconds, 3),
            )
    except IntegrityError:  # rendered at the same time by another request or the worker
        return RenderedDocument.objects.get(kind=kind, object_id=object_id, fingerprint=fp)
    _prune(kind, object_id)
    return doc


def is_cached(kind: str, object_id: object, parts: Iterable) -> bool:
    object_id = str(object_id)
    return RenderedDocument.objects.filter(
        kind=kind, object_id=object_id, fingerprint=fingerprint(kind, object_id, *parts)
    ).exists()


def _matches(request: HttpRequest, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    tags = {t.strip().removeprefix("W/") for t in header.split(",") if t.strip()}
    return "*" in tags or f'"{etag}"' in tags


def response(request: HttpRequest, doc: RenderedDocument, filename: str) -> HttpResponse:
    """The stored document as a download, with its ETag; 304 when the browser has it already.
    Cache-Control keeps it private and asks the browser to check again each time (a
    permission may have changed)."""
    tag = f'"{doc.etag}"'
    if _matches(request, doc.etag):
        answer: HttpResponse = HttpResponseNotModified()
    else:
        answer = HttpResponse(doc.content(), content_type=doc.content_type)
        answer["Content-Disposition"] = f'attachment; filename="{filename}"'
    answer["ETag"] = tag
    answer["Cache-Control"] = "private, no-cache"
    return answer


def pending(task, args: list) -> bool:
    """Is the worker rendering (or about to render) `task(*args)`? True for a task running
    now, or queued in the last PENDING_MINUTES (older queued work may have no worker)."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    recent = timezone.now() - dt.timedelta(minutes=PENDING_MINUTES)
    rows = DBTaskResult.objects.filter(
        task_path=task.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).values_list("status", "enqueued_at", "args_kwargs")
    return any(
        (status == TaskResultStatus.RUNNING or enqueued >= recent)
        and list((call or {}).get("args", [])) == list(args)
        for status, enqueued, call in rows
    )


def waiting(request: HttpRequest, label: str, seconds: int = 5) -> HttpResponse:
    """A page saying the document is being prepared, which asks again every `seconds`
    (202 Accepted, Retry-After); the download follows once it is stored."""
    answer = render_page(
        request,
        "core/document_waiting.html",
        {"label": label, "seconds": seconds, "page_title": f"Preparing {label}"},
        status=202,
    )
    answer["Retry-After"] = str(seconds)
    answer["Cache-Control"] = "no-store"
    return answer
