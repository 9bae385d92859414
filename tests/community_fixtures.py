"""Shared set-up for the community tests: Lancashire South's districts with three wards of
Chorley (with small square boundaries), a strategy group and a tasking group with members, an
approved plan with priorities, and an upcoming public meeting with a booked time and venue."""

from __future__ import annotations

import datetime as dt
import json

import pytest

WARDS = {
    "E05005125": "Astley and Buckshaw",
    "E05005126": "Chorley East",
    "E05005127": "Chorley North East",
}


def _square(x: float, y: float) -> str:
    ring = [[x, y], [x + 0.02, y], [x + 0.02, y + 0.02], [x, y + 0.02], [x, y]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


@pytest.fixture(name="area_world")
def area_world_fixture(south_districts):
    from cdrp.accounts.audit import acting_as
    from cdrp.meetings.models import Booking, Meeting, Venue
    from cdrp.partnerships.models import (
        Area,
        Group,
        Membership,
        Organisation,
        Person,
        Seat,
    )
    from cdrp.plans.models import Plan, Priority

    p = south_districts
    chorley = p.districts.get(code="E07000118")
    with acting_as(None, "test"):
        wards = {
            code: Area.objects.create(
                code=code,
                name=name,
                level="ward",
                parent=chorley,
                geometry=_square(-2.65 + i * 0.02, 53.65),
            )
            for i, (code, name) in enumerate(WARDS.items())
        }
        council = Organisation.objects.create(
            slug="chorley-council", name="Chorley Council", kind="district_council"
        )
        police = Organisation.objects.create(slug="police", name="Constabulary", kind="police")
        strategy = Group.objects.create(
            partnership=p, slug="strategy", name="Strategy group", kind="strategy"
        )
        tasking = Group.objects.create(
            partnership=p, slug="tasking", name="Neighbourhood tasking", kind="tasking"
        )
        officer = Person.objects.create(slug="pc-jones", name="PC Jones", organisation=police)
        councillor = Person.objects.create(
            slug="cllr-smith", name="Cllr Smith", organisation=council
        )
        for group in (strategy, tasking):
            for person, org in ((officer, police), (councillor, council)):
                seat = Seat.objects.create(group=group, label=f"{org.name} seat", organisation=org)
                Membership.objects.create(seat=seat, person=person, start=dt.date(2020, 1, 1))
        plan = Plan.objects.create(
            partnership=p,
            revision=1,
            title="Partnership plan 2026 to 2029",
            period_start="2026-04",
            period_end="2029-03",
        )
        Priority.objects.create(plan=plan, position=1, name="Tackling anti-social behaviour")
        Priority.objects.create(plan=plan, position=2, name="Reducing burglary")
        plan.status = Plan.Status.APPROVED
        plan.save()
        soon = dt.date.today() + dt.timedelta(days=20)
        meeting = Meeting.objects.create(group=strategy, date=soon, public=True)
        venue = Venue.objects.create(
            partnership=p, name="Chorley Town Hall, Market Street", capacity=40
        )
        Booking.objects.create(
            meeting=meeting, start=dt.time(18, 30), end=dt.time(20, 0), venue=venue
        )
    return {
        "partnership": p,
        "wards": wards,
        "chorley": chorley,
        "strategy": strategy,
        "tasking": tasking,
        "officer": officer,
        "meeting": meeting,
    }
