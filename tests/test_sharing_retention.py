"""Retention with a frozen clock: the daily task anonymises cohort members and deletes closed
cases past their date, records that it did, leaves everything younger alone, and keeps what is
under a legal hold."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cdrp.accounts.audit import acting_as
from cdrp.accounts.models import AuditEvent
from cdrp.partnerships.models import Group
from cdrp.sharing.models import Case, CaseAction, CohortMember, DeletionRecord, PartnerOffence
from cdrp.sharing.retention import ANONYMISED, daily_retention, schedule

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2030, 6, 1, 9, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def records(partnership):
    with acting_as(None, "test"):
        ppo = Group(partnership=partnership, slug="ppo", name="PPO", kind="ppo")
        ppo.save()
        da = Group(partnership=partnership, slug="marac", name="MARAC", kind="domestic_abuse")
        da.save()

        def member(name, left, hold=False):
            m = CohortMember(
                partnership=partnership, group=ppo, name=name, strand="catch_convict",
                entered=dt.date(2018, 1, 1), left=left, references="PNC-1",
                date_of_birth=dt.date(1990, 1, 1), legal_hold=hold,
            )  # fmt: skip
            m.save()
            PartnerOffence(
                member=m, offence_date=dt.date(2018, 6, 1), category="theft", reference="CR-9"
            ).save()
            return m

        def case(closed, hold=False):
            c = Case(
                partnership=partnership, group=da, kind="marac", subject_name="Fictional",
                opened=dt.date(2018, 1, 1), review_date=dt.date(2018, 2, 1), closed=closed,
                legal_hold=hold,
            )  # fmt: skip
            c.save()
            CaseAction(case=c, text="plan", due=dt.date(2018, 1, 5)).save()
            return c

        return {
            "old": member("Fictional Old", dt.date(2024, 5, 31)),  # six years before: 31 May
            "edge": member("Fictional Edge", dt.date(2024, 6, 1)),  # exactly six years: kept
            "current": member("Fictional Current", None),
            "held": member("Fictional Held", dt.date(2019, 1, 1), hold=True),
            "old_case": case(dt.date(2024, 1, 1)),
            "open_case": case(None),
            "held_case": case(dt.date(2019, 1, 1), hold=True),
        }


def test_the_daily_task_applies_the_schedule_on_the_frozen_date(records):
    with time_machine.travel(NOW, tick=False):
        assert daily_retention.call(reschedule=False) == 2
    old = CohortMember.objects.get(pk=records["old"].pk)
    assert (old.name, old.date_of_birth, old.references) == (ANONYMISED, None, "")
    assert PartnerOffence.objects.get(member=old).reference == ""  # the offence itself stays
    assert CohortMember.objects.get(pk=records["edge"].pk).name == "Fictional Edge"
    assert CohortMember.objects.get(pk=records["current"].pk).name == "Fictional Current"
    assert CohortMember.objects.get(pk=records["held"].pk).name == "Fictional Held"
    assert not Case.objects.filter(pk=records["old_case"].pk).exists()
    assert not CaseAction.objects.filter(case_id=records["old_case"].pk).exists()
    assert Case.objects.filter(pk=records["open_case"].pk).exists()
    assert Case.objects.filter(pk=records["held_case"].pk).exists()
    log = {(d.model, d.object_id, d.action) for d in DeletionRecord.objects.all()}
    assert log == {
        ("sharing.CohortMember", str(records["old"].pk), "anonymised"),
        ("sharing.Case", str(records["old_case"].pk), "deleted"),
    }
    assert all("Limitation Act 1980" in d.rule for d in DeletionRecord.objects.all())
    assert AuditEvent.objects.filter(actor="retention", model="sharing.Case", action="delete")
    # Run again the same day: nothing more (the anonymised member is not done twice).
    with time_machine.travel(NOW, tick=False):
        assert daily_retention.call(reschedule=False) == 0
    # The next day six years have passed since 1 June 2024: that member goes too.
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        assert daily_retention.call(reschedule=False) == 1
    assert CohortMember.objects.get(pk=records["edge"].pk).name == ANONYMISED
    # A lifted hold releases the held records.
    CohortMember.objects.filter(pk=records["held"].pk).update(legal_hold=False)
    Case.objects.filter(pk=records["held_case"].pk).update(legal_hold=False)
    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        assert daily_retention.call(reschedule=False) == 2
    assert DeletionRecord.objects.count() == 5


def test_the_schedule_is_configurable_and_says_so(records, settings):
    settings.CDRP_RETENTION_YEARS = {"sharing.Case": 1}
    rules = schedule()
    assert rules["sharing.Case"].years == 1 and "local setting" in rules["sharing.Case"].source
    assert rules["sharing.CohortMember"].years == 6
    with time_machine.travel(dt.datetime(2025, 6, 1, 9, tzinfo=ZoneInfo("Europe/London"))):
        assert daily_retention.call(reschedule=False) == 1  # the case closed 1 January 2024
