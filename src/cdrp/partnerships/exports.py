"""Exports of a partnership's structure: Popolo JSON (persons, organizations, posts, memberships)
and CSV (one row per seat holder). Personal contact details are included only when asked for:
callers pass `include_contacts` from the policy (partner members), never for the public.

The Popolo JSON Schemas in `popolo/` were written for cdrp from the Popolo specification
(https://www.popoloproject.com/specs/); `validate_popolo` checks an export against them.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from cdrp.core import tables
from cdrp.partnerships.models import Group, Membership, Partnership

__all__ = ["popolo_export", "validate_popolo", "popolo_errors", "csv_export", "SCHEMA_DIR"]

SCHEMA_DIR = Path(__file__).resolve().parent / "popolo"
_BASE = "https://cdrp.invalid/popolo/"


def _date(d) -> str | None:
    return d.isoformat() if d else None


def _clean(d: dict) -> dict:
    return {k: v for k, v in d.items() if v not in (None, "", [])}


def _group_id(g: Group) -> str:
    return f"group/{g.partnership.slug}/{g.slug}"


def _memberships(p: Partnership):
    return (
        Membership.objects.filter(seat__group__partnership=p)
        .select_related(
            "person", "seat", "seat__group", "seat__group__partnership", "seat__organisation"
        )
        .order_by("seat__group__position", "seat__group__name", "seat__position", "seat_id", "pk")
    )


def popolo_export(p: Partnership, include_contacts: bool = False) -> dict:
    """The partnership's structure as Popolo JSON."""
    groups = list(p.groups.select_related("partnership").order_by("position", "name"))
    organizations = [
        _clean(
            {
                "id": f"partnership/{p.slug}",
                "name": p.name,
                "classification": "community safety partnership",
                "description": p.description,
                "founding_date": _date(p.valid_from),
                "dissolution_date": _date(p.valid_to),
                "identifiers": [{"scheme": "ons-csp", "identifier": p.code}] if p.code else [],
            }
        )
    ]
    for g in groups:
        organizations.append(
            _clean(
                {
                    "id": _group_id(g),
                    "name": g.name,
                    "classification": g.get_kind_display().lower(),
                    "parent_id": f"partnership/{p.slug}",
                    "description": g.terms_of_reference,
                }
            )
        )
    posts, bodies = [], {}
    for g in groups:
        for s in g.seats.select_related("organisation").order_by("position", "pk"):
            label = f"{s.label}, {s.organisation.name}" if s.organisation is not None else s.label
            posts.append(
                {
                    "id": f"{_group_id(g)}/seat/{s.pk}",
                    "label": label,
                    "role": s.label,
                    "organization_id": _group_id(g),
                }
            )
            if s.organisation is not None:
                bodies[s.organisation.pk] = s.organisation
    memberships, persons = [], {}
    for m in _memberships(p):
        persons[m.person_id] = m.person
        seat = m.seat
        memberships.append(
            _clean(
                {
                    "id": f"membership/{m.pk}",
                    "label": f"{m.get_role_display()}, {seat.group.name}",
                    "role": m.get_role_display().lower(),
                    "person_id": f"person/{m.person.slug}",
                    "organization_id": _group_id(seat.group),
                    "post_id": f"{_group_id(seat.group)}/seat/{seat.pk}",
                    "on_behalf_of_id": f"organisation/{seat.organisation.slug}"
                    if seat.organisation_id
                    else None,
                    "start_date": _date(m.start),
                    "end_date": _date(m.end),
                }
            )
        )
    for o in sorted(bodies.values(), key=lambda o: o.slug):
        organizations.append(
            _clean(
                {
                    "id": f"organisation/{o.slug}",
                    "name": o.name,
                    "classification": o.get_kind_display().lower(),
                    "founding_date": _date(o.valid_from),
                    "dissolution_date": _date(o.valid_to),
                }
            )
        )
    people = []
    for person in sorted(persons.values(), key=lambda x: x.slug):
        record = {
            "id": f"person/{person.slug}",
            "name": person.name,
            "summary": person.job_title,
            "identifiers": [{"scheme": "cdrp", "identifier": person.slug}],
        }
        if include_contacts:
            record["email"] = person.email or None
            record["contact_details"] = (
                [{"type": "voice", "label": "Telephone", "value": person.phone}]
                if person.phone
                else []
            )
        people.append(_clean(record))
    return {
        "persons": people,
        "organizations": organizations,
        "posts": posts,
        "memberships": memberships,
    }


@cache
def _validator():
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    resources = []
    for path in SCHEMA_DIR.glob("*.json"):
        schema = json.loads(path.read_text())
        resources.append((schema["$id"], Resource.from_contents(schema)))
    registry = Registry().with_resources(resources)
    root = json.loads((SCHEMA_DIR / "export.json").read_text())
    return Draft202012Validator(
        root, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def popolo_errors(document: dict) -> list[str]:
    """Every way `document` breaks the Popolo schemas, as 'path: message' lines."""
    return [
        f"{'/'.join(str(x) for x in e.absolute_path) or '(root)'}: {e.message}"
        for e in sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    ]


def validate_popolo(document: dict) -> None:
    errors = popolo_errors(document)
    if errors:
        raise ValueError("Not valid Popolo JSON:\n" + "\n".join(errors))


CSV_COLUMNS = [
    "partnership",
    "group",
    "group_kind",
    "reports_to",
    "seat",
    "organisation",
    "council_area",
    "voting",
    "statutory",
    "person",
    "role",
    "start",
    "end",
    "senior",
    "portfolio_holder",
]


def csv_export(p: Partnership, include_contacts: bool = False) -> str:
    """One row per seat (and per holder where a seat has several), in structure order."""
    columns = CSV_COLUMNS + (["email", "phone"] if include_contacts else [])
    return tables.csv_text(_csv_rows(p, columns, include_contacts), header=columns)


def _csv_rows(p: Partnership, columns: list[str], include_contacts: bool):
    groups = p.groups.select_related("reports_to").order_by("position", "name")
    for g in groups:
        for s in g.seats.select_related("organisation", "council_area").order_by("position", "pk"):
            base = [
                p.slug,
                g.name,
                g.get_kind_display(),
                g.reports_to.name if g.reports_to is not None else "",
                s.label,
                s.organisation.name if s.organisation is not None else "",
                s.council_area.name if s.council_area is not None else "",
                "yes" if s.voting else "no",
                "yes" if s.statutory else "no",
            ]
            members = list(s.memberships.select_related("person").order_by("pk"))
            if not members:
                yield base + [""] * (len(columns) - len(base))
            for m in members:
                row = base + [
                    m.person.name,
                    m.get_role_display(),
                    _date(m.start) or "",
                    _date(m.end) or "",
                    "yes" if m.senior else "no",
                    "yes" if m.portfolio_holder else "no",
                ]
                if include_contacts:
                    row += [m.person.email, m.person.phone]
                yield row
