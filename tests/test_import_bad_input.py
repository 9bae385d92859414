"""Bad input never crashes or half-writes: each file is refused or its bad rows quarantined."""

from __future__ import annotations

import gzip
import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdrp.store import Store, counts, import_police_uk, quarantine
from cdrp.store.ingest import expand_paths
from cdrp.store.reader import BadInput
from cdrp.store.schema import STREET_COLUMNS

HEADER = ",".join(STREET_COLUMNS)
GOOD = [
    "abc1,2022-01,Lancashire Constabulary,Lancashire Constabulary,-2.6981,53.6531,"
    "On or near Market Street,E01024951,Chorley 001A,Burglary,Under investigation,",
    ",2022-01,Lancashire Constabulary,Lancashire Constabulary,-2.4646,53.7655,"
    "On or near Hazelwood Close,E01012607,Blackburn with Darwen 001A,Anti-social behaviour,,",
    "abc2,2022-01,Lancashire Constabulary,Lancashire Constabulary,,,No Location,,,"
    "Violence and sexual offences,Unable to prosecute suspect,",
]


def write(tmp_path: Path, lines, name="2022-01-lancashire-street.csv", newline="\n") -> Path:
    path = tmp_path / name
    # surrogatepass: generated lone surrogates become bytes that are not valid UTF-8.
    data = (
        (newline.join(lines) + newline).encode("utf-8", "surrogatepass")
        if isinstance(lines, list)
        else lines
    )
    if name.endswith(".gz"):
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def snapshot(root: str) -> tuple[dict, list[str]]:
    files = sorted(str(p.relative_to(root)) for p in Path(root).rglob("*") if p.is_file())
    return Store(root).state(), [f for f in files if not f.endswith(".lock")]


def one(root, path):
    (result,) = import_police_uk(root, [path])
    return result


@pytest.fixture
def root(fresh_store):
    return fresh_store


def test_a_clean_file_imports_every_row_with_its_line_number(root, tmp_path):
    result = one(root, write(tmp_path, [HEADER, *GOOD]))
    assert (result.status, result.read, result.imported, result.quarantined) == (
        "imported",
        3,
        3,
        0,
    )
    rows = counts(root, ["category"]).to_pylist()
    assert {"category": "burglary", "count": 1} in rows


def test_a_wrong_header_refuses_the_file_and_leaves_the_store_as_it_was(root, tmp_path):
    one(root, write(tmp_path, [HEADER, *GOOD], name="2022-02-lancashire-street.csv"))
    before = snapshot(root)
    result = one(root, write(tmp_path, ["name,age,town", "a,1,b"]))
    assert result.status == "failed"
    assert "2022-01-lancashire-street.csv: line 1" in result.message
    assert "expected Crime ID, Month" in result.message
    assert snapshot(root) == before


def test_a_missing_required_column_refuses_the_file_naming_it(root, tmp_path):
    columns = [c for c in STREET_COLUMNS if c != "Crime type"]
    result = one(root, write(tmp_path, [",".join(columns), "x,2022-01"]))
    assert result.status == "failed"
    assert "missing 'Crime type'" in result.message


def test_a_missing_optional_column_is_left_empty_with_a_note(root, tmp_path):
    lines = [HEADER.removesuffix(",Context")] + [g.removesuffix(",") for g in GOOD]
    result = one(root, write(tmp_path, lines))
    assert (result.imported, result.quarantined) == (3, 0)
    assert "no Context column" in result.message


def test_extra_columns_are_ignored_with_a_note(root, tmp_path):
    lines = [HEADER + ",Extra"] + [g + ",zzz" for g in GOOD]
    result = one(root, write(tmp_path, lines))
    assert (result.imported, result.quarantined) == (3, 0)
    assert "ignored extra column(s) Extra" in result.message


def test_reordered_columns_are_read_by_name(root, tmp_path):
    import csv

    rows = list(csv.reader([HEADER, *GOOD]))
    order = list(reversed(range(len(STREET_COLUMNS))))
    lines = [",".join(row[i] for i in order) for row in rows]
    result = one(root, write(tmp_path, lines))
    assert (result.imported, result.quarantined) == (3, 0)
    table = counts(root, ["district", "category"]).to_pylist()
    assert {"district": "E07000118", "category": "burglary", "count": 1} in table


