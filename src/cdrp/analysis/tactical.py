"""Tactical assessment (tasking pack): what the tasking group should act on this month.

A pure builder over tables already read from the store: emerging hot-spots (Gi* on LSOAs over
the last ``window`` months, :mod:`cdrp.analysis.emerging`), exceedances (ward × category for the
month against its seasonal Poisson limit, :mod:`cdrp.analysis.exceedance`), repeat locations
(:mod:`cdrp.analysis.repeats`), near-repeat risk for burglary (Knox test in month bands,
:mod:`cdrp.analysis.nearrepeat`) and the open tasking actions. Every item carries its evidence
(the numbers and the monthly series behind it) so the page, PDF and JSON can show why it is listed.
The result is a JSON-serialisable dict.
"""

from __future__ import annotations

import json
import math
from collections.abc import Hashable, Iterable, Mapping
from typing import Any, cast

import numpy as np
import pandas as pd
import shapely

from cdrp.analysis.emerging import area_emerging_hotspots, area_table
from cdrp.analysis.exceedance import exceedances
from cdrp.analysis.harm import category_name
from cdrp.analysis.months import Month, MonthError, label, months_since, span_label
from cdrp.analysis.months import window as months_window
from cdrp.analysis.nearrepeat import knox_test
from cdrp.analysis.readings import (
    concentration_reading,
    exceedance_reading,
    fdr_reading,
    hotspot_reading,
    knox_reading,
)
from cdrp.analysis.repeats import repeat_locations

__all__ = [
    "KNOX_MIN_EVENTS",
    "WINDOW",
    "TacticalError",
    "build_tactical",
    "missing_boundaries",
    "parse_month",
]

#: Months of the emerging hot-spot window.
WINDOW = 6
#: Months of burglary used for the Knox test.
KNOX_MONTHS = 12
#: Fewer burglaries than this: the Knox test is not run.
KNOX_MIN_EVENTS = 30
KNOX_DISTANCES = (200.0, 400.0, 800.0)
KNOX_TIMES = (0.0, 1.0, 2.0)
KNOX_PERMUTATIONS = 99
SEED = 20260401
HOTSPOT_PERMUTATIONS = 99
_EMERGING = ("new", "consecutive", "intensifying", "persistent", "sporadic")


#: The map's colours: hot spots red, exceedances one colour per crime type (GOV.UK palette).
HOTSPOT_COLOUR = "#d4351c"
CATEGORY_PALETTE = (
    "#1d70b8",
    "#4c2c92",
    "#00703c",
    "#28a197",
    "#b58840",
    "#912b88",
    "#85994b",
    "#003078",
    "#d53880",
    "#f47738",
)


class TacticalError(ValueError):
    """Bad input to the tactical assessment (a month without data, a window too long, …)."""


def _num(v: Any) -> int | float | None:
    """A JSON-safe number (NaN/inf become None)."""
    if v is None:
        return None
    v = float(v)
    if not math.isfinite(v):
        return None
    return int(v) if v.is_integer() else round(v, 4)


def parse_month(value: object) -> Month:
    """``YYYY-MM`` as a `Month` (`cdrp.analysis.months`); TacticalError otherwise.

    >>> str(parse_month("2022-11") - 12)
    '2021-11'
    """
    if not isinstance(value, str) or value != value.strip():
        raise TacticalError(f"month must be YYYY-MM, got {value!r}")
    try:
        return Month.parse(value)
    except MonthError:
        raise TacticalError(f"month must be YYYY-MM, got {value!r}") from None


def _listed(districts: dict[str, str], codes: list[str]) -> str:
    names = [f"{districts.get(c, c)} ({c})" for c in codes]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def missing_boundaries(
    districts: dict[str, str], no_lsoa: list[str], no_wards: list[str]
) -> list[str]:
    """The pack's notices for districts without LSOA or ward boundaries, naming the input and
    how to load it.

    >>> missing_boundaries({"E07000001": "Somewhere"}, [], ["E07000001"])[0][:53]
    'No ward boundaries for Somewhere (E07000001): exceeda'
    """
    out = []

    def hint(layer: str, codes: list[str]) -> str:
        return (
            f"load the {layer} boundary files with `cdrp import geography PATH…` or `cdrp fetch "
            f"geography --district {' '.join(codes)}`"
        )

    if no_wards:
        it = "it" if len(no_wards) == 1 else "them"
        out.append(
            f"No ward boundaries for {_listed(districts, no_wards)}: exceedances (ward × "
            f"category) leave {it} out and its hot-spots have no ward name; "
            f"{hint('ward', no_wards)}."
        )
    if no_lsoa:
        it = "it" if len(no_lsoa) == 1 else "them"
        out.append(
            f"No LSOA boundaries for {_listed(districts, no_lsoa)}: emerging hot-spots (Gi*) and "
            f"the map leave {it} out; {hint('LSOA', no_lsoa)}."
        )
    return out


