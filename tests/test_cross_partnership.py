"""No partnership can reach another's records: a generated cross-partnership matrix.

Two partnerships, A and B, each get one record of every kind any address names (groups, seats,
memberships, people, organisations, meetings, agenda items, papers, actions, assessments,
plan revisions and their parts, series, funding streams, projects, variations, milestones,
roles, tasks, tokens). The kinds come from the URL conf and the django-ninja API path
parameters: a keyword with no generator here fails the test, so no future route slips through.

For every route and API operation that names a record, the test addresses partnership B while
naming A's records (all of them, and each one alone with B's others), and the reverse, as each
role of the addressed partnership, with GET and with a POST of plausible form data (JSON for
the API). Every answer must be a refusal (403, 404, 405, or 302 to sign in), no answer may
carry the other partnership's hidden contact details, and the governance tables must be
exactly as they were (row counts and a hash of every row, checked after each route). A control
first checks that each route finds a partnership's own records, so no swap is a vacuous 404.
The counts are printed (run with -s) and written to test-output/cross-partnership.json.

Below the matrix: raw rows of the incident store (quarantine, partner agencies' imports) are
seen only by the partnerships whose police force area they cover.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import get_resolver
from django.utils import timezone

from conftest import OUTPUT, user_with_role
from test_access import _path_view, _walk

ROLES = ("member", "analyst", "coordinator", "chair", "administrator")
SIDES = ("a", "b")
REFUSED = {403, 404, 405}

# Keywords that name a value, not a record: what each route is given.
VALUES = {
    "partnership": None,  # the partnership addressed (set per request)
    "fmt": "json",
    "quarter": "2024-Q1",
    "what": "indicators",
    "action": "advance",  # a merger step
    "uidb64": "MQ",  # set-password links are checked by Django's token generator
    "token": "not-a-token",
    "step": "open",  # a survey's next step (open, close, publish)
    # A ward's public area page names no partnership in its address: ward codes are public
    # geography, and the page shows only public records (a code that is no ward: 404).
    "code": "E05999999",
}

# `pk` means a different record under each address: the segment before it says which.
PK_KINDS = {
    "assessments": "assessment",
    "published": "assessment",
    "streams": "stream",
    "projects": "project",
    "priorities": "priority",
    "objectives": "objective",
    "targets": "target",
    "indicators": "indicator",
    "skills": "skills_review",
}


def _published(template: str) -> bool:
    return "/published/" in template


# Record keyword → the value naming that record of one side's world, for a route template.
OBJECTS = {
    "group": lambda w, t: w["group"].slug,
    "seat": lambda w, t: w["seat"].pk,
    "membership": lambda w, t: w["membership"].pk,
    "person": lambda w, t: w["person"].slug,
    "organisation": lambda w, t: w["organisation"].slug,
    "role_id": lambda w, t: w["role"].pk,
    "meeting_id": lambda w, t: w["meeting"].pk,
    "item_id": lambda w, t: w["item"].pk,
    "action_id": lambda w, t: w["action"].pk,
    "paper_id": lambda w, t: w["paper"].pk,
    # Revisions are numbered per partnership; the worlds use different numbers so that a
    # swapped revision never names one of the addressed partnership's own.
    "revision": lambda w, t: (w["approved"] if _published(t) else w["draft"]).revision,
    "other": lambda w, t: w["approved"].revision,
    "priority": lambda w, t: w["priority"].pk,
    "objective": lambda w, t: w["objective"].pk,
    "indicator": lambda w, t: w["indicator"].pk,
    "variation": lambda w, t: w["variation"].pk,
    "milestone": lambda w, t: w["milestone"].pk,
    "series": lambda w, t: w["series"].slug,
    "task_id": lambda w, t: w["task"].task_id,
    # The restricted registers (cdrp.sharing): a cohort member and a case list's case.
    "cohort_member": lambda w, t: w["cohort_member"].pk,
    "case": lambda w, t: w["case"].pk,
    "case_action": lambda w, t: w["case_action"].pk,
    "agreement": lambda w, t: w["agreement"].pk,
    "token_id": lambda w, t: w["token"].pk,
    # pk, by the segment before it
    "assessment": lambda w, t: w["published" if _published(t) else "assessment"].pk,
    "stream": lambda w, t: w["stream"].pk,
    "project": lambda w, t: w["project"].pk,
    "target": lambda w, t: w["target"].pk,
    # cdrp.scrutiny: Face the People, the Community Call for Action, scrutiny reviews
    "ftp_session": lambda w, t: w["ftp_session"].pk,
    "ftp_question": lambda w, t: w["ftp_question"].pk,
    "ccfa": lambda w, t: w["ccfa"].pk,
    "scrutiny_review": lambda w, t: w["scrutiny_review"].pk,
    "scrutiny_rec": lambda w, t: w["scrutiny_rec"].pk,
    # cdrp.community: surveys, PACT meetings, public assessment summaries
    "survey_id": lambda w, t: w["survey"].pk,
    "pact_id": lambda w, t: w["pact"].pk,
    "summary_id": lambda w, t: w["summary"].pk,
    "assessment_id": lambda w, t: w["assessment"].pk,
    # cdrp.health: a skills review
    "skills_review": lambda w, t: w["skills_review"].pk,
}

# Records anyone may read at an address without a partnership (people are a public register);
# only their contact details are hidden, which the matrix checks on every answer.
PUBLIC_RECORDS = {"person"}


@dataclass(frozen=True)
class Route:
    template: str
    kwargs: tuple[str, ...]
    methods: tuple[str, ...]
    api: bool

    def kind(self, kwarg: str) -> str:
        if kwarg != "pk":
            return kwarg
        head = re.split(r"<(?:int:)?pk>", self.template)[0]
        segments = [s for s in head.split("/") if s and not s.startswith("<")]
        kind = PK_KINDS.get(segments[-1]) if segments else None
        if kind == "assessment" and "assessments" not in self.template:
            kind = None  # "published/<pk>" means an assessment only under assessments/
        if kind is None:
            raise LookupError(f"{self.template}: no generator for pk after {segments[-1:]}")
        return kind

    @property
    def objects(self) -> tuple[str, ...]:
        return tuple(k for k in self.kwargs if k not in VALUES)

    def path(self, values: dict) -> str:
        def sub(m):
            return str(values[m.group(2)])

        return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", sub, self.template)


def routes() -> list[Route]:
    """Every page and API operation in the URL conf (site administration aside)."""
    out = []
    for template, pattern, namespace in _walk(get_resolver().url_patterns):
        if namespace == "admin":
            continue
        kwargs = tuple(m.group(2) for m in re.finditer(r"<(?:(\w+):)?(\w+)>", template))
        if namespace == "api":
            view = _path_view(pattern.callback)
            if view is None:
                continue  # the OpenAPI schema and its docs page
            methods = tuple(dict.fromkeys(m for op in view.operations for m in op.methods))
            out.append(Route(template, kwargs, methods, api=True))
        else:
            out.append(Route(template, kwargs, ("GET", "POST"), api=False))
    return out


def test_every_keyword_of_every_route_has_a_generator():
    missing = []
    for route in routes():
        for kwarg in route.kwargs:
            if kwarg in VALUES:
                continue
            try:
                kind = route.kind(kwarg)
            except LookupError as exc:
                missing.append(str(exc))
                continue
            if kind not in OBJECTS:
                missing.append(f"{route.template}: no generator for {kwarg!r}")
    assert not missing, "add a generator to OBJECTS for: " + "; ".join(missing)


def test_the_matrix_covers_pages_and_api_operations_that_name_records():
    named = [r for r in routes() if r.objects]
    assert sum(r.api for r in named) >= 8 and sum(not r.api for r in named) >= 60


# The world: one record of every kind for each side --------------------------------------------


def _world(side: str, number: int) -> dict:
    from cdrp.accounts.models import ApiToken, PartnershipRole
    from cdrp.core.models import TaskProgress
    from cdrp.funding import services as funding
    from cdrp.intelligence.models import Assessment
    from cdrp.meetings import services as meetings_services
    from cdrp.meetings.models import Action, AgendaItem, Meeting, Minutes, Paper
    from cdrp.partnerships.models import Group, Membership, Organisation, Partnership, Person, Seat
    from cdrp.plans.models import (
        Indicator,
        ManualSeries,
        Objective,
        Plan,
        Priority,
        SeriesValue,
        Target,
    )

    w: dict = {}
    p = w["partnership"] = Partnership.objects.create(slug=f"{side}-csp", name=f"{side} CSP")
    users = {role: user_with_role(f"{side}-{role}", p, role) for role in ROLES}
    w["users"] = users
    w["role"] = PartnershipRole.objects.get(user=users["member"], partnership=p)
    org = w["organisation"] = Organisation(
        slug=f"{side}-council", name=f"{side} Borough Council", kind="district_council"
    )
    org.save()
    p.responsible_authorities.add(org)
    person = w["person"] = Person(
        slug=f"{side}-chief",
        name=f"{side} Chief Executive",
        email=f"hidden-{side}@example.org",
        phone=f"0700 900 00{number}",
    )
    person.save()
    group = w["group"] = Group(
        partnership=p, slug=f"{side}-rag", name=f"{side} RAG", kind="strategy"
    )
    group.save()
    seat = w["seat"] = Seat(group=group, label="Chief Executive", organisation=org, voting=True)
    seat.save()
    membership = w["membership"] = Membership(seat=seat, person=person, role="chair")
    membership.save()
    meeting = w["meeting"] = Meeting(
        group=group, date=dt.date(2024, 1, 10), status="held", public=True
    )
    meeting.save()
    w["decision"] = meetings_services.record_decision(
        meeting, "Approve the plan", [(person, "for")]
    )
    action = w["action"] = Action(
        partnership=p,
        group=group,
        meeting=meeting,
        description=f"{side} action",
        owner=person,
        due=dt.date(2030, 1, 1),
    )
    action.save()
    item = w["item"] = AgendaItem(meeting=meeting, position=1, title=f"{side} item")
    item.save()
    paper = w["paper"] = Paper(item=item, title=f"{side} paper", kind="pdf", size=9)
    paper.file.save(f"{side}.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    paper.save()
    # Approved last: after approval nothing more is recorded at the meeting (issue 15).
    Minutes(meeting=meeting, text=f"{side} minutes", approved=True).save()
    for status, key in (("draft", "assessment"), ("published", "published")):
        w[key] = Assessment(
            partnership=p,
            title=f"{side} assessment",
            period_start="2023-01",
            period_end="2023-12",
            status=status,
            document={"sections": [], "summary": []},
            fingerprint={},
            built_at=timezone.now(),
        )
        w[key].save()
    # Revision 1 superseded by 2 (approved, so "what changed" is published), 3 a draft.
    plans = []
    for offset, status in enumerate(("superseded", "approved", "draft"), start=1):
        plan = Plan(
            partnership=p,
            revision=number * 10 + offset,
            title=f"{side} plan",
            period_start="2024-04",
            period_end="2027-03",
            status=status,
            revises=plans[-1] if plans else None,
        )
        plan.save()
        plans.append(plan)
    approved, draft = w["approved"], w["draft"] = plans[1:]
    priority = w["priority"] = Priority(plan=draft, name=f"{side} priority", categories=[])
    priority.save()
    objective = w["objective"] = Objective(priority=priority, text=f"{side} objective")
    objective.save()
    indicator = w["indicator"] = Indicator(
        objective=objective, name=f"{side} indicator", categories=["burglary"]
    )
    indicator.save()
    target = w["target"] = Target(
        indicator=indicator,
        kind="absolute",
        value=10,
        period_start="2024-04",
        period_end="2025-03",
    )
    target.save()
    series = w["series"] = ManualSeries(partnership=p, slug=f"{side}-series", name=f"{side} s")
    series.save()
    SeriesValue(series=series, month="2024-01", value=7).save()
    stream = w["stream"] = funding.create_stream(
        p, name=f"{side} grant", source="PCC", financial_year="2023/24", amount_pence=10_000_00
    )
    allocation = funding.allocate(stream, p, 10_000_00)
    project = w["project"] = funding.create_project(
        p,
        title=f"{side} project",
        lead_organisation=org,
        budget_pence=1_000_00,
        allocation=allocation,
    )
    funding.publish_stream(stream)
    funding.approve_project(project, w["decision"])
    funding.publish_project(project)
    w["variation"] = funding.add_variation(project, 100_00, "More locks")
    w["milestone"] = funding.add_milestone(project, "Locks fitted", dt.date(2024, 6, 1))
    w["task"] = TaskProgress.objects.create(
        task_id=f"{side}-task", label=f"{side} import", requested_by=users["analyst"]
    )
    w["token"], _ = ApiToken.issue(users["member"], f"{side} token")
    _scrutiny_world(w, side, number)
    _community_and_health_world(w, side, number)
    w["hidden"] = [person.email, person.phone]
    _restricted_world(w, side, org)
    return w


def _community_and_health_world(w: dict, side: str, number: int) -> None:
    """cdrp.community's survey, PACT meeting and assessment summary, and cdrp.health's skills
    review."""
    from cdrp.community import surveys
    from cdrp.community.models import AssessmentSummary, PactMeeting, Question, Survey
    from cdrp.health.models import SkillsReview
    from cdrp.meetings.models import Meeting
    from cdrp.partnerships.models import Area

    p = w["partnership"]
    survey = w["survey"] = Survey.objects.create(
        partnership=p,
        title=f"{side} survey",
        closes_on=dt.date(2030, 1, 31),
        retain_until=dt.date(2031, 1, 31),
    )
    Question.objects.create(
        survey=survey, position=1, text=f"{side} question", kind="multiple", options=["A", "B"]
    )
    surveys.open_survey(survey, dt.date(2024, 1, 1))  # published: its public pages answer
    surveys.close(survey, dt.date(2024, 1, 31))
    surveys.publish(survey, dt.date(2024, 2, 1))
    ward = Area.objects.create(code=f"E0599{number:04d}", name=f"{side} ward", level="ward")
    pact_meeting = Meeting(group=w["group"], date=dt.date(2024, 2, number), public=True)
    pact_meeting.save()
    w["pact"] = PactMeeting.objects.create(
        partnership=p, meeting=pact_meeting, ward=ward, period="January to March 2024"
    )
    w["summary"] = AssessmentSummary.objects.create(
        assessment=w["published"], priorities=f"{side} priority", trends=f"{side} trend"
    )
    w["skills_review"] = SkillsReview.objects.create(
        partnership=p, group=w["group"], held_on=dt.date(2024, 3, number)
    )


def _scrutiny_world(w: dict, side: str, number: int) -> None:
    """cdrp.scrutiny's records: a Face the People session and a question, a councillor and
    their call, a committee review and a recommendation."""
    from cdrp.scrutiny import services as scrutiny
    from cdrp.scrutiny.models import Councillor, PublicSession, Review

    p, person = w["partnership"], w["person"]
    session = w["ftp_session"] = PublicSession(
        partnership=p,
        title=f"{side} Face the People",
        date=dt.date(2030, 3, number),
        starts=dt.time(18, 30),
        venue=f"{side} hall",
    )
    session.save()
    w["ftp_question"] = scrutiny.submit_question(
        session, f"{side} question", today=dt.date(2030, 1, 1)
    )
    councillor = Councillor(partnership=p, person=person, ward=f"{side} ward")
    councillor.save()
    w["ccfa"] = scrutiny.raise_call(
        councillor, title=f"{side} call", matter="m", on_behalf_of="r", routes_tried="x"
    )
    review = w["scrutiny_review"] = Review(
        partnership=p, title=f"{side} review", committee="c", started_on=dt.date(2024, 1, 1)
    )
    review.save()
    w["scrutiny_rec"] = scrutiny.add_recommendation(
        review, f"{side} recommendation", person, dt.date(2030, 1, 1)
    )


def _restricted_world(w: dict, side: str, org) -> None:
    """The restricted kinds (cdrp.sharing): a PPO group and a MARAC whose member is the side's
    administrator (so the control finds its own records), a cohort member with an offence, a
    case with an action, and an agreement. Their personal fields join the hidden secrets."""
    from cdrp.partnerships.models import Group, Membership, Person, Seat
    from cdrp.sharing.models import Agreement, Case, CaseAction, CohortMember, PartnerOffence

    p = w["partnership"]
    clerk = Person(slug=f"{side}-clerk", name=f"{side} clerk", account=w["users"]["administrator"])
    clerk.save()
    groups = {}
    for kind in ("ppo", "domestic_abuse"):
        group = Group(partnership=p, slug=f"{side}-{kind}", name=f"{side} {kind}", kind=kind)
        group.restricted = True
        group.save()
        seat = Seat(group=group, label="Lead", organisation=org)
        seat.save()
        Membership(seat=seat, person=clerk, role="chair").save()
        groups[kind] = group
    member = w["cohort_member"] = CohortMember(
        partnership=p, group=groups["ppo"], name=f"Nominal {side.upper()} Hiddenname",
        references=f"PNC-{side}-secret", strand="catch_convict", entered=dt.date(2023, 1, 1),
    )  # fmt: skip
    member.save()
    PartnerOffence(member=member, offence_date=dt.date(2023, 5, 1), category="theft").save()
    case = w["case"] = Case(
        partnership=p, group=groups["domestic_abuse"], kind="marac",
        subject_name=f"Victim {side.upper()} Hiddenname", opened=dt.date(2024, 1, 1),
        review_date=dt.date(2024, 2, 1),
    )  # fmt: skip
    case.save()
    action = w["case_action"] = CaseAction(
        case=case, text=f"{side} hidden safety plan", due=dt.date(2024, 2, 1)
    )
    action.save()
    agreement = w["agreement"] = Agreement(
        partnership=p, title=f"{side} protocol", purpose="x", datasets=["cohort", "cases"],
        personal="personal", retention=f"{side} hidden retention", starts=dt.date(2023, 1, 1),
        review_date=dt.date(2030, 1, 1), status="active",
    )  # fmt: skip
    agreement.save()
    agreement.parties.set([org])
    w["hidden"] += [
        member.name, member.references, case.subject_name, f"{side} hidden safety plan",
        f"{side} hidden retention",
    ]  # fmt: skip


def _form(w: dict) -> dict:
    """Plausible form data for any page's form, naming the given world's records."""
    seat, person = w["seat"], w["person"]
    data = {
        "name": "Renamed by the other partnership",
        "slug": "renamed",
        "email": "attacker@example.org",
        "phone": "0",
        "job_title": "x",
        "kind": "district_council",
        "label": "Chief Executive",
        "title": "x",
        "text": "x",
        "description": "x",
        "motion": "x",
        "reason": "x",
        "outcome": "x",
        "note": "x",
        "change_note": "x",
        "rationale": "x",
        "summary": "x",
        "on": "2024-02-01",
        "date": "2024-02-01",
        "due": "2030-01-01",
        "start": "2024-01-01",
        "month": "2024-02",
        "value": "3",
        "amount": "1.00",
        "version": "1",
        "role": "member",
        "status": "current",
        "level": "district",
        "voting": "on",
        "meeting_frequency": "quarterly",
        "meeting_hours": "2",
        "publish": "1",
        "seat": seat.pk,
        "person": person.pk,
        "organisation": w["organisation"].pk,
        "owner": person.pk,
        "decision": w["decision"].pk,
        "categories": "burglary",
        "target_kind": "absolute",
        "target_value": "5",
        "target_start": "2024-04",
        "target_end": "2025-03",
        # cdrp.scrutiny's steps ("decision" above names the world's decision)
        "answer": "x",
        "answered_by": "x",
        "local_matter": "yes",
        "persistent": "yes",
        "routes_tried": "yes",
        "reasons": "x",
        "referred": "yes",
        "committee": "x",
        "recommendations": "x",
        "response": "x",
        f"status-{seat.pk}-{person.pk}": "present",
        f"vote_{w['membership'].pk}": "for",
    }
    for prefix in ("spend", "variation", "milestone", "approve"):
        data.update({f"{prefix}-{k}": v for k, v in data.items() if "-" not in k})
    return data


def _body(w: dict) -> dict:
    """A JSON body valid for every API operation that writes, naming the world's records."""
    return {
        "seat": w["seat"].pk,
        "person": w["person"].slug,
        "role": "member",
        "month": "2024-02",
        "value": 3,
        "version": 1,
        "date": "2024-02-01",
        "amount": "1.00",
        "description": "x",
        "group": w["group"].slug,
        "motion": "x",
        "ballots": [],
    }


