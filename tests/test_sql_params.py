"""The store binds every value as a parameter: any text (quotes, NUL, unicode, SQL) as a district,
category, force, partnership or source filter finds exactly the records with that value (usually
none), never raises, never changes the store, and never appears in the SQL text."""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
from pathlib import Path

import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cdrp.store import Store, counts, import_police_uk, points, quarantine, query, repeated_ids

STREET = Path("data/demo/police-uk-street-lancashire")
CANARY = "canary'\x00\"; DROP TABLE x; --"
HOSTILE = [
    "",
    "'",
    "''",
    "'; DROP TABLE incidents; --",
    "E07000118' OR '1'='1",
    "\x00",
    "E07000118\x00",
    "\\",
    '"',
    "$p0",
    "?",
    "%",
    "_",
    "é",
    "🙂",
    "\u202e",
    " E07000118",
    "E07000118\n",
]
EXAMPLES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


@pytest.fixture(scope="module")
def store(_geography_template, tmp_path_factory):
    """Two months of Lancashire street records and a file with one quarantined row."""
    root = tmp_path_factory.mktemp("sql-params") / "store"
    shutil.copytree(_geography_template, root, ignore=shutil.ignore_patterns("*.lock"))
    with gzip.open(STREET / "2022-10/2022-10-lancashire-street.csv.gz", "rt") as fh:
        lines = fh.read().splitlines()
    bad = lines[1].split(",")
    bad[5] = "999"  # latitude out of range: quarantined
    october = root.parent / "2022-10-lancashire-street.csv"
    october.write_text("\n".join([lines[0], ",".join(bad), *lines[2:400]]) + "\n")
    import_police_uk(str(root), [STREET / "2022-11/2022-11-lancashire-street.csv.gz", october])
    return Store(str(root))


@pytest.fixture(scope="module")
def records(store):
    """Every record with its partnership and force: the reference the store's counts must match."""
    table = pads.dataset(query.incident_files(store), format="parquet").to_table(
        columns=["source", "category", "lsoa_code", "ward_code", "district_code", "lon"]
    )
    frame = table.to_pandas()
    districts = pq.read_table(store.path("_geography/districts.parquet")).to_pandas()
    return frame.merge(
        districts[["district_code", "csp_code", "force_code"]], on="district_code", how="left"
    )


def _snapshot(root: str) -> dict[str, str]:
    out = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _total(table) -> int:
    return table.column("count")[0].as_py()


# area level → (the column the reference filters on)
COLUMNS = {
    "district": "district_code",
    "lsoa": "lsoa_code",
    "ward": "ward_code",
    "partnership": "csp_code",
    "force": "force_code",
}


@pytest.mark.parametrize("level", [*COLUMNS, "category", "source"])
def test_any_text_as_an_area_category_or_source_filter_counts_exactly_what_matches(
    store, records, level
):
    police = records[records.source == "police-uk"]
    column = {**COLUMNS, "category": "category", "source": "source"}[level]
    real = sorted(records[column].dropna().unique())[:3]
    assert real
    before = _snapshot(store.root)
    checked = []

    @settings(EXAMPLES, max_examples=30)
    @given(
        hostile=st.lists(st.sampled_from(HOSTILE) | st.text(max_size=24), min_size=1, max_size=4),
        genuine=st.integers(0, len(real)),
    )
    @example(hostile=["'; DROP TABLE incidents; --", "\x00"], genuine=1)
    @example(hostile=[f"{real[0]}' OR '1'='1"], genuine=0)
    def check(hostile, genuine):
        values = [*hostile, *real[:genuine]]
        if level == "source":
            got = sum(_total(counts(store, [], source=v)) for v in values if v)
            expected = int(records.source.isin([v for v in values if v]).sum())
        elif level == "category":
            got = _total(counts(store, [], categories=values))
            expected = int(police.category.isin(values).sum())
        else:
            got = _total(counts(store, [], areas={level: values}))
            expected = int(police[column].isin(values).sum())
        assert got == expected, values
        checked.append(values)

    check()
    assert _snapshot(store.root) == before
    print(f"{level}: {len(checked)} hostile filters counted as the reference counts")