def build_tactical(
    *,
    month: str,
    partnership: Mapping[str, Any],
    lsoa: pd.DataFrame,
    lsoa_monthly: pd.DataFrame,
    shapes: Mapping[str, object],
    ward_category: pd.DataFrame,
    ward_shapes: Mapping[str, object] | None = None,
    months_covered: Iterable[str] | None = None,
    burglary: pd.DataFrame | None = None,
    actions: list[dict[str, Any]] | None = None,
    window: int = WINDOW,
    top: int = 10,
    knox_min_events: int = KNOX_MIN_EVENTS,
    missing: list[str] | None = None,
    district_names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Build the tasking pack for ``month``.

    Parameters
    ----------
    month : str
        Target month ``YYYY-MM``.
    partnership : dict
        ``slug`` and ``name``.
    lsoa : pandas.DataFrame
        The partnership's LSOAs: ``lsoa, lsoa_name, district, ward, ward_name``.
    lsoa_monthly : pandas.DataFrame
        ``month, lsoa, count`` for at least the ``window`` months ending at ``month``.
    shapes : dict
        LSOA code → WGS84 shapely geometry (or WKB).
    ward_category : pandas.DataFrame
        ``month, ward, category, count`` for the month and its baseline (up to 36 months before).
    ward_shapes : dict, optional
        Ward code → WGS84 geometry (or WKB), for the exceedance map layer.
    months_covered : iterable of str, optional
        Months with data (default: months present in ``lsoa_monthly``/``ward_category``).
    burglary : pandas.DataFrame, optional
        ``x, y, month`` of burglaries (British National Grid metres) over the Knox window.
    actions : list of dict, optional
        Open tasking actions (already JSON-serialisable).
    window : int
        Months of the emerging hot-spot window.
    top : int
        Repeat locations listed.
    knox_min_events : int
        Fewer burglaries than this: the Knox test is not run and a note says so.
    missing : list of str, optional
        Notices of inputs the caller lacked (`missing_boundaries`): they head ``notes`` and are
        the pack's ``warnings``, with any part this builder could not compute.
    district_names : dict, optional
        District code → name, for the map's district boundary layer and labels.

    Returns
    -------
    dict
        ``partnership, month, window, emerging, exceedances, repeats, near_repeat, actions,
        map, notes, warnings``.

    Raises
    ------
    TacticalError
        The month has no data, or the window is longer than the data.
    """

    target = parse_month(month)
    month = str(target)
    if window < 2:
        raise TacticalError(f"the window must be at least 2 months, got {window}")
    covered = sorted(
        set(months_covered)
        if months_covered is not None
        else set(lsoa_monthly["month"].astype(str)) | set(ward_category["month"].astype(str))
    )
    if month not in covered:
        span = span_label(covered[0], covered[-1]) if covered else "none"
        raise TacticalError(f"no data for {label(month)}: the store holds {span}")
    wanted = months_window(month, window)
    held = [m for m in wanted if m in covered]
    if len(held) < window:
        first = covered[0]
        raise TacticalError(
            f"a window of {window} months ending {label(month)} starts before the data "
            f"(first month with data {label(first)}; {len(held)} of the {window} months held): "
            "shorten the window or choose a later month"
        )
    warnings: list[str] = list(missing or [])
    notes: list[str] = list(warnings)

    def geom(g: object) -> object:
        return shapely.from_wkb(g) if isinstance(g, bytes | bytearray) else g

    # --- Emerging hot-spots (LSOAs, queen contiguity) -------------------------------------------
    names = lsoa.set_index("lsoa")
    codes = [c for c in lsoa["lsoa"] if c in shapes]
    table = area_table(lsoa_monthly, "lsoa", codes, held)
    emerging: list[dict[str, Any]] = []
    patterns: dict[Hashable, str] = {}
    if len(codes) >= 3:
        try:
            classes = area_emerging_hotspots(
                table, shapes, permutations=HOTSPOT_PERMUTATIONS, seed=SEED
            )
        except ValueError as exc:
            # e.g. a month where every LSOA has the same count: say so, keep the rest of the pack
            notes.append(f"Emerging hot-spots were not analysed: {exc}.")
            classes = pd.DataFrame({"pattern": pd.Series(dtype=str)})
        patterns = classes["pattern"].astype(str).to_dict()
        for code, row in classes.iterrows():
            pattern = str(row["pattern"])
            if "hot" not in pattern or not any(k in pattern for k in _EMERGING):
                continue
            series = [int(v) for v in table[code].tolist()]
            emerging.append(
                {
                    "id": f"hotspot-{code}",
                    "lsoa": code,
                    "lsoa_name": str(names.at[code, "lsoa_name"]),
                    "ward_name": _ward_name(names, code),
                    "pattern": pattern,
                    "reading": hotspot_reading(str(names.at[code, "lsoa_name"]), pattern),
                    "records": int(sum(series)),
                    "records_month": series[-1],
                    "evidence": {
                        "method": (
                            f"Getis-Ord Gi* on {len(codes)} LSOAs (queen contiguity, binary "
                            f"weights, normal p-values, FDR 5%) for each month {label(held[0])} to "
                            f"{label(held[-1])}; patterns as in the glossary (emerging hot spot)"
                        ),
                        "months": held,
                        "series": series,
                        **{
                            k: _num(row[k])
                            for k in classes.columns
                            if k != "pattern"
                            and isinstance(dtype := classes[k].dtype, np.dtype)
                            and np.issubdtype(dtype, np.number)
                        },
                    },
                }
            )
        order = {k: i for i, k in enumerate(_EMERGING)}
        emerging.sort(
            key=lambda e: (min(v for k, v in order.items() if k in e["pattern"]), -e["records"])
        )
    else:
        note = (
            f"Emerging hot-spots were not analysed: Gi* needs the boundaries of at least 3 LSOAs, "
            f"{len(codes)} of the partnership's {len(lsoa)} LSOAs have one loaded."
        )
        notes.append(note)
        warnings.append(note)

    # --- Exceedances (ward × category) ----------------------------------------------------------
    wc = ward_category.rename(columns={"ward": "area"})
    wc = wc[wc["area"].notna()]
    ward_names = lsoa.drop_duplicates("ward").set_index("ward")["ward_name"]
    if wc.empty:
        note = (
            f"Exceedances were not analysed: no record of the partnership up to {month} lies in "
            "a loaded ward."
        )
        notes.append(note)
        if not any(m.startswith("No ward boundaries") for m in warnings):
            warnings.append(note)
        alerts = pd.DataFrame(columns=["area", "category"])
    else:
        try:
            alerts = exceedances(
                wc[["area", "category", "month", "count"]],
                month,
                months_covered=[m for m in covered if m <= month],
            )
        except ValueError as exc:
            raise TacticalError(f"exceedances for {month}: {exc}") from exc
    base_start = str(target - 12)
    wcs = wc.assign(month=wc["month"].astype(str))
    exceed: list[dict[str, Any]] = []
    alert: Any  # a row of `exceedances` (pandas types its fields as any scalar)
    for i, alert in enumerate(alerts.itertuples(index=False)):
        area, cat = alert.area, alert.category
        s = wcs[
            (wcs["area"] == area)
            & (wcs["category"] == cat)
            & (wcs["month"] >= base_start)
            & (wcs["month"] <= month)
        ]
        months13 = [m for m in months_window(month, 13) if m in covered]
        by = s.groupby("month")["count"].sum()
        exceed.append(
            {
                "id": f"exceedance-{i + 1}",
                "ward": str(area),
                "ward_name": str(ward_names.get(area, area)),
                "category": str(cat),
                "category_name": category_name(cat) or str(cat),
                "reading": exceedance_reading(
                    str(ward_names.get(area, area)),
                    category_name(cat) or str(cat),
                    int(alert.observed),
                    float(alert.expected),
                    float(alert.upper_limit),
                ),
                "month": month,
                "observed": int(alert.observed),
                "expected": _num(alert.expected),
                "upper_limit": _num(alert.upper_limit),
                "excess": _num(alert.excess),
                "excess_over_limit": _num(alert.excess_over_limit),
                "ratio": _num(alert.ratio),
                "evidence": {
                    "method": (
                        "observed above the 99% Poisson upper limit of the expected count "
                        "(mean of the 12 months before × seasonal factor)"
                    ),
                    "baseline_mean": _num(alert.baseline_mean),
                    "seasonal_factor": _num(alert.seasonal_factor),
                    "seasonal_years_used": _num(alert.seasonal_years_used),
                    "p_value": _num(alert.p_value),
                    "months": months13,
                    "series": [int(by.get(m, 0)) for m in months13],
                },
            }
        )

    # --- Repeat locations (LSOAs over the window) -----------------------------------------------
    # single-level columns: stack gives a Series (the stubs allow a DataFrame)
    long = cast("pd.Series[Any]", table.stack()).rename("n").reset_index()
    long = long[long["n"] > 0]
    records = long.loc[long.index.repeat(long["n"].astype(int)), ["month", "lsoa"]]
    repeats: dict[str, Any] = {"window": [held[0], held[-1]], "items": [], "total": 0}
    if len(records):
        rep = repeat_locations(records, "lsoa", start=held[0], end=held[-1], top=top)
        repeats["total"] = int(rep.attrs["total"])
        repeats["places"] = int(rep.attrs["places"])
        repeats["share_top"] = _num(rep["share"].sum())
        repeats["reading"] = concentration_reading(
            len(rep), float(rep["share"].sum()), repeats["total"]
        )
        r: Any  # a row of `repeat_locations`
        for r in rep.itertuples(index=False):
            repeats["items"].append(
                {
                    "id": f"repeat-{r.lsoa}",
                    "lsoa": r.lsoa,
                    "lsoa_name": str(names.at[r.lsoa, "lsoa_name"]),
                    "records": int(r.records),
                    "share": _num(r.share),
                    "cumulative_share": _num(r.cumulative_share),
                    "rank": int(r.rank),
                    "evidence": {"months": held, "series": [int(v) for v in table[r.lsoa]]},
                }
            )

    # --- Near-repeat (Knox, burglary, month bands) ----------------------------------------------
    near: dict[str, Any] = {"category": "burglary", "ran": False}
    n_events = 0 if burglary is None else len(burglary)
    if burglary is None or n_events < knox_min_events:
        near["note"] = (
            f"Knox test not run: {n_events} burglaries with a location in the last "
            f"{KNOX_MONTHS} months, fewer than the {knox_min_events} it needs."
        )
    else:
        try:
            res = knox_test(
                burglary["x"].to_numpy(float),
                burglary["y"].to_numpy(float),
                months_since(burglary["month"].astype(str)),
                KNOX_DISTANCES,
                KNOX_TIMES,
                permutations=KNOX_PERMUTATIONS,
                seed=SEED,
            )
        except ValueError as exc:
            near["note"] = f"Knox test not run: {exc}"
        else:
            cells: list[dict[Hashable, Any]] = [
                {k: (_num(v) if not isinstance(v, str) else v) for k, v in rec.items()}
                for rec in res.to_frame().to_dict("records")
            ]
            sig = [c for c in cells if c["p_value"] is not None and c["p_value"] <= 0.05]
            near.update(
                ran=True,
                n_events=int(res.n_events),
                permutations=int(res.permutations),
                seed=res.seed,
                distance_bands_m=list(KNOX_DISTANCES),
                time_bands_months=list(KNOX_TIMES),
                cells=cells,
                significant=sig,
                reading=knox_reading(
                    True, [(str(c["distance_band"]), str(c["time_band"])) for c in sig]
                ),
                note=(
                    f"Knox test on {res.n_events} burglaries (month precision), "
                    f"{res.permutations} permutations; "
                    + (
                        f"{len(sig)} distance × time cells above chance (p ≤ 0.05): "
                        "near-repeat risk after a burglary."
                        if sig
                        else "no cell above chance (p ≤ 0.05): no near-repeat signal."
                    )
                ),
            )

    near.setdefault("reading", knox_reading(False))

    # --- Map (GeoJSON, WGS84) -------------------------------------------------------------------
    hot_codes = {e["lsoa"] for e in emerging}
    feats: list[dict[str, Any]] = []
    for c in codes:
        g = shapely.simplify(geom(shapes[c]), 0.0001, preserve_topology=True)
        feats.append(
            {
                "type": "Feature",
                "geometry": _geojson(g),
                "properties": {
                    "code": c,
                    "name": str(names.at[c, "lsoa_name"]),
                    "pattern": patterns.get(c, ""),
                    "records": int(table[c].sum()),
                    "hot": c in hot_codes,
                },
            }
        )
    ex_feats: list[dict[str, Any]] = []
    if ward_shapes:
        for e in exceed:
            g = ward_shapes.get(e["ward"])
            if g is None:
                continue
            g = shapely.simplify(geom(g), 0.0001, preserve_topology=True)
            ex_feats.append(
                {
                    "type": "Feature",
                    "geometry": _geojson(g),
                    "properties": {
                        "id": e["id"],
                        "name": e["ward_name"],
                        "category": e["category_name"],
                        "observed": e["observed"],
                        "expected": e["expected"],
                    },
                }
            )
    # Exceedances coloured by crime type (one colour per type, named in the legend).
    cats = sorted({f["properties"]["category"] for f in ex_feats})
    colour = {c: CATEGORY_PALETTE[i % len(CATEGORY_PALETTE)] for i, c in enumerate(cats)}
    for f in ex_feats:
        f["properties"]["colour"] = colour[f["properties"]["category"]]
    legend = [
        {"kind": "hotspot", "label": "Emerging hot spot (neighbourhood)", "colour": HOTSPOT_COLOUR},
        *(
            {"kind": "exceedance", "label": f"Exceedance: {c} (ward)", "colour": colour[c]}
            for c in cats
        ),
        {"kind": "district", "label": "District boundary", "colour": "#0b0c0c"},
        {"kind": "ward", "label": "Ward boundary", "colour": "#505a5f"},
        {"kind": "lsoa", "label": "Neighbourhood (LSOA) boundary", "colour": "#b1b4b6"},
    ]

    # Context layers: every ward and district of the partnership, named, to orient by.
    ward_feats: list[dict[str, Any]] = []
    for code, g in (ward_shapes or {}).items():
        if code not in ward_names.index:
            continue
        g = shapely.simplify(geom(g), 0.0001, preserve_topology=True)
        point = g.representative_point()
        ward_feats.append(
            {
                "type": "Feature",
                "geometry": _geojson(g),
                "properties": {
                    "code": str(code),
                    "name": str(ward_names.get(code, code)),
                    "label_at": [round(point.x, 5), round(point.y, 5)],
                },
            }
        )
    district_feats: list[dict[str, Any]] = []
    if "district" in lsoa:
        for code, group in lsoa.groupby("district"):
            parts = [geom(shapes[c]) for c in group["lsoa"] if c in shapes]
            if not parts:
                continue
            # Neighbourhood shapes simplified one by one leave slivers between them: close
            # them (out by about 30 m and back) so the district shows as its outline only.
            merged = shapely.union_all([shapely.buffer(p, 0.0003) for p in parts])
            g = shapely.simplify(shapely.buffer(merged, -0.0003), 0.0002, preserve_topology=True)
            point = g.representative_point()
            district_feats.append(
                {
                    "type": "Feature",
                    "geometry": _geojson(g),
                    "properties": {
                        "code": str(code),
                        "name": str((district_names or {}).get(str(code), code)),
                        "label_at": [round(point.x, 5), round(point.y, 5)],
                    },
                }
            )
    fc = {"type": "FeatureCollection"}
    return {
        "kind": "tactical",
        "partnership": partnership,
        "month": month,
        "window": {"months": window, "start": held[0], "end": held[-1]},
        "emerging": emerging,
        "emerging_reading": fdr_reading(len(codes), len(emerging)) if len(codes) >= 3 else "",
        "exceedances": exceed,
        "repeats": repeats,
        "near_repeat": near,
        "actions": list(actions or []),
        "map": {
            "lsoas": {**fc, "features": feats},
            "hotspots": {**fc, "features": [f for f in feats if f["properties"]["hot"]]},
            "exceedances": {**fc, "features": ex_feats},
            "wards": {**fc, "features": ward_feats},
            "districts": {**fc, "features": district_feats},
        },
        "map_legend": legend,
        "notes": notes,
        "warnings": warnings,
    }


def _ward_name(names: pd.DataFrame, code: Hashable) -> str:
    """The LSOA's ward name; "no ward" when no loaded ward covers it (never a nearest name)."""
    if "ward_name" not in names:
        return ""
    value = names.at[code, "ward_name"]
    return str(value) if isinstance(value, str) and value else "no ward"


def _geojson(g: object) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(shapely.to_geojson(shapely.set_precision(g, 1e-6)))
    return out
