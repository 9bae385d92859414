"""Imports never make the store worse without being told to (issue 15).

Each test here failed before the fix: a truncated file replaced its month, renamed coordinate
columns emptied a month's coordinates, a file name made a new "force", CR-only line endings
crashed, a killed import left unreferenced Parquet behind, and the outcome vintage was the day
the row was written.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdrp.store import Store, check_store, counts, import_police_uk, imports
from cdrp.store.schema import STREET_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
STREET = ROOT / "data" / "demo" / "police-uk-street-lancashire"
JANUARY = 16_268  # rows of the bundled 2022-01 file (../shared/data/README.md)

HEADER = ",".join(STREET_COLUMNS)
GOOD = [
    "abc1,2022-01,Lancashire Constabulary,Lancashire Constabulary,-2.6981,53.6531,"
    "On or near Market Street,E01024951,Chorley 001A,Burglary,Under investigation,",
    ",2022-01,Lancashire Constabulary,Lancashire Constabulary,-2.4646,53.7655,"
    "On or near Hazelwood Close,E01012607,Blackburn with Darwen 001A,Anti-social behaviour,,",
    "abc2,2022-01,Lancashire Constabulary,Lancashire Constabulary,,,No Location,,,"
    "Violence and sexual offences,Unable to prosecute suspect,",
]


def january_bytes() -> bytes:
    return gzip.decompress((STREET / "2022-01" / "2022-01-lancashire-street.csv.gz").read_bytes())


def write(folder: Path, data: bytes | list[str], name: str = "2022-01-lancashire-street.csv"):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else ("\n".join(data) + "\n").encode())
    return path


def month_total(root: str, month: str = "2022-01") -> int:
    rows = {r["month"]: r["count"] for r in counts(root, ["month"]).to_pylist()}
    return rows.get(month, 0)


def store_files(root: str) -> list[str]:
    found = Path(root).rglob("*")
    return sorted(str(p.relative_to(root)) for p in found if p.is_file() and p.suffix != ".lock")


def parquet(root: str, relative: str, columns: list[str]):
    """One stored file's columns (read as a file, not as a partitioned dataset)."""
    return pq.ParquetFile(Path(root) / relative).read(columns=columns)


def one(root, path, **options):
    (result,) = import_police_uk(root, [path], **options)
    return result


@pytest.fixture
def january(fresh_store):
    """A store holding the bundled, complete January 2022."""
    (result,) = import_police_uk(fresh_store, [STREET / "2022-01"])
    assert result.imported == JANUARY
    return fresh_store


# -- truncation ------------------------------------------------------------------------------


