"""Partnership registry pages: overview with the compliance task list, structure chart, groups,
people, comparison of structures, merger workflow, exports, and the coordinators' edit forms.

Everyone may read the structure; coordinators (Permission.EDIT) change it. People's email and phone
are shown only to partner members of a partnership where that person sits. Every record an
address names is resolved through the partnership it names (`policy.object_or_404`): a person or
organisation of another partnership is not found here, and is edited only through a partnership
that holds it. Only site administrators add partnerships.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cdrp.accounts.policy import (
    Permission,
    allows,
    may_create_partnership,
    may_edit_shared,
    may_see_contacts,
    public,
    requires,
    roles_of,
)
from cdrp.analysis.months import read_date
from cdrp.core.cache import cached_view
from cdrp.partnerships import compliance, pages, services
from cdrp.partnerships.chart import structure_svg
from cdrp.partnerships.exports import csv_export, popolo_export
from cdrp.partnerships.forms import (
    AdvanceForm,
    AgreementForm,
    MergerProposalForm,
)
from cdrp.partnerships.models import (
    Group,
    Membership,
    MergerProposal,
    Organisation,
    Partnership,
    Person,
    Seat,
)
from cdrp.partnerships.services import ended_body_flags
from cdrp.partnerships.structure import export_structure

_TAG = {
    compliance.Status.MET: "",
    compliance.Status.NOT_MET: "govuk-tag--red",
    compliance.Status.NO_EVIDENCE: "govuk-tag--yellow",
    compliance.Status.NOT_APPLICABLE: "govuk-tag--grey",
}


def today() -> dt.date:
    return dt.date.today()


def group_or_404(p: Partnership, slug: str) -> Group:
    """The partnership's own group `slug`, or else the joint group of that slug serving it (held
    by another partnership): any other partnership's group is not found here."""
    groups = Group.objects.select_related("partnership", "reports_to")
    own = groups.filter(partnership=p, slug=slug).first()
    return own or get_object_or_404(groups, serves=p, slug=slug)


def _can_edit(request, p) -> bool:
    return allows(request.user, Permission.EDIT, p)


def _findings(p: Partnership, on: dt.date | None = None):
    out = []
    for f in compliance.evaluate(p, on):
        out.append({"finding": f, "rule": f.rule, "tag": _TAG[f.status], "label": f.status.label})
    return out


def _as_at(request) -> tuple[dt.date | None, str]:
    """The "as at" date the compliance page was asked for, or an error naming the field."""
    text = request.GET.get("as_at", "").strip()
    if not text:
        return None, ""
    on = read_date(text)
    if on is None:
        return (
            None,
            f"Enter the “as at” date as day, month and year, for example 1 6 2008 (not “{text}”).",
        )
    return on, ""


def _by_region_and_force(partnerships) -> list[dict]:
    """Partnerships under their region (or country) and police force area, each in name order;
    those with no force area recorded come last, under no heading."""
    regions: dict[int | None, dict] = {}
    for p in partnerships:
        force = p.force_area
        region = force.parent if force else None
        entry = regions.setdefault(region.pk if region else None, {"region": region, "forces": {}})
        entry["forces"].setdefault(force.pk if force else None, {"force": force, "items": []})[
            "items"
        ].append(p)
    out = []
    for entry in sorted(
        regions.values(),
        key=lambda e: (e["region"] is None, e["region"].name if e["region"] else ""),
    ):
        forces = sorted(
            entry["forces"].values(),
            key=lambda f: (f["force"] is None, f["force"].name if f["force"] else ""),
        )
        out.append({"region": entry["region"], "forces": forces})
    return out


@public
def partnership_list(request):
    partnerships = (
        Partnership.objects.select_related("force__parent")
        .prefetch_related("districts__parent__parent")
        .order_by("name")
    )
    can_add = may_create_partnership(request.user)
    return render(
        request,
        "partnerships/list.html",
        {
            "partnerships": partnerships,
            "regions": _by_region_and_force(partnerships),
            "page_title": "Partnerships",
            "can_add": can_add,
        },
    )


