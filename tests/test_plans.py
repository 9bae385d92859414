"""The partnership plan: seeding from the assessment, revisions, approval by a strategy group
decision, locked approved revisions, bad targets, differences, public pages, API, compliance."""

from __future__ import annotations

import datetime as dt
import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cdrp.intelligence.models import Assessment
from cdrp.meetings.agenda import arrange_meeting
from cdrp.meetings.services import record_decision
from cdrp.partnerships import compliance
from cdrp.partnerships.models import Group, Person
from cdrp.plans import services
from cdrp.plans.models import Indicator, Objective, Plan, PlanLocked, Priority, Target
from conftest import user_with_role
from test_assessment_approval import BODIES

pytestmark = pytest.mark.django_db
RANKED = [
    ("Violence and sexual offences", 97.0),
    ("Anti-social behaviour", 66.7),
    ("Criminal damage and arson", 41.4),
    ("Public order", 38.0),
    ("Drugs", 30.0),
    ("Burglary", 20.0),
]


def _assessment(partnership, recommended=3):
    rows = [
        {"rank": n, "candidate": name, "score": score}
        for n, (name, score) in enumerate(RANKED, start=1)
    ]
    return Assessment.objects.create(
        partnership=partnership,
        title="Strategic assessment 2021/22",
        period_start="2021-04",
        period_end="2022-03",
        status=Assessment.Status.APPROVED,
        document={
            "sections": [
                {
                    "id": "priorities",
                    "tables": [{"id": "priorities", "rows": rows}],
                    "recommended": [name for name, _ in RANKED[:recommended]],
                }
            ]
        },
        fingerprint={},
        built_at=timezone.now(),
    )


def _decision(partnership, motion="Approve the partnership plan", result="for", on=None):
    rag = Group.objects.get(partnership=partnership, kind="strategy")
    meeting = arrange_meeting(rag, on or dt.date(2026, 10, 6))
    people = [Person.objects.get(slug=s) for s in BODIES]
    return record_decision(meeting, motion, [(p, result) for p in people])


@pytest.fixture
def draft(demo_registry):
    return services.seed_from_assessment(_assessment(demo_registry), None, period_start="2022-04")


def test_a_draft_takes_the_assessments_priorities_topped_up_to_four(draft, demo_registry):
    names = list(draft.priorities.values_list("name", flat=True))
    # Three recommended, topped up from the matrix in rank order to the minimum of four.
    assert names == [name for name, _ in RANKED[:4]]
    assert draft.revision == 1 and draft.status == "draft"
    assert (draft.period_start, draft.period_end) == ("2022-04", "2025-03")
    first = draft.priorities.first()
    assert first.categories == ["violent-crime"] and first.score == 97.0
    indicator = Indicator.objects.get(objective__priority=first)
    assert indicator.categories == ["violent-crime"] and indicator.source == "store"
    target = indicator.targets.get()
    assert (target.kind, target.value) == ("change", Decimal("-5"))
    assert (target.baseline_start, target.baseline_end) == ("2021-04", "2022-03")
    assert (target.period_start, target.period_end) == ("2022-04", "2023-03")
    assert first.objectives.get().owner.kind == "strategy"


def test_an_assessment_without_priorities_is_refused(demo_registry):
    bare = Assessment.objects.create(
        partnership=demo_registry,
        title="Old",
        period_start="2021-04",
        period_end="2022-03",
        document={"sections": []},
        fingerprint={},
        built_at=timezone.now(),
    )
    with pytest.raises(services.PlanError, match="has no priorities section"):
        services.seed_from_assessment(bare, None, period_start="2022-04")
    assert not Plan.objects.exists()


