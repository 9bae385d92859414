"""Duplicated effort in a partnership's structure, for the partnership officer to act on:

* agenda items that repeat across groups (the same business taken at two groups' meetings),
* groups whose terms of reference say much the same thing,
* people sitting in several meetings in one week (from the attendance recorded, else from who
  held a seat on the group that day),
* groups that meet but never decide anything (no motion put, no action raised).

Similarity is the cosine of TF-IDF vectors (`cdrp.health.similarity`); the pairs are shown with
their score so the officer can judge them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q

from cdrp.health.similarity import cosine_matrix
from cdrp.meetings.models import Action, AgendaItem, Attendance, Decision, Meeting
from cdrp.partnerships.models import Membership, Partnership

__all__ = ["ITEM_THRESHOLD", "TERMS_THRESHOLD", "WEEK_LIMIT", "report", "default_as_at"]

#: Agenda items this similar (cosine of TF-IDF) at two groups' meetings are the same business.
ITEM_THRESHOLD = 0.7
#: Terms of reference this similar describe overlapping remits.
TERMS_THRESHOLD = 0.5
#: More than this many meetings in one week for one person is flagged.
WEEK_LIMIT = 1
#: Standing items every agenda has: never duplication.
STANDING = {
    AgendaItem.Kind.APOLOGIES,
    AgendaItem.Kind.MINUTES,
    AgendaItem.Kind.AOB,
    AgendaItem.Kind.ACTION,
    AgendaItem.Kind.ASSESSMENT,
}


def default_as_at(p: Partnership) -> dt.date:
    """Today, or the day of the partnership's latest meeting if that is earlier (a partnership
    judged on its records, not on a year with none)."""
    latest = (
        Meeting.objects.filter(Q(group__partnership=p) | Q(group__serves=p))
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    today = dt.date.today()
    return min(today, latest) if latest else today


def _pairs(texts: list[str], owners: list[int], threshold: float) -> list[tuple[int, int, float]]:
    if len(texts) < 2:
        return []
    m = cosine_matrix(texts)
    out = []
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            if owners[i] != owners[j] and m[i, j] >= threshold:
                out.append((i, j, round(float(m[i, j]), 2)))
    return sorted(out, key=lambda t: -t[2])


def report(p: Partnership, as_at: dt.date | None = None, days: int = 365) -> dict:
    on = as_at or default_as_at(p)
    start = on - dt.timedelta(days=days - 1)
    groups = list(p.all_groups().order_by("position", "name"))
    by_id = {g.pk: g for g in groups}
    meetings = list(
        Meeting.objects.filter(group__in=groups, date__gte=start, date__lte=on)
        .select_related("group")
        .order_by("date", "pk")
    )
    # Agenda items repeated across groups (restricted items are never read here).
    items = list(
        AgendaItem.objects.filter(meeting__in=meetings, restricted=False)
        .exclude(kind__in=STANDING)
        .select_related("meeting", "meeting__group")
    )
    seen: set[tuple] = set()
    item_pairs = []
    for i, j, score in _pairs(
        [x.title for x in items], [x.meeting.group_id for x in items], ITEM_THRESHOLD
    ):
        a, b = items[i], items[j]
        key = tuple(
            sorted([(a.meeting.group_id, a.title.lower()), (b.meeting.group_id, b.title.lower())])
        )
        if key in seen:
            continue
        seen.add(key)
        item_pairs.append({"a": a, "b": b, "score": score})
    # Terms of reference.
    with_terms = [g for g in groups if g.terms_of_reference.strip()]
    terms_pairs = [
        {"a": with_terms[i], "b": with_terms[j], "score": score}
        for i, j, score in _pairs(
            [g.terms_of_reference for g in with_terms],
            [g.pk for g in with_terms],
            TERMS_THRESHOLD,
        )
    ]
    # People in several meetings in one week.
    attended: dict[int, set[int]] = defaultdict(set)
    for a in Attendance.objects.filter(
        meeting__in=meetings,
        status__in=[Attendance.Status.PRESENT, Attendance.Status.SUBSTITUTE],
    ):
        attended[a.meeting_id].add(a.person_id)
    weeks: dict[tuple[int, tuple[int, int]], list[Meeting]] = defaultdict(list)
    people = {}
    for m in meetings:
        present = attended.get(m.pk)
        if not present:
            present = set()
            for ms in (
                Membership.objects.current(m.date)
                .filter(seat__group=m.group)
                .select_related("person")
            ):
                present.add(ms.person_id)
                people[ms.person_id] = ms.person
        iso = m.date.isocalendar()
        for pid in present:
            weeks[(pid, (iso[0], iso[1]))].append(m)
    if weeks:
        from cdrp.partnerships.models import Person

        missing = {pid for pid, _ in weeks} - set(people)
        people.update({x.pk: x for x in Person.objects.filter(pk__in=missing)})
    busy = [
        {
            "person": people[pid],
            "week": dt.date.fromisocalendar(week[0], week[1], 1),
            "meetings": sorted(ms, key=lambda x: x.date),
        }
        for (pid, week), ms in weeks.items()
        if len({x.pk for x in ms}) > WEEK_LIMIT
    ]
    busy.sort(key=lambda b: (-len(b["meetings"]), b["week"], b["person"].name))
    # Groups that meet but never decide.
    held = defaultdict(list)
    for m in meetings:
        held[m.group_id].append(m)
    deciding = set(
        Decision.objects.filter(meeting__in=meetings).values_list("meeting__group_id", flat=True)
    ) | set(Action.objects.filter(meeting__in=meetings).values_list("group_id", flat=True))
    idle = [
        {"group": by_id[gid], "meetings": len(ms)}
        for gid, ms in held.items()
        if gid not in deciding
    ]
    idle.sort(key=lambda x: -x["meetings"])
    actions = []
    for pair in terms_pairs:
        actions.append(
            f"Compare the remits of the {pair['a'].name} and the {pair['b'].name} "
            f"(terms of reference {pair['score']:.0%} alike): merge them or make each "
            "group's remit distinct."
        )
    for pair in item_pairs:
        actions.append(
            f"“{pair['a'].title}” was taken by the {pair['a'].meeting.group.name} and the "
            f"{pair['b'].meeting.group.name}: take it at one and report to the other."
        )
    for g in idle:
        actions.append(
            f"The {g['group'].name} met {g['meetings']} time{'s' if g['meetings'] != 1 else ''} "
            "without a decision or an action: make it a briefing, give it a remit, or stop it."
        )
    people_flagged = {b["person"].pk for b in busy}
    if busy:
        actions.append(
            f"{len(people_flagged)} people sat in more than {WEEK_LIMIT} meeting"
            f"{'s' if WEEK_LIMIT != 1 else ''} in the same week ({len(busy)} such weeks): "
            "hold those groups' meetings back to back, or send a substitute."
        )
    return {
        "partnership": p,
        "as_at": on,
        "start": start,
        "meetings": len(meetings),
        "groups": len(groups),
        "item_pairs": item_pairs,
        "terms_pairs": terms_pairs,
        "busy": busy,
        "busy_people": len(people_flagged),
        "idle": idle,
        "actions": actions,
        "clean": not (item_pairs or terms_pairs or busy or idle),
        "item_threshold": ITEM_THRESHOLD,
        "terms_threshold": TERMS_THRESHOLD,
    }
