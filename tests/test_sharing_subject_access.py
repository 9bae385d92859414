"""Subject access: the export of a seeded person finds them in every place they were written,
with the reads of those records, as JSON and PDF, from the command and the governance lead's
page (and from no one else's)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command

from cdrp.accounts.audit import acting_as
from cdrp.partnerships.models import Group, Person
from cdrp.sharing.cohorts import read
from cdrp.sharing.models import Case, CaseAction, CohortMember, PartnerOffence

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]
NAME = "Fictional Foxtrot"


@pytest.fixture
def seeded(partnership):
    with acting_as(None, "test"):
        ppo = Group(partnership=partnership, slug="ppo", name="PPO", kind="ppo")
        ppo.save()
        da = Group(partnership=partnership, slug="marac", name="MARAC", kind="domestic_abuse")
        da.save()
        member = CohortMember(
            partnership=partnership, group=ppo, name=NAME, strand="catch_convict",
            entered=dt.date(2022, 1, 1), references="FICTIONAL-PNC-77",
        )  # fmt: skip
        member.save()
        offence = PartnerOffence(member=member, offence_date=dt.date(2022, 2, 2), category="theft")
        offence.save()
        own_case = Case(
            partnership=partnership, group=da, kind="asb", subject_name="fictional  FOXTROT",
            opened=dt.date(2022, 1, 1), review_date=dt.date(2022, 2, 1),
        )  # fmt: skip
        own_case.save()
        other = Case(
            partnership=partnership, group=da, kind="marac", subject_name="Fictional Golf",
            opened=dt.date(2022, 1, 1), review_date=dt.date(2022, 2, 1),
        )  # fmt: skip
        other.save()
        mention = CaseAction(
            case=other,
            text=f"Tell {NAME}'s officer of the bail conditions",
            due=dt.date(2022, 3, 1),
        )
        mention.save()
        unrelated = CaseAction(case=other, text="Fit locks", due=dt.date(2022, 3, 1))
        unrelated.save()
        person = Person(slug="foxtrot", name=NAME)
        person.save()
    read([member], _system_reader(), "Cohort review")
    places = {
        ("sharing.CohortMember", member.pk), ("sharing.PartnerOffence", offence.pk),
        ("sharing.Case", own_case.pk), ("sharing.CaseAction", mention.pk),
        ("partnerships.Person", person.pk),
    }  # fmt: skip
    return places, unrelated, other


def _system_reader():
    from cdrp.accounts.policy import SYSTEM

    return SYSTEM


def test_the_command_finds_the_person_everywhere_they_were_written(seeded, tmp_path):
    places, unrelated, other = seeded
    call_command("subject-access", NAME, "--out", str(tmp_path))
    data = json.loads((tmp_path / "subject-access-fictional-foxtrot.json").read_text())
    found = {(r["kind"], r["id"]) for r in data["records"]}
    assert found == places
    assert ("sharing.CaseAction", unrelated.pk) not in found
    assert ("sharing.Case", other.pk) not in found  # another person's case, only mentioning
    assert [(r["kind"], r["reason"]) for r in data["reads"]] == [
        ("sharing.CohortMember", "Cohort review")
    ]
    member = next(r for r in data["records"] if r["kind"] == "sharing.CohortMember")
    assert member["fields"]["references"] == "FICTIONAL-PNC-77"
    pdf = (tmp_path / "subject-access-fictional-foxtrot.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000


def test_the_governance_lead_page_exports_json_and_pdf(client, seeded, administrator, member):
    places, _, _ = seeded
    url = "/sharing/lancashire-south/subject-access/"
    client.force_login(member)
    assert client.get(url, {"name": NAME, "format": "json"}).status_code == 403
    client.force_login(administrator)
    assert client.get(url).status_code == 200
    r = client.get(url, {"name": NAME, "format": "json"})
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    assert {(x["kind"], x["id"]) for x in json.loads(r.content)["records"]} == places
    r = client.get(url, {"name": NAME, "format": "pdf"})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    r = client.get(url, {"name": "Fo", "format": "json"})
    assert r.status_code == 200 and "at least three letters" in r.content.decode()
