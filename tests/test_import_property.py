"""A property of imports: whatever files arrive, in any order, the store holds exactly the rows of
the files it accepted, and an accepted row is never lost without a confirmed replacement.

Hypothesis draws sequences of imports of small generated police.uk street files and of mutations
of earlier ones: re-imports (also under other names), truncations, fewer rows, coordinates
blanked, renamed Longitude/Latitude columns (with or without a mapping), CR, CRLF or LF line
endings, a byte order mark, several forces in one file, and police.uk names that agree or
disagree with the rows' force. A small model applies the import rules of issue 15 to say which
files must be accepted, refused (a replacement that needs confirming) or failed (truncated,
columns missing, name disagreeing). After every import:

- the importer's status is the model's, and ``imported + quarantined = read``;
- the store's rows, partition by partition, are exactly a DuckDB recount of the accepted file
  that holds that partition (DuckDB's own CSV reader, not ours);
- a partition never holds fewer rows, nor loses all its coordinates, unless the import that
  replaced it was confirmed (a later vintage of the same size replaces it without asking);
- ``check_store`` finds every listed file intact and no orphan.

The suite runs a dozen sequences (about 2 s); ``bench/import_property.py`` runs hundreds and
prints how many imports ended in each status.
"""

from __future__ import annotations

import hashlib
import itertools
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cdrp.store import Store, check_store, import_police_uk
from cdrp.store.schema import STREET_COLUMNS

# Fictitious forces: the importer must take whatever the rows say.
FORCES = {"northshire": "Northshire Constabulary", "southshire": "Southshire Police"}
MONTHS = ["2022-01", "2022-02"]
PARTITIONS = [(f, m) for f in FORCES for m in MONTHS]
BAD_TYPE = "Jaywalking"  # not a police.uk crime type: quarantined


@dataclass
class Row:
    crime_id: str
    force: str
    month: str
    coords: bool
    bad: bool = False

    def fields(self) -> list[str]:
        lon, lat = ("-2.6981", "53.6531") if self.coords else ("", "")
        kind = BAD_TYPE if self.bad else "Burglary"
        name = FORCES[self.force]
        return [
            self.crime_id,
            self.month,
            name,
            name,
            lon,
            lat,
            "On or near Market Street",
            "E01024951",
            "Somewhere 001A",
            kind,
            "Under investigation",
            "",
        ]


@dataclass
class Render:
    """How a file's rows are written out."""

    ending: str = "\n"
    bom: bool = False
    name: str = "neutral"  # neutral | agree | disagree
    renamed: bool = False  # Longitude/Latitude written as Lon/Lat
    mapping: bool = False  # … and the import is given the mapping
    truncated: bool = False  # the last row cut off mid-line


@dataclass
class Step:
    rows: list[Row]
    render: Render
    replace: bool
    name: str = ""
    data: bytes = b""


_ids = itertools.count()


def _new_rows(draw) -> list[Row]:
    chosen = draw(st.lists(st.sampled_from(PARTITIONS), unique=True, max_size=3))
    rows = []
    for force, month in chosen:
        with_coords = draw(st.integers(0, 4))
        without = draw(st.integers(0, 2))
        for i in range(with_coords + without):
            rows.append(Row(f"id{next(_ids)}", force, month, coords=i < with_coords))
    for _ in range(draw(st.integers(0, 2))):
        force, month = (rows[0].force, rows[0].month) if rows else PARTITIONS[0]
        rows.append(Row(f"id{next(_ids)}", force, month, coords=True, bad=True))
    if rows and draw(st.booleans()):
        rows = draw(st.permutations(rows))
    return rows


_rarely = st.sampled_from([False] * 7 + [True])


@st.composite
def steps(draw) -> list[Step]:
    out: list[Step] = []
    for _ in range(draw(st.integers(1, 6))):
        render = Render(
            ending=draw(st.sampled_from(["\n", "\r\n", "\r"])),
            bom=draw(st.booleans()),
            # Each way to fail is drawn rarely (Hypothesis favours the first choice of a list),
            # so most files reach the replacement rules.
            name=draw(st.sampled_from(["neutral"] * 3 + ["agree"] * 3 + ["disagree"])),
            renamed=draw(_rarely),
            mapping=draw(st.booleans()),
            truncated=draw(_rarely),
        )
        replace = draw(_rarely)
        if out and draw(st.booleans()):
            earlier = draw(st.sampled_from(out))
            how = draw(st.sampled_from(["same", "fewer", "fewer", "blank", "other name", "more"]))
            rows = [Row(r.crime_id, r.force, r.month, r.coords, r.bad) for r in earlier.rows]
            if how == "same":  # the very same bytes again
                out.append(Step(rows, earlier.render, replace, earlier.name))
                continue
            if how == "other name":  # a duplicate of the month under another name
                render = Render(**{**earlier.render.__dict__, "name": render.name})
            elif how == "fewer" and rows:
                rows = rows[: draw(st.integers(min(1, len(rows) - 1), len(rows) - 1))]
            elif how == "blank":
                for r in rows:
                    r.coords = False
            elif how == "more":
                rows += _new_rows(draw)
        else:
            rows = _new_rows(draw)
        out.append(Step(rows, render, replace))
    return out


