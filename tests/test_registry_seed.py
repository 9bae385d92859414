"""`cdrp registry seed` (issue 16 part 7): every community safety partnership of England and Wales
from the ONS LAD → CSP → PFA lookups shipped in data/demo/ons-lookups, with districts, police
force area and region; a second run changes nothing, an edited partnership is never overwritten,
and the public list shows partnerships by region and force. The counts are the lookup files'
own: the January 2017 edition has 348 districts in 314 partnerships in 43 force areas (21 Welsh
partnerships in 4 force areas); the December 2019 edition 341 rows for 331 districts (five
unitary councils formed after 2017 each lie in the 2 to 4 partnerships of the districts they
replaced) in the same 314 partnerships."""

import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cdrp.accounts.audit import acting_as
from cdrp.accounts.models import AuditEvent
from cdrp.partnerships import registry
from cdrp.partnerships.models import Area, Partnership
from test_structure_joint import FIXTURE

pytestmark = pytest.mark.django_db


def _seed(lookup=None):
    with acting_as(None, "test"):
        return registry.seed(lookup)


def _snapshot():
    rows = [
        (
            p.slug,
            p.name,
            p.code,
            p.status,
            p.force_id,
            p.version,
            json.dumps(p.seeded),
            sorted(p.districts.values_list("code", flat=True)),
        )
        for p in Partnership.objects.order_by("slug")
    ]
    rows += list(Area.objects.order_by("code").values_list("code", "name", "level", "parent_id"))
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_the_seed_creates_every_partnership_with_districts_force_and_region(db):
    report = _seed()
    assert len(report.created) == 314 and not report.kept and not report.updated
    assert Partnership.objects.count() == 314
    assert Area.objects.filter(level="district").count() == 348
    assert Area.objects.filter(level="force").count() == 43
    assert Area.objects.filter(level="region").count() == 9
    assert list(Area.objects.filter(level="country").values_list("code", "name")) == [
        ("W92000004", "Wales")
    ]
    # Every partnership lies in a force area, and every force area in a region or country.
    assert not Partnership.objects.filter(force=None).exists()
    assert not Area.objects.filter(level="force", parent=None).exists()
    assert Partnership.objects.filter(code__startswith="W").count() == 21
    assert Area.objects.filter(level="force", parent__code="W92000004").count() == 4
    rochford = Partnership.objects.get(code="E22000088")
    assert (rochford.slug, rochford.name) == ("rochford", "Rochford")
    assert list(rochford.districts.values_list("code", flat=True)) == ["E07000075"]
    assert (rochford.force.code, rochford.force.name) == ("E23000028", "Essex")
    assert (rochford.force.parent.code, rochford.force.parent.name) == ("E12000006", "East")
    assert Partnership.objects.filter(force__code="E23000028").count() == 14
    north_yorkshire = Partnership.objects.get(code="E22000372")
    assert north_yorkshire.districts.count() == 7
    assert Area.objects.get(code="E12000003").name == "Yorkshire and the Humber"
    # A district missing from the LSOA lookup (a code changed after 2011) takes its force's region.
    assert Partnership.objects.get(districts__code="E07000240").force.parent.code == "E12000006"


def test_a_second_run_changes_nothing(db):
    _seed()
    before, events = _snapshot(), AuditEvent.objects.count()
    report = _seed()
    assert (len(report.created), len(report.updated), len(report.unchanged)) == (0, 0, 314)
    assert not report.changed and not report.areas_created
    assert _snapshot() == before and AuditEvent.objects.count() == events


def test_an_edited_partnership_is_never_overwritten_and_an_unedited_one_follows_the_lookup(db):
    _seed()
    edited = Partnership.objects.get(code="E22000088")
    edited.name = "Rochford Community Safety Partnership"
    with acting_as(None, "test"):
        edited.save()
    suffolk = Partnership.objects.get(code="E22000373")
    assert suffolk.districts.count() == 4
    report = _seed(registry.data_dir() / registry.LOOKUP_2019)
    assert report.kept == [("rochford", "edited since it was seeded")]
    edited.refresh_from_db()
    assert edited.name == "Rochford Community Safety Partnership"
    # The 2019 edition merged two of this partnership's districts: the unedited record follows.
    assert sorted(suffolk.districts.values_list("code", flat=True)) == [
        "E07000200",
        "E07000203",
        "E07000245",
    ]
    assert "E22000373" in {Partnership.objects.get(slug=s).code for s in report.updated}
    assert Area.objects.filter(level="district").count() == 348 + 8  # the 2019 edition's new codes
    assert Partnership.objects.count() == 314