def _snapshot() -> dict[str, tuple[int, str]]:
    """Row count and a hash of every row of every governance table."""
    out = {}
    for model in apps.get_models():
        if not model.__module__.startswith(("cdrp.", "django_tasks_db.")):
            continue
        rows = list(model._base_manager.order_by("pk").values_list())
        digest = hashlib.sha256(repr(rows).encode()).hexdigest()
        out[model._meta.label] = (len(rows), digest)
    return out


def _swaps(route: Route) -> list[dict[str, str]]:
    """Which side each record keyword names: all from the other side, then each one alone."""
    objects = route.objects
    swaps = [dict.fromkeys(objects, "other")]
    if len(objects) > 1:
        for k in objects:
            swaps.append({o: ("other" if o == k else "own") for o in objects})
    return swaps


def _refused(response) -> bool:
    if response.status_code in REFUSED:
        return True
    if response.status_code == 302:
        return "/accounts/sign-in/" in response["Location"]
    return False


def test_no_partnership_reaches_another_partnerships_records(db, settings, tmp_path, caplog):
    settings.MEDIA_ROOT = tmp_path
    # Sessions in signed cookies spare a query per request; refusals are logged by the
    # thousand otherwise.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    caplog.set_level(logging.CRITICAL, logger="django.request")
    from cdrp.accounts.audit import acting_as

    with acting_as(None, "test"):
        worlds = {"a": _world("a", 1), "b": _world("b", 2)}
    clients = {}
    for side in SIDES:
        for role, user in worlds[side]["users"].items():
            client = Client()
            client.force_login(user)
            clients[side, role] = client

    named = [r for r in routes() if r.objects]
    # The control: each route, naming a partnership's own records, is found by its
    # administrator. Without it a wrong generator would make every swap a vacuous 404.
    unfound = []
    for route in named:
        for side in SIDES:
            values = dict(VALUES, partnership=worlds[side]["partnership"].slug)
            values.update(
                {k: OBJECTS[route.kind(k)](worlds[side], route.template) for k in route.objects}
            )
            response = clients[side, "administrator"].get(route.path(values))
            if response.status_code == 404:
                unfound.append(route.path(values))
    assert not unfound, f"a partnership's own records not found: {unfound}"

    leaks: list[str] = []
    requests = swaps_checked = 0
    before = _snapshot()
    for route in named:
        # A public record at an address without a partnership may be shown (200), but never
        # with the contact details its own partnership hides.
        public = (
            "partnership" not in route.kwargs
            and {route.kind(k) for k in route.objects} <= PUBLIC_RECORDS
        )
        for own, other in (("b", "a"), ("a", "b")):
            for swap in _swaps(route):
                swaps_checked += 1
                values = dict(VALUES, partnership=worlds[own]["partnership"].slug)
                for k, which in swap.items():
                    world = worlds[other if which == "other" else own]
                    values[k] = OBJECTS[route.kind(k)](world, route.template)
                path = route.path(values)
                for role in ROLES:
                    client = clients[own, role]
                    for method in route.methods:
                        if method == "GET":
                            response = client.get(path)
                        elif route.api:
                            response = client.post(
                                path,
                                json.dumps(_body(worlds[other])),
                                content_type="application/json",
                            )
                        else:
                            response = client.post(path, _form(worlds[other]))
                        requests += 1
                        body = response.content if not response.streaming else b""
                        where = f"{method} {path} as {own}-{role}"
                        if not (public and response.status_code == 200) and not _refused(response):
                            leaks.append(f"{where}: {response.status_code}")
                        for secret in worlds[other]["hidden"]:
                            if secret.encode() in body:
                                leaks.append(f"{where}: shows {secret}")
        after = _snapshot()
        changed = [label for label in before if before[label] != after[label]]
        if changed:
            leaks.append(f"{route.template}: changed {', '.join(changed)}")
        before = after

    pages = sum(not r.api for r in named)
    operations = sum(r.api for r in named)
    counts = {
        "routes": pages,
        "api_operations": operations,
        "roles": len(ROLES),
        "swaps": swaps_checked,
        "requests": requests,
        "leaks": len(leaks),
    }
    print(
        f"cross-partnership matrix: {requests} requests: {pages} pages and {operations} API "
        f"operations that name records, {swaps_checked} swaps in both directions, each as "
        f"{len(ROLES)} roles with GET and POST (an API operation with its own method); "
        f"{len(leaks)} leaks"
    )
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / "cross-partnership.json").write_text(json.dumps(counts, indent=1) + "\n")
    assert not leaks, f"{len(leaks)} leaks:\n" + "\n".join(leaks[:60])


