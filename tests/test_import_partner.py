"""cdrp import partner: CSV or XLSX with a YAML mapping, the same quarantine and idempotency."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from cdrp.store import counts, quarantine
from cdrp.store.partner import import_partner, load_mapping
from cdrp.store.reader import BadInput

DATA = Path(__file__).resolve().parent / "data" / "partner"
EXAMPLE = DATA / "fire-deliberate-fires.csv"
MAPPING = DATA / "fire-deliberate-fires.yaml"


def by_district(root, **kw):
    table = counts(root, ["district"], source="fire-deliberate-fires", **kw)
    return {r["district"]: r["count"] for r in table.to_pylist()}


def test_the_worked_example_places_grid_references_in_districts(fresh_store):
    result = import_partner(fresh_store, EXAMPLE, MAPPING)
    assert (result.status, result.read, result.imported, result.quarantined) == (
        "imported",
        10,
        7,
        3,
    )
    assert result.source == "fire-deliberate-fires"
    assert result.months == ["2022-01", "2022-02", "2022-03"]
    assert by_district(fresh_store) == {
        "E06000009": 1,  # Blackpool
        "E07000118": 2,  # Chorley
        "E07000120": 1,  # Hyndburn
        "E07000123": 1,  # Preston
        "E07000126": 1,  # South Ribble (Penwortham)
        "E07000127": 1,  # West Lancashire (Skelmersdale)
    }
    reasons = {
        r["source_row"]: (r["field"], r["reason"]) for r in quarantine(fresh_store).to_pylist()
    }
    assert reasons[8] == ("Call date", "date '30/02/2022' is not %d/%m/%Y")
    assert reasons[9][0] == "Fire type" and "not in the mapping" in reasons[9][1]
    assert reasons[10] == ("Easting", "easting 999999 is outside 0 to 700,000")


def test_partner_records_do_not_change_police_uk_counts(fresh_store):
    import_partner(fresh_store, EXAMPLE, MAPPING)
    assert counts(fresh_store, []).column("count").to_pylist() in ([0], [])
    assert counts(fresh_store, [], source=None).column("count").to_pylist() == [7]


def test_reimporting_the_same_partner_file_adds_nothing(fresh_store):
    import_partner(fresh_store, EXAMPLE, MAPPING)
    again = import_partner(fresh_store, EXAMPLE, MAPPING)
    assert again.status == "already imported" and "0 new rows" in again.message


def test_a_corrected_partner_file_replaces_only_its_months(fresh_store, tmp_path):
    import_partner(fresh_store, EXAMPLE, MAPPING)
    lines = EXAMPLE.read_text().splitlines()
    corrected = tmp_path / "fires-march.csv"
    corrected.write_text("\n".join([lines[0], lines[10], lines[10].replace("0010", "0011")]) + "\n")
    result = import_partner(fresh_store, corrected, MAPPING)
    assert result.replaced == ["lancashire/2022-03"]
    months = counts(fresh_store, ["month"], source="fire-deliberate-fires").to_pylist()
    assert months == [
        {"month": "2022-01", "count": 4},
        {"month": "2022-02", "count": 2},
        {"month": "2022-03", "count": 2},
    ]


def test_an_xlsx_file_imports_like_its_csv(fresh_store, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in csv.reader(io.StringIO(EXAMPLE.read_text())):
        sheet.append([int(v) if v.isdigit() else v for v in row])
    path = tmp_path / "fires.xlsx"
    book.save(path)
    result = import_partner(fresh_store, path, MAPPING)
    assert (result.read, result.imported, result.quarantined) == (10, 7, 3)
    assert {r["source_row"] for r in quarantine(fresh_store).to_pylist()} == {8, 9, 10}


def test_lsoa_and_lon_lat_mappings(fresh_store, tmp_path):
    mapping = tmp_path / "asb.yaml"
    mapping.write_text(
        "source: council-asb\ncolumns:\n  month: Month\n  category: Type\n  lsoa: LSOA\n"
    )
    data = tmp_path / "asb.csv"
    data.write_text(
        "Month,Type,LSOA\n2022-01,Noise,E01024951\n2022-01,Noise,E0102\n2022-13,Noise,E01024951\n"
    )
    result = import_partner(fresh_store, data, mapping)
    assert (result.imported, result.quarantined) == (1, 2)
    table = counts(fresh_store, ["district", "category"], source="council-asb").to_pylist()
    assert table == [{"district": "E07000118", "category": "noise", "count": 1}]

    mapping.write_text(
        "source: ae-assaults\ncolumns:\n  date: Date\n  category: Type\n  lon: X\n  lat: Y\n"
    )
    data.write_text("Date,Type,X,Y\n2022-01-05,Assault,-2.6981,53.6531\n2022-01-06,Assault,,\n")
    result = import_partner(fresh_store, data, mapping)
    assert (result.imported, result.quarantined) == (1, 1)
    assert by_district(fresh_store) == {}
    table = counts(fresh_store, ["district"], source="ae-assaults").to_pylist()
    assert table == [{"district": "E07000118", "count": 1}]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("source: x\n", "expected a 'columns:' section"),
        ("source: Bad Name\ncolumns: {category: a, month: b, lsoa: c}\n", "must be a slug"),
        ("source: x\ncolumns: {category: a, lsoa: c}\n", "exactly one of 'date' or 'month'"),
        ("source: x\ncolumns: {month: b, lsoa: c}\n", "map the 'category' column"),
        ("source: x\ncolumns: {category: a, month: b, lon: c}\n", "map exactly one place"),
    ],
)
def test_a_bad_mapping_is_refused_with_the_reason(tmp_path, text, message):
    path = tmp_path / "m.yaml"
    path.write_text(text)
    with pytest.raises(BadInput, match=message):
        load_mapping(path)


def test_a_file_without_the_mapped_columns_is_refused(fresh_store, tmp_path):
    data = tmp_path / "other.csv"
    data.write_text("a,b\n1,2\n")
    result = import_partner(fresh_store, data, MAPPING)
    assert result.status == "failed" and "missing 'Incident number'" in result.message


@pytest.mark.django_db
def test_the_partner_command_prints_the_summary(fresh_store, settings):
    from test_sharing_import_gate import fire_agreement

    settings.INCIDENT_STORE = fresh_store
    fire_agreement()  # the command imports only under an agreement covering the dataset
    out = io.StringIO()
    call_command("import", "partner", str(EXAMPLE), "--mapping", str(MAPPING), stdout=out)
    assert "Import summary" in out.getvalue() and "fire-deliberate-fires.csv" in out.getvalue()


def test_the_later_asb_vintage_agrees_with_the_street_files_within_six_a_month(fresh_store):
    """README quirk 12: lancashire_asb.tab (2022-12 vintage) vs the street files' ASB."""
    from cdrp.store import import_police_uk

    demo = Path(__file__).resolve().parent.parent / "data" / "demo"
    street = demo / "police-uk-street-lancashire"
    import_police_uk(fresh_store, sorted(street.glob("2022-*/*.csv.gz")))
    result = import_partner(
        fresh_store,
        demo / "crimemappingdata-lancashire" / "lancashire_asb.tab",
        DATA / "lancashire-asb.yaml",
    )
    assert (result.read, result.imported, result.quarantined) == (56_434, 56_434, 0)
    later = counts(fresh_store, ["month"], source="asb-2022-12-vintage").to_pylist()
    street_asb = counts(fresh_store, ["month"], categories=["anti-social-behaviour"]).to_pylist()
    published = {r["month"]: r["count"] for r in street_asb}
    assert [r["month"] for r in later][-1] == "2022-12"  # the later vintage adds December
    gaps = [published[r["month"]] - r["count"] for r in later if r["month"] in published]
    assert len(gaps) == 11 and all(0 <= g <= 6 for g in gaps)