@requires(Permission.VIEW_PUBLIC)
@cached_view
def partnership_detail(request, partnership):
    p = request.partnership
    groups = list(
        p.all_groups().select_related("reports_to", "partnership").order_by("position", "name")
    )
    proposal = MergerProposal.objects.filter(merged=p).first()
    can_edit = _can_edit(request, p)
    organisations = list(
        Organisation.objects.filter(
            Q(pk__in=Seat.objects.filter(group__partnership=p).values("organisation"))
            | Q(responsible_for=p)
        ).distinct()
    )
    # An organisation other partnerships also hold is changed only by someone who may edit in
    # each of them: the others see that it is shared rather than an Edit link that refuses.
    for o in organisations:
        o.may_edit = can_edit and may_edit_shared(request.user, o)
    return render(
        request,
        "partnerships/detail.html",
        {
            "partnership": p,
            "page_title": p.name,
            "roles": sorted(r.label for r in roles_of(request.user, p) if r != "public"),
            "can_view_member": allows(request.user, Permission.VIEW_MEMBER, p),
            "can_edit": can_edit,
            "groups": groups,
            "findings": _findings(p),
            "compliance_on": compliance.default_date(p),
            "districts": p.districts.all(),
            "merged_from": p.merged_from.all(),
            "merged_into": p.merged_into.all(),
            "proposal": proposal,
            "organisations": organisations,
        },
    )


@requires(Permission.VIEW_PUBLIC)
def compliance_page(request, partnership):
    p = request.partnership
    as_at, error = _as_at(request)
    on = as_at or compliance.default_date(p)
    return render(
        request,
        "partnerships/compliance.html",
        {
            "partnership": p,
            "page_title": f"Compliance: {p.name}",
            "findings": _findings(p, on),
            "compliance_on": on,
            "as_at": as_at,
            "as_at_text": request.GET.get("as_at", ""),
            "as_at_error": error,
        },
        status=400 if error else 200,
    )


def _chart(request, p):
    return structure_svg(
        p,
        today(),
        # A group of another partnership (one reporting to a joint group) links to its own page.
        link=lambda g: reverse(
            "partnerships:group",
            kwargs={
                "partnership": p.slug if p.pk in g.partnership_ids() else g.partnership.slug,
                "group": g.slug,
            },
        ),
    )


@requires(Permission.VIEW_PUBLIC)
def structure_page(request, partnership):
    p = request.partnership
    return render(
        request,
        "partnerships/structure.html",
        {
            "partnership": p,
            "page_title": f"Structure: {p.name}",
            "svg": _chart(request, p),
            "flags": ended_body_flags(p, _last_day(p, today())),
            "on": _last_day(p, today()),
        },
    )


@requires(Permission.VIEW_PUBLIC)
def structure_svg_view(request, partnership):
    return HttpResponse(
        _chart(request, request.partnership), content_type="image/svg+xml; charset=utf-8"
    )


def _last_day(p: Partnership, on: dt.date) -> dt.date:
    """`on`, or a partnership's last day if it ended before (its seats are judged as then)."""
    return p.valid_to if p.valid_to and p.valid_to < on else on


def _seat_rows(group: Group, on: dt.date):
    day = _last_day(group.partnership, on)
    rows = []
    members: dict[int, list[Membership]] = {}
    for m in (
        Membership.objects.current(on)
        .filter(seat__group=group)
        .select_related("person")
        .order_by("pk")
    ):
        members.setdefault(m.seat_id, []).append(m)
    for s in group.seats.select_related("organisation", "council_area").order_by("position", "pk"):
        rows.append(
            {
                "seat": s,
                "members": members.get(s.pk, []),
                "closed": not s.is_open(day),
                "flag": s.ended_body_problem(day),
            }
        )
    return rows


@requires(Permission.VIEW_PUBLIC)
def group_detail(request, partnership, group):
    p = request.partnership
    g = group_or_404(p, group)
    on = today()
    past = (
        Membership.objects.filter(seat__group=g, end__lt=on)
        .select_related("person", "seat")
        .order_by("-end")
    )
    return render(
        request,
        "partnerships/group.html",
        pages.group_context(request, g)
        | {
            "partnership": p,
            "group": g,
            "page_title": g.name,
            "rows": _seat_rows(g, on),
            "past": past,
            "reporting": g.reporting_groups.select_related("partnership").order_by(
                "position", "name"
            ),
            "served": Partnership.objects.filter(pk__in=g.partnership_ids()).order_by("name")
            if g.is_joint
            else [],
            "strands": g.ppo_strands() if g.kind == Group.Kind.PPO else [],
            "rotation": g.seats.exclude(chair_turn=None).order_by("chair_turn"),
            "chair_seat": g.chair_seat(on),
            "chair": g.chair(on),
            "bodies": sorted(g.voting_bodies(on).values()),
            "quorum": g.required_quorum(on) if g.voting_bodies(on) else None,
            "on": on,
            "can_edit": _can_edit(request, p),
        },
    )