def test_partnerships_made_another_way_are_matched_by_code_and_left_alone(db):
    from cdrp.partnerships.structure import import_structure

    with acting_as(None, "test"):
        import_structure(FIXTURE.read_text(encoding="utf-8"), FIXTURE.name)
    report = _seed()
    kept = dict(report.kept)
    assert set(kept) == {"rochford", "castle-point"}
    assert kept["rochford"].startswith("not made by the seed")
    rochford = Partnership.objects.get(slug="rochford")
    assert rochford.name == "Rochford District Crime and Disorder Reduction Partnership"
    assert rochford.groups.filter(slug="rag").exists() and rochford.force is None
    # The structure file's county partnership has no code: one more than the lookup's 314.
    assert Partnership.objects.count() == 315 and len(report.created) == 312


def test_the_command_reports_and_refuses_a_file_that_is_not_a_lookup(db, tmp_path):
    out = io.StringIO()
    call_command("registry", "seed", stdout=out)
    assert out.getvalue().startswith(
        "Registry seed from Local_Authority_District_to_Community_Safety_Partnerships_to_Police_"
        "Force_Areas__January_2017__Lookup_in_England_and_Wales_Version_2.csv: 314 partnerships "
        "created, 0 updated, 0 unchanged, 0 kept as edited; 0 not created, their districts being "
        "covered already; areas created: 1 country, 348 district, 43 force, 9 region."
    )
    bad = tmp_path / "lookup.csv"
    bad.write_text("LAD17CD,LAD17NM,CSP17CD,CSP17NM\nE07000075,Rochford,E22000088,Rochford\n")
    with pytest.raises(CommandError, match="expected one force code column"):
        call_command("registry", "seed", "--lookup", str(bad))
    bad.write_text(
        "LAD17CD,LAD17NM,CSP17CD,CSP17NM,PFA17CD,PFA17NM\nE0700,R,E22000088,R,E23000028,E\n"
    )
    with pytest.raises(CommandError, match="lookup.csv line 2: LAD17CD 'E0700' is not an ONS code"):
        call_command("registry", "seed", "--lookup", str(bad))


def test_the_public_list_shows_partnerships_by_region_and_force(db, client):
    _seed()
    page = client.get("/partnerships/").content.decode()
    assert "314 partnerships, by region and police force area." in page
    assert page.count('<h2 class="govuk-heading-m"') == 10
    assert "Essex police force area (14)" in page
    east = page.index('id="region-E12000006"')
    wales = page.index('id="region-W92000004"')
    assert east < page.index("Essex police force area") < page.index('id="region-E12000007"')
    assert wales < page.index("Dyfed-Powys police force area")
    detail = client.get("/partnerships/rochford/").content.decode()
    assert "Essex (East)" in detail
    listed = {p["slug"]: p for p in client.get("/api/partnerships").json()}
    assert len(listed) == 314
    assert {k: listed["rochford"][k] for k in ("code", "force", "force_name", "region")} == {
        "code": "E22000088",
        "force": "E23000028",
        "force_name": "Essex",
        "region": "E12000006",
    }


def test_a_merged_partnership_covering_lookup_districts_is_not_doubled(south_registry):
    # The demo's Lancashire South (no ONS code) covers three districts that are three
    # partnerships in the lookup: they are not created beside it.
    report = _seed()
    assert [code for code, _ in report.covered] == ["E22000153", "E22000161", "E22000162"]
    assert report.covered[0][1] == "Chorley: its districts are in Lancashire South Strategic CDRP"
    assert len(report.created) == 311
    assert not Partnership.objects.filter(code="E22000153").exists()
    # The lookup's other Lancashire partnerships are there, in the force area.
    assert Partnership.objects.filter(force__code="E23000003").count() == 11
    again = _seed()
    assert not again.changed and len(again.covered) == 3


def test_a_partnership_without_a_recorded_force_is_listed_under_its_districts_force(
    client, demo_registry, _geography_template
):
    """The demo's partnerships are not seeded from the lookups: their force area is the one the
    geography gives their districts, not "No police force area recorded"."""
    from cdrp.intelligence.services import load_areas
    from cdrp.partnerships.models import Partnership
    from cdrp.store import Store
    from conftest import DEMO_DATA

    load_areas(Store(str(_geography_template)), DEMO_DATA)  # as the demo does

    south = Partnership.objects.get(slug="lancashire-south")
    assert south.force is None
    districts = list(south.districts.all())
    force = south.force_area
    assert force is not None and force.level == "force"
    assert districts and {d.attributes["force_code"] for d in districts} == {force.code}
    page = client.get("/partnerships/").content.decode()
    assert f"{force.name} police force area" in page
    assert "No police force area recorded" not in page
    detail = client.get("/partnerships/lancashire-south/").content.decode()
    assert "Police force area" in detail and force.name in detail
    listed = {p["slug"]: p for p in client.get("/api/partnerships").json()}
    assert listed["lancashire-south"]["force"] == force.code
