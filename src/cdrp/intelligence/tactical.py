"""Tactical assessment service: read a partnership's month from the store, build the pack.

Reads LSOA monthly counts, ward × category counts, burglary points and LSOA/ward shapes from the
incident store (as cdrp.intelligence.assessments does) and the open tasking actions from the
meetings app, then calls the pure builder cdrp.analysis.tactical.build_tactical.
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd
from django.core.cache import cache

from cdrp.analysis.months import label, span_label
from cdrp.analysis.tactical import (
    KNOX_MONTHS,
    WINDOW,
    TacticalError,
    build_tactical,
    missing_boundaries,
    parse_month,
)
from cdrp.analysis.weights import to_bng
from cdrp.intelligence.assessments import covered_months, latest_month
from cdrp.intelligence.services import incident_store
from cdrp.meetings import restricted
from cdrp.meetings.models import Action
from cdrp.store import Store, counts
from cdrp.store.geography import has_table, read_table
from cdrp.store.query import points

__all__ = ["TacticalError", "open_actions", "tactical_assessment"]

# Exceedance baseline (12 months) plus two earlier years for the seasonal factor.
_HISTORY_MONTHS = 36


def open_actions(partnership, reader=None) -> list[dict]:
    """Open actions of the partnership's tasking groups, JSON-serialisable. A restricted group's
    actions are included only for a `reader` who may read them, each audited as one read."""
    rows = list(
        restricted.visible_actions(
            Action.objects.filter(partnership=partnership, status="open", group__kind="tasking"),
            reader,
            partnership,
        )
        .select_related("owner", "group", "meeting")
        .order_by("due", "pk")
    )
    restricted.audit_reads(rows, reader)
    return [
        {
            "id": a.pk,
            "description": a.description,
            "owner": str(a.owner),
            "group": str(a.group),
            "due": a.due.isoformat(),
            "hotspot": a.hotspot or "",
            "priority": a.priority or "",
            "meeting": str(a.meeting) if a.meeting_id else "",
        }
        for a in rows
    ]


def tactical_assessment(
    partnership,
    month: str | None = None,
    *,
    window: int = WINDOW,
    store: Store | None = None,
    actions: list[dict] | None = None,
    reader=None,
) -> dict:
    """The tasking pack of ``partnership`` for ``month`` (default the latest month in the store).

    ``actions`` replaces the open tasking actions read from the database (for benchmarks).
    ``reader`` is the user the pack is for: restricted groups' actions are theirs only.

    Raises
    ------
    TacticalError
        No geography, no districts, a month without data, a window longer than the data.
    """
    store = store or incident_store()
    if not has_table(store, "lsoa"):
        raise TacticalError(
            "the incident store has no geography tables: run `cdrp import geography` first"
        )
    districts = {d.code: d.name for d in partnership.districts.all()}
    codes = list(districts)
    if not codes:
        raise TacticalError(f"partnership {partnership.slug!r} has no districts")
    month = month or latest_month(store)
    if not month:
        raise TacticalError("the incident store holds no police.uk months")
    target = parse_month(month)
    month = str(target)
    # The pack's analysis depends only on the store's committed state, the districts, the month
    # and the window: it is kept in the cache under that version (an import makes a new key), and
    # only the open actions, which depend on the reader and change with every decision, are read
    # afresh on every view.
    key = (
        "tactical:"
        + hashlib.sha256(
            json.dumps(
                [str(store.root), store.state().get("version"), codes, month, window]
            ).encode()
        ).hexdigest()
    )
    pack = cache.get(key)
    if pack is None:
        pack = _analyse(store, partnership, districts, codes, target, window)
        cache.set(key, pack, timeout=24 * 3600)
    return {
        **pack,
        "actions": open_actions(partnership, reader) if actions is None else list(actions),
    }


def _analyse(store: Store, partnership, districts: dict, codes: list, target, window: int) -> dict:
    """The pack without its actions (see tactical_assessment)."""
    month = str(target)
    covered = covered_months(store, codes)
    if month not in covered:
        span = span_label(covered[0], covered[-1]) if covered else "none"
        raise TacticalError(f"no data for {label(month)}: the store holds {span}")

    lsoa = read_table(
        store, "lsoa", ["lsoa_code", "lsoa_name", "district_code", "ward_code", "ward_name"]
    )
    lsoa = lsoa[lsoa["district_code"].isin(codes)].rename(
        columns={"lsoa_code": "lsoa", "district_code": "district", "ward_code": "ward"}
    )
    area = {"district": codes}
    start = str(target - (window - 1))
    lsoa_monthly = counts(
        store, ["month", "lsoa"], start=start, end=month, areas=area, output="pandas"
    )
    ward_category = counts(
        store,
        ["month", "ward", "category"],
        start=str(target - _HISTORY_MONTHS),
        end=month,
        areas=area,
        output="pandas",
    )
    for df in (lsoa_monthly, ward_category):
        df["month"] = df["month"].astype(str).str[:7]
    shapes_lsoa = read_table(store, "lsoa_shapes")
    shapes = dict(zip(shapes_lsoa["lsoa_code"], shapes_lsoa["geometry"], strict=True))
    shapes = {c: shapes[c] for c in lsoa["lsoa"] if c in shapes}
    wards = read_table(store, "wards")
    wards = wards[wards["district_code"].isin(codes)]
    ward_shapes = dict(zip(wards["ward_code"], wards["geometry"], strict=True))
    with_shapes = set(lsoa.loc[lsoa["lsoa"].isin(list(shapes)), "district"])
    missing = missing_boundaries(
        districts,
        [c for c in codes if c not in with_shapes],
        [c for c in codes if c not in set(wards["district_code"])],
    )

    burg = points(
        store,
        start=str(target - (KNOX_MONTHS - 1)),
        end=month,
        categories=["burglary"],
        districts=codes,
        output="pandas",
    )
    burglary = None
    if len(burg):
        x, y = to_bng(burg["lon"].to_numpy(float), burg["lat"].to_numpy(float))
        burglary = pd.DataFrame({"x": x, "y": y, "month": burg["month"].astype(str)})

    return build_tactical(
        month=month,
        partnership={"slug": partnership.slug, "name": partnership.name},
        lsoa=lsoa,
        lsoa_monthly=lsoa_monthly,
        shapes=shapes,
        ward_category=ward_category,
        ward_shapes=ward_shapes,
        months_covered=covered,
        burglary=burglary,
        actions=[],
        window=window,
        missing=missing,
        district_names=districts,
    )