@public
def person_detail(request, person):
    x = get_object_or_404(Person.objects.select_related("organisation"), slug=person)
    on = today()
    memberships = list(
        x.memberships.select_related(
            "seat", "seat__group", "seat__group__partnership", "seat__organisation"
        ).order_by("seat__group__partnership__name", "seat__group__position", "start")
    )
    current = [
        m
        for m in memberships
        if m.is_current(on) and m.seat.group.partnership.status != "historical"
    ]
    past = [m for m in memberships if m not in current]
    load, seen = [], set()
    for m in current:
        g = m.seat.group
        if g.pk in seen:
            continue
        seen.add(g.pk)
        hours = Decimal(g.meetings_per_year) * g.meeting_hours
        load.append({"group": g, "meetings": g.meetings_per_year, "hours": hours})
    return render(
        request,
        "partnerships/person.html",
        {
            "person": x,
            "page_title": x.name,
            "current": current,
            "past": past,
            "load": load,
            "total_meetings": sum(r["meetings"] for r in load),
            "total_hours": sum((r["hours"] for r in load), Decimal(0)),
            "show_contacts": may_see_contacts(request.user, x),
            "edit_partnership": next(
                (
                    m.seat.group.partnership
                    for m in memberships
                    if _can_edit(request, m.seat.group.partnership)
                ),
                None,
            ),
        },
    )


# Comparison of structures ----------------------------------------------------------------------

COMPARE_ROWS = [
    ("Main meeting", [Group.Kind.STRATEGY, Group.Kind.COUNTY_STRATEGY]),
    ("Steering / officer group", [Group.Kind.OFFICER]),
    ("Thematic groups", [Group.Kind.THEMATIC, Group.Kind.DOMESTIC_ABUSE]),
    ("Tasking", [Group.Kind.TASKING]),
    ("Prolific and priority offenders", [Group.Kind.PPO]),
    ("Community engagement", [Group.Kind.ENGAGEMENT]),
]


def _summary(p: Partnership, on: dt.date) -> dict:
    # A historical partnership is compared as it stood on its last day.
    day = p.valid_to if p.valid_to and p.valid_to < on else on
    chairs = {
        m.seat.group_id: m
        for m in Membership.objects.current(day)
        .filter(seat__group__partnership=p, role=Membership.Role.CHAIR)
        .select_related("person", "seat", "seat__organisation")
    }
    cells: dict[str, list[dict]] = {}
    for g in p.groups.order_by("position", "name"):
        for label, kinds in COMPARE_ROWS:
            if g.kind in kinds:
                chair = chairs.get(g.pk)
                statutory = g.seats.filter(statutory=True).count()
                cells.setdefault(label, []).append(
                    {
                        "group": g,
                        "chair": chair,
                        "frequency": g.get_meeting_frequency_display(),
                        "seats": g.seats.count(),
                        "statutory": statutory,
                        "bodies": len(g.voting_bodies()),
                    }
                )
    return {"partnership": p, "cells": cells, "day": day}


@requires(Permission.VIEW_PUBLIC)
def compare(request, partnership):
    p = request.partnership
    slugs = request.GET.getlist("with")
    others = (
        list(Partnership.objects.filter(slug__in=slugs)) if slugs else list(p.merged_from.all())
    )
    if not others:
        others = list(Partnership.objects.exclude(pk=p.pk)[:1])
    on = today()
    columns = [_summary(x, on) for x in [*others, p]]
    rows = [
        {"label": label, "cells": [c["cells"].get(label, []) for c in columns]}
        for label, _ in COMPARE_ROWS
    ]
    return render(
        request,
        "partnerships/compare.html",
        {
            "partnership": p,
            "page_title": f"Compare structures: {p.name}",
            "columns": columns,
            "rows": rows,
            "choices": Partnership.objects.exclude(pk=p.pk),
            "selected": {x.slug for x in others},
        },
    )


# Exports ---------------------------------------------------------------------------------------


@requires(Permission.VIEW_PUBLIC)
def export_yaml(request, partnership):
    p = request.partnership
    text = export_structure(p)
    if not allows(request.user, Permission.VIEW_MEMBER, p):
        text = _strip_contacts_yaml(text)
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{p.slug}-structure.yaml"'
    return response


def _strip_contacts_yaml(text: str) -> str:
    return re.sub(r"^(\s+)(email|phone): .*$", r"\1\2: ''", text, flags=re.M)