def test_approval_needs_a_carried_decision_of_the_strategy_group(draft, demo_registry):
    lost = _decision(demo_registry, "Approve the plan", result="against")
    assert lost.result == "lost"
    with pytest.raises(services.PlanError, match="strategy group that was carried"):
        services.approve(draft, None, lost)
    owg = Group.objects.filter(partnership=demo_registry).exclude(kind="strategy").first()
    other = arrange_meeting(owg, dt.date(2026, 10, 7))
    elsewhere = type(lost).objects.create(meeting=other, motion="x", result="carried")
    with pytest.raises(services.PlanError):
        services.approve(draft, None, elsewhere)
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.approved_at is None
    carried = _decision(demo_registry)
    services.approve(draft, None, carried)
    draft.refresh_from_db()
    assert draft.status == "approved" and draft.approval_decision == carried
    assert draft.approved_on == dt.date(2026, 10, 6)


def test_an_approved_revision_cannot_be_edited(draft, demo_registry):
    services.approve(draft, None, _decision(demo_registry))
    priority = draft.priorities.first()
    priority.name = "Something else"
    with pytest.raises(PlanLocked, match="cannot be changed. Start a new revision"):
        priority.save()
    with pytest.raises(PlanLocked):
        Priority.objects.create(plan=draft, name="New")
    with pytest.raises(PlanLocked):
        Indicator.objects.filter(objective__priority__plan=draft).first().delete()
    target = Target.objects.filter(indicator__objective__priority__plan=draft).first()
    target.value = Decimal("-50")
    with pytest.raises(PlanLocked):
        services.save_target(target)
    assert Priority.objects.filter(plan=draft, name="Something else").count() == 0
    assert Target.objects.filter(value=Decimal("-50")).count() == 0


def test_a_revision_copies_the_plan_and_supersedes_it_when_approved(draft, demo_registry):
    services.approve(draft, None, _decision(demo_registry))
    with pytest.raises(services.PlanError, match="still a draft"):
        services.revise(
            Plan.objects.create(
                partnership=demo_registry,
                revision=9,
                title="x",
                period_start="2022-04",
                period_end="2025-03",
            ),
            None,
        )
    Plan.objects.filter(revision=9).delete()
    new = services.revise(draft, None, "Annual revision after the 2022/23 assessment")
    assert (new.revision, new.status, new.revises) == (2, "draft", draft)

    def targets(plan):
        found = services.snapshot(plan)["priorities"][0]["objectives"][0]["indicators"][0]
        return [{k: v for k, v in t.items() if k != "id"} for t in found["targets"]]

    assert targets(new) == targets(draft)
    assert Target.objects.count() == 2 * 4
    with pytest.raises(services.PlanError, match="already being drafted"):
        services.revise(draft, None)
    renamed = new.priorities.get(position=4)
    renamed.name = "Public order and night-time economy"
    renamed.save()
    Priority.objects.create(plan=new, position=5, name="Drugs", categories=["drugs"])
    new.priorities.get(position=2).delete()
    changes = {(r["what"], r["change"]) for r in services.differences(draft, new)}
    assert ("Priority “Public order and night-time economy”", "added") in changes
    assert ("Priority “Public order”", "removed") in changes
    assert ("Priority “Drugs”", "added") in changes
    assert ("Priority “Anti-social behaviour”", "removed") in changes
    assert ("Priority “Violence and sexual offences”", "changed") not in changes
    services.approve(new, None, _decision(demo_registry, on=dt.date(2026, 11, 3)))
    draft.refresh_from_db()
    assert draft.status == "superseded"
    assert services.current_plan(demo_registry) == new
    # The superseded revision is kept whole.
    assert draft.priorities.count() == 4


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"baseline_start": "", "baseline_end": ""}, "baseline_start: .*needs a baseline period"),
        ({"baseline_start": "2021-13"}, "baseline_start: "),
        ({"baseline_end": "2022-06"}, "baseline_end: the baseline must end before the target"),
        ({"value": None}, "value: a change target needs the percentage change"),
        ({"period_end": "2022-01"}, "period_end: 2022-01 is before period_start"),
        ({"kind": "absolute", "value": Decimal("-3")}, "value: expected a figure of zero or more"),
    ],
)
def test_bad_targets_are_refused_with_the_field_named(draft, changes, message):
    indicator = Indicator.objects.filter(objective__priority__plan=draft).first()
    target = Target(
        indicator=indicator,
        kind="change",
        value=Decimal("-5"),
        baseline_start="2021-04",
        baseline_end="2022-03",
        period_start="2022-04",
        period_end="2023-03",
    )
    for key, value in changes.items():
        setattr(target, key, value)
    before = Target.objects.count()
    with pytest.raises((ValidationError, services.PlanError), match=message):
        services.save_target(target)
    assert Target.objects.count() == before


