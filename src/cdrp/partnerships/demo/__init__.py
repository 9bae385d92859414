"""Demo records for the partnership registry: Lancashire South Strategic CDRP as proposed in the
Chorley report (27 March 2008), the three district partnerships it replaced (historical, with the
merger's six stages dated), the Lancashire county strategy group, and the demo accounts' roles.

Roles and bodies are the report's; every person's name is an invented placeholder, marked as
such, with example.org addresses and Ofcom drama-range phone numbers. Dates after the report
(application, consideration, recommendation, order) are illustrative.
"""

from __future__ import annotations

import datetime as dt

import yaml

from cdrp.accounts.models import PartnershipRole
from cdrp.accounts.policy import SYSTEM
from cdrp.partnerships import services
from cdrp.partnerships.demo.common import (
    COUNTY,
    DISTRICTS,
    LIFE,
    ORDER_ON,
    ORGANISATIONS,
    PILOT_FROM,
    SOUTH,
    _People,
)
from cdrp.partnerships.demo.county import _county
from cdrp.partnerships.demo.predecessors import _predecessor
from cdrp.partnerships.demo.south import _lancashire_south
from cdrp.partnerships.models import Area, MergerProposal, Organisation, Partnership
from cdrp.partnerships.structure import import_structure

# The county, its districts and Lancashire South's, for the other apps' demos.
__all__ = ["COUNTY", "DISTRICTS", "SOUTH", "load"]


def _areas_and_organisations() -> None:
    county, _ = Area.objects.get_or_create(
        code=COUNTY[0], defaults={"name": COUNTY[1], "level": Area.Level.COUNTY}
    )
    for code, name in DISTRICTS.items():
        area, created = Area.objects.get_or_create(
            code=code, defaults={"name": name, "level": Area.Level.DISTRICT}
        )
        if code.startswith("E07") and area.parent_id is None:
            area.parent = county
            area.save()
    for slug, name, kind, area_code in ORGANISATIONS:
        if not Organisation.objects.filter(slug=slug).exists():
            valid_from, valid_to, _ = LIFE.get(slug, (None, None, []))
            Organisation(
                slug=slug,
                name=name,
                kind=kind,
                area=Area.objects.get(code=area_code) if area_code else None,
                valid_from=valid_from,
                valid_to=valid_to,
            ).save()
    for slug, (_, _, successors) in LIFE.items():
        if successors:
            Organisation.objects.get(slug=slug).successors.set(
                Organisation.objects.filter(slug__in=successors)
            )


def _dump(doc: dict) -> str:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(doc, Dumper=dumper, sort_keys=False, allow_unicode=True)


MERGER_AGREEMENTS = {
    # Dates of the cabinets in the proposal's key dates; the others are illustrative.
    "chorley-council": (dt.date(2008, 3, 27), "Executive Cabinet, 27 March 2008"),
    "south-ribble-council": (dt.date(2008, 3, 19), "Cabinet, 19 March 2008"),
    "west-lancashire-council": (dt.date(2008, 4, 1), "Cabinet, 1 April 2008"),
}


def _merge(south: Partnership) -> MergerProposal:
    predecessors = [Partnership.objects.get(slug=f"{d}-csp") for d in SOUTH]
    proposal = services.propose_merger(south, predecessors, user=SYSTEM)
    for org in services.required_agreements(proposal):
        on, minute = MERGER_AGREEMENTS.get(
            org.slug, (dt.date(2008, 3, 31), "Minute reference to be confirmed (illustrative)")
        )
        services.record_agreement(proposal, org, on, minute, user=SYSTEM)
    Stage = MergerProposal.Stage
    services.advance_merger(proposal, Stage.AGREED, dt.date(2008, 4, 1), user=SYSTEM)
    services.advance_merger(
        proposal,
        Stage.PILOT,
        PILOT_FROM,
        pilot_to=dt.date(2008, 10, 31),
        note="Pilot merged partnership; review in October 2008.",
        user=SYSTEM,
    )
    services.advance_merger(
        proposal, Stage.APPLICATION, dt.date(2008, 11, 14), note="Illustrative date.", user=SYSTEM
    )
    services.advance_merger(
        proposal, Stage.CONSIDERATION, dt.date(2009, 1, 16), note="Illustrative date.", user=SYSTEM
    )
    services.advance_merger(
        proposal, Stage.RECOMMENDATION, dt.date(2009, 2, 20), note="Illustrative date.", user=SYSTEM
    )
    services.advance_merger(
        proposal,
        Stage.ORDER,
        ORDER_ON,
        order_reference="Illustrative order",
        note="Illustrative date.",
        user=SYSTEM,
    )
    return proposal


def load(stdout, users: dict) -> None:
    south = Partnership.objects.filter(slug="lancashire-south").first()
    if south is not None and MergerProposal.objects.filter(merged=south).exists():
        stdout.write(f"Partnership: {south.name} (already loaded).")
    else:
        _areas_and_organisations()
        people = _People()
        docs = [_predecessor(d, people) for d in SOUTH]
        docs.append(_lancashire_south(people))
        docs.append(_county(people))
        # People are shared between the partnerships: each document lists those it seats.
        for doc in docs:
            seated = {m["person"] for g in doc["groups"] for s in g["seats"] for m in s["members"]}
            doc["people"] = [x for slug, x in people.records.items() if slug in seated]
        import_structure("\n".join(f"---\n{_dump(d)}" for d in docs[:3]), "demo predecessors")
        import_structure(_dump(docs[3]), "demo Lancashire South")
        south = Partnership.objects.get(slug="lancashire-south")
        _merge(south)
        import_structure(_dump(docs[4]), "demo county strategy group")
        stdout.write(
            f"Partnership: {south.name} (created: {south.groups.count()} groups, merged from "
            f"{south.merged_from.count()} district partnerships; Lancashire County Strategy Group)."
        )
    for user, role in users.values():
        if role:
            PartnershipRole.objects.get_or_create(user=user, partnership=south, role=role)
