"""Keeping the index up to date: each registered record is indexed when it is saved and dropped
when it is deleted (Django signals), the records a watched change affects are indexed again, and
the text of attached files is read in the background (`cdrp.search.tasks`). `reindex` rebuilds a
partnership's rows (or every partnership's) from the records: `cdrp search reindex`.

Bulk writes (``QuerySet.update``) send no signals; the search page checks each result against its
record before showing it (`cdrp.search.query`), and a reindex puts the rows right.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from cdrp.search.extract import clean, text_of
from cdrp.search.models import SearchEntry
from cdrp.search.registry import Entry, Indexer, indexers, indexers_for_model

__all__ = ["index_record", "remove_record", "reindex", "connect", "extract_file", "entry_for"]

log = logging.getLogger(__name__)

_TITLE_MAX = SearchEntry._meta.get_field("title").max_length or 500
_URL_MAX = SearchEntry._meta.get_field("url").max_length or 500


def entry_for(indexer: Indexer, record) -> Entry | None:
    return indexer.entry(record)


def index_record(record, indexer: Indexer | None = None, *, extract: str = "background"):
    """Write (or drop) the index row of `record`. `extract`: "background" reads a new attached
    file in a task after the transaction commits, "now" reads it here, "no" leaves it unread.
    Returns the row, or None when the record is not searched."""
    found = [indexer] if indexer is not None else indexers_for_model(type(record))
    if not found:
        return None
    chosen = found[0]
    entry = chosen.entry(record)
    if entry is None:
        SearchEntry.objects.filter(kind=chosen.kind, object_id=record.pk).delete()
        return None
    row = SearchEntry.objects.filter(kind=chosen.kind, object_id=record.pk).first()
    row = row or SearchEntry(kind=chosen.kind, object_id=record.pk)
    row.partnership_id = entry.partnership_id
    row.title = clean(entry.title)[:_TITLE_MAX]
    row.text = clean(entry.text)
    row.url = entry.url[:_URL_MAX]
    row.restricted_group = entry.restricted_group
    row.date = entry.date
    file_name = entry.file.name if entry.file else ""
    stale = file_name != row.extracted_from
    if stale and extract == "now":
        row.extracted, row.extracted_from = text_of(entry.file), file_name
    elif stale:
        row.extracted, row.extracted_from = "", ""
    row.save()
    if stale and file_name and extract == "background":
        from cdrp.search.tasks import extract_text_task

        kind, pk = chosen.kind, record.pk
        transaction.on_commit(lambda: extract_text_task.enqueue(kind, pk))
    return row


def extract_file(kind: str, object_id: int) -> bool:
    """Read the attached file of one indexed record into its row (the background task's work).
    False when the record or its row is gone."""
    from cdrp.search.registry import indexer_for_kind

    indexer = indexer_for_kind(kind)
    if indexer is None:
        return False
    record = indexer.model_class._base_manager.filter(pk=object_id).first()
    if record is None:
        return False
    return index_record(record, indexer, extract="now") is not None


def remove_record(record, indexer: Indexer | None = None) -> None:
    for chosen in [indexer] if indexer else indexers_for_model(type(record)):
        SearchEntry.objects.filter(kind=chosen.kind, object_id=record.pk).delete()


def reindex(partnership=None, report: Callable[[str], None] | None = None) -> dict[str, int]:
    """Rebuild the rows of `partnership` (every partnership when None) from the records, reading
    attached files here. Rows of records that no longer exist are dropped. Returns the number of
    rows per kind."""
    from cdrp.partnerships.models import Partnership

    partnerships = [partnership] if partnership is not None else list(Partnership.objects.all())
    counts: dict[str, int] = {}
    for p in partnerships:
        for indexer in indexers():
            kept = []
            for record in indexer.records(p):
                if index_record(record, indexer, extract="now") is not None:
                    kept.append(record.pk)
            stale = SearchEntry.objects.filter(partnership=p, kind=indexer.kind).exclude(
                object_id__in=kept
            )
            stale.delete()
            counts[indexer.kind] = counts.get(indexer.kind, 0) + len(kept)
        if report:
            report(f"{p.name}: indexed")
    return counts


# Signals ----------------------------------------------------------------------------------------


def _safely(work: Callable[[], object]) -> None:
    """Index in a savepoint: a failure is logged and never undoes the record's own save."""
    try:
        with transaction.atomic():
            work()
    except Exception:
        log.exception("search: the index was not updated")


def _saved(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    for indexer in indexers_for_model(sender):
        _safely(partial(index_record, instance, indexer))
    _watched(sender, instance)


def _deleted(sender, instance, **kwargs) -> None:
    for indexer in indexers_for_model(sender):
        _safely(partial(remove_record, instance, indexer))
    _watched(sender, instance)


def _watched(sender, instance) -> None:
    for indexer in indexers():
        for model, affected in indexer.watch.items():
            if _model(model) is sender:
                _safely(partial(_again, indexer, affected(instance)))


def _again(indexer: Indexer, records: Iterable) -> None:
    for record in records:
        index_record(record, indexer)


def _model(model):
    from django.apps import apps

    return apps.get_model(model) if isinstance(model, str) else model


def connect() -> None:
    """Connect the signals of every registered model and every watched one (call after the
    indexers are registered; an app registering later calls it again, which is harmless)."""
    models = set()
    for indexer in indexers():
        models.add(indexer.model_class)
        models.update(_model(m) for m in indexer.watch)
    for model in models:
        uid = f"cdrp.search.{model._meta.label}"
        post_save.connect(_saved, sender=model, dispatch_uid=uid)
        post_delete.connect(_deleted, sender=model, dispatch_uid=uid)
