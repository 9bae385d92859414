"""The indexers of the apps below search: meeting papers, agenda items, minutes, decisions and
actions (`cdrp.meetings`), strategic assessments (`cdrp.intelligence`) and plan revisions
(`cdrp.plans`).

Who may read a meeting record is the meetings app's own rule, `cdrp.meetings.restricted.
restricting_group` (a restricted group, or a restricted agenda item and its papers), whose answer
is checked per reader by `cdrp.accounts.policy.may_see_restricted`: the index stores the group,
never a copy of the rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.urls import reverse

from cdrp.intelligence.models import Assessment
from cdrp.meetings.models import (
    Action,
    AgendaItem,
    Decision,
    Meeting,
    Minutes,
    MinutesAmendment,
    Paper,
)
from cdrp.meetings.restricted import restricting_group
from cdrp.partnerships.models import Group
from cdrp.plans.models import Commitment, EngagementCommitment, Objective, Plan, Priority
from cdrp.search.extract import MAX_CHARS
from cdrp.search.registry import Entry, Indexer, register

__all__ = ["register_builtin", "assessment_text"]


def _group_pk(record) -> int | None:
    group = restricting_group(record)
    return group.pk if group is not None else None


def _slug(partnership_id: int) -> str:
    from cdrp.partnerships.models import Partnership

    return Partnership.objects.values_list("slug", flat=True).get(pk=partnership_id)


def _meeting_url(meeting: Meeting) -> str:
    return reverse(
        "meetings:meeting",
        kwargs={"partnership": meeting.group.partnership.slug, "meeting_id": meeting.pk},
    )


# Meetings ---------------------------------------------------------------------------------------


def _paper(paper: Paper) -> Entry:
    item = paper.item
    meeting = item.meeting
    return Entry(
        partnership_id=meeting.group.partnership_id,
        title=paper.title,
        text=f"{item.title}. {meeting}",
        url=reverse(
            "meetings:paper",
            kwargs={"partnership": meeting.group.partnership.slug, "paper_id": paper.pk},
        ),
        restricted_group=_group_pk(paper),
        date=meeting.date,
        file=paper.file,
    )


def _item(item: AgendaItem) -> Entry:
    meeting = item.meeting
    return Entry(
        partnership_id=meeting.group.partnership_id,
        title=item.title,
        text=str(meeting),
        url=_meeting_url(meeting),
        restricted_group=_group_pk(item),
        date=meeting.date,
    )


def _minutes(minutes: Minutes) -> Entry | None:
    text = minutes.current_text
    if not text.strip():
        return None
    meeting = minutes.meeting
    return Entry(
        partnership_id=meeting.group.partnership_id,
        title=f"Minutes of {meeting}",
        text=text,
        url=reverse(
            "meetings:minutes",
            kwargs={"partnership": meeting.group.partnership.slug, "meeting_id": meeting.pk},
        ),
        restricted_group=_group_pk(minutes),
        date=meeting.date,
    )


def _decision(decision: Decision) -> Entry:
    meeting = decision.meeting
    return Entry(
        partnership_id=meeting.group.partnership_id,
        title=decision.motion[:300],
        text=f"{decision.motion} ({decision.get_result_display()}). {meeting}",
        url=_meeting_url(meeting),
        restricted_group=_group_pk(decision),
        date=meeting.date,
    )


def _action(action: Action) -> Entry:
    slug = _slug(action.partnership_id)
    if action.meeting_id is not None:
        url = _meeting_url(action.meeting)  # type: ignore[arg-type]  # set when meeting_id is
    else:
        url = reverse("meetings:actions", kwargs={"partnership": slug}) + "?show=all"
    return Entry(
        partnership_id=action.partnership_id,
        title=action.description[:300],
        text=" ".join(
            x for x in (action.description, action.outcome, str(action.owner), action.priority) if x
        ),
        url=url,
        restricted_group=_group_pk(action),
        date=action.due,
    )


def _group_records(group: Group, model):
    """Records of `model` belonging to `group` (its restriction decides theirs)."""
    path = {
        Paper: "item__meeting__group",
        AgendaItem: "meeting__group",
        Minutes: "meeting__group",
        Decision: "meeting__group",
        Action: "group",
    }[model]
    return model.objects.filter(**{path: group})


def _meeting_records(meeting: Meeting, model):
    path = {
        Paper: "item__meeting",
        AgendaItem: "meeting",
        Minutes: "meeting",
        Decision: "meeting",
        Action: "meeting",
    }[model]
    return model.objects.filter(**{path: meeting})


def _by_partnership(model, path: str):
    return lambda partnership: model.objects.filter(**{path: partnership})


# Assessments and plans --------------------------------------------------------------------------

_SKIP = {"tables", "figures", "maps", "charts", "spec", "rows", "columns", "evidence", "parameters"}
_WORDS = {"title", "text", "summary", "label", "notices", "warnings"}


def assessment_text(document) -> str:
    """The words of a structured assessment: titles, section text, findings and notices (not its
    tables' figures)."""
    out: list[str] = []

    def walk(node, key: str | None) -> None:
        if sum(len(s) for s in out) > MAX_CHARS:
            return
        if isinstance(node, dict):
            for k, v in node.items():
                if k not in _SKIP:
                    walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and key in _WORDS:
            out.append(node)

    walk(document, None)
    return "\n".join(out)


def _assessment(record: Assessment) -> Entry | None:
    if record.partnership_id is None:
        return None
    return Entry(
        partnership_id=record.partnership_id,
        title=f"{record.title} ({record.get_status_display().lower()})",
        text=assessment_text(record.document),
        url=reverse(
            "intelligence:assessment-detail",
            kwargs={"partnership": _slug(record.partnership_id), "pk": record.pk},
        ),
        date=record.built_at.date() if record.built_at else None,
    )


def plan_text(plan: Plan) -> str:
    parts = [plan.summary, plan.change_note]
    for priority in plan.priorities.all():
        parts += [priority.name, priority.rationale]
        for objective in priority.objectives.all():
            parts.append(objective.text)
            parts += [c.role for c in objective.commitments.all()]
            parts += [c.resources for c in objective.commitments.all()]
    for e in plan.engagement.all():
        parts += [e.commitment, e.method, e.timing]
    return "\n".join(p for p in parts if p)


def _plan(plan: Plan) -> Entry:
    return Entry(
        partnership_id=plan.partnership_id,
        title=f"{plan.title} (revision {plan.revision}, {plan.get_status_display().lower()})",
        text=plan_text(plan),
        url=reverse(
            "plans:plan-detail",
            kwargs={"partnership": _slug(plan.partnership_id), "revision": plan.revision},
        ),
    )


def _item_papers(item: AgendaItem):
    return Paper.objects.filter(item=item)


def _amended_minutes(amendment: MinutesAmendment) -> list[Minutes]:
    return [amendment.minutes]


def _partnership_only(record) -> tuple[int, int | None] | None:
    return (record.partnership_id, None) if record.partnership_id is not None else None


def _meeting_access(record) -> tuple[int, int | None] | None:
    if record._meta.label == "meetings.Action":
        return record.partnership_id, _group_pk(record)
    if record._meta.label == "meetings.Minutes" and not record.current_text.strip():
        return None
    meeting = record.item.meeting if record._meta.label == "meetings.Paper" else record.meeting
    return meeting.group.partnership_id, _group_pk(record)


def register_builtin() -> None:
    meeting_models: list[tuple[str, str, Any, Callable[[Any], Entry | None], str, int]] = [
        ("paper", "Papers", Paper, _paper, "item__meeting__group__partnership", 10),
        ("agenda", "Agenda items", AgendaItem, _item, "meeting__group__partnership", 20),
        ("minutes", "Minutes", Minutes, _minutes, "meeting__group__partnership", 30),
        ("decision", "Decisions", Decision, _decision, "meeting__group__partnership", 40),
        ("action", "Actions", Action, _action, "partnership", 50),
    ]
    for kind, label, model, entry, path, order in meeting_models:
        watch: dict[Any, Callable[[Any], Iterable[Any]]] = {
            Group: partial(_group_records, model=model),
            Meeting: partial(_meeting_records, model=model),
        }
        if model is Paper:
            watch[AgendaItem] = _item_papers
        if model is Minutes:
            watch[MinutesAmendment] = _amended_minutes
        register(
            Indexer(
                kind=kind,
                label=label,
                model=model,
                entry=entry,
                records=_by_partnership(model, path),
                watch=watch,
                order=order,
                access=_meeting_access,
            )
        )
    register(
        Indexer(
            kind="assessment",
            label="Assessments",
            model=Assessment,
            entry=_assessment,
            records=_by_partnership(Assessment, "partnership"),
            order=60,
            # Never restricted: the check need not load the (large) document.
            access=_partnership_only,
            light=("id", "partnership_id"),
        )
    )
    register(
        Indexer(
            kind="plan",
            label="Plans",
            model=Plan,
            entry=_plan,
            records=_by_partnership(Plan, "partnership"),
            watch={
                Priority: lambda p: [p.plan],
                Objective: lambda o: [o.priority.plan],
                Commitment: lambda c: [c.objective.priority.plan],
                EngagementCommitment: lambda e: [e.plan],
            },
            order=70,
            access=_partnership_only,
            light=("id", "partnership_id"),
        )
    )
