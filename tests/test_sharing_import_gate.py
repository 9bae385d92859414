"""A partner dataset is imported only under an active information sharing agreement covering it
(issue 19): the sharing app's gate, registered with `cdrp.intelligence.hooks`, is asked by
`cdrp import partner` and by the import task before anything is written."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from cdrp.store import imports

PARTNER = Path(__file__).resolve().parent / "data" / "partner"
DATA = PARTNER / "fire-deliberate-fires.csv"
MAPPING = PARTNER / "fire-deliberate-fires.yaml"  # names its dataset: fire_incidents


def fire_agreement(status: str = "active", datasets=("fire_incidents",)):
    """A partnership whose district (Chorley) lies in the Lancashire force area, with the fire
    and rescue service as a party to an agreement covering `datasets`."""
    from cdrp.partnerships.models import Area, Organisation, Partnership
    from cdrp.sharing.models import Agreement

    chorley, _ = Area.objects.get_or_create(
        code="E07000118", defaults={"name": "Chorley", "level": "district"}
    )
    south, _ = Partnership.objects.get_or_create(slug="gate-south", defaults={"name": "South"})
    south.districts.add(chorley)
    fire, _ = Organisation.objects.get_or_create(
        slug="gate-fire", defaults={"name": "Fire and Rescue", "kind": "fire_authority"}
    )
    agreement = Agreement.objects.create(
        partnership=south, title="Fire data protocol", purpose="Deliberate fires",
        datasets=list(datasets), personal="depersonalised", protection_basis="none",
        legal_basis="s17a", retention="Five years", starts=dt.date(2020, 1, 1),
        review_date=dt.date(2099, 1, 1), status=status,
    )  # fmt: skip
    agreement.parties.set([fire])
    return agreement


def _import(mapping=MAPPING) -> str:
    out = io.StringIO()
    call_command("import", "partner", str(DATA), "--mapping", str(mapping), stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_without_an_agreement_the_import_is_refused_and_nothing_written(fresh_store, settings):
    settings.INCIDENT_STORE = fresh_store
    fire_agreement(status="suspended")
    with pytest.raises(CommandError) as refused:
        _import()
    message = str(refused.value)
    assert "import refused" in message and "Fire and rescue: deliberate fires" in message
    assert "no active information sharing agreement of South" in message
    assert imports(fresh_store) == []
    # An agreement covering other datasets does not cover this one.
    fire_agreement(datasets=("police_crime",))
    with pytest.raises(CommandError, match="no active information sharing agreement"):
        _import()
    assert imports(fresh_store) == []


@pytest.mark.django_db
def test_a_mapping_naming_no_dataset_or_no_partnerships_area_is_refused(
    fresh_store, settings, tmp_path
):
    settings.INCIDENT_STORE = fresh_store
    fire_agreement()
    mapping = yaml.safe_load(MAPPING.read_text())
    del mapping["dataset"]
    bare = tmp_path / "bare.yaml"
    bare.write_text(yaml.safe_dump(mapping))
    with pytest.raises(CommandError, match="names no dataset"):
        _import(bare)
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text(yaml.safe_dump({**mapping, "dataset": "fire_incidents", "force": "kent"}))
    with pytest.raises(CommandError, match="no partnership's area lies in the “kent”"):
        _import(elsewhere)
    assert imports(fresh_store) == []


@pytest.mark.django_db
def test_under_an_active_agreement_the_import_goes_ahead(fresh_store, settings):
    settings.INCIDENT_STORE = fresh_store
    fire_agreement()
    assert "Import summary" in _import()
    (row,) = imports(fresh_store)
    assert (row["source"], row["imported"], row["quarantined"]) == ("fire-deliberate-fires", 7, 3)
