"""The demo's accounts as people of the registry: each demo user is linked to a person who holds
a seat in the demo partnership, the member owns open actions of the strategy group, and the
strategy group and the officer working group have their next meetings arranged, so every
account's home page has something to show."""

from __future__ import annotations

import datetime as dt

from cdrp.accounts.notifications import Kind, notify
from cdrp.meetings.agenda import arrange_meeting
from cdrp.meetings.demo import time_and_place
from cdrp.meetings.models import Action, Meeting
from cdrp.partnerships.models import Group, Partnership, Person

# demo user → the person (by slug) whose account it is, in the demo partnership
DEMO_PEOPLE = {
    "chair": "divisional-commander",  # chairs the strategy group
    "coordinator": "chorley-csm",  # chairs the officer working group
    "member": "chorley-director",  # a member of the strategy group
}
# The analyst is the first other member of the officer working group.
ACTIONS = [
    # description, due (days from today)
    ("Report back on the night-time economy licensing review for the town centre", 21),
    ("Circulate the council's anti-social behaviour case figures for the last quarter", -7),
]


def load(stdout, users: dict) -> None:
    """Nothing before the other demos: see `finish`."""


def _link(user, person: Person) -> bool:
    if person.account_id == user.pk:
        return False
    Person.objects.filter(account=user).exclude(pk=person.pk).update(account=None)
    person.account = user
    person.save()
    return True


def _next_weekday(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def finish(stdout, users: dict) -> None:
    south = Partnership.objects.filter(slug="lancashire-south").first()
    if south is None:
        return
    strategy = south.groups.filter(kind=Group.Kind.STRATEGY).first()
    officers = south.groups.filter(kind=Group.Kind.OFFICER).first()
    if strategy is None:
        return
    today = dt.date.today()
    linked = 0
    taken = set(DEMO_PEOPLE.values())
    for username, slug in DEMO_PEOPLE.items():
        person = Person.objects.filter(slug=slug).first()
        if username in users and person is not None:
            linked += _link(users[username][0], person)
    if "analyst" in users and officers is not None:
        analyst = (
            officers.current_memberships(today)
            .exclude(person__slug__in=taken)
            .select_related("person")
            .order_by("person__name")
            .first()
        )
        if analyst is not None:
            linked += _link(users["analyst"][0], analyst.person)
    raised = 0
    member = Person.objects.filter(slug=DEMO_PEOPLE["member"]).first()
    if member is not None:
        for description, days in ACTIONS:
            action, made = Action.objects.get_or_create(
                partnership=south,
                group=strategy,
                owner=member,
                description=description,
                defaults={
                    "due": today + dt.timedelta(days=days),
                    "organisation": member.organisation,
                },
            )
            if made and member.account is not None:
                raised += 1
                notify(
                    [member.account],
                    Kind.ACTION_ASSIGNED,
                    f"You have a new action: “{description}”, due {action.due:%-d %B %Y}",
                    "/#my-actions",
                    partnership=south,
                    key=f"action-assigned:{action.pk}",
                )
    arranged = 0
    for group, weekday, weeks in ((strategy, 2, 3), (officers, 1, 2)):
        if group is None or Meeting.objects.filter(group=group, date__gte=today).exists():
            continue
        day = _next_weekday(today + dt.timedelta(weeks=weeks), weekday)
        start, venue = time_and_place(group, day)
        arrange_meeting(group, day, start_time=start, venue=venue)
        arranged += 1
    stdout.write(
        f"Working day: {linked} demo accounts linked to people, {raised} actions raised, "
        f"{arranged} next meetings arranged."
    )