def _months(rows: list[Row]) -> set[str]:
    return {r.month for r in rows}


def _write(step: Step, folder: Path, number: int) -> Path:
    render, rows = step.render, step.rows
    header = list(STREET_COLUMNS)
    if render.renamed:
        header[4:6] = ["Lon", "Lat"]
    lines = [",".join(header)] + [",".join(r.fields()) for r in rows]
    if render.truncated and rows:
        lines[-1] = ",".join(rows[-1].fields()[:3])
    text = render.ending.join(lines) + ("" if render.truncated and rows else render.ending)
    data = ("\ufeff" if render.bom else "").encode() + text.encode()
    if not step.name:
        months = _months(rows)
        if render.name != "neutral" and len(months) == 1:
            force = rows[0].force if render.name == "agree" else "elsewhere"
            step.name = f"{months.pop()}-{force}-street.csv"
        else:
            step.name = f"file-{number}.csv"
    path = folder / str(number) / step.name
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    step.data = data
    return path


@dataclass
class Model:
    """The import rules, applied to what we know each file holds."""

    holder: dict[tuple[str, str], Path] = field(default_factory=dict)  # partition → its file
    rows: dict[tuple[str, str], list[Row]] = field(default_factory=dict)
    accepted: set[str] = field(default_factory=set)  # content hashes of accepted files

    def expect(self, step: Step, path: Path) -> str:
        render, rows = step.render, step.rows
        if hashlib.sha256(step.data).hexdigest() in self.accepted:
            return "already imported"
        if render.renamed and not render.mapping:
            return "failed"  # Longitude/Latitude missing
        if render.truncated and rows:
            return "failed"
        disagrees = step.name.endswith("-street.csv") and "-elsewhere-" in step.name
        if disagrees and rows:
            return "failed"
        good: dict[tuple[str, str], list[Row]] = {}
        for r in rows:
            if not r.bad:
                good.setdefault((r.force, r.month), []).append(r)
        for key, new in good.items():
            old = self.rows.get(key)
            if old is None:
                continue
            fewer = len(new) < len(old)
            emptied = any(r.coords for r in old) and not any(r.coords for r in new)
            if (fewer or emptied) and not step.replace:
                return "refused"
        self.accepted.add(hashlib.sha256(step.data).hexdigest())
        for key, new in good.items():
            self.holder[key], self.rows[key] = path, new
        return "imported"


def _recount(model: Model) -> dict[tuple[str, str], tuple[set[str], int]]:
    """DuckDB's count of each partition in the accepted file that holds it: Crime IDs, and
    rows with coordinates."""
    out = {}
    names = ", ".join(f"'{c}'" for c in STREET_COLUMNS)
    for (force, month), path in model.holder.items():
        rows = duckdb.sql(
            f"""
            SELECT "Crime ID", "Longitude" FROM read_csv('{path}', header = true,
                names = [{names}], all_varchar = true, auto_detect = true)
            WHERE "Reported by" = '{FORCES[force]}' AND "Month" = '{month}'
              AND "Crime type" <> '{BAD_TYPE}'
            """
        ).fetchall()
        out[(force, month)] = ({r[0] for r in rows}, sum(1 for r in rows if r[1]))
    return out


def _held(root: str) -> dict[tuple[str, str], tuple[set[str], int]]:
    files = [str(Path(root) / e["path"]) for e in Store(root).state()["files"]]
    if not files:
        return {}
    rows = duckdb.sql(
        f"""
        SELECT force, strftime(month, '%Y-%m'), list(record_id), count(lon)
        FROM read_parquet({files!r}, hive_partitioning = false) GROUP BY ALL
        """
    ).fetchall()
    return {(f, m): (set(ids), coords) for f, m, ids, coords in rows}


def _run(sequence: list[Step]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root, folder = str(Path(tmp) / "store"), Path(tmp) / "files"
        model = Model()
        held: dict[tuple[str, str], tuple[set[str], int]] = {}
        for number, step in enumerate(sequence):
            path = _write(step, folder, number)
            expected = model.expect(step, path)
            columns = {"Longitude": "Lon", "Latitude": "Lat"} if step.render.mapping else None
            if columns and not step.render.renamed:
                columns = None  # a mapping for columns the file does not rename is refused
            (result,) = import_police_uk(
                root, [path], replace=step.replace, by="property test", columns=columns
            )
            assert result.status == expected, (number, result.message)
            event(f"an import {expected}")
            assert result.imported + result.quarantined == result.read
            if expected == "imported":
                assert result.read == len(step.rows)
                assert result.quarantined == sum(r.bad for r in step.rows)
            before, held = held, _held(root)
            assert held == _recount(model)
            for key, (ids, coords) in before.items():
                now, now_coords = held.get(key, (set(), 0))
                if len(now) < len(ids) or (coords and not now_coords):
                    # Only a confirmed replacement may shrink a partition or empty a column.
                    assert expected == "imported" and step.replace, (number, key)
            report = check_store(root)
            assert report.ok, (report.problems, report.orphans)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(sequence=steps())
def test_the_store_holds_exactly_the_rows_of_the_accepted_files(sequence):
    _run(sequence)