def test_an_empty_file_is_refused(root, tmp_path):
    result = one(root, write(tmp_path, b""))
    assert result.status == "failed" and "the file is empty" in result.message


def test_a_header_only_file_imports_nothing_and_says_so(root, tmp_path):
    result = one(root, write(tmp_path, [HEADER]))
    assert (result.status, result.read, result.imported) == ("imported", 0, 0)
    assert counts(root, []).column("count").to_pylist() in ([0], [])


def test_a_truncated_gzip_is_refused_and_nothing_is_left_behind(root, tmp_path):
    one(root, write(tmp_path, [HEADER, *GOOD], name="2022-02-lancashire-street.csv"))
    before = snapshot(root)
    lines = [HEADER] + [GOOD[0].replace("abc1", f"id{i}") for i in range(50_000)]
    data = gzip.compress(("\n".join(lines) + "\n").encode())
    path = tmp_path / "2022-01-lancashire-street.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    result = one(root, path)
    assert result.status == "failed"
    assert "cannot read the file" in result.message
    assert snapshot(root) == before


def test_a_zip_without_street_files_is_refused(root, tmp_path):
    path = tmp_path / "download.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("README.txt", "hello")
    with pytest.raises(BadInput, match="holds no police.uk street"):
        import_police_uk(root, [path])


def test_a_police_uk_archive_imports_street_and_outcomes_and_ignores_the_rest(root, tmp_path):
    path = tmp_path / "download.zip"
    outcome_header = (
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
        "LSOA name,Outcome type"
    )
    outcome = (
        "abc1,2022-01,Lancashire Constabulary,Lancashire Constabulary,-2.6981,53.6531,"
        "On or near Market Street,E01024951,Chorley 001A,Offender given a caution"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("2022-01/2022-01-lancashire-street.csv", "\n".join([HEADER, *GOOD]))
        archive.writestr("2022-01/2022-01-lancashire-outcomes.csv", outcome_header + "\n" + outcome)
        archive.writestr("2022-01/notes.txt", "ignored")
    notes = []
    results = import_police_uk(root, [path], notes=notes)
    assert [(r.kind, r.imported) for r in results] == [("street", 3), ("outcomes", 1)]
    assert any("ignored 2022-01/notes.txt" in n for n in notes)
    entries = Store(root).state()["files"]
    assert {e["table"] for e in entries} == {"", "outcomes/"}


def test_bytes_that_are_not_utf8_quarantine_only_their_row(root, tmp_path):
    data = "\n".join([HEADER, *GOOD]).encode() + b"\n"
    bad = GOOD[0].replace("Market", "Caf\xe9").encode("latin-1")
    result = one(root, write(tmp_path, data + bad + b"\n"))
    assert (result.read, result.imported, result.quarantined) == (4, 3, 1)
    row = quarantine(root).to_pylist()[0]
    assert row["source_row"] == 5 and "not UTF-8" in row["reason"]


def test_a_byte_order_mark_and_crlf_line_ends_are_understood(root, tmp_path):
    data = ("\ufeff" + "\r\n".join([HEADER, *GOOD]) + "\r\n").encode()
    result = one(root, write(tmp_path, data))
    assert (result.imported, result.quarantined) == (3, 0)
    assert counts(root, ["lsoa"], areas={"lsoa": ["E01024951"]}).to_pylist() == [
        {"lsoa": "E01024951", "count": 1}
    ]


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        (("2022-01,Lanc", "2022-02,Lanc"), "Month", "disagrees with the file name's month 2022-01"),
        (("2022-01,Lanc", "Jan 22,Lanc"), "Month", "is not of the form YYYY-MM"),
        (("53.6531", "999"), "Latitude", "latitude 999 is outside the UK"),
        (("-2.6981", "east"), "Longitude", "longitude 'east' is not a number"),
        (("E01024951", "E0102495"), "LSOA code", "'E0102495' is not of the form"),
        (("Burglary", "Jaywalking"), "Crime type", "'Jaywalking' is not a police.uk crime type"),
    ],
)
def test_a_bad_value_quarantines_its_row_naming_field_and_reason(
    root, tmp_path, change, field, reason
):
    bad = GOOD[0].replace(*change)
    result = one(root, write(tmp_path, [HEADER, GOOD[1], bad, GOOD[2]]))
    assert (result.read, result.imported, result.quarantined) == (3, 2, 1)
    (row,) = quarantine(root).to_pylist()
    assert (row["source_row"], row["field"]) == (3, field)
    assert reason in row["reason"]
    assert json.loads(row["raw"])["Crime ID"] == "abc1"


