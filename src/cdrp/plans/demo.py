"""Demo plan for Lancashire South (the county's fund and projects are the funding demo's).

The story, in the data's own years: the strategy group approves the 2021/22 strategic
assessment (April 2021 to March 2022) at its meeting of 30 March 2022 and, at the same
meeting, the 2022-25 partnership plan drawn from it. Performance in 2022/23 is then measured
on the bundled police.uk months (April to November 2022). The meeting and its votes are
illustrative; the crime figures are real.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cdrp.intelligence import demo as intelligence_demo
from cdrp.intelligence.assessments import advance, build
from cdrp.intelligence.models import Assessment
from cdrp.meetings.demo import strategy_decision
from cdrp.partnerships.models import Group, Organisation, Partnership
from cdrp.plans import services
from cdrp.plans.models import (
    Commitment,
    EngagementCommitment,
    Indicator,
    ManualSeries,
    Objective,
    Plan,
    Priority,
    SeriesValue,
    Target,
)
from cdrp.plans.services import save_target

MEETING_ON = dt.date(2022, 3, 30)
PLAN_START = "2022-04"
ASSESSMENT_END = "2022-03"
MOTIONS = {
    "assessment": "Approve the strategic assessment for April 2021 to March 2022",
    "plan": "Approve the partnership plan 2022 to 2025",
}

# An illustrative PPO cohort: re-offenders out of the cohort, April 2021 to November 2022.
PPO_COHORT = [
    ("2021-04", 9, 62), ("2021-05", 11, 61), ("2021-06", 8, 63), ("2021-07", 10, 64),
    ("2021-08", 12, 64), ("2021-09", 9, 62), ("2021-10", 8, 60), ("2021-11", 10, 61),
    ("2021-12", 7, 60), ("2022-01", 9, 59), ("2022-02", 8, 58), ("2022-03", 7, 58),
    ("2022-04", 8, 60), ("2022-05", 7, 59), ("2022-06", 6, 60), ("2022-07", 8, 61),
    ("2022-08", 7, 60), ("2022-09", 6, 59), ("2022-10", 6, 58), ("2022-11", 5, 58),
]  # fmt: skip


def _assessment(south, stdout):
    """The 2021/22 strategic assessment, approved by the strategy group."""

    found = Assessment.objects.filter(
        partnership=south, kind=Assessment.Kind.STRATEGIC, period_end=ASSESSMENT_END
    ).first()
    if found:
        return found
    assessment = build(partnership=south, end=ASSESSMENT_END, months=12)
    advance(assessment, None)  # reviewed by the officer working group
    assessment.approval_decision = strategy_decision(south, MEETING_ON, MOTIONS["assessment"])
    advance(assessment, None)  # approved by the strategy group
    stdout.write(f"Strategic assessment: {assessment} (approved, for the plan).")
    return assessment


def _enrich(plan, south) -> None:
    """Beyond the seeded priorities: a rate, a harm-weighted and a family indicator, a
    partner measure entered by hand, partners' roles and engagement commitments."""

    year = (PLAN_START, "2023-03")
    priorities = list(plan.priorities.all())
    first = priorities[0].objectives.first()
    rate = Indicator.objects.create(
        objective=first,
        position=2,
        name=f"{priorities[0].name}: rate per 1,000 residents against the family",
        categories=priorities[0].categories,
        measure=Indicator.Measure.RATE,
    )
    save_target(Target(indicator=rate, kind="family", period_start=year[0], period_end=year[1]))
    harm = Indicator.objects.create(
        objective=first,
        position=3,
        name=f"{priorities[0].name}: harm (Crime Severity Score weights)",
        categories=priorities[0].categories,
        harm_weighted=True,
    )
    save_target(
        Target(
            indicator=harm,
            kind="change",
            value=Decimal("-3"),
            baseline_start="2021-04",
            baseline_end="2022-03",
            period_start=year[0],
            period_end=year[1],
        )
    )
    # Public order: an absolute target (1,358 records in 2021/22) instead of the seeded one.
    target = Target.objects.get(indicator__objective__priority=priorities[3])
    target.kind, target.value = "absolute", Decimal("1300")
    target.baseline_start = target.baseline_end = ""
    save_target(target)
    # Prolific and priority offenders: a partner measure from probation, entered by hand.
    series, _ = ManualSeries.objects.get_or_create(
        partnership=south,
        slug="ppo-reoffending",
        defaults={
            "name": "PPO cohort: offenders re-offending in the month",
            "description": "Prolific and priority offenders in the cohort who were charged "
            "with a new offence in the month, out of the cohort. Illustrative figures.",
            "source": "Lancashire probation service (illustrative)",
            "has_denominator": True,
        },
    )
    for month, value, cohort in PPO_COHORT:
        SeriesValue.objects.get_or_create(
            series=series, month=month, defaults={"value": value, "denominator": cohort}
        )
    ppo = Priority.objects.create(
        plan=plan,
        position=len(priorities) + 1,
        name="Prolific and priority offenders",
        rationale="The few offenders who commit a large share of acquisitive crime: catch and "
        "convict, rehabilitate and resettle (the PPO strands).",
    )
    owner = (
        south.groups.filter(kind=Group.Kind.PPO).first()
        or south.groups.filter(kind=Group.Kind.THEMATIC).first()
    )
    objective = Objective.objects.create(
        priority=ppo,
        position=1,
        text="Reduce re-offending by the PPO cohort through the Prevent and Deter, Catch and "
        "Convict, and Rehabilitate and Resettle strands.",
        owner=owner,
    )
    reoffending = Indicator.objects.create(
        objective=objective,
        position=1,
        name="Share of the PPO cohort re-offending each month",
        source=Indicator.Source.MANUAL,
        series=series,
    )
    save_target(
        Target(
            indicator=reoffending,
            kind="absolute",
            value=Decimal("12"),  # per cent of the cohort
            period_start=year[0],
            period_end=year[1],
        )
    )
    roles = [
        ("lancashire-constabulary", "Targeted patrols and tasking on emerging hot-spots",
         "Neighbourhood policing teams; analyst time"),
        ("lancashire-fire-and-rescue-service", "Home fire safety visits with crime prevention "
         "advice", "Community fire safety staff"),
    ]  # fmt: skip
    for slug, role, resources in roles:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation:
            Commitment.objects.create(
                objective=first, organisation=organisation, role=role, resources=resources
            )
    for position, (text, method, timing) in enumerate(
        [
            ("Hold a public meeting of the strategy group on the plan and its performance",
             "public meeting", "every autumn"),
            ("Survey residents on their community safety concerns", "residents' survey",
             "every spring, before the strategic assessment"),
            ("Publish the quarterly performance report and spending on the partnership's pages",
             "website", "each quarter"),
        ],
        start=1,
    ):  # fmt: skip
        EngagementCommitment.objects.create(
            plan=plan, position=position, commitment=text, method=method, timing=timing
        )


def load(stdout, users: dict) -> None:
    south = Partnership.objects.filter(slug="lancashire-south").first()
    if south is None or not south.districts.exists():
        return
    if Plan.objects.filter(partnership=south).exists():
        stdout.write("Partnership plan: already loaded.")
    else:
        assessment = _assessment(south, stdout)
        plan = services.seed_from_assessment(assessment, None, period_start=PLAN_START)
        _enrich(plan, south)
        services.approve(plan, None, strategy_decision(south, MEETING_ON, MOTIONS["plan"]))
        stdout.write(
            f"Partnership plan: {plan.title}, {plan.priorities.count()} priorities "
            "(approved, revision 1)."
        )
    intelligence_demo.draft_assessment(stdout)
