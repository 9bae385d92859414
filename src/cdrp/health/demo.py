"""Demo records for partnership health, on Lancashire South in 2022/23 (illustrative meetings,
ratings and scores; the groups and members are the registry demo's): three more meetings of
the strategy group (one of them public, one reviewing members' skills), the district tasking
groups' meetings, the skills review with every member's ratings and training actions for the
gaps, the strategy group's scores for 2021/22 and 2022/23, and venues for the three district
partnerships as they stood before the merger (so the closer-working appraisal can plan them).
"""

from __future__ import annotations

import datetime as dt

from cdrp.health import services, skills
from cdrp.health.hallmarks import CRITERIA
from cdrp.health.models import SelfAssessment, SkillsReview
from cdrp.meetings.agenda import arrange_meeting
from cdrp.meetings.models import Meeting, Venue
from cdrp.partnerships.models import Group, Partnership

STRATEGY_MEETINGS = [
    (dt.date(2022, 9, 28), False, "Receive the quarterly performance report against the plan"),
    (dt.date(2022, 10, 19), True, "Hear residents' questions on the plan and its performance"),
    (dt.date(2023, 3, 15), False, "Receive the performance report for the year"),
]
SKILLS_ON = dt.date(2022, 9, 28)
TASKING_MONTHS = [dt.date(2022, m, 12) for m in (5, 6, 7, 9, 10, 11)]
# (competence, level) by member order: most members hold the duties and the assessments; the
# group is thin on scrutiny and on community engagement.
RATINGS = {
    "law": 3, "intelligence": 2, "problem_solving": 2, "performance": 2, "finance": 2,
    "engagement": 1, "scrutiny": 1, "information_sharing": 2,
}  # fmt: skip
TRAINING = [
    ("scrutiny", "Briefing on the Community Call for Action and the scrutiny committee's role"),
    ("engagement", "Workshop on consulting residents on the partnership's priorities"),
]
SCORES = {
    # year → (score by hallmark, reported to)
    2021: (
        {"leadership": 3, "intelligence": 3, "delivery": 2, "communities": 2,
         "accountability": 2, "skills": 1},
        "Strategy group, 30 March 2022; Audit Committee, 21 April 2022 (illustrative)",
    ),
    2022: (
        {"leadership": 3, "intelligence": 3, "delivery": 3, "communities": 2,
         "accountability": 3, "skills": 2},
        "Strategy group, 15 March 2023; Audit Committee, 20 April 2023 (illustrative)",
    ),
}  # fmt: skip


def _decided(group: Group, on: dt.date, public: bool, motion: str) -> Meeting:
    from cdrp.meetings.demo import decision_of

    meeting = Meeting.objects.filter(group=group, date=on).first()
    if meeting is None:
        meeting = arrange_meeting(group, on, public=public)
    decision_of(group, on, motion)
    return meeting


def _venues() -> int:
    from cdrp.meetings.demo import VENUES

    made = 0
    south = Partnership.objects.get(slug="lancashire-south")
    for p in south.merged_from.all():
        codes = set(p.districts.values_list("code", flat=True))
        for v in Venue.objects.filter(partnership=south):
            if (
                v.district is not None
                and v.district.code in codes
                and v.name in dict((n, c) for n, c, _ in VENUES)
            ):
                _, new = Venue.objects.get_or_create(
                    partnership=p,
                    name=v.name,
                    defaults={"district": v.district, "capacity": v.capacity},
                )
                made += new
    return made


def load(stdout, users: dict) -> None:
    south = Partnership.objects.filter(slug="lancashire-south").first()
    strategy = south.strategy_group() if south is not None else None
    if south is None or strategy is None:
        return
    if SkillsReview.objects.filter(partnership=south).exists():
        stdout.write("Partnership health: already loaded.")
        return
    meetings = {
        on: _decided(strategy, on, public, motion) for on, public, motion in STRATEGY_MEETINGS
    }
    tasking = list(south.groups.filter(kind=Group.Kind.TASKING).order_by("position", "pk"))
    for group in tasking[:1]:
        for on in TASKING_MONTHS:
            _decided(group, on, False, "Agree the tasking of resources to this month's hot-spots")
    review = skills.record_review(
        south,
        strategy,
        SKILLS_ON,
        meetings[SKILLS_ON],
        "Members rated themselves against the competences the partnership's duties need.",
    )
    people = skills.members(strategy, SKILLS_ON)
    for i, person in enumerate(people):
        for key, level in RATINGS.items():
            # Every third member rates one level higher: the matrix is not uniform.
            skills.rate(review, person, key, min(3, level + (1 if i % 3 == 0 else 0)))
    for (competence, text), owner in zip(TRAINING, people, strict=False):
        skills.add_training(review, competence, text, owner, dt.date(2023, 1, 31))
    for year, (by_hallmark, reported) in SCORES.items():
        for c in CRITERIA.values():
            services.record_score(
                south, year, c.id, by_hallmark[c.hallmark], "Illustrative judgement."
            )
        a = SelfAssessment.objects.get(partnership=south, year=year)
        a.reported_to = reported
        a.save()
    made = _venues()
    stdout.write(
        f"Partnership health: {len(meetings)} strategy group meetings, a skills review of "
        f"{len(people)} members, scores for {len(SCORES)} years, {made} venues for the "
        "district partnerships before the merger."
    )
