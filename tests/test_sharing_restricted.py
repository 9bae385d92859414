"""The offender cohort and case lists: only the restricted group's current members read them; a
reason is asked once per session; every successful read of a restricted record is exactly one
audit event (counted); the governance lead's access report lists them per person and record;
everyone else sees suppressed aggregates only, and the audit trail redacts the records."""

from __future__ import annotations

import datetime as dt

import pytest

from cdrp.accounts.audit import acting_as
from cdrp.accounts.models import AuditEvent
from cdrp.partnerships.models import Group, Membership, Organisation, Person, Seat
from cdrp.sharing.models import Agreement, Case, CaseAction, CohortMember, PartnerOffence

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

NAMES = ["Fictional Alpha", "Fictional Bravo", "Fictional Charlie"]


def _group(partnership, make_user, kind, slug):
    police, _ = Organisation.objects.get_or_create(
        slug="police", defaults={"name": "Constabulary", "kind": "police"}
    )
    group = Group(partnership=partnership, slug=slug, name=slug.upper(), kind=kind)
    group.restricted = True
    group.save()
    seat = Seat(group=group, label="Lead", organisation=police)
    seat.save()
    insider = make_user(f"{slug}-insider", "member")
    person = Person(slug=f"{slug}-lead", name=f"{slug} lead", account=insider)
    person.save()
    Membership(seat=seat, person=person, role="chair").save()
    return group, insider


@pytest.fixture
def world(partnership, make_user):
    with acting_as(None, "test"):
        ppo, insider = _group(partnership, make_user, "ppo", "ppo")
        marac, marac_insider = _group(partnership, make_user, "domestic_abuse", "marac")
        members = []
        for n, name in enumerate(NAMES):
            m = CohortMember(
                partnership=partnership, group=ppo, name=name, strand="catch_convict",
                entered=dt.date(2020, 1, 1), date_of_birth=dt.date(1990, 1, n + 1),
            )  # fmt: skip
            m.save()
            members.append(m)
        offence = PartnerOffence(
            member=members[0], offence_date=dt.date(2020, 5, 1), category="theft"
        )
        offence.save()
        case = Case(
            partnership=partnership, group=marac, kind="marac", subject_name="Fictional Delta",
            opened=dt.date(2024, 1, 1), review_date=dt.date(2024, 3, 1),
        )  # fmt: skip
        case.save()
        CaseAction(case=case, text="Fictional safety plan", due=dt.date(2024, 2, 1)).save()
        agreement = Agreement(
            partnership=partnership, title="Protocol", purpose="x", datasets=["cohort", "cases"],
            personal="personal", retention="Six years", starts=dt.date(2020, 1, 1),
            review_date=dt.date(2099, 1, 1), status="active",
        )  # fmt: skip
        agreement.save()
        agreement.parties.set(Organisation.objects.filter(slug="police"))
    return {"ppo": ppo, "marac": marac, "insider": insider, "marac_insider": marac_insider,
            "members": members, "offence": offence, "case": case}  # fmt: skip


def _views():
    return AuditEvent.objects.filter(action="view")


def _reason(client, slug="lancashire-south", reason="Monthly cohort review"):
    r = client.post(f"/sharing/{slug}/reason/", {"reason": reason, "next": ""})
    assert r.status_code == 302


def test_a_reason_is_asked_once_per_session_then_kept_with_every_read(client, world):
    client.force_login(world["insider"])
    r = client.get("/sharing/lancashire-south/cohort/")
    assert r.status_code == 302 and "/reason/" in r["Location"]
    assert _views().count() == 0
    r = client.post("/sharing/lancashire-south/reason/", {"reason": "x"})
    assert r.status_code == 200 and "Say why" in r.content.decode()
    _reason(client)
    r = client.get("/sharing/lancashire-south/cohort/")
    assert r.status_code == 200
    body = r.content.decode()
    assert all(name in body for name in NAMES)
    # One read per record shown: three cohort members, exactly three events, with the reason.
    assert _views().count() == 3
    assert {e.changes["reason"] for e in _views()} == {"Monthly cohort review"}
    assert {e.actor for e in _views()} == {"ppo-insider"}
    # A record's page: the member and their one offence, two more events.
    r = client.get(f"/sharing/lancashire-south/cohort/{world['members'][0].pk}/")
    assert r.status_code == 200 and "theft" in r.content.decode()
    assert _views().count() == 5
    assert _views().filter(model="sharing.PartnerOffence").count() == 1