@requires(Permission.VIEW_PUBLIC)
def export_popolo(request, partnership):
    p = request.partnership
    doc = popolo_export(p, include_contacts=allows(request.user, Permission.VIEW_MEMBER, p))
    response = HttpResponse(
        json.dumps(doc, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{p.slug}-popolo.json"'
    return response


@requires(Permission.VIEW_PUBLIC)
def export_csv(request, partnership):
    p = request.partnership
    text = csv_export(p, include_contacts=allows(request.user, Permission.VIEW_MEMBER, p))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{p.slug}-structure.csv"'
    return response


# Merger ----------------------------------------------------------------------------------------


@requires(Permission.VIEW_PUBLIC)
def merger(request, partnership):
    p = request.partnership
    proposal = MergerProposal.objects.filter(merged=p).first()
    context = {
        "partnership": p,
        "page_title": f"Merger: {p.name}",
        "proposal": proposal,
        "can_edit": _can_edit(request, p),
    }
    if proposal:
        stages = []
        for value, label in MergerProposal.Stage.choices:
            if value == 0:
                continue
            stages.append(
                {
                    "number": value,
                    "label": label,
                    "date": proposal.stage_date(value),
                    "done": proposal.stage >= value,
                    "next": proposal.stage + 1 == value,
                }
            )
        required = services.required_agreements(proposal)
        agreed = {a.organisation_id: a for a in proposal.agreements.all()}
        context.update(
            stages=stages,
            agreements=[{"organisation": o, "agreement": agreed.get(o.pk)} for o in required],
            transitions=proposal.transitions.all(),
            predecessors=proposal.predecessors.all(),
            next_stage=MergerProposal.Stage(proposal.stage + 1).label
            if proposal.stage < 6
            else None,
        )
        if context["can_edit"] and services.may_advance(proposal, request.user):
            context["advance_form"] = AdvanceForm(proposal=proposal)
        recordable = services.recordable_agreements(proposal, request.user)
        if context["can_edit"] and proposal.stage == 0 and recordable:
            context["agreement_form"] = AgreementForm(
                organisations=Organisation.objects.filter(pk__in=[o.pk for o in recordable])
            )
    elif context["can_edit"]:
        context["propose_form"] = MergerProposalForm(partnership=p, user=request.user)
    return render(request, "partnerships/merger.html", context)


@require_POST
@requires(Permission.EDIT)
def merger_action(request, partnership, action):
    p = request.partnership
    proposal = MergerProposal.objects.filter(merged=p).first()
    try:
        if action == "propose" and proposal is None:
            form = MergerProposalForm(request.POST, partnership=p, user=request.user)
            if form.is_valid():
                services.propose_merger(p, form.cleaned_data["predecessors"], user=request.user)
                messages.success(request, "Merger proposal recorded.")
            else:
                messages.error(
                    request,
                    "Choose at least two partnerships that will merge, from those where you "
                    "are a coordinator or administrator.",
                )
        elif action == "agree" and proposal is not None:
            # Only the authorities this proposal still needs, and whose agreement this user
            # may record, are accepted.
            recordable = services.recordable_agreements(proposal, request.user)
            form = AgreementForm(
                request.POST,
                organisations=Organisation.objects.filter(pk__in=[o.pk for o in recordable]),
            )
            if form.is_valid():
                services.record_agreement(
                    proposal,
                    form.cleaned_data["organisation"],
                    form.cleaned_data["agreed_on"],
                    form.cleaned_data["minute_reference"],
                    user=request.user,
                )
                messages.success(
                    request, f"Agreement of {form.cleaned_data['organisation']} recorded."
                )
            else:
                messages.error(
                    request,
                    "Give the authority and the date it agreed: an authority this proposal still "
                    "needs, in a merging partnership where you are a coordinator or administrator.",
                )
        elif action == "advance" and proposal is not None:
            form = AdvanceForm(request.POST, proposal=proposal)
            if form.is_valid():
                d = form.cleaned_data
                services.advance_merger(
                    proposal,
                    proposal.stage + 1,
                    d["on"],
                    pilot_to=d.get("pilot_to"),
                    order_reference=d.get("order_reference", ""),
                    note=d["note"],
                    user=request.user,
                )
                messages.success(request, "The merger moved to the next stage.")
            else:
                messages.error(request, "Give the date of this stage, as YYYY-MM-DD.")
        else:
            raise Http404("No such merger action")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("partnerships:merger", partnership=p.slug)