def test_a_plain_csv_cut_off_mid_line_is_refused_as_truncated_and_the_month_is_kept(
    january, tmp_path
):
    data = january_bytes()
    cut = write(tmp_path / "cut", data[: len(data) * 2 // 3])
    before = (Store(january).state()["files"], store_files(january))
    result = one(january, cut)
    assert result.status == "failed"
    assert "truncated" in result.message
    assert "2022-01-lancashire-street.csv: line " in result.message
    assert "\n" not in result.message
    assert month_total(january) == JANUARY
    assert (Store(january).state()["files"], store_files(january)) == before


def test_a_final_line_without_its_fields_is_refused_even_when_it_ends_with_a_newline(
    fresh_store, tmp_path
):
    short = GOOD[0].split(",")[:5]
    result = one(fresh_store, write(tmp_path, [HEADER, *GOOD, ",".join(short)]))
    assert result.status == "failed"
    assert "line 5" in result.message and "5 of 12 fields" in result.message
    assert "truncated" in result.message
    assert Store(fresh_store).state()["files"] == []


def test_a_file_that_ends_inside_a_quoted_field_is_refused_as_truncated(fresh_store, tmp_path):
    data = ("\n".join([HEADER, *GOOD]) + '\nabc9,2022-01,"Lancashire Con').encode()
    result = one(fresh_store, write(tmp_path, data))
    assert result.status == "failed" and "truncated" in result.message
    assert "line 5" in result.message


def test_a_short_row_in_the_middle_is_still_quarantined_not_a_truncation(fresh_store, tmp_path):
    result = one(fresh_store, write(tmp_path, [HEADER, GOOD[0], "x,2022-01", *GOOD[1:]]))
    assert (result.status, result.read, result.imported, result.quarantined) == (
        "imported",
        4,
        3,
        1,
    )


# -- required columns ------------------------------------------------------------------------


def test_renamed_longitude_and_latitude_are_refused_with_the_expected_header(january, tmp_path):
    text = january_bytes().decode()
    renamed = text.replace("Longitude,Latitude", "Lon,Lat", 1).replace("Under investigation", "x")
    result = one(january, write(tmp_path, renamed.encode()))
    assert result.status == "failed"
    assert "line 1" in result.message
    assert "missing 'Longitude', 'Latitude'" in result.message
    assert "expected Crime ID, Month, Reported by, Falls within, Longitude, Latitude" in (
        result.message
    )
    assert "mapping" in result.message  # says how to import it anyway
    assert month_total(january) == JANUARY
    assert "left empty" not in result.message


def test_a_mapping_may_rename_columns_and_the_coordinates_are_kept(fresh_store, tmp_path):
    lines = [HEADER.replace("Longitude,Latitude", "Lon,Lat")] + GOOD
    result = one(
        fresh_store,
        write(tmp_path, lines),
        columns={"Longitude": "Lon", "Latitude": "Lat"},
    )
    assert (result.status, result.imported) == ("imported", 3)
    (path,) = [e["path"] for e in Store(fresh_store).state()["files"]]
    table = parquet(fresh_store, path, ["lon", "lat"])
    assert table.column("lon").null_count == 1 and table.column("lat").null_count == 1


def test_a_mapping_naming_a_column_the_file_lacks_is_refused(fresh_store, tmp_path):
    result = one(fresh_store, write(tmp_path, [HEADER, *GOOD]), columns={"Longitude": "Lon"})
    assert result.status == "failed"
    assert "the mapping names column 'Lon' for Longitude" in result.message


# -- replacements ----------------------------------------------------------------------------


def test_a_replacement_with_fewer_rows_is_refused_with_the_before_and_after_figures(
    january, tmp_path
):
    lines = january_bytes().decode().splitlines()
    fewer = write(tmp_path, "\n".join(lines[:6_370]).encode() + b"\n")  # a whole-line cut
    version = Store(january).state()["version"]
    result = one(january, fewer)
    assert result.status == "refused"
    assert "lancashire 2022-01" in result.message
    assert "16,268 rows" in result.message and "6,369 rows" in result.message
    assert "--replace" in result.message
    assert Store(january).state()["version"] == version
    assert month_total(january) == JANUARY


def test_a_replacement_that_empties_a_column_is_refused(january, tmp_path):
    import csv

    rows = list(csv.reader(io.StringIO(january_bytes().decode())))
    for row in rows[1:]:
        row[4] = row[5] = ""  # the same records without their coordinates
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    result = one(january, write(tmp_path, out.getvalue().encode()))
    assert result.status == "refused"
    assert "16,268 rows" in result.message
    assert "lon" in result.message and "lat" in result.message and "now empty" in result.message
    (path,) = [e["path"] for e in Store(january).state()["files"]]
    kept = parquet(january, path, ["lon"])
    assert kept.column("lon").null_count < JANUARY


def test_replace_confirms_and_the_replacement_is_recorded(january, tmp_path):
    lines = january_bytes().decode().splitlines()
    fewer = write(tmp_path, "\n".join(lines[:6_370]).encode() + b"\n")
    before = dt.datetime.now(dt.UTC)
    result = one(january, fewer, replace=True, by="analyst", reason="police.uk withdrew rows")
    assert result.status == "imported" and result.replaced == ["lancashire/2022-01"]
    assert month_total(january) == 6_369
    (record,) = [r for r in imports(january) if r["ingest_id"] == result.ingest_id]
    (replacement,) = record["replacements"]
    assert replacement["partition"] == "lancashire/2022-01"
    assert (replacement["rows_before"], replacement["rows_after"]) == (JANUARY, 6_369)
    assert replacement["confirmed"] is True
    assert (replacement["by"], replacement["reason"]) == ("analyst", "police.uk withdrew rows")
    assert dt.datetime.fromisoformat(replacement["at"]) >= before.replace(microsecond=0)


def test_a_later_vintage_with_the_same_rows_replaces_without_asking_and_is_recorded(
    january, tmp_path
):
    text = january_bytes().decode().replace("Status update unavailable", "Local resolution")
    result = one(january, write(tmp_path, text.encode()))
    assert result.status == "imported"
    (record,) = [r for r in imports(january) if r["ingest_id"] == result.ingest_id]
    (replacement,) = record["replacements"]
    assert (replacement["rows_before"], replacement["rows_after"], replacement["confirmed"]) == (
        JANUARY,
        JANUARY,
        False,
    )


# -- the force comes from the rows -----------------------------------------------------------


def _later_vintage() -> bytes:
    text = january_bytes().decode()
    return text.replace("Status update unavailable", "Local resolution").encode()


def test_a_file_name_that_disagrees_with_the_rows_force_is_refused(january, tmp_path):
    odd = write(tmp_path, _later_vintage(), name="2022-01-lancs-street.csv")
    result = one(january, odd)
    assert result.status == "failed"
    assert "2022-01-lancs-street.csv" in result.message
    assert "'lancs'" in result.message and "Lancashire Constabulary" in result.message
    assert month_total(january) == JANUARY
    assert {e["force"] for e in Store(january).state()["files"]} == {"lancashire"}


def test_a_correctly_reported_file_with_an_unusual_name_replaces_its_month_never_adds(
    january, tmp_path
):
    result = one(january, write(tmp_path, _later_vintage(), name="download (1).csv"))
    assert result.status == "imported"
    assert result.forces == ["lancashire"] and result.replaced == ["lancashire/2022-01"]
    assert month_total(january) == JANUARY  # not 32,536


def test_a_file_holding_several_forces_is_split_by_them(fresh_store, tmp_path):
    other = [
        g.replace("Lancashire Constabulary", "Cumbria Constabulary").replace("abc", "cum")
        for g in GOOD[:2]
    ]
    result = one(fresh_store, write(tmp_path, [HEADER, *GOOD, *other], name="mixed.csv"))
    assert result.status == "imported" and result.forces == ["cumbria", "lancashire"]
    by_force = {(e["force"], e["month"]): e["rows"] for e in Store(fresh_store).state()["files"]}
    assert by_force == {("cumbria", "2022-01"): 2, ("lancashire", "2022-01"): 3}


def test_a_police_uk_abbreviated_file_name_agrees_with_the_full_force_name(fresh_store, tmp_path):
    rows = [g.replace("Lancashire Constabulary", "British Transport Police") for g in GOOD]
    result = one(fresh_store, write(tmp_path, [HEADER, *rows], name="2022-01-btp-street.csv"))
    assert result.status == "imported" and result.forces == ["british-transport"]


@pytest.mark.parametrize(
    ("file_force", "reported_by", "same"),
    [
        ("avon-and-somerset", "Avon and Somerset Constabulary", True),
        ("btp", "British Transport Police", True),
        ("city-of-london", "City of London Police", True),
        ("devon-and-cornwall", "Devon & Cornwall Police", True),
        ("dyfed-powys", "Dyfed-Powys Police", True),
        ("metropolitan", "Metropolitan Police Service", True),
        ("northern-ireland", "Police Service of Northern Ireland", True),
        ("lancashire", "Lancashire Constabulary", True),
        ("lancs", "Lancashire Constabulary", False),
        ("cumbria", "Lancashire Constabulary", False),
        ("west-yorkshire", "North Yorkshire Police", False),
    ],
)
def test_police_uk_file_names_are_matched_to_the_forces_their_rows_name(
    file_force, reported_by, same
):
    from cdrp.store.schema import same_force

    assert same_force(file_force, reported_by) is same


def test_rows_with_no_force_are_quarantined(fresh_store, tmp_path):
    nameless = GOOD[0].replace("Lancashire Constabulary,Lancashire Constabulary", ",")
    result = one(fresh_store, write(tmp_path, [HEADER, nameless, *GOOD[1:]], name="x.csv"))
    assert (result.imported, result.quarantined) == (2, 1)


# -- line endings, byte order mark, csv errors -----------------------------------------------


@pytest.mark.parametrize("ending", [b"\r", b"\r\n", b"\n"])
def test_cr_crlf_and_lf_line_endings_import_the_same_rows(fresh_store, tmp_path, ending):
    lf = january_bytes().replace(b"\r\n", b"\n")
    data = b"\xef\xbb\xbf" + lf.replace(b"\n", ending)
    result = one(fresh_store, write(tmp_path, data))
    assert (result.status, result.read, result.imported) == ("imported", JANUARY, JANUARY)
    assert month_total(fresh_store) == JANUARY


def test_a_cr_only_file_gives_line_numbers_of_its_lines(fresh_store, tmp_path):
    bad = GOOD[1].replace("Anti-social behaviour", "Jaywalking")
    data = "\r".join([HEADER, GOOD[0], bad, GOOD[2]]).encode() + b"\r"
    result = one(fresh_store, write(tmp_path, data))
    assert (result.read, result.imported, result.quarantined) == (3, 2, 1)
    from cdrp.store import quarantine

    (row,) = quarantine(fresh_store).to_pylist()
    assert row["source_row"] == 3


def test_a_header_that_is_not_valid_csv_is_a_one_line_message_naming_file_and_line(
    fresh_store, tmp_path
):
    from cdrp.store.reader import _split_header

    result = one(fresh_store, write(tmp_path, b'Crime ID,"Month\x00,\n1,2\n'))
    assert result.status == "failed"
    assert result.message.startswith(str(tmp_path / "2022-01-lancashire-street.csv") + ": line 1")
    assert "\n" not in result.message
    # The header parser itself never lets a csv error out.
    with pytest.raises(ValueError, match="x.csv: line 1"):
        _split_header(b"a,b\rc", "x.csv")


_pieces = st.lists(
    st.one_of(
        st.binary(max_size=40),
        st.sampled_from([b'"', b",", b"\r", b"\n", b"\r\n", b"\xef\xbb\xbf", b"\x00"]),
        st.sampled_from([HEADER.encode(), *(g.encode() for g in GOOD)]),
    ),
    max_size=30,
).map(b"".join)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=_pieces, line_end=st.sampled_from([b"\r", b"\n", b"\r\n"]))
def test_any_file_is_imported_or_refused_in_one_line_naming_it_never_a_crash(
    tmp_path, data, line_end
):
    import uuid

    root = str(tmp_path / uuid.uuid4().hex)
    path = write(tmp_path / uuid.uuid4().hex, HEADER.encode() + line_end + data, name="f.csv")
    result = one(root, path)
    assert result.status in ("imported", "failed")
    if result.status == "failed":
        assert result.message.startswith(f"{path}: ") and "\n" not in result.message
        assert Store(root).state()["files"] == []
    else:
        assert result.imported + result.quarantined == result.read


# -- the publication month, not the day a row was written -------------------------------------


def _vintages(root: str) -> set:
    out = set()
    for entry in Store(root).state()["files"]:
        vintage = parquet(root, entry["path"], ["outcome_vintage"]).column(0)
        out |= set(vintage.to_pylist())
    return out


def test_the_outcome_vintage_is_the_publication_month_not_the_import_day(fresh_store):
    results = import_police_uk(fresh_store, [STREET / "2022-01", STREET / "2022-02"])
    assert [r.published for r in results] == ["2022-02", "2022-02"]
    assert _vintages(fresh_store) == {dt.date(2022, 2, 1)}
    assert {r["published"] for r in imports(fresh_store)} == {"2022-02"}


def test_a_publication_month_given_or_named_by_the_archive_wins(fresh_store, tmp_path):
    archive = tmp_path / "2022-12.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("2022-01/2022-01-lancashire-street.csv", "\n".join([HEADER, *GOOD]) + "\n")
    (result,) = import_police_uk(fresh_store, [archive])
    assert result.published == "2022-12"
    assert _vintages(fresh_store) == {dt.date(2022, 12, 1)}
    path = write(tmp_path, [HEADER, *[g.replace("2022-01", "2022-03") for g in GOOD]], name="m.csv")
    assert one(fresh_store, path, published="2023-01").published == "2023-01"


# -- cdrp store check [--repair] --------------------------------------------------------------

_KILLED_CHILD = """
import sys, time
from pathlib import Path
from cdrp.store import files, import_police_uk

def stop(self, state):
    # The crash point: every Parquet file written, the new state not yet committed.
    Path(sys.argv[3]).write_text("written")
    time.sleep(120)

files.Store.commit = stop
import_police_uk(sys.argv[1], [sys.argv[2]])
"""


def _kill_an_import_before_it_commits(root: str, path: Path, tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    child = subprocess.Popen([sys.executable, "-c", _KILLED_CHILD, root, str(path), str(ready)])
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert child.poll() is None, "the import ended before its crash point"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(30)
    assert child.returncode == -signal.SIGKILL


def test_an_import_killed_with_sigkill_leaves_orphans_that_check_lists_and_repair_removes(
    january, tmp_path
):
    later = write(tmp_path, _later_vintage())
    committed = store_files(january)
    _kill_an_import_before_it_commits(january, later, tmp_path)
    left = sorted(set(store_files(january)) - set(committed))
    assert any(f.endswith(".parquet") and "month=2022-01" in f for f in left)
    assert month_total(january) == JANUARY  # counts stay right

    report = check_store(january)
    assert not report.ok
    assert report.orphans == left
    assert report.problems == []
    repaired = check_store(january, repair=True)
    assert repaired.removed == left
    assert store_files(january) == committed
    assert check_store(january).ok
    # The store works on: the killed import can now be run again.
    assert one(january, later).status == "imported"
    assert month_total(january) == JANUARY


def test_check_verifies_each_file_against_its_checksum_and_rows(january):
    assert check_store(january).ok
    (entry,) = Store(january).state()["files"]
    assert len(entry["sha256"]) == 64 and entry["bytes"] > 0
    path = Path(january) / entry["path"]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    report = check_store(january)
    assert not report.ok
    assert report.problems == [f"{entry['path']}: checksum differs from the manifest's"]
    path.unlink()
    assert check_store(january).problems == [f"{entry['path']}: missing (listed in the manifest)"]
    # Repair never deletes data the manifest names, and says what it could not mend.
    assert check_store(january, repair=True).problems == check_store(january).problems


# -- the command line ------------------------------------------------------------------------


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def cli_store(january, settings):
    settings.INCIDENT_STORE = january
    return january


def test_the_import_command_refuses_a_smaller_month_and_replace_confirms_it(cli_store, tmp_path):
    lines = january_bytes().decode().splitlines()
    fewer = write(tmp_path, "\n".join(lines[:6_370]).encode() + b"\n")
    with pytest.raises(CommandError, match="1 of 1 file.* refused"):
        run("import", "police-uk", str(fewer))
    assert month_total(cli_store) == JANUARY
    with pytest.raises(CommandError, match="--reason"):
        run("import", "police-uk", str(fewer), "--replace")
    out = run("import", "police-uk", str(fewer), "--replace", "--reason", "withdrawn rows")
    assert "replaced lancashire/2022-01: 16,268 rows → 6,369 rows" in out
    assert month_total(cli_store) == 6_369
    (replacement,) = imports(cli_store)[0]["replacements"]
    assert replacement["reason"] == "withdrawn rows" and replacement["by"]


def test_the_import_command_reads_a_column_mapping(cli_store, tmp_path):
    lines = [HEADER.replace("Longitude,Latitude", "Lon,Lat")] + [
        g.replace("2022-01", "2022-03") for g in GOOD
    ]
    path = write(tmp_path, lines, name="renamed.csv")
    mapping = tmp_path / "renamed.yaml"
    mapping.write_text("columns:\n  Longitude: Lon\n  Latitude: Lat\n")
    with pytest.raises(CommandError, match="1 of 1 file"):
        run("import", "police-uk", str(path))
    out = run("import", "police-uk", str(path), "--mapping", str(mapping))
    assert "imported" in out and month_total(cli_store, "2022-03") == 3


def test_store_check_and_repair_commands(cli_store, tmp_path):
    assert "0 problems, 0 orphans" in run("store", "check")
    _kill_an_import_before_it_commits(cli_store, write(tmp_path, _later_vintage()), tmp_path)
    with pytest.raises(CommandError, match="orphan"):
        run("store", "check")
    out = run("store", "check", "--repair")
    assert "removed" in out and "month=2022-01" in out
    assert "0 problems, 0 orphans" in run("store", "check")
    assert json.loads(run("store", "check", "--format", "json"))["ok"] is True


# -- the data sources page -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_data_sources_page_states_the_publication_month_and_each_replacement(
    client, cli_store, member, tmp_path
):
    lines = january_bytes().decode().splitlines()
    fewer = write(tmp_path, "\n".join(lines[:6_370]).encode() + b"\n")
    one(cli_store, fewer, replace=True, by="analyst", reason="police.uk withdrew rows")
    client.force_login(member)
    page = client.get("/intelligence/data/").content.decode()
    assert '<th scope="col" class="govuk-table__header">Published</th>' in page
    assert '<td class="govuk-table__cell">January 2022</td>' in page  # the month the data names
    assert (
        "Replaced lancashire/2022-01: 16,268 rows before, 6,369 after, confirmed by analyst: "
        "police.uk withdrew rows"
    ) in page
