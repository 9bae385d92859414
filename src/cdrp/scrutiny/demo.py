"""Demo accountability records for Lancashire South: a Face the People session three weeks
ahead with questions sent in (two approved, one waiting for moderation), a Community Call for
Action raised by a ward councillor in Chorley and now waiting for the partnership's response to
the committee's recommendations (its deadline ahead), and a crime and disorder committee review
with two recommendations. Names, questions and dates are illustrative (dates are counted from
the day the demo is loaded, so the call is always part-way through); `load` is idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cdrp.partnerships.models import Organisation, Partnership, Person
from cdrp.scrutiny import services
from cdrp.scrutiny.models import CommunityCall, Councillor, PublicSession, Review

SESSION_TITLE = "Face the People: Chorley"
CALL_TITLE = "Anti-social behaviour around the bus station after dark"
REVIEW_TITLE = "Review of the partnership's response to anti-social behaviour"


def load(stdout, users: dict) -> None:
    south = Partnership.objects.filter(slug="lancashire-south").first()
    if south is None:
        return
    today = timezone.localdate()
    _session(south, today, stdout)
    _call(south, today, stdout)
    _review(south, today, stdout)


def _session(south, today: dt.date, stdout) -> None:
    if PublicSession.objects.filter(partnership=south, title=SESSION_TITLE).exists():
        stdout.write("Face the People: already loaded.")
        return
    session = PublicSession(
        partnership=south,
        title=SESSION_TITLE,
        date=today + dt.timedelta(days=21),
        starts=dt.time(18, 30),
        ends=dt.time(20, 0),
        venue="Chorley Town Hall, Market Street",
        panel="The district police commander, the council's head of community safety and the "
        "fire service's area manager",
    )
    session.save()
    for text, who, approve in (
        (
            "What is being done about cars speeding on the roads around the primary schools?",
            "A parent",
            True,
        ),
        ("Will there be more patrols in the town centre on Friday and Saturday nights?", "", True),
        ("Why has nobody dealt with the fly-tipping behind the shops?", "Resident", None),
    ):
        q = services.submit_question(session, text, asked_by=who, today=today)
        if approve:
            services.moderate(q, None, approve=True)
    stdout.write("Face the People: one session, three questions (one waiting for moderation).")


def _call(south, today: dt.date, stdout) -> None:
    if CommunityCall.objects.filter(partnership=south, title=CALL_TITLE).exists():
        stdout.write("Community Call for Action: already loaded.")
        return
    person, _ = Person.objects.get_or_create(
        slug="chorley-ward-councillor",
        defaults={
            "name": "Councillor Sam Ward",
            "placeholder": True,
            "job_title": "Ward councillor",
        },
    )
    council = Organisation.objects.filter(slug="chorley-council").first()
    councillor, _ = Councillor.objects.get_or_create(
        partnership=south,
        person=person,
        ward="Chorley North East",
        defaults={"council": council},
    )
    call = services.raise_call(
        councillor,
        title=CALL_TITLE,
        matter="Groups gather at the bus station most evenings; passengers and drivers report "
        "threats and damage, and the shelters have been smashed three times since the summer.",
        on_behalf_of="Residents and traders around the bus station",
        routes_tried="Reported to the police on 101 and to the council's anti-social behaviour "
        "team since June; raised at two neighbourhood meetings.",
        today=today - dt.timedelta(days=50),
    )
    services.screen(
        call,
        local_matter=True,
        persistent=True,
        routes_tried_first=True,
        reasons="Anti-social behaviour in the ward, reported repeatedly for five months through "
        "the police and the council without lasting change.",
        today=today - dt.timedelta(days=43),
    )
    services.refer(
        call,
        referred=True,
        committee="Chorley Council Overview and Scrutiny Committee",
        today=today - dt.timedelta(days=36),
    )
    services.record_recommendations(
        call,
        "1. Joint police and council patrols at the bus station on weekday evenings.\n"
        "2. Better lighting and CCTV coverage of the shelters.\n"
        "3. A youth outreach session in the town centre each week.",
        on=today - dt.timedelta(days=10),
    )
    stdout.write(
        f"Community Call for Action: {call.reference}, response due {call.response_due:%-d %B %Y}."
    )


def _review(south, today: dt.date, stdout) -> None:
    if Review.objects.filter(partnership=south, title=REVIEW_TITLE).exists():
        stdout.write("Scrutiny review: already loaded.")
        return
    owner = Person.objects.filter(memberships__seat__group__partnership=south).distinct().first()
    if owner is None:
        return
    review = Review(
        partnership=south,
        title=REVIEW_TITLE,
        committee="Chorley Council Overview and Scrutiny Committee",
        started_on=today - dt.timedelta(days=120),
        reported_on=today - dt.timedelta(days=60),
        summary="The committee heard from the police, the three councils and the housing "
        "associations about how reports of anti-social behaviour are handled.",
    )
    review.save()
    first = services.add_recommendation(
        review,
        "Publish the outcomes of anti-social behaviour case reviews each quarter.",
        owner,
        today + dt.timedelta(days=30),
    )
    services.respond_to_recommendation(
        first,
        "accepted",
        "The first quarterly summary will be published with the next plan refresh.",
        today=today - dt.timedelta(days=40),
    )
    services.add_recommendation(
        review,
        "Agree one process for victims to ask for a case review across the districts.",
        owner,
        today - dt.timedelta(days=5),
    )
    stdout.write("Scrutiny review: one review, two recommendations (one overdue).")
