"""The JSON API of restricted information: the agreements' public fields for anyone (members
see the rest), suppressed cohort and case aggregates for members, and person-level records for
the restricted group's current members only, each record returned audited exactly once."""

from __future__ import annotations

import pytest

import test_sharing_restricted
from cdrp.accounts.models import AuditEvent
from cdrp.accounts.policy import SUPPRESSED
from cdrp.sharing.models import Agreement

world = test_sharing_restricted.world  # the fixture: two restricted groups, records, an agreement

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]
API = "/api/partnerships/lancashire-south"
WHY = "?reason=Monthly+cohort+review"
NAMES = test_sharing_restricted.NAMES


def _views():
    return AuditEvent.objects.filter(action="view")


def test_the_public_gets_the_public_list_and_members_the_rest(client, world, member):
    Agreement.objects.create(
        partnership=world["ppo"].partnership, title="Draft protocol", purpose="x",
        datasets=["cases"], personal="personal", retention="x", starts="2024-01-01",
        review_date="2026-01-01", status="draft",
    )  # fmt: skip
    public = client.get(f"{API}/agreements").json()
    assert [a["title"] for a in public] == ["Protocol"]  # a draft is not on the public list
    (a,) = public
    assert a["parties"] == ["Constabulary"] and a["purpose"] == "x"
    assert a["datasets"] is None and a["retention"] is None and a["status"] is None
    client.force_login(member)
    rows = {a["title"]: a for a in client.get(f"{API}/agreements").json()}
    assert set(rows) == {"Protocol", "Draft protocol"}
    assert rows["Protocol"]["datasets"] == ["cohort", "cases"]
    assert rows["Protocol"]["retention"] == "Six years" and rows["Draft protocol"]["status"] == (
        "draft"
    )


def test_aggregates_are_for_members_and_suppressed(client, world, member, administrator):
    assert client.get(f"{API}/cohort/summary").status_code in (401, 403)
    client.force_login(member)
    summary = client.get(f"{API}/cohort/summary").json()
    # Three members in the cohort this year: fewer than five, so withheld, and the rates too.
    assert summary["members"] == SUPPRESSED and summary["binary"] is None
    cases = {c["kind"]: c for c in client.get(f"{API}/cases/summary").json()}
    assert cases["marac"]["open"] == SUPPRESSED and cases["matac"]["open"] == 0
    client.force_login(administrator)  # suppressed for every reader, staff too
    assert client.get(f"{API}/cohort/summary").json()["members"] == SUPPRESSED
    # Five more in the cohort: eight, none re-offending this year, shown with the rate.
    from cdrp.sharing.models import CohortMember

    for n in range(5):
        CohortMember(partnership=world["ppo"].partnership, group=world["ppo"], name=f"Extra {n}",
                     strand="catch_convict", entered="2020-01-01").save()  # fmt: skip
    summary = client.get(f"{API}/cohort/summary").json()
    assert (summary["members"], summary["reoffenders"], summary["binary"]["rate"]) == (8, 0, 0.0)
    assert _views().count() == 0


def test_person_level_records_for_the_group_each_read_audited_once(client, world):
    client.force_login(world["insider"])
    r = client.get(f"{API}/cohort/members")
    assert r.status_code == 400 and "reason" in r.json()["detail"]
    assert _views().count() == 0
    rows = client.get(f"{API}/cohort/members{WHY}").json()
    assert sorted(m["name"] for m in rows) == NAMES
    assert _views().count() == 3
    assert {e.changes["reason"] for e in _views()} == {"Monthly cohort review"}
    first = world["members"][0]
    one = client.get(f"{API}/cohort/members/{first.pk}{WHY}").json()
    assert one["name"] == "Fictional Alpha" and [o["category"] for o in one["offences"]] == [
        "theft"
    ]
    assert _views().count() == 5  # the member and their offence
    # The cases are another group's: none listed, none read.
    assert client.get(f"{API}/cases{WHY}").json() == []
    assert client.get(f"{API}/cases/{world['case'].pk}{WHY}").status_code == 404
    assert _views().count() == 5


def test_the_case_groups_member_reads_cases_with_their_actions(client, world):
    client.force_login(world["marac_insider"])
    before = _views().count()
    case = client.get(f"{API}/cases/{world['case'].pk}{WHY}").json()
    assert case["subject_name"] == "Fictional Delta"
    assert [a["text"] for a in case["actions"]] == ["Fictional safety plan"]
    assert _views().count() - before == 2


@pytest.mark.parametrize("who", ["member", "coordinator", "administrator", "outsider"])
def test_no_one_outside_the_group_gets_a_record_or_leaves_a_read(client, world, request, who):
    client.force_login(request.getfixturevalue(who))
    for url in (
        f"{API}/cohort/members/{world['members'][0].pk}",
        f"{API}/cases/{world['case'].pk}",
    ):
        assert client.get(url + WHY).status_code in (403, 404)
    for url in (f"{API}/cohort/members", f"{API}/cases"):
        r = client.get(url + WHY)
        assert r.status_code == 403 or r.json() == []
        assert not any(n.encode() in r.content for n in [*NAMES, "Fictional Delta"])
    assert _views().count() == 0


def test_a_record_through_another_partnerships_address_is_not_found(
    client, world, other_partnership
):
    from cdrp.accounts.models import PartnershipRole

    insider = world["insider"]
    PartnershipRole.objects.create(user=insider, partnership=other_partnership, role="member")
    client.force_login(insider)
    url = f"/api/partnerships/{other_partnership.slug}/cohort/members/{world['members'][0].pk}"
    assert client.get(url + WHY).status_code == 404
    assert (
        client.get(f"/api/partnerships/{other_partnership.slug}/cohort/members{WHY}").json() == []
    )
    assert _views().count() == 0