def test_exactly_one_audit_event_per_successful_read_of_each_kind(client, world):
    client.force_login(world["marac_insider"])
    _reason(client)
    before = _views().count()
    r = client.get(f"/sharing/lancashire-south/cases/{world['case'].pk}/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "Fictional Delta" in body and "Fictional safety plan" in body
    assert _views().count() - before == 2  # the case and its action
    assert set(_views().values_list("model", flat=True)) == {"sharing.Case", "sharing.CaseAction"}
    r = client.get("/sharing/lancashire-south/cases/")
    assert r.status_code == 200
    assert _views().count() - before == 3


@pytest.mark.parametrize("who", ["member", "coordinator", "administrator", "outsider"])
def test_no_one_outside_the_group_reads_a_record_or_leaves_a_read(client, world, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    client.post("/sharing/lancashire-south/reason/", {"reason": "Curious about the cohort"})
    urls = [
        f"/sharing/lancashire-south/cohort/{world['members'][0].pk}/",
        f"/sharing/lancashire-south/cases/{world['case'].pk}/",
    ]
    for url in urls:
        r = client.get(url)
        assert r.status_code in (403, 404), (url, r.status_code)
    for url in ["/sharing/lancashire-south/cohort/", "/sharing/lancashire-south/cases/"]:
        r = client.get(url)
        body = r.content.decode()
        assert not any(name in body for name in [*NAMES, "Fictional Delta"]), url
    assert _views().count() == 0


def test_the_cohort_insider_does_not_read_the_marac_cases(client, world):
    client.force_login(world["insider"])
    _reason(client)
    r = client.get(f"/sharing/lancashire-south/cases/{world['case'].pk}/")
    assert r.status_code == 404
    assert "Fictional Delta" not in client.get("/sharing/lancashire-south/cases/").content.decode()


def test_the_public_sees_neither_register(client, world):
    for url in ["/sharing/lancashire-south/cohort/", "/sharing/lancashire-south/cases/"]:
        r = client.get(url)
        assert r.status_code == 302 and "sign-in" in r["Location"]


def test_partner_members_see_aggregates_only(client, world, member):
    client.force_login(member)
    r = client.get("/sharing/lancashire-south/cohort/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "Members in the cohort" in body and "Fictional" not in body


def test_cohort_summary_withholds_small_counts(world, partnership):
    from cdrp.accounts.policy import SUPPRESSED
    from cdrp.sharing.cohorts import cohort_summary

    # Three members in 2020, one of whom offended once: below 5, so withheld unless exact.
    year = (dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    public = cohort_summary(partnership, *year)
    assert public["members"] == public["reoffenders"] == public["offences"] == SUPPRESSED
    assert public["binary"] is None and public["frequency"] is None
    exact = cohort_summary(partnership, *year, exact=True)
    assert (exact["members"], exact["reoffenders"], exact["offences"]) == (3, 1, 1)
    assert round(exact["binary"].rate, 4) == 0.3333


def test_access_report_per_person_and_per_record(client, world, administrator):
    client.force_login(world["insider"])
    _reason(client, reason="Case conference preparation")
    client.get("/sharing/lancashire-south/cohort/")
    client.force_login(administrator)
    r = client.get("/sharing/lancashire-south/access/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "ppo-insider" in body and "Case conference preparation" in body
    assert "Cohort member" in body
    assert not any(name in body for name in NAMES)  # the report names records, not people
    from cdrp.sharing.cohorts import access_by_person, access_by_record

    people = access_by_person(world["ppo"].partnership)
    assert [(p["actor"], p["reads"]) for p in people] == [("ppo-insider", 3)]
    records = access_by_record(world["ppo"].partnership, "sharing.CohortMember",
                               world["members"][1].pk)  # fmt: skip
    assert len(records) == 1 and len(records[0]["reads"]) == 1


def test_only_the_governance_lead_reads_the_access_report(client, world, member, coordinator):
    for user in (member, coordinator, world["insider"]):
        client.force_login(user)
        assert client.get("/sharing/lancashire-south/access/").status_code == 403


def test_the_audit_trail_redacts_restricted_register_events(world, administrator):
    from cdrp.accounts.audit_trail import REDACTED, audit_rows
    from cdrp.sharing.restricted import LABELS

    rows = audit_rows(AuditEvent.objects.filter(model__in=LABELS), administrator)
    assert len(rows) >= 6  # the members, the offence, the case and its action, created
    assert all(row["redacted"] and row["object_repr"] == REDACTED for row in rows)
    insider_rows = audit_rows(
        AuditEvent.objects.filter(model="sharing.CohortMember"), world["insider"]
    )
    assert insider_rows and not any(row["redacted"] for row in insider_rows)


def test_without_an_agreement_covering_the_register_even_the_group_reads_nothing(client, world):
    Agreement.objects.update(status="suspended")
    client.force_login(world["insider"])
    _reason(client)
    body = client.get("/sharing/lancashire-south/cohort/").content.decode()
    assert not any(name in body for name in NAMES) and "none covers it for you" in body
    url = f"/sharing/lancashire-south/cohort/{world['members'][0].pk}/"
    assert client.get(url).status_code == 404
    assert _views().count() == 0
