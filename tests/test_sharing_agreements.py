"""The information sharing agreements register: the check before a partner dataset is imported
or a restricted dataset shown, reminders before review and expiry, the public list, and the
compliance rule reading it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from cdrp.accounts.audit import acting_as
from cdrp.analysis.errors import RefusedInput
from cdrp.partnerships.models import Group, Membership, Organisation, Person, Seat
from cdrp.sharing import agreements
from cdrp.sharing.models import Agreement, CohortMember, PartnerOffence

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]
TODAY = dt.date(2024, 6, 1)


@pytest.fixture
def register(partnership):
    with acting_as(None, "test"):
        police = Organisation(slug="police", name="Constabulary", kind="police")
        police.save()
        council = Organisation(slug="council", name="Borough Council", kind="district_council")
        council.save()
        probation = Organisation(slug="probation", name="Probation Service", kind="probation")
        probation.save()
        active = Agreement(
            partnership=partnership, title="Offender management protocol",
            purpose="Reducing re-offending by the cohort", datasets=["ppo_offences", "cohort"],
            personal="personal", retention="Six years", starts=dt.date(2023, 1, 1),
            ends=dt.date(2024, 6, 20), review_date=dt.date(2024, 6, 15), status="active",
            signed_on=dt.date(2022, 12, 1),
        )  # fmt: skip
        active.save()
        active.parties.set([police, council])
        draft = Agreement(
            partnership=partnership, title="Draft health protocol SECRETDRAFT",
            purpose="Hospital data", datasets=["health_assaults"], personal="depersonalised",
            retention="Two years", starts=dt.date(2024, 1, 1), review_date=dt.date(2025, 1, 1),
        )  # fmt: skip
        draft.save()
    return {"active": active, "draft": draft, "police": police, "council": council,
            "probation": probation}  # fmt: skip


def test_the_covering_agreement_is_found_only_for_its_datasets_parties_and_dates(
    register, partnership
):
    police, probation = register["police"], register["probation"]
    assert agreements.covering_agreement(partnership, "ppo_offences", police, TODAY)
    assert agreements.covering_agreement(partnership, "ppo_offences", probation, TODAY) is None
    assert agreements.covering_agreement(partnership, "health_assaults", None, TODAY) is None
    assert agreements.covering_agreement(partnership, "cohort", None, dt.date(2024, 7, 1)) is None
    with pytest.raises(agreements.NoAgreement) as refused:
        agreements.require_agreement(partnership, "health_assaults", None, TODAY)
    assert isinstance(refused.value, RefusedInput)
    assert "no active information sharing agreement" in refused.value.message


def test_partner_offences_are_imported_only_under_an_agreement(register, partnership):
    from cdrp.sharing.cohorts import import_offences

    group = Group(partnership=partnership, slug="ppo", name="PPO", kind="ppo")
    group.save()
    member = CohortMember(
        partnership=partnership, group=group, name="Fictional Echo", strand="catch_convict",
        entered=dt.date(2023, 1, 1),
    )  # fmt: skip
    member.save()
    rows = [{"member": member.pk, "date": dt.date(2024, 5, 2), "category": "burglary"}]
    with pytest.raises(agreements.NoAgreement):
        import_offences(partnership, register["probation"], rows, TODAY)
    assert PartnerOffence.objects.count() == 0
    made = import_offences(partnership, register["police"], rows, TODAY)
    assert len(made) == 1 and PartnerOffence.objects.get().category == "burglary"


def test_a_restricted_dataset_is_shown_only_to_a_partys_people(register, partnership, make_user):
    from cdrp.accounts.policy import may_see_dataset

    Agreement.objects.filter(pk=register["active"].pk).update(ends=None)  # in force today
    inside = make_user("council-officer", "member")
    outside = make_user("probation-officer", "member")
    group = Group(partnership=partnership, slug="owg", name="OWG", kind="officer")
    group.save()
    for user, org in ((inside, register["council"]), (outside, register["probation"])):
        seat = Seat(group=group, label=org.name, organisation=org)
        seat.save()
        person = Person(slug=user.username, name=user.username, account=user)
        person.save()
        Membership(seat=seat, person=person).save()
    assert may_see_dataset(inside, partnership, "cohort")
    assert not may_see_dataset(outside, partnership, "cohort")
    assert not may_see_dataset(inside, partnership, "health_assaults")


def test_reminders_before_review_and_expiry_once_each(register, partnership, make_user):
    coordinator = make_user("coord", "coordinator")
    coordinator.email = "coord@example.org"
    coordinator.save()
    sent = agreements.send_agreement_reminders(dt.date(2024, 5, 1), days=30)
    assert sent == []  # the review (15 June) is 45 days after 1 May: not yet
    sent = agreements.send_agreement_reminders(TODAY)
    assert sorted(sent) == [
        "Offender management protocol (expiry)",
        "Offender management protocol (review)",
    ]
    assert len(mail.outbox) == 2 and mail.outbox[0].to == ["coord@example.org"]
    assert "15 June 2024" in mail.outbox[0].body or "15 June 2024" in mail.outbox[1].body
    assert agreements.send_agreement_reminders(TODAY) == []  # once per date
    assert len(mail.outbox) == 2


def test_the_daily_task_queues_itself_for_the_next_morning(register, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    assert agreements.daily_agreement_reminders.call(reschedule=False) >= 0


def test_the_public_list_shows_titles_parties_dates_and_purpose_only(client, register):
    r = client.get("/sharing/lancashire-south/agreements/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "Offender management protocol" in body and "Constabulary" in body
    assert "Reducing re-offending by the cohort" in body and "1 January 2023" in body
    assert "SECRETDRAFT" not in body  # drafts are not published
    assert "Six years" not in body and "section 115 (power" not in body  # members' detail


def test_members_see_the_whole_register(client, register, member):
    client.force_login(member)
    body = client.get("/sharing/lancashire-south/agreements/").content.decode()
    assert "SECRETDRAFT" in body and "Six years" in body


def test_the_compliance_rule_reads_the_register(register, partnership):
    from cdrp.partnerships.compliance import RULES

    finding = RULES["DATA-SHARING"].check(partnership, TODAY)
    assert finding.status == "met" and "Offender management protocol" in finding.summary
    later = RULES["DATA-SHARING"].check(partnership, dt.date(2025, 1, 1))
    assert later.status == "not_met"
