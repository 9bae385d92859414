"""Demo for communities in Lancashire South (illustrative people and answers; the crime figures
are the real police.uk records the intelligence demo imports).

The story: the strategy group publishes a public summary of the approved 2021/22 strategic
assessment at its meeting of 27 July 2022; the partnership's community safety survey ran from
June to July 2022 and its results are published (they feed the draft 2022 assessment, rebuilt
here so it reads them); a PACT meeting in a Chorley ward chose three priorities, each tasked as
an action, one already done; the ward's next PACT meeting is coming up.
"""

from __future__ import annotations

import datetime as dt
import random

from cdrp.community import pact, summaries, surveys
from cdrp.community.models import AssessmentSummary, PactMeeting, Question, Survey
from cdrp.meetings.agenda import close_action
from cdrp.meetings.demo import strategy_decision
from cdrp.partnerships.models import Area, Group, Partnership, Person

SUMMARY_ON = dt.date(2022, 7, 27)
SUMMARY_MOTION = "Publish the public summary of the strategic assessment for 2021/22"
SURVEY_TITLE = "Lancashire South community safety survey 2022"
CONCERNS = [
    "Anti-social behaviour",
    "Burglary",
    "Drugs",
    "Vehicle crime",
    "Violence and sexual offences",
    "Speeding",
]
# Written answers and the theme the moderator gave each (one holds a telephone number).
TEXTS = [
    ("Cars racing along the main road at night", "Speeding and nuisance vehicles"),
    ("Young people gathering by the shops after dark", "Anti-social behaviour"),
    ("Needles found in the park", "Drugs"),
    ("More police on foot please", "Visible policing"),
    ("Bikes stolen from gardens", "Theft"),
    ("Fly-tipping behind the garages, ring me on 07700 900123", "Environmental crime"),
]


def _south() -> Partnership | None:
    return Partnership.objects.filter(slug="lancashire-south").first()


def _summary(south: Partnership, stdout) -> None:
    from django.apps import apps

    assessment = (
        apps.get_model("intelligence", "Assessment")
        .objects.filter(partnership=south, kind="strategic", status__in=["approved", "published"])
        .order_by("period_end")
        .first()
    )
    if assessment is None or AssessmentSummary.objects.filter(assessment=assessment).exists():
        return
    summary = summaries.draft(assessment)
    summary.community = (
        "No survey results were part of this assessment. The partnership's community safety "
        "survey runs until 31 July 2022: its results will feed the next assessment."
    )
    summary.save()
    summaries.publish(summary, strategy_decision(south, SUMMARY_ON, SUMMARY_MOTION))
    stdout.write(f"Community: public summary of {assessment} published {SUMMARY_ON:%-d %B %Y}.")


