"""The demo's PPO indicator is computed from the seeded, fictional cohort and partner offences,
and its figure is checked here by hand."""

from __future__ import annotations

import io

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


@pytest.fixture
def loaded(south_registry, coordinator):
    from cdrp.accounts.audit import acting_as
    from cdrp.plans.models import ManualSeries, SeriesValue
    from cdrp.sharing import demo

    # The plans demo types the series in by hand; stand in for it with one hand-typed month.
    series = ManualSeries.objects.create(
        partnership=south_registry, slug="ppo-reoffending", name="PPO", has_denominator=True
    )
    SeriesValue.objects.create(series=series, month="2022-06", value=6, denominator=60)
    out = io.StringIO()
    with acting_as(None, "test"):
        demo.load(out, {"coordinator": (coordinator, "coordinator")})
    return south_registry, out.getvalue()


def test_june_2022_checked_by_hand(loaded):
    from cdrp.plans.models import SeriesValue

    south, said = loaded
    assert "fictional cohort of 60" in said
    # By hand (see cdrp.sharing.demo): June 2022 is month k = 14, so member n offends when
    # n + 28 is a multiple of 8, i.e. n = 4, 12, 20, 28, 36, 44, 52, 60. Member 4 left on
    # 31 March 2022; member 60 (joined 15 January 2022) offends on 5 June (60 mod 28 + 1), in
    # the cohort. In the cohort in June: 60 less members 1 to 4 = 56. Re-offending: 7 of 56.
    june = SeriesValue.objects.get(series__partnership=south, month="2022-06")
    assert (june.value, june.denominator) == (7, 56)
    assert june.note == "computed from the cohort register"
    # April 2021, k = 0: n a multiple of 8 among the 54 first members: 8, 16, ..., 48 = 6 of 54.
    april = SeriesValue.objects.get(series__partnership=south, month="2021-04")
    assert (april.value, april.denominator) == (6, 54)
    assert SeriesValue.objects.filter(series__partnership=south).count() == 20


def test_the_cohort_names_are_fictional_and_encrypted(loaded):
    from cdrp.sharing.models import CohortMember

    south, _ = loaded
    names = {m.name for m in CohortMember.objects.filter(partnership=south)}
    assert names == {f"Fictional Person {n:02d}" for n in range(1, 61)}


def test_the_demo_coordinator_sits_on_the_cohort_group_and_reads_the_register(
    loaded, client, coordinator, member
):
    client.force_login(member)
    body = client.get("/sharing/lancashire-south/cohort/").content.decode()
    assert "Fictional Person" not in body and "Members in the cohort" in body
    client.force_login(coordinator)
    client.post("/sharing/lancashire-south/reason/", {"reason": "Demo walkthrough"})
    body = client.get("/sharing/lancashire-south/cohort/").content.decode()
    assert "Fictional Person 01" in body
    body = client.get("/sharing/lancashire-south/cases/").content.decode()
    assert "Fictional Victim One" in body
