"""Intelligence operations that touch the relational store: geography Areas from the store, and
which partnerships an import's data belongs to (by the police forces of their districts)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import shapely
from django.db import transaction

from cdrp.accounts.policy import may_see_partner_import
from cdrp.core import objectstore
from cdrp.intelligence.reference import reference_data_dir, shipped_data_dir
from cdrp.partnerships.models import Area, Partnership
from cdrp.store import Store, load_geography
from cdrp.store.geography import read_table
from cdrp.store.schema import slugify

__all__ = [
    "demo_data_dir",
    "incident_store",
    "load_areas",
    "partnership_forces",
    "import_partnerships",
    "partner_data_filter",
]


def demo_data_dir() -> Path:
    """The bundled ONS and police.uk files (data/demo in the repository), for the demo.

    Production code reads reference data through `cdrp.intelligence.reference` instead."""
    return shipped_data_dir()


def incident_store() -> Store:
    """The configured store, with the import lock the database gives (cdrp.core.objectstore)."""
    return objectstore.incident_store()


def _rows(frame: pd.DataFrame) -> Iterator[Any]:
    """The frame's rows as named tuples (their fields are the frame's columns)."""
    return frame.itertuples(index=False)


def _geojson(wkb) -> str:
    if wkb is None or (isinstance(wkb, float) and pd.isna(wkb)):
        return ""
    return shapely.to_geojson(shapely.from_wkb(wkb))


def _iod(data_dir: Path) -> dict[str, dict]:
    path = data_dir / "iod2019-lad" / "IoD2019_lad.csv"
    if not path.exists():
        return {}
    frame = pd.read_csv(path, dtype={"lad19cd": str})
    out: dict[str, dict] = {}
    row: Any  # a row of the IoD table
    for row in frame.itertuples(index=False):
        out.setdefault(row.lad19cd, {})[row.index_domain] = {
            "average_score": float(row.average_score),
            "rank_average_score": int(row.rank_average_score),
            "proportion_bottom_decile": float(row.proportion_bottom_decile),
        }
    return out


@transaction.atomic
def load_areas(store: Store | None = None, data_dir: Path | None = None) -> dict[str, int]:
    """Create or update Area rows for forces, districts, wards and (bounded) LSOAs.

    Districts: every district of the national lookup (boundaries where bundled) with its ONS
    partnership, populations and IoD 2019 summaries in `attributes`. Wards and LSOAs: those with
    boundaries (Lancashire in the demo), each with its parent.
    """
    store = store or incident_store()
    data_dir = data_dir or reference_data_dir()
    districts = read_table(store, "districts")
    wards = read_table(store, "wards")
    lsoa = read_table(store, "lsoa")
    district_shapes = read_table(store, "district_shapes").set_index("district_code").geometry
    lsoa_shapes = read_table(store, "lsoa_shapes").set_index("lsoa_code").geometry
    iod = _iod(data_dir)
    made: dict[str, int] = {}
    row: Any  # rows of the lookup tables (pandas itertuples)
    r: Any

    def upsert(level: str, rows: list[dict]) -> dict[str, int]:
        existing = {a.code: a for a in Area.objects.filter(code__in=[r["code"] for r in rows])}
        fresh, changed = [], []
        for row in rows:
            area = existing.get(row["code"])
            if area is None:
                fresh.append(Area(level=level, **row))
                continue
            for key, value in row.items():
                # A parent set elsewhere (a district's county) is kept: ours is a fallback.
                if key == "parent_id" and area.parent_id is not None:
                    continue
                setattr(area, key, value)
            area.level = level
            changed.append(area)
        Area.objects.bulk_create(fresh, batch_size=500)
        fields = ["name", "level", "parent_id", "geometry", "attributes"]
        Area.objects.bulk_update(changed, fields, batch_size=500)
        made[level] = len(rows)
        return dict(Area.objects.filter(level=level).values_list("code", "id"))

    forces = districts.dropna(subset=["force_code"]).drop_duplicates("force_code")
    force_ids = upsert(
        Area.Level.FORCE,
        [
            {
                "code": r.force_code,
                "name": r.force_name,
                "parent_id": None,
                "geometry": "",
                "attributes": {},
            }
            for r in _rows(forces)
        ],
    )
    population_columns = [c for c in districts.columns if c.startswith("population_")]
    rows = []
    for row in districts.dropna(subset=["district_name"]).itertuples(index=False):
        attributes: dict[str, Any] = {
            "csp_code": row.csp_code if isinstance(row.csp_code, str) else None,
            "csp_name": row.csp_name if isinstance(row.csp_name, str) else None,
            # The force area, kept even where the district's parent is its county.
            "force_code": row.force_code if isinstance(row.force_code, str) else None,
            **{c: int(getattr(row, c)) for c in population_columns if not pd.isna(getattr(row, c))},
        }
        if row.district_code in iod:
            attributes["iod2019"] = iod[row.district_code]
        rows.append(
            {
                "code": row.district_code,
                "name": row.district_name,
                "parent_id": force_ids.get(row.force_code),
                "geometry": _geojson(district_shapes.get(row.district_code)),
                "attributes": attributes,
            }
        )
    district_ids = upsert(Area.Level.DISTRICT, rows)
    ward_ids = upsert(
        Area.Level.WARD,
        [
            {
                "code": r.ward_code,
                "name": r.ward_name,
                "parent_id": district_ids.get(r.district_code),
                "geometry": _geojson(r.geometry),
                "attributes": {"district_code": r.district_code},
            }
            for r in _rows(wards)
        ],
    )
    shaped = lsoa[lsoa.lsoa_code.isin(lsoa_shapes.index)]
    rows = []
    for r in shaped.itertuples(index=False):
        attributes = {"district_code": r.district_code, "ward_code": r.ward_code}
        if not pd.isna(r.population):
            attributes["population_2011"] = int(r.population)
        rows.append(
            {
                "code": r.lsoa_code,
                "name": r.lsoa_name,
                "parent_id": ward_ids.get(r.ward_code) or district_ids.get(r.district_code),
                "geometry": _geojson(lsoa_shapes.get(r.lsoa_code)),
                "attributes": attributes,
            }
        )
    upsert(Area.Level.LSOA, rows)
    return made


def partnership_forces(partnerships) -> dict[int, set[str]]:
    """The police forces, named as the store names them (``lancashire``), whose areas hold each
    partnership's districts: partnership id → force slugs (empty without the store's
    geography or districts)."""
    geography = load_geography(incident_store())
    force_of: dict[str, str] = {}
    if geography is not None and "force_name" in geography.districts.column_names:
        for row in geography.districts.select(["district_code", "force_name"]).to_pylist():
            if row["force_name"]:
                force_of[row["district_code"]] = slugify(row["force_name"])
    return {
        p.pk: {force_of[c] for c in p.districts.values_list("code", flat=True) if c in force_of}
        for p in partnerships
    }


def import_partnerships(record: dict, partnerships, forces: dict[int, set[str]]) -> list:
    """The partnerships among `partnerships` whose data an import (a manifest row) holds: those
    whose districts lie in a force the import's rows came from. A partner file whose mapping
    names no force (``partner``) belongs to none: site administrators alone see its rows."""
    held = set(record.get("forces") or ())
    return [p for p in partnerships if held & forces.get(p.pk, set())]


def partner_data_filter(user):
    """A test ``seen(source, forces) -> bool`` for what `user` may see of the store's data:
    police.uk data is public; a partner agency's data (its imports, its coverage) is seen by the
    partner members of the partnerships whose force area it covers, and site administrators."""
    partnerships = list(Partnership.objects.all())
    forces = partnership_forces(partnerships)

    def seen(source: str, row_forces) -> bool:
        if source == "police-uk":
            return True
        covered = import_partnerships({"forces": list(row_forces)}, partnerships, forces)
        return may_see_partner_import(user, covered)

    return seen
