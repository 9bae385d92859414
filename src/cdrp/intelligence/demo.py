"""Demo data for intelligence: the geography lookups and every bundled police.uk street file."""

from __future__ import annotations

from cdrp.intelligence.assessments import build
from cdrp.intelligence.models import Assessment
from cdrp.intelligence.services import demo_data_dir, incident_store, load_areas
from cdrp.partnerships.models import Partnership
from cdrp.store import build_geography, import_police_uk, load_geography


def load(stdout, users: dict) -> None:
    store = incident_store()
    data = demo_data_dir()
    if load_geography(store) is None:
        build_geography(store, data)
        made = load_areas(store, data)
        stdout.write("Geography: " + ", ".join(f"{n:,} {level}" for level, n in made.items()) + ".")
    else:
        stdout.write("Geography: already loaded.")
    results = import_police_uk(store, [data / "police-uk-street-lancashire"])
    fresh = [r for r in results if r.status == "imported"]
    if fresh:
        rows = sum(r.imported for r in fresh)
        stdout.write(f"police.uk street files: {len(fresh)} imported, {rows:,} records.")
    else:
        stdout.write(f"police.uk street files: all {len(results)} already imported, 0 new rows.")


def draft_assessment(stdout) -> None:
    """A draft strategic assessment of Lancashire South for the last 12 months of the data.

    The plans demo calls this once its plan is approved, so the draft reviews that plan."""
    south = Partnership.objects.filter(slug="lancashire-south").first()
    if south is None or not south.districts.exists():
        return
    built = Assessment.objects.filter(
        partnership=south, kind=Assessment.Kind.STRATEGIC, period_end="2022-11"
    )
    if built.exists():
        stdout.write("Strategic assessment: already built.")
        return
    assessment = build(partnership=south, end="2022-11", months=12)
    stdout.write(f"Strategic assessment: {assessment} (draft).")