def test_a_row_with_too_many_fields_is_quarantined_with_its_line_number(root, tmp_path):
    result = one(root, write(tmp_path, [HEADER, GOOD[0], "", GOOD[1] + ",extra", GOOD[2]]))
    assert (result.read, result.imported, result.quarantined) == (3, 2, 1)
    (row,) = quarantine(root).to_pylist()
    assert row["source_row"] == 4
    assert "13 fields, expected 12" in row["reason"]


def test_a_failure_after_writing_leaves_the_store_as_it_was(root, tmp_path, monkeypatch):
    one(root, write(tmp_path, [HEADER, *GOOD], name="2022-02-lancashire-street.csv"))
    before = snapshot(root)

    def explode(self, state):
        raise OSError("disk full")

    monkeypatch.setattr(Store, "commit", explode)
    with pytest.raises(OSError, match="disk full"):
        one(root, write(tmp_path, [HEADER, *GOOD[:2]]))
    assert snapshot(root) == before


def test_the_same_content_under_another_name_is_already_imported(root, tmp_path):
    one(root, write(tmp_path, [HEADER, *GOOD], name="a-copy.csv"))
    result = one(root, write(tmp_path, [HEADER, *GOOD], name="another-copy.csv"))
    assert (result.status, result.imported) == ("already imported", 0)
    assert "0 new rows" in result.message


def _cut_short(body: bytes) -> bool:
    """The truncation rule, stated independently: the last line that is not blank (newlines
    universal), read on its own, has fewer fields than the header or stops inside quotes."""
    import csv
    import re

    lines = [line for line in re.split(rb"\r\n|\r|\n", body) if line.strip(b"\t ")]
    if not lines:
        return False
    text = lines[-1].rstrip(b"\t ").decode("utf-8", errors="replace")
    try:
        return len(next(csv.reader([text], strict=True))) < len(STREET_COLUMNS)
    except csv.Error:
        return text.count('"') % 2 == 1


def _refused_as_truncated(root: str, result) -> bool:
    if result.status != "failed":
        return False
    assert "looks truncated" in result.message or "ends inside a quoted field" in result.message
    assert Store(root).state()["files"] == []
    return True


# Hypothesis: arbitrary text in the fields, arbitrary broken lines, never a crash.
_field = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\n\r"), max_size=12)
_row = st.one_of(
    st.lists(_field, min_size=12, max_size=12).map(
        lambda fields: ",".join('"' + f.replace('"', '""') + '"' for f in fields)
    ),
    st.sampled_from(GOOD),
    st.text(alphabet=st.characters(exclude_characters="\n\r"), max_size=80),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(_row, max_size=30), crlf=st.booleans())
def test_any_csv_is_imported_or_quarantined_row_by_row_never_a_crash(tmp_path, rows, crlf):
    import uuid

    root = str(tmp_path / uuid.uuid4().hex)
    newline = "\r\n" if crlf else "\n"
    # A neutral name: a police.uk name would (rightly) refuse rows reported by another force.
    path = write(tmp_path, [HEADER, *rows], name="fuzzed.csv", newline=newline)
    result = one(root, path)
    body = path.read_bytes().split(b"\n", 1)[1]
    if _refused_as_truncated(root, result):
        assert _cut_short(body), result.message
        return
    assert result.status == "imported", result.message
    assert not _cut_short(body)
    nonblank = [r for r in rows if r.strip("\r\n") != ""]
    assert result.read == len(nonblank)
    assert result.imported + result.quarantined == result.read
    assert len(quarantine(root, limit=10_000)) == result.quarantined


