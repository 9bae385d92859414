"""Structure YAML out: write partnerships as the file `cdrp.partnerships.structure` reads back
(the schema is STRUCTURE-YAML.md next to this module). Importing an exported file changes nothing.
"""

from __future__ import annotations

import decimal

import yaml

from cdrp.partnerships.models import Area, Organisation, Partnership, Person

__all__ = ["SCHEMA_VERSION", "export_structure"]

SCHEMA_VERSION = 1

# libyaml's C emitter when PyYAML was built with it (the wheels are); same results.
_BaseDumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_BaseDumper):  # type: ignore[valid-type,misc]  # chosen at import time
    pass


def _str_presenter(dumper, data):
    data = str(data)
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _decimal_presenter(dumper, data):
    return dumper.represent_float(float(data))


_Dumper.add_representer(str, _str_presenter)
_Dumper.add_multi_representer(str, _str_presenter)  # TextChoices members are str subclasses
_Dumper.add_representer(decimal.Decimal, _decimal_presenter)


def _structure_doc(p: Partnership) -> dict:
    groups = list(
        p.groups.select_related("reports_to__partnership", "district").order_by("position", "name")
    )
    seats = {
        g.pk: list(
            g.seats.select_related("organisation", "council_area").order_by("position", "pk")
        )
        for g in groups
    }
    area_codes: set[str] = {a.code for a in p.districts.all()}
    if p.county is not None:
        area_codes.add(p.county.code)
    if p.force is not None:
        area_codes.add(p.force.code)
    org_ids = set(p.responsible_authorities.values_list("pk", flat=True))
    person_ids: set[int] = set()
    group_docs = []
    for g in groups:
        if g.district is not None:
            area_codes.add(g.district.code)
        seat_docs = []
        for s in seats[g.pk]:
            if s.organisation_id:
                org_ids.add(s.organisation_id)
            if s.council_area is not None:
                area_codes.add(s.council_area.code)
            members = []
            for m in s.memberships.select_related("person").order_by("pk"):
                person_ids.add(m.person_id)
                members.append(
                    {
                        "person": m.person.slug,
                        "role": m.role,
                        "start": m.start,
                        "end": m.end,
                        "senior": m.senior,
                        "portfolio_holder": m.portfolio_holder,
                    }
                )
            seat_doc = {
                "label": s.label,
                "organisation": s.organisation.slug if s.organisation is not None else None,
                "council_area": s.council_area.code if s.council_area is not None else None,
                "voting": s.voting,
                "statutory": s.statutory,
                # A seat's dates only when it has them, so older files read the same.
                **{k: getattr(s, k) for k in ("valid_from", "valid_to") if getattr(s, k)},
            }
            if s.chair_turn is not None:
                seat_doc["chair_turn"] = s.chair_turn
            seat_docs.append(seat_doc | {"members": members})
        reports_to = None
        if (rt := g.reports_to) is not None:
            reports_to = (
                rt.slug if rt.partnership_id == p.pk else f"{rt.partnership.slug}/{rt.slug}"
            )
        # The joint-structure keys are written only where used, so other files stay as they were.
        joint = {
            "serves": sorted(x.slug for x in g.serves.all()),
            "strand": g.strand or None,
            "chair_rotation_start": g.chair_rotation_start,
            "chair_rotation_months": g.chair_rotation_months,
        }
        group_docs.append(
            {
                "slug": g.slug,
                "name": g.name,
                "short_name": g.short_name,
                "kind": g.kind,
                "reports_to": reports_to,
                "district": g.district.code if g.district is not None else None,
                "meeting_frequency": g.meeting_frequency,
                "meeting_hours": decimal.Decimal(g.meeting_hours),
                "quorum": g.quorum,
                "chair_casting_vote": g.chair_casting_vote,
                "terms_of_reference": g.terms_of_reference,
                "restricted": g.restricted,
            }
            | {k: v for k, v in joint.items() if v}
            | {"seats": seat_docs}
        )
    people = list(
        Person.objects.filter(pk__in=person_ids).select_related("organisation").order_by("slug")
    )
    org_ids |= {x.organisation_id for x in people if x.organisation_id}
    # The bodies that took over from these, so the file names every successor it refers to.
    links = Organisation.successors.through.objects
    while True:
        more = set(
            links.filter(from_organisation_id__in=org_ids).values_list(
                "to_organisation_id", flat=True
            )
        )
        if more <= org_ids:
            break
        org_ids |= more
    orgs = list(
        Organisation.objects.filter(pk__in=org_ids)
        .select_related("area")
        .prefetch_related("successors")
        .order_by("slug")
    )
    area_codes |= {o.area.code for o in orgs if o.area is not None}
    areas = {}
    todo = list(area_codes)
    while todo:
        code = todo.pop()
        if code in areas:
            continue
        a = Area.objects.select_related("parent").get(code=code)
        areas[code] = a
        if a.parent is not None:
            todo.append(a.parent.code)
    return {
        "cdrp-structure": SCHEMA_VERSION,
        "partnership": {
            "slug": p.slug,
            "name": p.name,
            "code": p.code,
            "level": p.level,
            "status": p.status,
            "valid_from": p.valid_from,
            "valid_to": p.valid_to,
            "county": p.county.code if p.county is not None else None,
        }
        | ({"force": p.force.code} if p.force_id else {})
        | {
            "districts": sorted(a.code for a in p.districts.all()),
            "merged_from": sorted(x.slug for x in p.merged_from.all()),
            "responsible_authorities": sorted(o.slug for o in p.responsible_authorities.all()),
            "description": p.description,
        },
        "areas": [
            {
                "code": a.code,
                "name": a.name,
                "level": a.level,
                "parent": a.parent.code if a.parent is not None else None,
            }
            for a in sorted(areas.values(), key=lambda a: a.code)
        ],
        "organisations": [
            {
                "slug": o.slug,
                "name": o.name,
                "kind": o.kind,
                "area": o.area.code if o.area is not None else None,
                "website": o.website,
                # An organisation's life and successors only when recorded (older files).
                **{k: getattr(o, k) for k in ("valid_from", "valid_to") if getattr(o, k)},
                **(
                    {"successors": sorted(x.slug for x in o.successors.all())}
                    if o.successors.all()
                    else {}
                ),
            }
            for o in orgs
        ],
        "people": [
            {
                "slug": x.slug,
                "name": x.name,
                "job_title": x.job_title,
                "organisation": x.organisation.slug if x.organisation is not None else None,
                "email": x.email,
                "phone": x.phone,
                "placeholder": x.placeholder,
            }
            for x in people
        ],
        "groups": group_docs,
    }


def export_structure(*partnerships: Partnership) -> str:
    """The structure YAML of one or more partnerships (list predecessors before a merger)."""
    header = "# cdrp partnership structure (schema: src/cdrp/partnerships/STRUCTURE-YAML.md)\n"
    docs = [_structure_doc(p) for p in partnerships]
    body = yaml.dump_all(
        docs, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, explicit_start=True
    )
    return header + body