# Raw rows belong to the partnerships whose area they cover ------------------------------------

PARTNER = Path(__file__).resolve().parent / "data" / "partner"


@pytest.fixture
def covered(db, fresh_store, settings, tmp_path):
    """Lancashire's fire service file (force: lancashire, three rows quarantined), the same file
    with no force named, a Lancashire partnership and one in another force's area."""
    from cdrp.partnerships.models import Area, Partnership
    from cdrp.store.partner import import_partner, load_mapping

    settings.INCIDENT_STORE = fresh_store
    lancashire = import_partner(
        fresh_store, PARTNER / "fire-deliberate-fires.csv", PARTNER / "fire-deliberate-fires.yaml"
    )
    mapping = load_mapping(PARTNER / "fire-deliberate-fires.yaml")
    mapping.update(source="unplaced-fires", force="partner")
    copy = tmp_path / "unplaced.csv"
    copy.write_bytes((PARTNER / "fire-deliberate-fires.csv").read_bytes() + b"\n")
    unplaced = import_partner(fresh_store, copy, mapping)
    chorley = Area.objects.create(code="E07000118", name="Chorley", level="district")
    hartlepool = Area.objects.create(code="E06000001", name="Hartlepool", level="district")
    south = Partnership.objects.create(slug="south", name="South CSP")
    south.districts.add(chorley)
    north = Partnership.objects.create(slug="north", name="North CSP")
    north.districts.add(hartlepool)
    return {
        "lancashire": lancashire.ingest_id,
        "unplaced": unplaced.ingest_id,
        "south": south,
        "north": north,
    }