def test_a_family_target_needs_a_store_indicator(draft, demo_registry):
    from cdrp.plans.models import ManualSeries

    series = ManualSeries.objects.create(partnership=demo_registry, slug="ppo", name="PPO")
    objective = Objective.objects.filter(priority__plan=draft).first()
    manual = Indicator.objects.create(
        objective=objective, name="PPO", source="manual", series=series
    )
    with pytest.raises(services.PlanError, match="family-average target needs an indicator"):
        services.save_target(
            Target(indicator=manual, kind="family", period_start="2022-04", period_end="2023-03")
        )


def test_compliance_reads_approved_plans(draft, demo_registry):
    on = dt.date(2026, 11, 25)

    def plan_rule(on):
        return next(
            f for f in compliance.evaluate(demo_registry, on) if f.rule.id == "PLAN-CURRENT"
        )

    assert plan_rule(on).status == compliance.Status.NOT_MET  # only a draft
    draft.period_start, draft.period_end = "2026-04", "2029-03"
    draft.save()
    services.approve(draft, None, _decision(demo_registry))
    assert plan_rule(on).status == compliance.Status.MET
    assert "revised 6 October 2026" in plan_rule(on).summary
    later = plan_rule(dt.date(2027, 11, 1))
    assert later.status == compliance.Status.NOT_MET
    assert "more than 12 months ago" in later.summary


def test_pages_members_edit_chair_approves_public_sees_approved_only(client, draft, demo_registry):
    coordinator = user_with_role("a-coordinator", demo_registry, "coordinator")
    chair = user_with_role("a-chair", demo_registry, "chair")
    member = user_with_role("a-member", demo_registry, "member")
    base = "/plans/lancashire-south"
    # The public never sees a draft.
    assert client.get(f"{base}/published/1/").status_code == 404
    assert client.get(f"{base}/revision/1/").status_code == 302  # sign in
    assert client.get("/api/partnerships/lancashire-south/plans").json() == []
    client.force_login(member)
    page = client.get(f"{base}/revision/1/").content.decode()
    assert "Violence and sexual offences" in page and "Edit priority" not in page
    response = client.post(f"{base}/revision/1/priorities/add/", {"name": "Drugs"})
    assert response.status_code == 403
    client.force_login(coordinator)
    response = client.post(
        f"{base}/revision/1/priorities/add/", {"name": "Drugs", "categories": "drugs, nonsense"}
    )
    assert "is not a police.uk category" in response.content.decode()
    response = client.post(
        f"{base}/revision/1/priorities/add/", {"name": "Drugs", "categories": "drugs"}
    )
    assert response.status_code == 302
    objective = Objective.objects.filter(priority__plan=draft).first()
    form = {
        "name": "Burglary",
        "source": "store",
        "categories": "burglary",
        "measure": "count",
        "direction": "lower",
        "target_kind": "change",
        "target_value": "-10",
        "baseline_start": "",
        "baseline_end": "",
        "target_start": "2022-04",
        "target_end": "2023-03",
    }
    response = client.post(f"{base}/revision/1/objectives/{objective.pk}/indicators/add/", form)
    assert "needs a baseline period" in response.content.decode()
    assert not Indicator.objects.filter(name="Burglary").exists()  # nothing half-written
    response = client.post(
        f"{base}/revision/1/objectives/{objective.pk}/indicators/add/",
        form | {"baseline_start": "2021-04", "baseline_end": "2022-03"},
    )
    assert response.status_code == 302 and Indicator.objects.filter(name="Burglary").exists()
    assert client.post(f"{base}/revision/1/approve/", {}).status_code == 403
    client.force_login(chair)
    decision = _decision(demo_registry)
    response = client.post(
        f"{base}/revision/1/approve/", {"decision": decision.pk, "version": draft.version}
    )
    draft.refresh_from_db()
    assert draft.status == "approved"
    client.logout()
    page = client.get(f"{base}/published/").content.decode()
    assert "Drugs" in page and "Burglary" in page
    assert client.get(f"{base}/published/1/plan.pdf").status_code == 200
    api = client.get("/api/partnerships/lancashire-south/plans/1").json()
    assert [p["name"] for p in api["priorities"]][-1] == "Drugs"
    # Editing the approved revision through the pages is refused with the reason.
    client.force_login(coordinator)
    response = client.post(f"{base}/revision/1/priorities/add/", {"name": "Late"}, follow=True)
    assert "cannot be changed. Start a new revision" in response.content.decode()
    assert not Priority.objects.filter(name="Late").exists()


