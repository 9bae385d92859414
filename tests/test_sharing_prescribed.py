"""The prescribed-information tracker (SI 2007/1831): due dates by regulation 3, each
responsible authority's returns flagged on time, late or missing, the compliance rule reading
them through the registry's evidence interface; and the record of processing generated from
the models."""

from __future__ import annotations

import datetime as dt

import pytest

from cdrp.accounts.audit import acting_as
from cdrp.partnerships.compliance import RULES, Status
from cdrp.partnerships.models import Organisation
from cdrp.sharing.models import PrescribedReturn
from cdrp.sharing.prescribed import due_date, quarters_due, tracker

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("frozen_today", "fast_passwords"),
]
TODAY = dt.date(2026, 11, 25)  # conftest's FROZEN_TODAY


def test_due_dates_follow_regulation_3():
    assert due_date("2024-Q1") == dt.date(2024, 6, 30)
    assert due_date("2023-Q4") == dt.date(2024, 3, 31)
    # On 25 November 2026 April to June 2026 (due 30 September) is the latest quarter due.
    assert quarters_due(TODAY, 2) == ["2026-Q2", "2026-Q1"]
    assert quarters_due(dt.date(2007, 12, 1)) == []  # nothing due before the first period


@pytest.fixture
def authorities(partnership):
    with acting_as(None, "test"):
        police = Organisation(slug="police", name="Constabulary", kind="police")
        police.save()
        fire = Organisation(slug="fire", name="Fire and Rescue", kind="fire_authority")
        fire.save()
        council = Organisation(slug="council", name="Council", kind="district_council")
        council.save()
        partnership.responsible_authorities.add(police, fire, council)
        PrescribedReturn(
            partnership=partnership, organisation=police, dataset="police_incidents",
            quarter="2026-Q2", received_on=dt.date(2026, 8, 1),
        ).save()  # fmt: skip
        PrescribedReturn(
            partnership=partnership, organisation=police, dataset="police_crime",
            quarter="2026-Q2", received_on=dt.date(2026, 10, 5),
        ).save()  # fmt: skip
    return police, fire


def test_the_tracker_flags_late_and_missing_returns(partnership, authorities):
    rows = [r for r in tracker(partnership, TODAY) if r["quarter"] == "2026-Q2"]
    status = {(r["organisation"].slug, r["dataset"]): r["status"] for r in rows}
    assert status == {
        ("police", "police_incidents"): "received",
        ("police", "police_crime"): "late",
        ("fire", "fire_incidents"): "missing",
    }


def test_the_compliance_rule_reads_the_tracker(partnership, authorities):
    police, fire = authorities
    finding = RULES["PRESCRIBED-INFORMATION"].check(partnership, TODAY)
    assert finding.status == Status.NOT_MET
    assert "2 of 3 returns due by 30 September 2026" in finding.summary
    assert any("Fire and Rescue" in p and "missing" in p for p in finding.problems)
    with acting_as(None, "test"):
        PrescribedReturn.objects.filter(dataset="police_crime").update(
            received_on=dt.date(2026, 9, 1)
        )
        PrescribedReturn(
            partnership=partnership, organisation=fire, dataset="fire_incidents",
            quarter="2026-Q2", received_on=dt.date(2026, 9, 30),
        ).save()  # fmt: skip
    assert RULES["PRESCRIBED-INFORMATION"].check(partnership, TODAY).status == Status.MET


def test_the_tracker_page_and_recording_a_return(
    client, partnership, authorities, member, coordinator
):
    client.force_login(member)
    r = client.get("/sharing/lancashire-south/prescribed/")
    assert r.status_code == 200 and "Missing" in r.content.decode() and "Late" in r.content.decode()
    assert client.post("/sharing/lancashire-south/prescribed/", {}).status_code == 403
    client.force_login(coordinator)
    r = client.post(
        "/sharing/lancashire-south/prescribed/",
        {"organisation": "fire", "dataset": "fire_incidents", "quarter": "2026-Q2",
         "received_on": "2026-09-01"},
    )  # fmt: skip
    assert r.status_code == 302
    assert PrescribedReturn.objects.get(dataset="fire_incidents").received_on == dt.date(2026, 9, 1)
    r = client.post(
        "/sharing/lancashire-south/prescribed/",
        {"organisation": "fire", "dataset": "fire_incidents", "quarter": "Q2", "received_on": "x"},
    )
    assert r.status_code == 200 and "YYYY-Qn" in r.content.decode()


def test_the_record_of_processing_lists_every_personal_field_from_the_models(client, member):
    from cdrp.sharing.crypto import encrypted_models, personal_fields
    from cdrp.sharing.processing import UNDECLARED, record

    entries = {e["label"]: e for e in record()}
    assert set(entries) == {m._meta.label for m in encrypted_models()}
    assert set(entries) >= {"sharing.CohortMember", "sharing.PartnerOffence", "sharing.Case",
                            "sharing.CaseAction"}  # fmt: skip
    for model in encrypted_models():
        e = entries[model._meta.label]
        assert [f["name"] for f in e["fields"]] == [f.name for f in personal_fields(model)]
        assert UNDECLARED not in (e["purpose"], e["basis"])
    assert [f["name"] for f in entries["sharing.CohortMember"]["fields"]] == [
        "name", "date_of_birth", "references"
    ]  # fmt: skip
    assert "s.115" in entries["sharing.CohortMember"]["basis"]
    assert "6 years" in entries["sharing.Case"]["retention"]
    client.force_login(member)
    body = client.get("/sharing/lancashire-south/processing/").content.decode()
    assert "Record of processing" in body and "Date of birth" in body