def test_quarantined_rows_are_shown_only_to_the_partnerships_whose_area_they_cover(client, covered):
    lancashire = covered["lancashire"]
    client.force_login(user_with_role("north-analyst", covered["north"], "analyst"))
    page = client.get("/intelligence/data/north/quarantine/").content.decode()
    assert "Market Street" not in page and "No rows are quarantined" in page
    assert (
        client.get(f"/intelligence/data/north/quarantine/?import={lancashire}").status_code == 404
    )
    assert client.get(f"/intelligence/data/quarantine/?import={lancashire}").status_code == 404
    assert client.get("/intelligence/data/south/quarantine/").status_code == 403
    client.force_login(user_with_role("south-analyst", covered["south"], "analyst"))
    page = client.get("/intelligence/data/south/quarantine/").content.decode()
    assert "Easting" in page and "999999" in page and "3 rows" in page  # not the unplaced file
    response = client.get(f"/intelligence/data/quarantine/?import={lancashire}")
    assert response["Location"] == f"/intelligence/data/south/quarantine/?import={lancashire}"


def test_site_administrators_see_every_imports_quarantined_rows(client, covered, superuser):
    client.force_login(superuser)
    page = client.get("/intelligence/data/quarantine/").content.decode()
    assert "6 rows" in page  # three from each file, the unplaced one included
    unplaced = covered["unplaced"]
    assert (
        "3 rows" in client.get(f"/intelligence/data/quarantine/?import={unplaced}").content.decode()
    )


