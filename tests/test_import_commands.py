"""cdrp import police-uk / geography, cdrp stats counts, and the intelligence demo loader."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ROOT = Path(__file__).resolve().parent.parent
STREET = ROOT / "data" / "demo" / "police-uk-street-lancashire"


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def store(fresh_store, settings):
    settings.INCIDENT_STORE = fresh_store
    return fresh_store


def test_import_police_uk_prints_a_summary_per_file_and_a_second_run_imports_nothing(store):
    out = run("import", "police-uk", str(STREET / "2022-01"), str(STREET / "2022-02"))
    assert "Import summary" in out
    assert "16,268" in out and "14,971" in out and "31,239" in out
    again = run("import", "police-uk", str(STREET / "2022-01"))
    assert "already imported" in again and "0 new rows" in again


def test_a_failed_file_is_named_and_the_command_fails(store, tmp_path):
    bad = tmp_path / "2022-03-lancashire-street.csv"
    bad.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(CommandError, match="1 of 2 file"):
        run("import", "police-uk", str(STREET / "2022-01"), str(bad))


def test_a_missing_path_is_a_one_line_error(store, tmp_path):
    with pytest.raises(CommandError, match="no such file or folder"):
        run("import", "police-uk", str(tmp_path / "nowhere.csv"))


def test_stats_counts_prints_json_csv_and_a_table(store):
    run("import", "police-uk", str(STREET / "2022-01"))
    rows = json.loads(run("stats", "counts", "--by", "district", "--format", "json"))
    chorley = next(r for r in rows if r["district"] == "E07000118")
    assert chorley["district_name"] == "Chorley" and chorley["count"] > 800
    csv_text = run("stats", "counts", "--by", "category", "--format", "csv", "--distinct")
    assert csv_text.splitlines()[0] == "category,count"
    table = run("stats", "counts", "--by", "month", "--from", "2022-01", "--to", "2022-01")
    assert "16,268" in table


def test_stats_counts_rejects_an_unknown_level(store):
    with pytest.raises(CommandError, match="cannot count by 'planet'"):
        run("stats", "counts", "--by", "planet")


@pytest.mark.django_db
def test_import_geography_loads_districts_wards_and_lsoas_as_areas(settings, tmp_path):
    from cdrp.partnerships.models import Area

    settings.INCIDENT_STORE = str(tmp_path / "store")
    out = run("import", "geography")
    assert "271 wards" in out
    chorley = Area.objects.get(code="E07000118")
    assert chorley.level == "district" and chorley.attributes["csp_code"] == "E22000153"
    assert chorley.attributes["population_2019"] == 118_216
    assert "Index of Multiple Deprivation" in chorley.attributes["iod2019"]
    assert json.loads(chorley.geometry)["type"] in ("Polygon", "MultiPolygon")
    ward = Area.objects.filter(level="ward", parent=chorley).first()
    assert ward is not None and ward.geometry
    assert Area.objects.filter(level="lsoa").count() == 941
    assert Area.objects.get(code="E01024951").parent.level == "ward"
    count = Area.objects.count()
    run("import", "geography")
    assert Area.objects.count() == count  # idempotent


@pytest.mark.django_db
def test_the_demo_loader_imports_once_then_says_it_has_nothing_to_do(settings, tmp_path):
    from cdrp.intelligence import demo

    settings.INCIDENT_STORE = str(tmp_path / "store")
    first = io.StringIO()
    demo.load(first, {})
    assert "33 imported, 578,766 records" in first.getvalue()
    second = io.StringIO()
    demo.load(second, {})
    assert "Geography: already loaded" in second.getvalue()
    assert "all 33 already imported, 0 new rows" in second.getvalue()


@pytest.mark.django_db
def test_stats_counts_for_a_registry_partnership_uses_its_districts(store, partnership):
    from cdrp.partnerships.models import Area

    run("import", "police-uk", str(STREET / "2022-01"))
    chorley, _ = Area.objects.get_or_create(
        code="E07000118", defaults={"name": "Chorley", "level": "district"}
    )
    partnership.districts.add(chorley)
    rows = json.loads(
        run(
            "stats",
            "counts",
            "--by",
            "district",
            "--partnership",
            partnership.slug,
            "--format",
            "json",
        )
    )
    assert [r["district"] for r in rows] == ["E07000118"]
    with pytest.raises(CommandError, match="no partnership 'nowhere'"):
        run("stats", "counts", "--partnership", "nowhere")
