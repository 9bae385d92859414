"""`cdrp demo --partnership SLUG`: a seed partnership added on its own force's data
(cdrp.intelligence.demo.load_seeds), here into an empty store."""

from __future__ import annotations

import io

import pytest
from django.core.management.base import CommandError

from cdrp.store import Store, counts
from conftest import SEEDS, SHARED_DATA

pytestmark = pytest.mark.skipif(
    not (SHARED_DATA / "police-uk-street-essex").is_dir(),
    reason="needs shared/data's seed forces and national boundaries",
)


@pytest.mark.slow
@pytest.mark.django_db
def test_seed_partnerships_are_added_with_their_data_and_draft_assessments(tmp_path, settings):
    from cdrp.accounts.audit import acting_as
    from cdrp.intelligence.demo import load_seeds
    from cdrp.intelligence.models import Assessment

    settings.INCIDENT_STORE = str(tmp_path / "store")
    out = io.StringIO()
    with acting_as(None, "test"):
        rochford, castle_point = load_seeds(out, ["rochford-csp", "castle-point-csp"], SHARED_DATA)
    _, _, code, name, reference = SEEDS["castle-point-csp"]
    assert [a.code for a in castle_point.districts.all()] == [code]
    got = counts(Store(settings.INCIDENT_STORE), ["district"], start="2022-01", end="2022-11")
    assert dict(zip(*got.to_pydict().values(), strict=True))[code] == reference
    (assessment,) = Assessment.objects.filter(partnership=castle_point)
    doc = assessment.document
    assert (doc["period"]["start"], doc["period"]["end"]) == ("2022-01", "2022-11")
    assert doc["totals"][code] == reference
    wards = next(t for s in doc["sections"] for t in s["tables"] if t["id"] == "top-wards")
    assert wards["rows"] and {r["district_name"] for r in wards["rows"]} == {name}
    assert "police.uk street files (essex): 175,988 new records." in out.getvalue()
    # One geography rebuild for both, before either assessment: neither is stale.
    from cdrp.intelligence.assessments import staleness

    store = Store(settings.INCIDENT_STORE)
    assert [
        staleness(a, store)
        for a in Assessment.objects.filter(partnership__in=[rochford, castle_point])
    ] == [[], []]


@pytest.mark.django_db
def test_an_unknown_seed_is_refused_by_name(tmp_path, settings):
    from cdrp.intelligence.demo import load_seeds

    settings.INCIDENT_STORE = str(tmp_path / "store")
    with pytest.raises(CommandError, match="no seed partnership 'nowhere-csp'; known: .*rochford"):
        load_seeds(io.StringIO(), ["nowhere-csp"], SHARED_DATA)