def test_a_partner_import_is_listed_only_to_the_partnerships_it_covers(client, covered, superuser):
    def sources(url):
        return {r["source"] for r in client.get(url).json()}

    assert sources("/api/coverage") == set()  # the public
    client.force_login(user_with_role("north-member", covered["north"], "member"))
    for url in ("/intelligence/data/", "/intelligence/data/coverage/"):
        assert "fires" not in client.get(url).content.decode(), url
    assert sources("/api/coverage") == set()
    client.force_login(user_with_role("north-analyst", covered["north"], "analyst"))
    assert client.get("/api/imports").json() == []
    client.force_login(user_with_role("south-analyst", covered["south"], "analyst"))
    page = client.get("/intelligence/data/").content.decode()
    assert "fire-deliberate-fires" in page and "unplaced-fires" not in page
    assert "/intelligence/data/south/quarantine/?import=" in page
    assert "fire-deliberate-fires" in client.get("/intelligence/data/coverage/").content.decode()
    assert sources("/api/imports") == sources("/api/coverage") == {"fire-deliberate-fires"}
    client.force_login(superuser)
    assert sources("/api/imports") == {"fire-deliberate-fires", "unplaced-fires"}
    assert sources("/api/coverage") == {"fire-deliberate-fires", "unplaced-fires"}