def test_the_plan_pdf_reads_as_a_document(draft, demo_registry, tmp_path):
    from cdrp.plans.documents import render_pdf

    services.approve(draft, None, _decision(demo_registry))
    path = tmp_path / "plan.pdf"
    path.write_bytes(render_pdf(draft))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "partnership plan 2022 to 2025" in text
    assert "1. Violence and sexual offences" in text and "4. Public order" in text
    assert "-5% on April 2021 to March 2022" in text
    assert "Page 1 of" in text


def test_the_plan_command_shows_compares_and_refuses_clearly(draft, demo_registry, tmp_path):
    import io

    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="has no approved plan .revisions: 1."):
        call_command("plan", "show", "lancashire-south", stdout=io.StringIO())
    services.approve(draft, None, _decision(demo_registry))
    new = services.revise(draft, None, "Annual revision")
    Priority.objects.create(plan=new, position=5, name="Drugs", categories=["drugs"])
    out = io.StringIO()
    call_command("plan", "changes", "lancashire-south", "--revision", "2", stdout=out)
    assert "   added  Priority “Drugs”" in out.getvalue()
    out = io.StringIO()
    call_command("plan", "show", "lancashire-south", stdout=out)
    assert "revision 1, approved" in out.getvalue() and "4. Public order" in out.getvalue()
    call_command(
        "plan", "pdf", "lancashire-south", "--out", str(tmp_path / "p.pdf"), stdout=io.StringIO()
    )
    assert (tmp_path / "p.pdf").read_bytes().startswith(b"%PDF")


def test_a_coordinator_adds_next_years_target_and_rewords_an_objective(
    client, draft, demo_registry
):
    client.force_login(user_with_role("casey", demo_registry, "coordinator"))
    base = "/plans/lancashire-south/revision/1"
    indicator = Indicator.objects.filter(objective__priority__plan=draft).first()
    page = client.get(f"{base}/indicators/{indicator.pk}/targets/add/").content.decode()
    assert 'value="April 2023"' in page  # the year after the existing target
    response = client.post(
        f"{base}/indicators/{indicator.pk}/targets/add/",
        {
            "target_kind": "absolute",
            "target_value": "-1",
            "target_start": "2023-04",
            "target_end": "2024-03",
        },
    )
    assert "Expected a figure of zero or more" in response.content.decode()
    response = client.post(
        f"{base}/indicators/{indicator.pk}/targets/add/",
        {
            "target_kind": "absolute",
            "target_value": "9000",
            "target_start": "2023-04",
            "target_end": "2024-03",
        },
    )
    assert response.status_code == 302
    assert indicator.targets.count() == 2
    objective = indicator.objective
    response = client.post(
        f"{base}/objectives/{objective.pk}/",
        {"text": "Halve repeat violence in the night-time economy", "version": objective.version},
    )
    objective.refresh_from_db()
    assert objective.text.startswith("Halve") and objective.owner is None
    stale = client.post(f"{base}/objectives/{objective.pk}/", {"text": "Older edit", "version": 1})
    assert "changed by someone else" in stale.content.decode()
    first = indicator.targets.order_by("period_start").first()
    client.post(f"{base}/targets/{first.pk}/delete/")
    assert indicator.targets.count() == 1
