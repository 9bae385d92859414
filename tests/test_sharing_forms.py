"""Adding and changing the restricted registers and the agreements register through their pages:
only the record's restricted group's current members write cohort members and cases (everyone
else 403 or 404, another partnership's record 404), only coordinators and above the agreements;
bad input is refused with a message on the field, a stale or repeated submission with a
conflict message, and nothing is written by a refused request. Opening an edit form is one
audited read."""

from __future__ import annotations

import pytest

import test_sharing_restricted
from cdrp.accounts.models import AuditEvent
from cdrp.partnerships.models import Organisation
from cdrp.sharing.models import Agreement, Case, CaseAction, CohortMember
from test_sharing_restricted import _reason

world = test_sharing_restricted.world  # the fixture: two restricted groups, records, an agreement

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]
BASE = "/sharing/lancashire-south"


def _body(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def _member_form(world, **changes) -> dict:
    data = {
        "group": world["ppo"].pk, "name": "Fictional Echo", "date_of_birth": "1991-02-03",
        "references": "PNC-FICTION-1", "strand": "prevent_deter", "entered": "2024-01-01",
        "left": "", "lead_officer": "", "agencies": [],
    }  # fmt: skip
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _case_form(world, **changes) -> dict:
    data = {
        "group": world["marac"].pk, "kind": "marac", "subject_name": "Fictional Foxtrot",
        "subject_date_of_birth": "", "references": "", "summary": "Fictional summary",
        "opened": "2024-02-01", "review_date": "2024-03-01", "closed": "",
    }  # fmt: skip
    data.update(changes)
    return data


def _agreement_form(**changes) -> dict:
    police = Organisation.objects.get(slug="police")
    data = {
        "title": "Fictional protocol 2", "purpose": "Sharing to reduce re-offending",
        "parties": [police.pk], "legal_basis": "s115", "protection_basis": "public_task",
        "datasets": ["cohort", "police_crime"], "personal": "personal",
        "retention": "Six years after the person leaves", "signed_on": "", "starts": "2024-01-01",
        "ends": "", "review_date": "2026-01-01", "status": "active",
    }  # fmt: skip
    data.update(changes)
    return data


def test_a_cohort_group_member_adds_and_changes_a_cohort_member(client, world):
    client.force_login(world["insider"])
    assert client.get(f"{BASE}/cohort/add/").status_code == 200
    r = client.post(f"{BASE}/cohort/add/", _member_form(world))
    assert r.status_code == 302
    added = CohortMember.objects.latest("pk")
    assert added.name == "Fictional Echo" and added.group == world["ppo"]
    assert r["Location"] == f"{BASE}/cohort/{added.pk}/"
    assert AuditEvent.objects.filter(
        model="sharing.CohortMember", object_id=str(added.pk), action="create", actor="ppo-insider"
    ).exists()
    # Opening the edit form is a read: the reason first, then exactly one audit event.
    url = f"{BASE}/cohort/{added.pk}/edit/"
    assert "/reason/" in client.get(url)["Location"]
    _reason(client)
    views = AuditEvent.objects.filter(action="view", model="sharing.CohortMember")
    before = views.count()
    r = client.get(url)
    assert r.status_code == 200 and "Fictional Echo" in _body(r)
    assert views.count() - before == 1
    form = _member_form(world, left="2024-06-30", version=added.version)
    assert client.post(url, form).status_code == 302
    added.refresh_from_db()
    assert str(added.left) == "2024-06-30" and added.version == 2
    # The same submission again (a double click, or a save over a newer change): refused.
    r = client.post(url, {**form, "left": "2024-07-31"})
    assert r.status_code == 400 and "since" in _body(r).lower()
    added.refresh_from_db()
    assert str(added.left) == "2024-06-30"


def test_bad_input_is_refused_with_a_message_on_the_field(client, world):
    client.force_login(world["insider"])
    count = CohortMember.objects.count()
    r = client.post(f"{BASE}/cohort/add/", _member_form(world, left="2023-01-01"))
    assert r.status_code == 400
    body = _body(r)
    assert 'id="id_left-error"' in body and "date out must be on or after the date in" in body
    r = client.post(f"{BASE}/cohort/add/", _member_form(world, name="", entered="31/02/2024"))
    body = _body(r)
    assert r.status_code == 400 and 'id="id_name-error"' in body
    assert 'id="id_entered-error"' in body
    # A group the person does not sit on is not a choice.
    r = client.post(f"{BASE}/cohort/add/", _member_form(world, group=world["marac"].pk))
    assert r.status_code == 400 and 'id="id_group-error"' in _body(r)
    # An edit sent without its version is refused too.
    member = world["members"][0]
    r = client.post(f"{BASE}/cohort/{member.pk}/edit/", _member_form(world, name="Renamed"))
    assert r.status_code == 400 and "sent without the version" in _body(r)
    assert CohortMember.objects.count() == count
    assert not any(m.name == "Renamed" for m in CohortMember.objects.all())


@pytest.mark.parametrize("who", ["member", "coordinator", "administrator", "outsider"])
def test_no_one_outside_the_group_adds_or_changes_a_restricted_record(client, world, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    _ = client.post(f"{BASE}/reason/", {"reason": "Curious about the cohort"})
    member, case = world["members"][0], world["case"]
    action = case.actions.get()
    pages = [
        (f"{BASE}/cohort/add/", _member_form(world)),
        (f"{BASE}/cohort/{member.pk}/edit/", _member_form(world, version=member.version)),
        (f"{BASE}/cases/add/", _case_form(world)),
        (f"{BASE}/cases/{case.pk}/edit/", _case_form(world, version=case.version)),
        (f"{BASE}/cases/{case.pk}/actions/add/", {"text": "x", "due": "2024-05-01"}),
        (f"{BASE}/cases/{case.pk}/actions/{action.pk}/edit/",
         {"text": "x", "due": "2024-05-01", "version": action.version}),
    ]  # fmt: skip
    before = (CohortMember.objects.count(), Case.objects.count(), CaseAction.objects.count())
    for url, data in pages:
        for response in (client.get(url), client.post(url, data)):
            assert response.status_code in (403, 404), (url, response.status_code)
            assert "Fictional" not in _body(response)
    after = (CohortMember.objects.count(), Case.objects.count(), CaseAction.objects.count())
    assert after == before and AuditEvent.objects.filter(action="view").count() == 0
    member.refresh_from_db()
    assert member.version == 1


def test_the_other_groups_member_and_the_public_are_refused(client, world):
    client.force_login(world["insider"])  # sits on the cohort's group, not the MARAC's
    _reason(client)
    case = world["case"]
    assert client.get(f"{BASE}/cases/{case.pk}/edit/").status_code == 404
    # A case (an ASB case review) may sit in the cohort's group, never in the MARAC's.
    r = client.post(f"{BASE}/cases/add/", _case_form(world, subject_name="Fictional Golf"))
    assert r.status_code == 400 and 'id="id_group-error"' in _body(r)
    assert Case.objects.count() == 1
    client.logout()
    r = client.get(f"{BASE}/cohort/add/")
    assert r.status_code == 302 and "sign-in" in r["Location"]


def test_a_record_addressed_through_another_partnership_is_not_found(
    client, world, other_partnership
):
    from cdrp.accounts.models import PartnershipRole

    insider = world["insider"]
    PartnershipRole.objects.create(user=insider, partnership=other_partnership, role="member")
    client.force_login(insider)
    _reason(client, slug=other_partnership.slug)
    member = world["members"][0]
    other = f"/sharing/{other_partnership.slug}"
    assert client.get(f"{other}/cohort/{member.pk}/edit/").status_code == 404
    data = _member_form(world, name="Moved", version=member.version)
    assert client.post(f"{other}/cohort/{member.pk}/edit/", data).status_code == 404
    # Its add page has no group of theirs to add to.
    assert client.post(f"{other}/cohort/add/", _member_form(world)).status_code == 403
    member.refresh_from_db()
    assert member.name == "Fictional Alpha" and CohortMember.objects.count() == 3


def test_a_case_group_member_adds_a_case_and_its_actions(client, world):
    client.force_login(world["marac_insider"])
    r = client.post(f"{BASE}/cases/add/", _case_form(world, review_date="2024-01-01"))
    assert r.status_code == 400 and "review date must be on or after opening" in _body(r)
    r = client.post(f"{BASE}/cases/add/", _case_form(world))
    assert r.status_code == 302
    case = Case.objects.exclude(pk=world["case"].pk).get()
    assert case.subject_name == "Fictional Foxtrot" and case.group == world["marac"]
    r = client.post(f"{BASE}/cases/{case.pk}/actions/add/", {"text": "", "due": "2024-05-01"})
    assert r.status_code == 400 and 'id="id_text-error"' in _body(r)
    r = client.post(f"{BASE}/cases/{case.pk}/actions/add/",
                    {"text": "Fictional referral", "due": "2024-05-01"})  # fmt: skip
    assert r.status_code == 302
    action = case.actions.get()
    url = f"{BASE}/cases/{case.pk}/actions/{action.pk}/edit/"
    data = {"text": "Fictional referral", "due": "2024-05-01", "done": "on", "version": 1}
    assert client.post(url, data).status_code == 302
    action.refresh_from_db()
    assert action.done and action.version == 2
    # Another case's action through this case's address: not found.
    other = world["case"].actions.get()
    bad = f"{BASE}/cases/{case.pk}/actions/{other.pk}/edit/"
    assert client.post(bad, {**data, "version": other.version}).status_code == 404


def test_coordinators_record_agreements_and_members_may_not(client, world, coordinator, member):
    client.force_login(member)
    assert client.get(f"{BASE}/agreements/add/").status_code == 403
    assert client.post(f"{BASE}/agreements/add/", _agreement_form()).status_code == 403
    client.force_login(coordinator)
    r = client.post(f"{BASE}/agreements/add/", _agreement_form(personal="depersonalised"))
    assert r.status_code == 400
    assert 'id="id_personal-error"' in _body(r) and "cannot cover a personal dataset" in _body(r)
    r = client.post(f"{BASE}/agreements/add/", _agreement_form(datasets=["nonsense"]))
    assert r.status_code == 400 and 'id="id_datasets-error"' in _body(r)
    assert client.post(f"{BASE}/agreements/add/", _agreement_form()).status_code == 302
    added = Agreement.objects.get(title="Fictional protocol 2")
    assert (
        added.datasets == ["cohort", "police_crime"]
        and added.partnership == world["ppo"].partnership
    )
    assert [o.slug for o in added.parties.all()] == ["police"]
    url = f"{BASE}/agreements/{added.pk}/edit/"
    assert "Fictional protocol 2" in _body(client.get(url))
    form = _agreement_form(status="suspended", version=added.version)
    assert client.post(url, form).status_code == 302
    r = client.post(url, {**form, "status": "ended"})  # the same form sent twice
    assert r.status_code == 400
    added.refresh_from_db()
    assert added.status == "suspended" and added.version == 2


def test_another_partnerships_agreement_is_not_found(client, world, other_partnership, make_user):
    theirs = Agreement.objects.create(
        partnership=other_partnership, title="Theirs", purpose="x", datasets=[],
        personal="depersonalised", retention="x", starts="2024-01-01", review_date="2026-01-01",
    )  # fmt: skip
    coordinator = make_user("coord-b", "coordinator")
    client.force_login(coordinator)
    url = f"{BASE}/agreements/{theirs.pk}/edit/"
    assert client.get(url).status_code == 404
    data = _agreement_form(title="Taken over", version=theirs.version)
    assert client.post(url, data).status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "Theirs"
