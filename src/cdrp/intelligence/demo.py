"""Demo data for intelligence: the geography lookups and every bundled police.uk street file;
`load_seeds` adds seed partnerships (``cdrp demo --partnership SLUG``) on its own force's data."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.core.management.base import CommandError

from cdrp.analysis.peers import force_slug
from cdrp.intelligence.assessments import build, covered_months, latest_month
from cdrp.intelligence.models import Assessment
from cdrp.intelligence.reference import reference_data_dir
from cdrp.intelligence.services import demo_data_dir, incident_store, load_areas
from cdrp.partnerships.models import Partnership
from cdrp.partnerships.structure import import_structure
from cdrp.store import build_geography, import_police_uk, load_geography
from cdrp.store.geography import read_table


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


def seed_files() -> dict[str, Path]:
    """Each seed partnership's slug → its structure file (``data/seeds`` beside ``data/demo``)."""
    out = {}
    for path in sorted((demo_data_dir().parent / "seeds").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            out[doc["partnership"]["slug"]] = path
    return out


def load_seeds(stdout, slugs: list[str], seed_data: Path) -> list[Partnership]:
    """Add seed partnerships to the demo: their structure files, the national LSOA and ward
    boundary files of their districts and their forces' police.uk folders from `seed_data` (laid
    out as the development workspace's shared/data), and a draft strategic assessment of each
    one's months (the last 12 its force holds). The boundaries of all of them are read in one
    rebuild of the geography, before any assessment is built.

    Raises
    ------
    CommandError
        An unknown slug or a missing file, naming it.
    """
    files = seed_files()
    unknown = [s for s in slugs if s not in files]
    if unknown:
        raise CommandError(
            f"--partnership: no seed partnership {unknown[0]!r}; known: {', '.join(files)}"
        )
    partnerships = []
    for slug in dict.fromkeys(slugs):
        path = files[slug]
        import_structure(path.read_text(encoding="utf-8"), path.name)
        partnerships.append(Partnership.objects.get(slug=slug))
    codes = [c for p in partnerships for c in p.districts.values_list("code", flat=True)]
    boundaries = [
        seed_data / folder / f"{code}.json.gz"
        for folder in ("uk-geojson-lsoa2011-national", "uk-geojson-wards2013-national")
        for code in dict.fromkeys(codes)
    ]
    absent = [str(p) for p in boundaries if not p.exists()]
    if absent:
        raise CommandError(f"--seed-data: boundary file(s) not found: {', '.join(absent)}")
    store = incident_store()
    build_geography(store, reference_data_dir(), boundaries=boundaries)
    load_areas(store)
    stdout.write(f"Geography: boundaries of {len(set(codes))} seed district(s) added.")
    forces = read_table(store, "districts").set_index("district_code")["force_name"]
    for force in sorted({force_slug(str(forces[c])) for c in codes}):
        folder = seed_data / f"police-uk-street-{force}"
        if not folder.is_dir():
            raise CommandError(f"--seed-data: no police.uk folder {folder}")
        results = import_police_uk(store, [folder])
        rows = sum(r.imported for r in results if r.status == "imported")
        stdout.write(f"police.uk street files ({force}): {rows:,} new records.")
    end = latest_month(store)
    for partnership in partnerships:
        own = list(partnership.districts.values_list("code", flat=True))
        months = len([m for m in covered_months(store, own) if m <= (end or "")][-12:])
        if end and months:
            assessment = build(partnership=partnership, end=end, months=months)
            stdout.write(f"{partnership.name}: {assessment} (draft).")
    return partnerships
