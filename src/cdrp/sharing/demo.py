"""Demo restricted information for Lancashire South: an information sharing agreement, a clearly
fictional PPO cohort of 60 ("Fictional Person 01" to "60", every reference made up) with
offences on a fixed pattern, one fictional MARAC case, and the cohort's monthly re-offending
written into the plan's PPO indicator series in place of the figures typed by hand.

The pattern, so a test (and a reader) can check a month by hand: members 1 to 54 join on
1 April 2021, members 55 to 60 on 15 January 2022; members 1 to 4 leave on 31 March 2022.
Member n offends in month k (k = 0 for April 2021) when (n + 2k) is a multiple of 8, on day
n mod 28 + 1 of the month, if they are in the cohort that day.
"""

from __future__ import annotations

import datetime as dt

from cdrp.analysis.months import Month, month_range
from cdrp.partnerships.models import Group, Organisation, Partnership
from cdrp.sharing.cohorts import feed_indicator
from cdrp.sharing.models import Agreement, Case, CaseAction, CohortMember, Dataset, PartnerOffence

FIRST, LAST = "2021-04", "2022-11"
SIZE = 60
STRANDS = ["prevent_deter", "catch_convict", "rehabilitate_resettle"]


def entered(n: int) -> dt.date:
    return dt.date(2021, 4, 1) if n <= 54 else dt.date(2022, 1, 15)


def left(n: int) -> dt.date | None:
    return dt.date(2022, 3, 31) if n <= 4 else None


def offence_dates(n: int) -> list[dt.date]:
    out = []
    for k, month in enumerate(month_range(FIRST, LAST)):
        if (n + 2 * k) % 8:
            continue
        m = Month.parse(month)
        day = dt.date(m.year, m.month, n % 28 + 1)
        end = left(n)
        if entered(n) <= day and (end is None or day <= end):
            out.append(day)
    return out


def load(stdout, users: dict) -> None:
    south = Partnership.objects.filter(slug="lancashire-south").first()
    if south is None:
        return
    if Agreement.objects.filter(partnership=south).exists():
        stdout.write("Information sharing: already loaded.")
        return
    parties = list(south.responsible_authorities.all())
    police = next((o for o in parties if o.kind == Organisation.Kind.POLICE), None)
    agreement = Agreement.objects.create(
        partnership=south,
        title="Lancashire South information sharing protocol (illustrative)",
        purpose="Sharing depersonalised crime, disorder and health data for the strategic "
        "assessment, and personal data on the prolific and priority offender cohort and "
        "domestic abuse cases, to reduce crime and re-offending.",
        datasets=[d.value for d in Dataset],
        personal=Agreement.Personal.PERSONAL,
        retention="Personal records: six years after the person leaves the cohort or the case "
        "closes; depersonalised data: while the assessment it informs is current.",
        signed_on=dt.date(2021, 3, 1),
        starts=dt.date(2021, 3, 1),
        review_date=dt.date(2027, 3, 1),
        status=Agreement.Status.ACTIVE,
    )
    agreement.parties.set(parties)
    group = south.groups.filter(kind=Group.Kind.PPO, restricted=True).first()
    if group is None:
        stdout.write("Information sharing: agreement loaded (no restricted PPO group).")
        return
    for n in range(1, SIZE + 1):
        member = CohortMember(
            partnership=south,
            group=group,
            name=f"Fictional Person {n:02d}",
            date_of_birth=dt.date(1980 + n % 20, n % 12 + 1, n % 27 + 1),
            references=f"FICTIONAL-PNC-{n:04d}",
            strand=STRANDS[n % 3],
            entered=entered(n),
            left=left(n),
        )
        member.save()
        for day in offence_dates(n):
            PartnerOffence(
                member=member,
                supplied_by=police,
                offence_date=day,
                category="theft",
                reference=f"FICTIONAL-CR-{n:02d}-{day:%Y%m%d}",
            ).save()
    written = feed_indicator(south, FIRST, LAST, group)
    da = south.groups.filter(kind=Group.Kind.DOMESTIC_ABUSE, restricted=True).first()
    if da is not None:
        case = Case(
            partnership=south,
            group=da,
            kind=Case.Kind.MARAC,
            subject_name="Fictional Victim One",
            references="FICTIONAL-MARAC-0001",
            summary="Illustrative case: no real person.",
            opened=dt.date(2022, 9, 1),
            review_date=dt.date(2022, 12, 1),
        )
        case.save()
        CaseAction(
            case=case, text="Safety plan reviewed by the IDVA", due=dt.date(2022, 10, 1)
        ).save()
    _seat_demo_account(users, [group, da], police)
    stdout.write(
        f"Information sharing: 1 agreement, a fictional cohort of {SIZE}, "
        f"{PartnerOffence.objects.filter(member__partnership=south).count()} partner offences; "
        f"PPO indicator computed for {written} months."
    )


def _seat_demo_account(users: dict, groups, organisation) -> None:
    """Seat the demo coordinator on the restricted groups, so the demo shows the registers to
    someone (every other account sees the aggregates only)."""
    from cdrp.partnerships.models import Membership, Person, Seat

    user = (users.get("coordinator") or (None,))[0]
    if user is None or organisation is None or Person.objects.filter(account=user).exists():
        return
    person = Person(slug="demo-coordinator", name=user.get_full_name() or user.username)
    person.account = user
    person.save()
    for group in groups:
        if group is None:
            continue
        seat = Seat(group=group, label="Co-ordinator (demo account)", organisation=organisation)
        seat.save()
        Membership(seat=seat, person=person, role="member").save()
