"""Popolo JSON and CSV exports: the demo validates against the Popolo schemas shipped with the
app, the schemas do reject broken documents, and contact details appear only when asked for."""

import copy
import csv
import io

import pytest

from cdrp.partnerships.exports import csv_export, popolo_errors, popolo_export, validate_popolo
from cdrp.partnerships.models import Membership

pytestmark = pytest.mark.django_db


def test_the_demo_export_validates_against_the_popolo_schemas(south_registry):
    for contacts in (False, True):
        doc = popolo_export(south_registry, include_contacts=contacts)
        assert popolo_errors(doc) == []
    assert (
        len(doc["memberships"])
        == Membership.objects.filter(seat__group__partnership=south_registry).count()
    )
    ids = {o["id"] for o in doc["organizations"]}
    assert {
        "partnership/lancashire-south",
        "group/lancashire-south/rag",
        "organisation/lancashire-fire-rescue",
    } <= ids
    people = {p["id"] for p in doc["persons"]}
    posts = {p["id"] for p in doc["posts"]}
    for m in doc["memberships"]:  # every reference resolves
        assert m["person_id"] in people and m["organization_id"] in ids and m["post_id"] in posts
        assert m.get("on_behalf_of_id") is None or m["on_behalf_of_id"] in ids


def test_the_schemas_reject_what_popolo_does_not_allow(south_registry):
    doc = popolo_export(south_registry)
    broken = copy.deepcopy(doc)
    del broken["persons"][0]["name"]
    broken["memberships"][0]["start_date"] = "1 April 2008"
    broken["organizations"][0]["colour"] = "blue"
    broken["persons"][1]["contact_details"] = [{"type": "voice"}]
    errors = popolo_errors(broken)
    assert "persons/0: 'name' is a required property" in errors
    assert any(
        e.startswith("memberships/0/start_date: '1 April 2008' does not match") for e in errors
    )
    assert any(
        e.startswith("organizations/0: Additional properties are not allowed ('colour'")
        for e in errors
    )
    assert "persons/1/contact_details/0: 'value' is a required property" in errors
    with pytest.raises(ValueError, match="Not valid Popolo JSON"):
        validate_popolo(broken)


def test_contact_details_are_exported_only_when_asked_for(south_registry):
    public = popolo_export(south_registry)
    assert not any("email" in p or "contact_details" in p for p in public["persons"])
    private = popolo_export(south_registry, include_contacts=True)
    person = next(p for p in private["persons"] if p["id"] == "person/divisional-commander")
    assert person["email"] == "divisional-commander@example.org"
    assert person["contact_details"][0]["type"] == "voice"


def test_the_csv_has_a_row_per_seat_holder_and_no_contacts_unless_asked(south_registry):
    rows = list(csv.DictReader(io.StringIO(csv_export(south_registry))))
    assert len(rows) == Membership.objects.filter(seat__group__partnership=south_registry).count()
    assert "email" not in rows[0]
    fire = next(r for r in rows if r["seat"] == "Fire and Rescue Service Area Manager")
    assert (
        fire["group"],
        fire["organisation"],
        fire["voting"],
        fire["statutory"],
        fire["senior"],
    ) == (
        "Responsible Authorities Group",
        "Lancashire Fire and Rescue Service",
        "yes",
        "yes",
        "yes",
    )
    with_contacts = list(
        csv.DictReader(io.StringIO(csv_export(south_registry, include_contacts=True)))
    )
    assert all(r["email"].endswith("@example.org") for r in with_contacts)