def test_a_partnership_named_with_any_text_comes_back_exactly_as_named(store, records):
    police = records[records.source == "police-uk"]
    chorley = int((police.district_code == "E07000118").sum())
    assert chorley > 100
    before = _snapshot(store.root)

    @EXAMPLES
    @given(name=st.sampled_from(HOSTILE[1:]) | st.text(min_size=1, max_size=24))
    def check(name):
        table = counts(store, ["partnership"], partnerships={name: ["E07000118"]})
        rows = {r["partnership"]: r["count"] for r in table.to_pylist()}
        assert rows == {name: chorley, None: len(police) - chorley}

    check()
    assert _snapshot(store.root) == before


def test_points_with_any_district_or_category_are_exactly_the_matching_records(store, records):
    located = records[(records.source == "police-uk") & records.lon.notna()]

    @EXAMPLES
    @given(
        districts=st.lists(st.sampled_from([*HOSTILE, "E07000118"]) | st.text(), max_size=3),
        categories=st.lists(st.sampled_from([*HOSTILE, "burglary"]) | st.text(), max_size=3),
    )
    def check(districts, categories):
        table = points(store, districts=districts, categories=categories)
        expected = located
        if districts:
            expected = expected[expected.district_code.isin(districts)]
        if categories:
            expected = expected[expected.category.isin(categories)]
        assert table.num_rows == len(expected)

    check()


def test_an_empty_list_of_areas_counts_nothing_rather_than_failing(store):
    # A partnership none of whose districts is asked for filters by an empty list.
    assert _total(counts(store, [], areas={"district": []})) == 0
    assert points(store, districts=["nowhere"]).num_rows == 0


def test_a_month_that_is_not_yyyy_mm_is_refused_with_a_value_error_naming_it(store):
    @EXAMPLES
    @given(
        month=st.sampled_from(["2022-1x", "2022-13", "2022-00", "20x2-11", "2022-11'", "0000-01"])
        | st.text(max_size=10)
        | st.from_regex(r"\A[0-9]{4}-[0-9]{2}\Z")
    )
    def check(month):
        try:
            table = counts(store, ["month"], start=month, end=month)
        except ValueError as exc:
            assert f"month {month!r} is not of the form YYYY-MM" in str(exc)
        else:
            assert table.column("month").to_pylist() in ([], [month[:7]])

    check()
    assert counts(store, ["month"], start="2022-11", end="2022-11").to_pylist()[0]["count"] > 0


class _Recorder:
    """The store's DuckDB connection, keeping the text of every statement sent to it."""

    def __init__(self, con):
        self.con, self.texts = con, []

    def sql(self, text, *args, **kwargs):
        self.texts.append(text)
        return self.con.sql(text, *args, **kwargs)

    def execute(self, text, *args, **kwargs):
        self.texts.append(text)
        return self.con.execute(text, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.con, name)


def test_no_value_and_no_file_path_is_ever_written_into_the_sql_text(store):
    recorder = _Recorder(query.connection())
    query._local.con = recorder
    try:
        counts(
            store,
            ["district", "partnership", "month"],
            start="2022-10",
            end="2022-11",
            categories=[CANARY, "burglary"],
            areas={"district": [CANARY, "E07000118"], "partnership": [CANARY]},
            partnerships={CANARY: ["E07000118"]},
            source=CANARY,
        )
        counts(store, ["force"], areas={"force": [CANARY]}, distinct=True, names=True)
        counts(store, ["month"], categories=[CANARY])  # no file can be left out for a category
        counts(store, ["district"], areas={"ward": [CANARY]})
        points(store, districts=[CANARY], categories=[CANARY], limit=10, distinct=True)
        quarantine(store, CANARY)
        quarantine(store, limit=5)
        repeated_ids(store)
        ingests = [r["ingest_id"] for r in store.state()["imports"]]
        query.repeat_statistics(store, [*ingests, CANARY], store.state()["distinct_index"])
    finally:
        query._local.con = recorder.con
    assert len(recorder.texts) >= 7
    leaked = [t for t in recorder.texts if "canary" in t or str(store.root) in t]
    assert not leaked, leaked[0]


def test_a_quarantined_row_is_still_found_by_its_import(store):
    # quarantine() binds the import id and the limit: the bad row of October (line 2) comes back.
    october = next(r for r in store.state()["imports"] if r.get("quarantine_path"))
    rows = quarantine(store, october["ingest_id"], limit=5).to_pylist()
    assert [(r["source_row"], r["field"]) for r in rows] == [(2, "Latitude")]
    assert quarantine(store, "no such import'--").num_rows == 0