def _survey(south: Partnership, stdout) -> Survey | None:
    if Survey.objects.filter(partnership=south, title=SURVEY_TITLE).exists():
        return None
    survey = Survey.objects.create(
        partnership=south,
        title=SURVEY_TITLE,
        description="What worries you most where you live? Tell the partnership, so its next "
        "plan answers it. (Illustrative answers in the demo.)",
        closes_on=dt.date(2022, 7, 31),
        retain_until=dt.date.today() + dt.timedelta(days=730),
    )
    concerns = Question.objects.create(
        survey=survey,
        position=1,
        text="Which of these concern you most?",
        kind="multiple",
        options=CONCERNS,
    )
    asb = Question.objects.create(
        survey=survey,
        position=2,
        text="How big a problem is anti-social behaviour where you live?",
        kind="scale",
        concern="Anti-social behaviour",
    )
    safe = Question.objects.create(
        survey=survey,
        position=3,
        text="How safe do you feel walking alone after dark?",
        kind="single",
        options=["Very safe", "Fairly safe", "A bit unsafe", "Very unsafe"],
        feeds_assessment=False,
    )
    where = Question.objects.create(
        survey=survey, position=4, text="Which ward do you live in?", kind="area"
    )
    other = Question.objects.create(
        survey=survey,
        position=5,
        text="Anything else you want the partnership to know?",
        kind="text",
    )
    surveys.open_survey(survey, dt.date(2022, 6, 1))
    wards = list(surveys.partnership_wards(south).values_list("code", flat=True))
    rng = random.Random(2022)  # noqa: S311 - illustrative answers, not security
    weights = [0.55, 0.35, 0.3, 0.25, 0.2, 0.45]
    scale = ["Very big problem", "Fairly big problem", "Not a very big problem",
             "Not a problem at all"]  # fmt: skip
    for i in range(84):
        chosen = [c for c, w in zip(CONCERNS, weights, strict=True) if rng.random() < w]
        answers: dict[int, object] = {
            concerns.pk: chosen,
            asb.pk: [rng.choices(scale, [3, 4, 3, 2])[0]],
            safe.pk: [rng.choices(safe.options, [2, 5, 3, 1])[0]],
        }
        if wards:
            answers[where.pk] = [rng.choice(wards[:12])]
        if i < len(TEXTS):
            answers[other.pk] = TEXTS[i][0]
        surveys.submit(survey, answers, dt.date(2022, 6, 1) + dt.timedelta(days=i % 60))
    themes = dict(TEXTS)
    for response in survey.responses.prefetch_related("answers"):
        texts = [a for a in response.answers.all() if a.question_id == other.pk]
        if texts:
            held = response.status == "held"
            surveys.moderate(
                response,
                accept=True,
                themes={a.pk: themes.get(a.text, "") for a in texts},
                withhold_text=held,
            )
    surveys.close(survey, dt.date(2022, 7, 31))
    surveys.publish(survey, dt.date(2022, 8, 10))
    stdout.write(f"Community: survey “{survey.title}”, {survey.responses.count()} responses.")
    return survey


def _pact(south: Partnership, stdout) -> None:
    if PactMeeting.objects.filter(partnership=south).exists():
        return
    chorley = south.districts.filter(name="Chorley").first() or south.districts.first()
    ward = Area.objects.filter(level=Area.Level.WARD, parent=chorley).order_by("name").first()
    group = (
        Group.objects.filter(
            partnership=south, kind=Group.Kind.ENGAGEMENT, district=chorley
        ).first()
        or Group.objects.filter(partnership=south, restricted=False)
        .exclude(kind="strategy")
        .first()
    )
    if ward is None or group is None:
        return
    owner = Person.objects.filter(memberships__seat__group=group).order_by("pk").first() or (
        Person.objects.filter(memberships__seat__group__partnership=south).order_by("pk").first()
    )
    if owner is None:
        return
    today = dt.date.today()
    held = pact.arrange(group, today - dt.timedelta(days=49), ward, "the next three months")
    pact.record_votes(
        held,
        {
            "Speeding on the main road": 17,
            "Young people gathering at the shops": 12,
            "Dog fouling on the playing fields": 9,
            "Litter by the bus station": 4,
        },
        attendees=31,
    )
    for n, priority in enumerate(pact.choose(held)):
        action = pact.task(priority, owner, held.meeting.date + dt.timedelta(days=30 + 30 * n))
        if n == 0:
            close_action(
                action,
                "Speed checks on six evenings with the community speed watch; 41 drivers "
                "warned and 3 reported. Average speeds fell from 38 to 31 mph.",
                held.meeting.date + dt.timedelta(days=28),
            )
    pact.arrange(group, today + dt.timedelta(days=42), ward, "the three months after")
    stdout.write(f"Community: PACT meetings for {ward.name} (priorities chosen and tasked).")


def _rebuild_draft(stdout) -> None:
    """The draft 2022 assessment was built before the survey existed: build it again so its
    community views read the survey (as it would be in a real year)."""
    from cdrp.intelligence import demo as intelligence_demo
    from cdrp.intelligence.models import Assessment

    draft = Assessment.objects.filter(
        partnership__slug="lancashire-south", period_end="2022-11", status="draft"
    ).first()
    if draft is None or (draft.parameters or {}).get("survey_record"):
        return
    draft.delete()
    intelligence_demo.draft_assessment(stdout)


def load(stdout, users: dict) -> None:
    south = _south()
    if south is None:
        return
    _summary(south, stdout)
    if _survey(south, stdout) is not None:
        _rebuild_draft(stdout)
    _pact(south, stdout)
