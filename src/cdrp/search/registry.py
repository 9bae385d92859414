"""The indexers: one per kind of searchable record, registered by the app that owns the model.

See the package docstring (`cdrp.search`) for how an app plugs in.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = [
    "Entry",
    "Indexer",
    "register",
    "indexers",
    "indexer_for_kind",
    "indexers_for_model",
    "as_entry",
    "autodiscover",
]


@dataclass(frozen=True)
class Entry:
    """What the index holds about one record.

    `restricted_group` is the id of the group whose current members alone may read the record
    (checked with `cdrp.accounts.policy.may_see_restricted`), or None when every member of the
    partnership may. `file` is an attached document whose text is searched too (a FieldFile,
    read in the background), or None."""

    partnership_id: int
    title: str
    text: str = ""
    url: str = ""
    restricted_group: int | None = None
    date: Any = None  # a date shown beside the result (optional)
    file: Any = None


@dataclass(frozen=True)
class Indexer:
    """How one kind of record is searched.

    - `kind`: a short slug stored with each row ("paper"); `label`: its plural heading ("Papers");
    - `model`: the model class (or "app_label.Model");
    - `entry(obj)`: the `Entry` for a record, or None when it is not to be searched;
    - `records(partnership)`: every record of a partnership, for `cdrp search reindex`;
    - `watch`: other models whose change changes these records' entries (their title or who may
      read them), each with a function from the changed instance to the records to index again;
    - `access(record)` (optional): just (partnership id, restricted group) of a record, cheaper
      than `entry` when every result shown is checked against its record; with `light`, the
      fields that needs (the record is loaded with only those).
    """

    kind: str
    label: str
    model: Any
    entry: Callable[[Any], Entry | None]
    records: Callable[[Any], Iterable[Any]]
    watch: dict[Any, Callable[[Any], Iterable[Any]]] = field(default_factory=dict)
    order: int = 100
    access: Callable[[Any], tuple[int, int | None] | None] | None = None
    light: tuple[str, ...] = ()

    @property
    def model_class(self):
        from django.apps import apps

        return apps.get_model(self.model) if isinstance(self.model, str) else self.model


_INDEXERS: dict[str, Indexer] = {}


def as_entry(value) -> Entry | None:
    """An indexer's answer as an Entry: an Entry, a mapping of Entry's fields, or None."""
    if value is None or isinstance(value, Entry):
        return value
    return Entry(**dict(value))


def register(indexer: Indexer | Mapping[str, Any]) -> Indexer:
    """Register an indexer (an `Indexer`, or a mapping of its fields). Registering the same kind
    again replaces it."""
    if not isinstance(indexer, Indexer):
        indexer = Indexer(**dict(indexer))
    entry = indexer.entry
    indexer = replace(indexer, entry=lambda record: as_entry(entry(record)))
    _INDEXERS[indexer.kind] = indexer
    return indexer


def autodiscover() -> list[str]:
    """Register the indexers of every installed cdrp app that has a `searchable` module (its
    ``INDEXERS``: mappings of `Indexer`'s fields). Returns the modules found."""
    from django.apps import apps

    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("cdrp.") or config.name == "cdrp.search":
            continue
        name = f"{config.name}.searchable"
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        for spec in getattr(module, "INDEXERS", []):
            register(spec)
        found.append(name)
    return found


def indexers() -> list[Indexer]:
    """Every registered indexer, in the order results are grouped on the page."""
    return sorted(_INDEXERS.values(), key=lambda i: (i.order, i.kind))


def indexer_for_kind(kind: str) -> Indexer | None:
    return _INDEXERS.get(kind)


def indexers_for_model(model) -> list[Indexer]:
    return [i for i in _INDEXERS.values() if i.model_class is model]
