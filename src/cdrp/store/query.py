"""Reading the store: counts by any geography and period, point extracts, manifest, quarantine.

Queries run in-process in DuckDB over the Parquet files named by the committed store state
(never a directory glob, so a half-finished import is never seen). Area names come from the
geography tables built by `cdrp.store.geography.build_geography`.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal, ParamSpec, TypeVar, cast, overload

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from cdrp.analysis.months import Month, MonthError
from cdrp.store.files import Store
from cdrp.store.schema import INCIDENT_SCHEMA, QUARANTINE_SCHEMA

__all__ = [
    "LEVELS",
    "counts",
    "points",
    "imports",
    "quarantine",
    "coverage",
    "repeat_statistics",
    "repeated_ids",
    "incident_files",
    "connection",
]

LEVELS = ("month", "category", "lsoa", "ward", "district", "partnership", "force", "source")
# The columns a query may name: the incident files' own (the schema plus the force partition).
_INCIDENT_COLUMNS = frozenset([*INCIDENT_SCHEMA.names, "force"])
_local = threading.local()
_P = ParamSpec("_P")
_R = TypeVar("_R")


class _Bound:
    """The values of one statement, bound as named parameters ($p0, $p1, ...).

    SQL text is built only from this module's constants and from identifiers on fixed
    allow-lists; every value (a file path, a code, a slug, a month, a limit) is a parameter, so
    no input, however it is quoted, can change what a statement does.
    """

    def __init__(self) -> None:
        self.values: dict[str, object] = {}

    def __call__(self, value: object) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return "$" + name

    def among(self, expression: str, values: Iterable[object]) -> str:
        """``expression IN (...)`` over bound text values; false for none (no area, no record)."""
        placeholders = [self(str(v)) for v in values]
        return f"{expression} IN ({', '.join(placeholders)})" if placeholders else "false"


def connection() -> duckdb.DuckDBPyConnection:
    """A DuckDB connection for this thread (DuckDB connections are not shared across threads)."""
    con = getattr(_local, "con", None)
    if con is None:
        # Bounded memory: large aggregates spill to disk rather than grow the process. Parquet
        # footers are cached: store files are never rewritten (each import writes new names).
        settings: dict[str, object] = {
            "threads": 2,
            "memory_limit": "512MB",
            "preserve_insertion_order": False,
            "enable_object_cache": True,
        }
        # duckdb's stubs type the settings as text; it takes each in its own type.
        con = duckdb.connect(":memory:", config=cast("dict[str, str]", settings))
        _local.con = con
    return con


def _arrow(sql: str, bound: _Bound) -> pa.Table:
    # The thread's own connection (not a cursor): datasets registered by _scan are visible.
    return connection().execute(sql, bound.values).fetch_arrow_table()


def _scan(store: Store, relatives: Sequence[str], bound: _Bound, union: bool = False) -> str:
    """SQL for reading some of the store's Parquet files.

    Local files are read by DuckDB directly; on any other filesystem (s3://, gs://, …) the
    files are opened through the store's pyarrow filesystem and handed to DuckDB as a dataset,
    so no DuckDB extension or second set of credentials is needed.
    """
    if store.local:
        paths = bound([store.path(r) for r in relatives])
        return f"read_parquet({paths}, hive_partitioning = false" + (
            ", union_by_name = true)" if union else ")"
        )
    name = "_scan_" + hashlib.sha256("\n".join(relatives).encode()).hexdigest()[:16]
    dataset = pads.dataset(
        [store.path(r) for r in relatives], filesystem=store.fs, format="parquet"
    )
    connection().register(name, dataset)
    return name


def _retry_on_replaced_files(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run a query again if an import replaced (deleted) files between state and scan."""

    @functools.wraps(func)
    def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return func(*args, **kwargs)
        except duckdb.IOException:
            return func(*args, **kwargs)

    return wrapped


def _store(store: Store | str) -> Store:
    return store if isinstance(store, Store) else Store(store)


def incident_files(store: Store | str, table: str = "") -> list[str]:
    """The live Parquet files of a table ('' = incidents, 'outcomes/', 'stop_and_search/')."""
    store = _store(store)
    return [store.uri(e["path"]) for e in store.state()["files"] if e["table"] == table]


def _month(value: object) -> dt.date | None:
    """The first day of a ``YYYY-MM`` month (longer text such as a date is cut to its month)."""
    if value is None:
        return None
    try:
        return Month.parse(str(value)[:7]).first_day
    except MonthError:
        raise ValueError(f"month {value!r} is not of the form YYYY-MM") from None


def _geography_sql(store: Store, name: str, bound: _Bound) -> str:
    return _scan(store, [f"_geography/{name}.parquet"], bound)


def files_digest(state: dict[str, Any]) -> str:
    """A fingerprint of the live incident files: derived tables are valid for this value only."""
    paths = sorted(e["path"] for e in state["files"] if e["table"] == "")
    return hashlib.sha256("\n".join(paths).encode()).hexdigest()[:16]


def build_distinct_index(store: Store | str) -> dict[str, Any] | None:
    """Write the table of repeated Crime IDs: where each first appears, and its latest outcome.

    With it a distinct count is a small hash join instead of a window over every record. The
    caller commits the returned entry as ``state['distinct_index']`` (holding the lock).
    """
    store = _store(store)
    state = store.state()
    files = [e["path"] for e in state["files"] if e["table"] == ""]
    if not files:
        return None
    order = "{'m': month, 'r': source_row}"
    bound = _Bound()
    # First the repeated IDs alone (a plain aggregate that spills to disk), then the first row
    # and latest outcome of those few: memory stays bounded on a very large store.
    sql = f"""
        WITH b AS (
            SELECT ingest_id, source, record_id, month, source_row, outcome
            FROM {_scan(store, files, bound)}
            WHERE record_id IS NOT NULL
        ), repeated AS (
            SELECT source, record_id FROM b GROUP BY source, record_id HAVING count(*) > 1
        )
        SELECT source, record_id, count(*) AS rows, count(DISTINCT month) AS months,
               arg_min(ingest_id, {order}) AS first_ingest,
               arg_min(source_row, {order}) AS first_row,
               arg_max(outcome, {order}) FILTER (WHERE outcome IS NOT NULL) AS latest_outcome
        FROM b SEMI JOIN repeated USING (source, record_id)
        GROUP BY source, record_id
    """  # nosec B608: a constant and the scan are formatted in; the scan's paths are bound
    table = _arrow(sql, bound)
    sink = io.BytesIO()
    pq.write_table(table, sink)
    digest = files_digest(state)
    relative = f"_derived/distinct-{digest}.parquet"
    store.write_bytes(relative, sink.getvalue())
    return {"path": relative, "files": digest, "ids": table.num_rows}


def _prunable(entry: dict[str, Any], scope: _Scope) -> bool:
    """Can the manifest entry of a file be left unread, its records being all outside `scope`?"""
    if scope.source and entry.get("source", scope.source) != scope.source:
        return True
    month = entry.get("month")
    if month and scope.first and month < scope.first:
        return True
    if month and scope.last and month > scope.last:
        return True
    listed = entry.get("districts")  # stores written before the list was kept have none
    return scope.districts is not None and listed is not None and not scope.districts & set(listed)


class _Scope:
    """What a query can possibly count: the files outside it are not read at all. Months as
    ``YYYY-MM``; `districts` None for any district."""

    def __init__(
        self,
        source: str | None = None,
        first: str | None = None,
        last: str | None = None,
        districts: set[str] | None = None,
    ) -> None:
        self.source, self.first, self.last, self.districts = source, first, last, districts


def _district_scope(
    store: Store,
    areas: Mapping[str, Sequence[str]] | None,
    partnerships: Mapping[str, Sequence[str]] | None,
) -> set[str] | None:
    """The districts whose records a filter on `areas` can keep (None: any). District, force and
    partnership filters are all decided by the record's district, so a file holding none of
    those districts holds nothing the query counts."""
    scope: set[str] | None = None
    for level, codes in (areas or {}).items():
        wanted = {str(c) for c in codes}
        if level == "district":
            found = wanted
        elif level == "partnership" and partnerships is not None:
            found = {str(d) for p, ds in partnerships.items() if str(p) in wanted for d in ds}
        elif level in ("force", "partnership") and store.exists("_geography/districts.parquet"):
            column = "force_code" if level == "force" else "csp_code"
            bound = _Bound()
            table = _arrow(
                f"SELECT DISTINCT district_code FROM {_geography_sql(store, 'districts', bound)} "
                f"WHERE {bound.among(column, sorted(wanted))}",  # nosec B608: column fixed above
                bound,
            )
            found = {str(d) for d in table.column("district_code").to_pylist()}
        else:
            continue
        scope = found if scope is None else scope & found
    return scope


def _incidents_sql(
    store: Store,
    distinct: bool,
    source: str | None,
    bound: _Bound,
    columns: Sequence[str] | None = None,
    scope: _Scope | None = None,
) -> str | None:
    """SQL for the incident records (each Crime ID once if `distinct`); its values go to `bound`.

    With a `scope`, the files the manifest shows to hold nothing in it are not read. A distinct
    count prunes only while the index of repeated Crime IDs is current: the index still finds a
    record's first appearance in a file left out (and the record is then not counted, as it
    would not be), where the window functions of the fallback would see a later row as first."""
    state = store.state()
    entries = [e for e in state["files"] if e["table"] == ""]
    if not entries:
        return None
    index = state.get("distinct_index")
    nothing = False
    if scope is not None and (
        not distinct or (index and index.get("files") == files_digest(state))
    ):
        kept = [e for e in entries if not _prunable(e, scope)]
        # Nothing can match: one file's schema and no rows, so the statement answers as it
        # would over every file (a single total of 0, or no groups).
        nothing = not kept
        entries = kept or entries[:1]
    files = [e["path"] for e in entries]
    if columns is not None:
        unknown = sorted(set(columns) - _INCIDENT_COLUMNS)
        if unknown:
            raise ValueError(f"no incident column {unknown[0]!r}")
    wanted = (
        "*"
        if columns is None
        else ", ".join(
            sorted(set(columns) | {"record_id", "month", "source", "source_row", "ingest_id"})
        )
    )
    scan = _scan(store, files, bound, union=True)
    base = f"SELECT {wanted} FROM {scan}"  # nosec B608: columns checked above; paths bound
    if source:
        base += f" WHERE source = {bound(source)}" + (" AND false" if nothing else "")
    elif nothing:
        base += " WHERE false"
    if not distinct:
        return base
    with_outcome = columns is None or "outcome" in columns
    if index and index.get("files") == files_digest(state):
        # Each Crime ID once: its first row (month, then row), with its latest outcome.
        replace = (
            " REPLACE (coalesce(_x.latest_outcome, _b.outcome) AS outcome)" if with_outcome else ""
        )
        return (
            f"WITH _b AS ({base}) SELECT _b.*{replace} FROM _b "  # nosec B608: values bound
            f"LEFT JOIN {_scan(store, [index['path']], bound)} _x "
            "ON _b.source = _x.source AND _b.record_id = _x.record_id "
            "WHERE _x.record_id IS NULL "
            "OR (_b.ingest_id = _x.first_ingest AND _b.source_row = _x.first_row)"
        )
    # No current index (an import is committing): the same rule by window functions.
    latest = (
        ""
        if not with_outcome
        else (
            ", last_value(outcome IGNORE NULLS) OVER (PARTITION BY source, record_id "
            "ORDER BY month, source_row ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED "
            "FOLLOWING) AS _latest"
        )
    )
    replace = " REPLACE (_latest AS outcome)" if latest else ""
    return (
        f"WITH _b AS ({base}) "  # nosec B608: this module's own text; values bound
        f"SELECT * EXCLUDE (_k{', _latest' if latest else ''}){replace} FROM ("
        "SELECT *, row_number() OVER (PARTITION BY source, record_id "
        "ORDER BY month, source_row) AS _k"
        f"{latest} FROM _b WHERE record_id IS NOT NULL) WHERE _k = 1 "
        f"UNION ALL BY NAME SELECT * FROM _b WHERE record_id IS NULL"
    )


@overload
def counts(
    store: Store | str,
    by: Sequence[str] = ("district",),
    *,
    start: str | None = None,
    end: str | None = None,
    categories: Sequence[str] | None = None,
    areas: Mapping[str, Sequence[str]] | None = None,
    partnerships: Mapping[str, Sequence[str]] | None = None,
    distinct: bool = False,
    source: str | None = "police-uk",
    names: bool = False,
    output: Literal["arrow"] = "arrow",
) -> pa.Table: ...


@overload
def counts(
    store: Store | str,
    by: Sequence[str] = ("district",),
    *,
    start: str | None = None,
    end: str | None = None,
    categories: Sequence[str] | None = None,
    areas: Mapping[str, Sequence[str]] | None = None,
    partnerships: Mapping[str, Sequence[str]] | None = None,
    distinct: bool = False,
    source: str | None = "police-uk",
    names: bool = False,
    output: Literal["pandas"],
) -> pd.DataFrame: ...


@overload
def counts(
    store: Store | str,
    by: Sequence[str] = ("district",),
    *,
    start: str | None = None,
    end: str | None = None,
    categories: Sequence[str] | None = None,
    areas: Mapping[str, Sequence[str]] | None = None,
    partnerships: Mapping[str, Sequence[str]] | None = None,
    distinct: bool = False,
    source: str | None = "police-uk",
    names: bool = False,
    output: str = "arrow",
) -> pa.Table | pd.DataFrame: ...


@_retry_on_replaced_files
def counts(
    store: Store | str,
    by: Sequence[str] = ("district",),
    *,
    start: str | None = None,
    end: str | None = None,
    categories: Sequence[str] | None = None,
    areas: Mapping[str, Sequence[str]] | None = None,
    partnerships: Mapping[str, Sequence[str]] | None = None,
    distinct: bool = False,
    source: str | None = "police-uk",
    names: bool = False,
    output: str = "arrow",
) -> pa.Table | pd.DataFrame:
    """Counts of incident records grouped by any of LEVELS, with filters.

    Parameters
    ----------
    store : Store or str
        The incident store or its root.
    by : sequence of str
        Grouping levels among ``month, category, lsoa, ward, district, partnership, force,
        source``; empty for a single total.
    start, end : str, optional
        First and last month included, ``YYYY-MM``.
    categories : sequence of str, optional
        police.uk category slugs (``anti-social-behaviour``, ``burglary``, ...).
    areas : mapping, optional
        ``{level: [codes]}``: keep records in any of these areas (levels lsoa, ward, district,
        partnership, force; partnership codes are ONS CSP codes or keys of `partnerships`).
    partnerships : mapping, optional
        ``{partnership: [district codes]}`` used instead of the ONS CSP of each district, e.g.
        ``{"lancashire-south": ["E07000118", "E07000126", "E07000127"]}``. A record counts
        once in each partnership its district belongs to; districts in none are ``None``.
    distinct : bool
        Count each Crime ID once, in the month it first appears, with its latest outcome.
        Records without an ID (anti-social behaviour) are all counted.
    source : str or None
        Only records of this source: ``police-uk`` (the default) or a partner source such as
        ``fire-deliberate-fires``; None counts every source together.
    names : bool
        Add a ``<level>_name`` column for area levels.
    output : {'arrow', 'pandas'}

    Returns
    -------
    pyarrow.Table or pandas.DataFrame
        One row per group with the `by` columns (``month`` as ``YYYY-MM``) and ``count``,
        sorted by the `by` columns. Records with no district (no location) have None there.
    """
    store = _store(store)
    by = list(by)
    unknown = [b for b in by if b not in LEVELS]
    if unknown:
        raise ValueError(f"cannot count by {unknown[0]!r}: choose from {', '.join(LEVELS)}")
    needed = {"month", "category", "lsoa_code", "ward_code", "district_code", "force", "source"}
    bound = _Bound()
    first, last = _month(start), _month(end)
    scope = _Scope(
        source,
        first.strftime("%Y-%m") if first else None,
        last.strftime("%Y-%m") if last else None,
        _district_scope(store, areas, partnerships),
    )
    base = _incidents_sql(store, distinct, source, bound, columns=sorted(needed), scope=scope)
    if base is None:
        return _empty(by, output)
    has_geo = store.exists("_geography/districts.parquet")
    # Aggregate the records first on their own columns, then map the (few) groups to
    # partnerships and forces: the joins and the month formatting run on groups, not rows.
    raw = {
        "month": "month",
        "category": "category",
        "lsoa": "lsoa_code",
        "ward": "ward_code",
        "district": "district_code",
        "partnership": "district_code",
        "force": "district_code" if has_geo else "force",
        "source": "source",
    }
    inner_where, outer_where = [], []
    if first:
        inner_where.append(f"month >= {bound(first)}")
    if last:
        inner_where.append(f"month <= {bound(last)}")
    if categories:
        inner_where.append(bound.among("category", categories))
    levels = set(by) | set(areas or {})
    joins = []
    if has_geo and ({"partnership", "force"} & levels):
        districts = _geography_sql(store, "districts", bound)
        joins.append(f"LEFT JOIN {districts} d ON d.district_code = i.district_code")
    if partnerships is not None and "partnership" in levels:
        pairs = [(p, d) for p, ds in partnerships.items() for d in ds]
        values = (
            ", ".join(f"({bound(str(p))}, {bound(str(d))})" for p, d in pairs) or "(NULL, NULL)"
        )
        joins.append(
            f"LEFT JOIN (VALUES {values}) AS pm(partnership, district_code) "
            f"ON pm.district_code = i.district_code"
        )
        partnership_expr = "pm.partnership"
    else:
        partnership_expr = "d.csp_code" if has_geo else "NULL"
    expressions = {
        "month": "strftime(i.month, '%Y-%m')",
        "category": "i.category",
        "lsoa": "i.lsoa_code",
        "ward": "i.ward_code",
        "district": "i.district_code",
        "partnership": partnership_expr,
        "force": "d.force_code" if has_geo else "i.force",
        "source": "i.source",
    }
    for level, codes in (areas or {}).items():
        if level not in expressions or level in ("month", "category"):
            raise ValueError(f"cannot filter areas by {level!r}")
        if level in ("lsoa", "ward", "district"):
            inner_where.append(bound.among(raw[level], codes))
        else:
            outer_where.append(bound.among(expressions[level], codes))
    # Every name below comes from `raw` and `expressions` (keys checked against LEVELS above);
    # every value is in `bound`.
    keys = sorted({raw[level] for level in levels})
    inner = (
        f"SELECT {', '.join([*keys, 'count(*) AS n'])} FROM ({base})"  # nosec B608: as above
        + (f" WHERE {' AND '.join(inner_where)}" if inner_where else "")
        + (f" GROUP BY {', '.join(keys)}" if keys else "")
    )
    select = [f"{expressions[b]} AS {b}" for b in by]
    sql = (
        f"SELECT {', '.join(select + ['coalesce(sum(i.n), 0)::BIGINT AS count'])} "
        f"FROM ({inner}) i {' '.join(joins)}"  # nosec B608: names from LEVELS; values bound
        + (f" WHERE {' AND '.join(outer_where)}" if outer_where else "")
        + (" GROUP BY ALL ORDER BY ALL" if by else "")
    )
    table = _arrow(sql, bound)
    if names and has_geo:
        table = _add_names(store, table, by)
    return table.to_pandas() if output == "pandas" else table


def _add_names(store: Store, table: pa.Table, by: Sequence[str]) -> pa.Table:
    lookups = {
        "district": ("districts", "district_code", "district_name"),
        "partnership": ("districts", "csp_code", "csp_name"),
        "force": ("districts", "force_code", "force_name"),
        "ward": ("wards", "ward_code", "ward_name"),
        "lsoa": ("lsoa", "lsoa_code", "lsoa_name"),
    }
    for level in by:
        if level not in lookups:
            continue
        name, code, label = lookups[level]
        bound = _Bound()
        geography = _geography_sql(store, name, bound)
        sql = (
            f"SELECT DISTINCT {code} AS code, {label} AS name "  # nosec B608: names from lookups
            f"FROM {geography}"
        )
        frame = _arrow(sql, bound)
        mapping = dict(
            zip(frame.column("code").to_pylist(), frame.column("name").to_pylist(), strict=True)
        )
        position = table.schema.get_field_index(level) + 1
        table = table.add_column(
            position,
            f"{level}_name",
            pa.array([mapping.get(v) for v in table.column(level).to_pylist()], pa.string()),
        )
    return table


def _empty(by: Sequence[str], output: str) -> pa.Table | pd.DataFrame:
    table = pa.table(
        {**{b: pa.array([], pa.string()) for b in by}, "count": pa.array([], pa.int64())}
    )
    return table.to_pandas() if output == "pandas" else table


@overload
def points(
    store: Store | str,
    *,
    start: str | None = None,
    end: str | None = None,
    categories: Sequence[str] | None = None,
    districts: Sequence[str] | None = None,
    distinct: bool = False,
    source: str | None = "police-uk",
    limit: int | None = None,
    output: Literal["arrow"] = "arrow",
) -> pa.Table: ...


@overload
def points(
    store: Store | str,
    *,
    start: str | None = None,
    end: str | None = None,
    categories: Sequence[str] | None = None,
    districts: Sequence[str] | None = None,
    distinct: bool = False,
    source: str | None = "police-uk",
    limit: int | None = None,
    output: Literal["pandas"],
) -> pd.DataFrame: ...


@overload
def points(
    store: Store | str,
    *,
    start: str | None = None,
    end: str | None = None,
    categories: Sequence[str] | None = None,
    districts: Sequence[str] | None = None,
    distinct: bool = False,
    source: str | None = "police-uk",
    limit: int | None = None,
    output: str = "arrow",
) -> pa.Table | pd.DataFrame: ...


@_retry_on_replaced_files
def points(
    store: Store | str,
    *,
    start: str | None = None,
    end: str | None = None,
    categories: Sequence[str] | None = None,
    districts: Sequence[str] | None = None,
    distinct: bool = False,
    source: str | None = "police-uk",
    limit: int | None = None,
    output: str = "arrow",
) -> pa.Table | pd.DataFrame:
    """Located records for maps: lon, lat, month (YYYY-MM), category, lsoa, ward, district.

    Parameters are as for `counts`; records without coordinates are left out.
    """
    store = _store(store)
    bound = _Bound()
    base = _incidents_sql(
        store,
        distinct,
        source,
        bound,
        columns=["lon", "lat", "category", "lsoa_code", "ward_code", "district_code"],
    )
    if base is None:
        return _empty(["lon", "lat"], output)
    where = ["lon IS NOT NULL"]
    first, last = _month(start), _month(end)
    if first:
        where.append(f"month >= {bound(first)}")
    if last:
        where.append(f"month <= {bound(last)}")
    if categories:
        where.append(bound.among("category", categories))
    if districts:
        where.append(bound.among("district_code", districts))
    limit_sql = f" LIMIT {bound(int(limit))}" if limit else ""
    sql = (
        "SELECT lon, lat, strftime(month, '%Y-%m') AS month, category, lsoa_code, ward_code, "
        f"district_code FROM ({base}) WHERE {' AND '.join(where)} "  # nosec B608: values bound
        f"ORDER BY month, source_row{limit_sql}"
    )
    table = _arrow(sql, bound)
    return table.to_pandas() if output == "pandas" else table


def repeated_ids(store: Store | str) -> pa.Table:
    """Crime IDs listed more than once: source, record_id, rows, months, where each first
    appears (first_ingest, first_row) and its latest outcome — the records `distinct` merges."""
    store = _store(store)
    state = store.state()
    index = state.get("distinct_index")
    if not index or index.get("files") != files_digest(state):
        index = build_distinct_index(store)
        if index is None:
            return pa.table(
                {"source": pa.array([], pa.string()), "record_id": pa.array([], pa.string())}
            )
    bound = _Bound()
    scan = _scan(store, [index["path"]], bound)
    return _arrow(f"SELECT * FROM {scan} ORDER BY ALL", bound)  # nosec B608: the path is bound


def imports(store: Store | str) -> list[dict[str, Any]]:
    """The manifest: every committed import, newest first."""
    return list(reversed(_store(store).state()["imports"]))


def quarantine(store: Store | str, ingest_id: str | None = None, limit: int = 1000) -> pa.Table:
    """Quarantined rows (file, row, field, reason, raw values), of one import or all."""
    store = _store(store)
    paths = [
        r["quarantine_path"]
        for r in store.state()["imports"]
        if r.get("quarantine_path") and (ingest_id is None or r["ingest_id"] == ingest_id)
    ]
    if not paths:
        return QUARANTINE_SCHEMA.empty_table()
    bound = _Bound()
    scan = _scan(store, paths, bound)
    sql = (
        f"SELECT * FROM {scan} ORDER BY source_file, source_row "  # nosec B608: values bound
        f"LIMIT {bound(int(limit))}"
    )
    return _arrow(sql, bound)


def coverage(store: Store | str, table: str = "") -> pd.DataFrame:
    """Force × month rows present, with every month between the first and last (missing = 0)."""
    store = _store(store)
    entries = [e for e in store.state()["files"] if e["table"] == table]
    if not entries:
        return pd.DataFrame(columns=["source", "force", "month", "rows", "missing"])
    frame = (
        pd.DataFrame(entries).groupby(["source", "force", "month"], as_index=False)["rows"].sum()
    )
    out = []
    for (source, force), group in frame.groupby(["source", "force"]):
        months = pd.period_range(group.month.min(), group.month.max(), freq="M").strftime("%Y-%m")
        full = pd.DataFrame({"month": months}).merge(group[["month", "rows"]], how="left")
        full["missing"] = full.rows.isna()
        full["rows"] = full.rows.fillna(0).astype(int)
        full.insert(0, "force", str(force))  # the manifest's text
        full.insert(0, "source", str(source))
        out.append(full)
    return pd.concat(out, ignore_index=True)


def repeat_statistics(
    store: Store | str, ingest_ids: Sequence[str], index: dict[str, Any] | None
) -> dict[str, tuple[int, int]]:
    """For each import: (its Crime IDs seen more than once in the store, its rows that count
    under the distinct rule), from the distinct index built by `build_distinct_index`."""
    store = _store(store)
    files = [e["path"] for e in store.state()["files"] if e["table"] == ""]
    if not files or not ingest_ids:
        return {}
    bound = _Bound()
    if index is None:
        repeated = "SELECT NULL::VARCHAR AS source, NULL::VARCHAR AS record_id, "
        repeated += "NULL::VARCHAR AS first_ingest WHERE false"
    else:
        scan = _scan(store, [index["path"]], bound)
        repeated = f"SELECT * FROM {scan}"  # nosec B608: the path is bound
    sql = f"""
        WITH b AS (
            SELECT ingest_id, source, record_id
            FROM {_scan(store, files, bound)}
            WHERE {bound.among("ingest_id", ingest_ids)}
        ), x AS ({repeated})
        SELECT ingest_id, sum(repeated)::BIGINT, sum(kept)::BIGINT FROM (
            SELECT ingest_id, count(DISTINCT b.record_id) AS repeated, 0 AS kept
            FROM b JOIN x USING (source, record_id) GROUP BY ingest_id
            UNION ALL
            SELECT first_ingest, 0, count(*) FROM x
            WHERE {bound.among("first_ingest", ingest_ids)} GROUP BY first_ingest
            UNION ALL
            SELECT ingest_id, 0, count(*) FROM b ANTI JOIN x USING (source, record_id)
            WHERE b.record_id IS NOT NULL GROUP BY ingest_id
            UNION ALL
            SELECT ingest_id, 0, count(*) FROM b WHERE record_id IS NULL GROUP BY ingest_id
        ) GROUP BY ingest_id
    """  # nosec B608: the scans and the ingest ids are bound parameters
    table = _arrow(sql, bound)
    return {
        ingest: (int(repeated), int(kept))
        for ingest, repeated, kept in zip(*(c.to_pylist() for c in table.columns), strict=True)
    }