def test_expand_paths_finds_csv_gz_and_zip_in_folders(tmp_path):
    (tmp_path / "a").mkdir()
    write(tmp_path / "a", [HEADER, *GOOD], name="2022-01-lancashire-street.csv.gz")
    write(tmp_path / "a", [HEADER, *GOOD], name="2022-02-lancashire-street.csv")
    inputs = expand_paths([tmp_path])
    assert sorted((i.kind, i.force, i.month) for i in inputs) == [
        ("street", "lancashire", "2022-01"),
        ("street", "lancashire", "2022-02"),
    ]
    assert os.path.basename(inputs[0].name).startswith("2022-01")
    assert io  # keeps the import list honest for readers of the helpers above


def test_a_record_with_coordinates_but_no_lsoa_is_placed_by_point_in_polygon(root, tmp_path):
    row = GOOD[0].replace("E01024951,Chorley 001A", ",")
    result = one(root, write(tmp_path, [HEADER, row]))
    assert result.imported == 1
    table = counts(root, ["lsoa", "ward", "district"]).to_pylist()
    assert table[0]["lsoa"] is None and table[0]["district"] == "E07000118"
    assert table[0]["ward"].startswith("E05")


def test_a_store_root_given_as_a_file_uri_works_like_a_path(fresh_store, tmp_path):
    uri = "file://" + fresh_store
    result = one(uri, write(tmp_path, [HEADER, *GOOD]))
    assert result.imported == 3
    assert counts(uri, []).column("count").to_pylist() == [3]
    assert counts(fresh_store, []).column("count").to_pylist() == [3]
    folder = "file://" + str(tmp_path)
    assert [i.name for i in expand_paths([folder])][0].startswith("file://")


def test_stop_and_search_files_go_to_their_own_table(root, tmp_path):
    from cdrp.store.query import incident_files
    from cdrp.store.schema import STOP_SEARCH_COLUMNS

    row = (
        "Person search,2022-01-05T10:20:00+00:00,False,,53.6531,-2.6981,Male,18-24,"
        "White - English,White,Misuse of Drugs Act 1971 (section 23),Controlled drugs,"
        "A no further action disposal,False,False"
    )
    bad = row.replace("2022-01-05", "2022-02-05")
    path = tmp_path / "2022-01-lancashire-stop-and-search.csv"
    path.write_text("\n".join([",".join(STOP_SEARCH_COLUMNS), row, bad]) + "\n")
    (result,) = import_police_uk(root, [path])
    assert (result.kind, result.imported, result.quarantined) == ("stop-and-search", 1, 1)
    assert len(incident_files(root, "stop_and_search/")) == 1
    assert incident_files(root) == []  # street counts are untouched


_noise = st.lists(
    st.one_of(
        st.binary(max_size=60),
        st.sampled_from([b'"', b'""', b"\r", b"\r\n", b"\n", b",", b"\xff\xfe", b"\xef\xbb\xbf"]),
        st.sampled_from([g.encode() for g in GOOD]),
    ),
    max_size=40,
).map(b"".join)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=_noise)
def test_any_bytes_after_a_good_header_are_read_line_by_line_never_a_crash(tmp_path, body):
    import uuid

    root = str(tmp_path / uuid.uuid4().hex)
    import re

    path = write(tmp_path, (HEADER + "\n").encode() + body, name="fuzzed.csv")
    result = one(root, path)
    if _refused_as_truncated(root, result):
        assert _cut_short(body), result.message
        return
    assert result.status == "imported", result.message
    assert not _cut_short(body)
    lines = re.split(rb"\r\n|\r|\n", body)  # universal newlines: a lone CR ends a line too
    assert result.read == sum(1 for line in lines if line)
    assert result.imported + result.quarantined == result.read


def test_an_lsoa_code_missing_from_the_lookup_is_imported_and_reported(root, tmp_path):
    row = GOOD[0].replace("E01024951", "E01999999")
    result = one(root, write(tmp_path, [HEADER, row, GOOD[1]]))
    assert (result.imported, result.quarantined) == (2, 0)
    assert "1 record(s) carry an LSOA code that is not in the 2011 lookup" in result.message
    assert counts(root, ["lsoa", "district"]).to_pylist()[0] == {
        "lsoa": "E01012607",
        "district": "E06000008",
        "count": 1,
    }
