"""Strategic assessment assembly: the structured document built from frames the caller gathers.

The statutory strategic assessment (and its six-month refresh) is built here as plain data —
sections, tables, figures and findings, each finding pointing at the table rows it rests on — so it
can be stored as JSON, re-rendered identically to HTML or PDF, and exported. Nothing here reads the
store or the database: `cdrp.intelligence.assessments` gathers the inputs and calls
:func:`build_assessment`. The statistics are the ones in `cdrp.analysis` (change, trend,
concentration, harm, rates, peers, funnel, decompose, concern, priorities); this module only
chooses what to compute and how to lay it out.

Sections (numbered as in the document):

1. Levels and patterns — counts, rates per 1,000, harm beside counts, seasonality, concentration.
2. Changes — exact Poisson conditional test, rate ratio, 95% interval and verdict per category
   and district against the previous 12 months (for a 12-month window these are the same months
   a year before) and, for a shorter window, the same months a year before; the 3-year trend.
3. Why — contributions of categories, districts and district × category to the change; the
   rate change split into rate and population effects (Kitagawa); hot-spots (another module).
4. Effectiveness of last year's plan — from a plan given as data (see `PLAN_SCHEMA`), or
   outcomes already judged from the plan records (`cdrp.plans.performance.plan_review`).
5. Community views — ranked concerns from a survey beside the recorded picture.
6. Comparison with similar areas — family funnel of each district.
7. Priorities — the scoring matrix with evidence references; the recommended priorities.
8. (Refresh only) What moved since the annual assessment.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cdrp.analysis.change import compare_periods, month_window
from cdrp.analysis.concentration import concentration
from cdrp.analysis.concern import rank_concerns
from cdrp.analysis.decompose import contributions, rate_change_decomposition
from cdrp.analysis.funnel import funnel, funnel_curve
from cdrp.analysis.harm import category_name, check_weights
from cdrp.analysis.peers import family, peer_groups
from cdrp.analysis.priorities import DEFAULT_WEIGHTS, peer_position, score_priorities
from cdrp.analysis.rates import rates
from cdrp.analysis.trend import monthly_series, same_period_last_year, year_totals

__all__ = [
    "AssessmentError",
    "AssessmentInputs",
    "PLAN_SCHEMA",
    "SCHEMA_VERSION",
    "build_assessment",
    "plan_outcomes",
    "what_moved",
]

SCHEMA_VERSION = 1
#: How many recommended priorities the document names.
RECOMMENDED = 5
#: Simplification tolerance for map boundaries, in metres (British National Grid).
MAP_TOLERANCE = 25.0

PLAN_SCHEMA = """\
# A previous plan kept outside cdrp's plan records (cdrp assess … --plan plan.yaml).
plan: Lancashire South Partnership Plan 2021-22      # title (required)
period: {start: 2021-12, end: 2022-11}               # months the targets apply to (required)
priorities:                                          # one or more (required)
  - name: Reduce burglary                            # (required)
    indicators:                                      # one or more (required)
      - name: Recorded burglary                      # (required)
        categories: [burglary]                       # police.uk slugs or names (required)
        target:                                      # exactly one of:
          change_percent: -5      # change against as many months just before the period, or
          # at_most: 900          # a count not to exceed in the plan period, or
          # at_least: 100         # a count to reach (e.g. drug-possession detections)
"""

Report = Callable[[int, int, str], None]


class AssessmentError(ValueError):
    """The inputs cannot make an assessment; the message says which input and why."""


@dataclass
class AssessmentInputs:
    """Everything a build needs, already read from the store, registry and files.

    Category columns hold police.uk slugs or names (names are used in the document). Months are
    ``YYYY-MM`` strings. Every count frame holds *records*, never rates.
    """

    partnership: dict  # {"slug": ..., "name": ...}
    districts: dict[str, str]  # code -> name, the partnership's districts
    end: str
    months: int
    monthly: pd.DataFrame  # month, district, category, count (partnership, as far back as held)
    covered_months: Sequence[str]
    populations: Mapping[str, float]  # district -> population (population_year)
    population_year: int
    lsoa: pd.DataFrame  # lsoa, lsoa_name, ward, district, population, count (current window)
    wards: pd.DataFrame  # ward, ward_name, district, population, count (current window)
    weights: pd.Series | Mapping[str, float]
    weights_source: str
    peer_counts: pd.DataFrame  # district, category, count (current window, districts with data)
    peer_populations: Mapping[str, float]
    peer_names: Mapping[str, str]
    features: pd.DataFrame | None = None  # cdrp.analysis.peers.district_features
    k: int = 15
    populations_baseline: Mapping[str, float] | None = None
    population_baseline_year: int | None = None
    shapes: Mapping[str, Mapping[str, object]] | None = None  # {"lsoa"|"ward": {code: geom}}
    survey: pd.DataFrame | None = None  # cdrp.analysis.concern.read_survey output
    survey_source: str | None = None
    plan: Mapping | None = None
    plan_source: str | None = None
    priority_weights: Mapping[str, float] | None = None
    kind: str = "strategic"
    annual: Mapping | None = None  # the annual assessment's object, for a refresh
    sources: list[dict] = field(default_factory=list)
    lsoa_monthly: pd.DataFrame | None = None  # month, lsoa, count (the window's months with data)


# -- small helpers ----------------------------------------------------------------------------


def _num(value):
    """A JSON-safe number: NaN and infinities become None, numpy scalars plain Python."""
    if value is None:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return None if math.isnan(value) or math.isinf(value) else value
    return value


def _records(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict]:
    out = []
    for row in frame[list(columns)].itertuples(index=False):
        out.append({c: _num(v) for c, v in zip(columns, row, strict=True)})
    return out


def _table(
    table_id: str, title: str, frame: pd.DataFrame, columns: list[tuple], key: str, note: str = ""
) -> dict:
    """A document table: columns as (key, label, format) and rows keyed for evidence links."""
    keys = [c[0] for c in columns]
    rows = _records(frame, keys)
    for row, k in zip(rows, frame[key].tolist(), strict=True):
        row["_key"] = str(k)
    return {
        "id": table_id,
        "title": title,
        "columns": [{"key": c[0], "label": c[1], "format": c[2]} for c in columns],
        "rows": rows,
        "note": note,
    }


def _ref(table_id: str, key) -> str:
    return f"{table_id}#{key}"


def _fmt(n) -> str:
    return f"{int(round(n)):,}"


def _window_text(months: pd.PeriodIndex) -> str:
    return f"{months[0].strftime('%b %Y')} to {months[-1].strftime('%b %Y')}"


def _name(value: str) -> str:
    name = category_name(value)
    if name is None:
        raise AssessmentError(f"'{value}' in the incident data is not a police.uk category")
    return name


# -- checks -----------------------------------------------------------------------------------


def _check(inputs: AssessmentInputs) -> tuple[pd.PeriodIndex, list[str]]:
    if inputs.kind not in ("strategic", "refresh"):
        raise AssessmentError(f"kind must be 'strategic' or 'refresh', not {inputs.kind!r}")
    if not inputs.districts:
        raise AssessmentError(
            f"partnership {inputs.partnership.get('slug')} has no districts: "
            "add its districts in the registry or give them with --districts"
        )
    try:
        window = month_window(inputs.end, inputs.months)
    except ValueError as exc:
        raise AssessmentError(f"period: {exc}") from None
    covered = {str(pd.Period(m, freq="M")) for m in inputs.covered_months}
    missing = [str(m) for m in window if str(m) not in covered]
    if len(missing) == len(window):
        held = sorted(covered)
        span = f"{held[0]} to {held[-1]}" if held else "no months at all"
        raise AssessmentError(
            f"no incident data for the period {window[0]}..{window[-1]}: the store holds {span}"
        )
    no_pop = [
        f"{code} {name}"
        for code, name in inputs.districts.items()
        if not (_num(inputs.populations.get(code)) or 0) > 0
    ]
    if no_pop:
        raise AssessmentError(
            f"no mid-{inputs.population_year} population for district(s) {', '.join(no_pop)}: "
            "rates per 1,000 residents cannot be computed (load the ONS population estimates)"
        )
    warnings = []
    if missing:
        warnings.append(
            f"No data for {', '.join(missing)}: these months are missing (not zero); totals "
            "for the period cover the other months only and changes are marked not comparable."
        )
    return window, warnings


# -- sections ---------------------------------------------------------------------------------


def _levels(inputs, window, monthly, covered, population, weights):
    current = monthly[monthly["month"].isin([str(m) for m in window])]
    names = inputs.districts

    # Districts: counts, rates, harm.
    by_district = current.groupby("district")["count"].sum()
    districts = pd.DataFrame({"district": list(names)})
    districts["name"] = districts["district"].map(names)
    districts["count"] = districts["district"].map(by_district).fillna(0).astype(int)
    districts["population"] = districts["district"].map(inputs.populations).astype(float)
    harm_by_district = (
        current.assign(harm=current["count"] * current["category"].map(weights))
        .groupby("district")["harm"]
        .sum()
    )
    districts["harm"] = districts["district"].map(harm_by_district).fillna(0.0)
    total = pd.DataFrame(
        {
            "district": ["total"],
            "name": [f"{inputs.partnership['name']} (all districts)"],
            "count": [int(districts["count"].sum())],
            "population": [population],
            "harm": [float(districts["harm"].sum())],
        }
    )
    districts = rates(pd.concat([districts, total], ignore_index=True), area="name")
    districts["harm_per_1000"] = districts["harm"] / districts["population"] * 1000

    # Categories for the partnership.
    by_cat = current.groupby("category")["count"].sum()
    cats = pd.DataFrame({"category": sorted(weights.index)})
    cats["count"] = cats["category"].map(by_cat).fillna(0).astype(int)
    cats = cats[(cats["count"] > 0) | cats["category"].isin(by_cat.index)]
    cats["population"] = population
    cats = rates(cats, area="category")
    cats["share"] = cats["count"] / max(cats["count"].sum(), 1)
    cats["harm_weight"] = cats["category"].map(weights)
    cats["harm"] = cats["count"] * cats["harm_weight"]
    cats["harm_share"] = cats["harm"] / max(cats["harm"].sum(), 1e-12)
    cats = cats.sort_values(["count", "category"], ascending=[False, True])
    cats["volume_rank"] = range(1, len(cats) + 1)
    cats["harm_rank"] = cats["harm"].rank(ascending=False, method="min").astype(int)

    # District × category rates, for the annex and the peer criterion.
    dc = current.groupby(["district", "category"])["count"].sum().unstack(fill_value=0)
    dc = dc.reindex(index=list(names), fill_value=0).stack().rename("count").reset_index()
    dc["key"] = dc["district"] + "/" + dc["category"]
    dc["name"] = dc["district"].map(names)
    dc["population"] = dc["district"].map(inputs.populations).astype(float)
    dc = rates(dc, area="key")

    # Seasonality: each month beside the same month a year before, partnership total.
    series = monthly_series(
        monthly.groupby("month", as_index=False)["count"].sum(),
        covered,
        start=str(window[0] - 12),
        end=str(window[-1]),
    )
    season = same_period_last_year(series).loc[window[0] :].reset_index()
    season["month"] = season["month"].astype(str)
    by_month_cat = current.groupby(["month", "category"], as_index=False)["count"].sum()

    # Concentration across every LSOA and ward of the partnership (zeros included).
    lsoa = inputs.lsoa.copy()
    lsoa["count"] = lsoa["count"].fillna(0).astype(int)
    conc_rows = []
    for level, frame in (("LSOA", lsoa), ("Ward", inputs.wards)):
        values = frame["count"].fillna(0).to_numpy()
        if len(values) == 0:
            continue
        c = concentration(values)
        conc_rows.append(
            {
                "level": level,
                "places": c.places,
                "records": c.records,
                "top5": c.top_shares[0.05],
                "top10": c.top_shares[0.10],
                "gini": c.gini,
            }
        )
    conc = pd.DataFrame(conc_rows)
    lsoa_rated = _small_area_rates(lsoa)
    wards_rated = _small_area_rates(inputs.wards.copy())

    top_lsoa = lsoa_rated.sort_values(["count", "lsoa"], ascending=[False, True]).head(15)
    top_wards = wards_rated.sort_values(["count", "ward"], ascending=[False, True]).head(15)

    tables = [
        _table(
            "levels-districts",
            "Records, rates per 1,000 residents and harm by district",
            districts,
            [
                ("name", "Area", "text"),
                ("count", "Records", "int"),
                ("population", f"Residents (mid-{inputs.population_year})", "int"),
                ("rate", "Rate per 1,000", "rate"),
                ("rate_lower", "95% lower", "rate"),
                ("rate_upper", "95% upper", "rate"),
                ("harm", "Harm (CSS-weighted)", "int"),
                ("harm_per_1000", "Harm per 1,000", "rate"),
            ],
            key="district",
        ),
        _table(
            "levels-categories",
            "Records and harm by category (the partnership)",
            cats,
            [
                ("category", "Category", "text"),
                ("count", "Records", "int"),
                ("share", "Share of records", "pct"),
                ("rate", "Rate per 1,000", "rate"),
                ("harm_weight", "Harm weight", "rate"),
                ("harm", "Harm", "int"),
                ("harm_share", "Share of harm", "pct"),
                ("volume_rank", "Rank by records", "int"),
                ("harm_rank", "Rank by harm", "int"),
            ],
            key="category",
            note=f"Harm weights: {inputs.weights_source}.",
        ),
        _table(
            "seasonality",
            "Monthly records beside the same month a year before (the partnership)",
            season,
            [
                ("month", "Month", "text"),
                ("count", "Records", "int"),
                ("last_year", "Same month last year", "int"),
                ("difference", "Difference", "int"),
                ("ratio", "Ratio", "ratio"),
            ],
            key="month",
            note="A blank is a month with no data (missing, not zero).",
        ),
        _table(
            "concentration",
            "Concentration of records in places",
            conc,
            [
                ("level", "Places", "text"),
                ("places", "Number of places", "int"),
                ("records", "Records", "int"),
                ("top5", "Share in the top 5% of places", "pct"),
                ("top10", "Share in the top 10% of places", "pct"),
                ("gini", "Gini coefficient", "ratio"),
            ],
            key="level",
            note="Every place is counted, including those with no records.",
        ),
        _table(
            "levels-district-categories",
            "Records and rates per 1,000 residents by district and category",
            dc.sort_values(["district", "count"], ascending=[True, False]),
            [
                ("name", "District", "text"),
                ("category", "Category", "text"),
                ("count", "Records", "int"),
                ("rate", "Rate per 1,000", "rate"),
                ("rate_lower", "95% lower", "rate"),
                ("rate_upper", "95% upper", "rate"),
            ],
            key="key",
        ),
        _table(
            "top-wards",
            "Wards with the most records",
            top_wards,
            [
                ("ward_name", "Ward", "text"),
                ("district_name", "District", "text"),
                ("count", "Records", "int"),
                ("population", "Residents (2011)", "int"),
                ("rate", "Rate per 1,000", "rate"),
            ],
            key="ward",
            note="Ward populations are Census 2011 residents of the LSOAs best fitted to each "
            "ward; a ward rate is indicative only.",
        ),
        _table(
            "top-lsoas",
            "LSOAs with the most records",
            top_lsoa,
            [
                ("lsoa_name", "LSOA", "text"),
                ("lsoa", "Code", "text"),
                ("count", "Records", "int"),
                ("population", "Residents (2011)", "int"),
                ("rate", "Rate per 1,000", "rate"),
            ],
            key="lsoa",
            note="LSOA rates use Census 2011 residents, the LSOA populations bundled. Town-centre "
            "LSOAs have few residents and many visitors, so their rates are high.",
        ),
    ]
    figures = [
        {
            "id": "monthly-by-category",
            "kind": "stacked-area",
            "title": "Records per month by category",
            "caption": f"Records per month by category, {_window_text(window)}.",
            "data": _records(by_month_cat, ["month", "category", "count"]),
            "x": "month",
            "y": "count",
            "color": "category",
        },
        {
            "id": "harm-beside-count",
            "kind": "harm-bars",
            "title": "Share of records and share of harm by category",
            "caption": "Each category's share of records beside its share of harm (CSS weights).",
            "data": _records(cats, ["category", "share", "harm_share"]),
        },
        _map_figure(inputs, "lsoa", lsoa_rated, "Rate per 1,000 residents by LSOA"),
        _map_figure(inputs, "ward", wards_rated, "Rate per 1,000 residents by ward"),
    ]
    tot = districts[districts["district"] == "total"].iloc[0]
    top = cats.head(3)
    lsoa_conc = conc[conc["level"] == "LSOA"]
    findings = [
        {
            "text": f"{_fmt(tot['count'])} records in {_window_text(window)}: "
            f"{tot['rate']:.1f} per 1,000 residents (95% interval {tot['rate_lower']:.1f} to "
            f"{tot['rate_upper']:.1f}).",
            "evidence": [_ref("levels-districts", "total")],
        },
        {
            "text": "The most recorded categories were "
            + ", ".join(f"{r.category} ({_fmt(r.count)}, {r.share:.0%})" for r in top.itertuples())
            + ".",
            "evidence": [_ref("levels-categories", c) for c in top["category"]],
        },
    ]
    top_harm = cats.sort_values("harm", ascending=False).head(2)
    findings.append(
        {
            "text": "By harm the largest were "
            + " and ".join(
                f"{r.category} ({r.harm_share:.0%} of harm, {r.share:.0%} of records)"
                for r in top_harm.itertuples()
            )
            + ".",
            "evidence": [_ref("levels-categories", c) for c in top_harm["category"]],
        }
    )
    if not lsoa_conc.empty:
        row = lsoa_conc.iloc[0]
        findings.append(
            {
                "text": f"The top 10% of LSOAs held {row['top10']:.0%} of records "
                f"(Gini {row['gini']:.2f}).",
                "evidence": [_ref("concentration", "LSOA")],
            }
        )
    section = {
        "id": "levels",
        "title": "Levels and patterns",
        "text": [
            f"Records of crime and anti-social behaviour published by police.uk for "
            f"{_window_text(window)}, counted as published (duplicates included), by district, "
            f"category, ward and LSOA. Rates are per 1,000 residents (ONS mid-"
            f"{inputs.population_year} estimates) with exact Poisson 95% intervals. Harm weights "
            "each record by the severity of its category, shown beside the raw count: volume "
            "and harm point to different priorities. Substance misuse appears here as the "
            "police.uk Drugs category (possession and supply offences recorded by the police); "
            "partner data such as treatment figures can be imported beside it.",
        ],
        "tables": tables,
        "figures": [f for f in figures if f is not None],
        "findings": findings,
    }
    return section, cats, dc, districts


def _small_area_rates(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["count"] = frame["count"].fillna(0).astype(int)
    pop = pd.to_numeric(frame["population"], errors="coerce")
    ok = pop > 0
    frame["rate"] = np.where(ok, frame["count"] / pop.where(ok, 1) * 1000, np.nan)
    return frame


def _map_figure(inputs, level: str, frame: pd.DataFrame, title: str) -> dict | None:
    shapes = (inputs.shapes or {}).get(level)
    if not shapes:
        return None
    import shapely
    from pyproj import Transformer

    to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    code = level
    name_col = f"{level}_name"
    items = []
    for row in frame.itertuples(index=False):
        geom = shapes.get(getattr(row, code))
        if geom is None:
            continue
        if isinstance(geom, (bytes, bytearray)):
            geom = shapely.from_wkb(geom)
        bng = shapely.transform(geom, lambda xy: np.column_stack(to_bng.transform(*xy.T)))
        bng = shapely.simplify(bng, MAP_TOLERANCE, preserve_topology=True)
        items.append((row, bng))
    if not items:
        return None
    bounds = np.array([g.bounds for _, g in items])
    minx, miny = bounds[:, 0].min(), bounds[:, 1].min()
    maxx, maxy = bounds[:, 2].max(), bounds[:, 3].max()
    features = []
    for row, g in items:
        features.append(
            {
                "code": getattr(row, code),
                "name": getattr(row, name_col, None) or getattr(row, code),
                "count": _num(row.count),
                "population": _num(row.population),
                "rate": _num(row.rate),
                "path": _svg_path(g, minx, maxy),
            }
        )
    return {
        "id": f"map-{level}",
        "kind": "choropleth",
        "title": title,
        "caption": f"{title}, {inputs.end} and the {inputs.months - 1} months before. "
        "Boundaries: ONS (Open Government Licence); populations: Census 2011.",
        "width": round(maxx - minx, 1),
        "height": round(maxy - miny, 1),
        "features": features,
    }


def _svg_path(geom, minx: float, maxy: float) -> str:
    """SVG path data in metres from the top-left corner (y grows downwards)."""
    import shapely

    parts = []
    polygons = geom.geoms if hasattr(geom, "geoms") else [geom]
    for poly in polygons:
        if not isinstance(poly, shapely.Polygon):
            continue
        for ring in [poly.exterior, *poly.interiors]:
            xy = np.asarray(ring.coords)
            pts = " ".join(f"{x - minx:.0f} {maxy - y:.0f}" for x, y in xy[:-1])
            parts.append(f"M{pts}Z")
    return "".join(parts)


def _compare(frame, keys, inputs, covered, baseline):
    """compare_periods, or for a baseline with no data at all a frame that says so."""
    try:
        return compare_periods(
            frame,
            end=inputs.end,
            covered_months=covered,
            keys=keys,
            months=inputs.months,
            baseline=baseline,
            on_missing="flag",
        )
    except ValueError as exc:
        if "no data for the baseline" not in str(exc):
            raise
        current = month_window(inputs.end, inputs.months)
        base = current - (inputs.months if baseline == "previous" else 12)
        window = [str(m) for m in current]
        out = frame[frame["month"].isin(window)].groupby(keys, as_index=False)["count"].sum()
        out = out.rename(columns={"count": "current"})
        out["current_months"] = f"{current[0]}..{current[-1]}"
        out["baseline_months"] = f"{base[0]}..{base[-1]}"
        for column in ("baseline", "difference", "rate_ratio", "ratio_lower", "ratio_upper"):
            out[column] = np.nan
        out["p_value"] = np.nan
        out["verdict"] = "not comparable: no data for the baseline"
        return out


def _changes(inputs, window, monthly, covered):
    months = inputs.months
    comparable = {"previous": None, "year_before": None}
    baselines = ["previous"] if months == 12 else ["previous", "year_before"]
    tables, findings, texts = [], [], []
    by_cat = by_dist = by_dc = None
    for baseline in baselines:
        label = {
            "previous": "the previous 12 months"
            if months == 12
            else f"the previous {months} months",
            "year_before": "the same months a year before",
        }[baseline]
        cat = _compare(
            monthly.groupby(["month", "category"], as_index=False)["count"].sum(),
            ["category"],
            inputs,
            covered,
            baseline,
        )
        dist = _compare(
            monthly.groupby(["month", "district"], as_index=False)["count"].sum(),
            ["district"],
            inputs,
            covered,
            baseline,
        )
        total = _compare(
            monthly.groupby(["month"], as_index=False)["count"].sum().assign(area="total"),
            ["area"],
            inputs,
            covered,
            baseline,
        )
        dist["name"] = dist["district"].map(inputs.districts)
        total["district"] = "total"
        total["name"] = f"{inputs.partnership['name']} (all districts)"
        dist = pd.concat([dist, total.drop(columns="area")], ignore_index=True)
        dc = _compare(monthly, ["district", "category"], inputs, covered, baseline)
        suffix = "" if baseline == "previous" else "-year-before"
        cols = [
            ("current", "Current", "int"),
            ("baseline", "Baseline", "int"),
            ("difference", "Difference", "int"),
            ("rate_ratio", "Rate ratio", "ratio3"),
            ("ratio_lower", "95% lower", "ratio3"),
            ("ratio_upper", "95% upper", "ratio3"),
            ("p_value", "p", "p"),
            ("verdict", "Verdict", "verdict"),
        ]
        cat = cat.sort_values("current", ascending=False)
        tables.append(
            _table(
                f"changes-categories{suffix}",
                f"Change by category against {label}",
                cat,
                [("category", "Category", "text"), *cols],
                key="category",
                note=f"Current {cat['current_months'].iloc[0]}, baseline "
                f"{cat['baseline_months'].iloc[0]}.",
            )
        )
        tables.append(
            _table(
                f"changes-districts{suffix}",
                f"Change by district against {label}",
                dist,
                [("name", "Area", "text"), *cols],
                key="district",
            )
        )
        comparable[baseline] = not cat["verdict"].str.startswith("not comparable").any()
        if baseline == "previous":
            by_cat, by_dist, by_dc = cat, dist, dc
        t = dist[dist["district"] == "total"].iloc[0]
        if str(t["verdict"]).startswith("not comparable"):
            findings.append(
                {
                    "text": f"Against {label} the change cannot be tested: months are missing "
                    f"({t['baseline_months']}).",
                    "evidence": [_ref(f"changes-districts{suffix}", "total")],
                }
            )
        else:
            findings.append(
                {
                    "text": f"Against {label}: {_fmt(t['current'])} records against "
                    f"{_fmt(t['baseline'])} (rate ratio {t['rate_ratio']:.3f}, 95% interval "
                    f"{t['ratio_lower']:.3f} to {t['ratio_upper']:.3f}): {t['verdict']}.",
                    "evidence": [_ref(f"changes-districts{suffix}", "total")],
                }
            )
            for verdict in ("significant increase", "significant decrease"):
                moved = cat[cat["verdict"] == verdict]
                if not moved.empty:
                    findings.append(
                        {
                            "text": f"{verdict.capitalize()} against {label} (rate ratio): "
                            + ", ".join(
                                f"{r.category} ({r.rate_ratio:.2f})" for r in moved.itertuples()
                            )
                            + ".",
                            "evidence": [
                                _ref(f"changes-categories{suffix}", c) for c in moved["category"]
                            ],
                        }
                    )
    # Three-year trend of the partnership total (missing months leave a year blank).
    series = monthly_series(
        monthly.groupby("month", as_index=False)["count"].sum(),
        covered,
        start=str(window[-1] - 35),
        end=str(window[-1]),
    )
    years = year_totals(series, inputs.end).reset_index(drop=True)
    years["key"] = years["first"] + ".." + years["last"]
    tables.append(
        _table(
            "trend-years",
            "Three-year trend: records in consecutive 12-month years",
            years,
            [
                ("first", "From", "text"),
                ("last", "To", "text"),
                ("total", "Records", "int"),
                ("months_with_data", "Months with data", "int"),
                ("missing_months", "Missing months", "text"),
            ],
            key="key",
            note="A year with a missing month has no total: a missing month is not zero.",
        )
    )
    roll = series.rolling(12, min_periods=12).sum().reset_index()
    roll.columns = ["month", "rolling"]
    roll["month"] = roll["month"].astype(str)
    monthly_total = series.reset_index()
    monthly_total.columns = ["month", "count"]
    monthly_total["month"] = monthly_total["month"].astype(str)
    monthly_total = monthly_total.merge(roll, on="month")
    texts.append(
        "Each change is tested with the exact Poisson conditional test, two-sided as twice "
        "the smaller one-sided exact p-value (statsmodels test_poisson_2indep, method "
        "exact-cond, each side); the rate ratio is current over baseline with the exact 95% "
        "interval from the same test (Clopper-Pearson), so a verdict of significant increase "
        "or decrease, p < 0.05, comes exactly when the interval excludes 1. "
        "A window that includes a month with no data is not compared."
        + (
            " For a 12-month window the previous 12 months are the same months a year before."
            if months == 12
            else ""
        )
    )
    section = {
        "id": "changes",
        "title": "Changes since the last assessment",
        "text": texts,
        "tables": tables,
        "figures": [
            {
                "id": "monthly-trend",
                "kind": "trend",
                "title": "Records per month and 12-month rolling total",
                "caption": "Records per month (bars) and the rolling total of the last 12 months "
                "(line); gaps are months with no data.",
                "data": _records(monthly_total, ["month", "count", "rolling"]),
            },
            {
                "id": "rate-ratios",
                "kind": "ratio-dots",
                "title": "Rate ratio by category with 95% intervals",
                "caption": "Rate ratio (current / previous period) and its 95% interval; "
                "1 means no change.",
                "data": _records(
                    by_cat, ["category", "rate_ratio", "ratio_lower", "ratio_upper", "verdict"]
                ),
            },
        ],
        "findings": findings,
    }
    return section, by_cat, by_dist, by_dc


def _why(inputs, by_cat, by_dist, by_dc):
    tables, findings = [], []
    dist_only = by_dist[by_dist["district"] != "total"]
    total_change = int(dist_only["current"].sum() - dist_only["baseline"].sum())
    comparable = not by_cat["verdict"].str.startswith("not comparable").any()
    if comparable:
        c = contributions(by_cat, by=["category"])
        d = contributions(dist_only.assign(name=dist_only["name"]), by=["district", "name"])
        dc = contributions(by_dc, by=["district", "category"]).head(12)
        dc["name"] = dc["district"].map(inputs.districts)
        dc["key"] = dc["district"] + "/" + dc["category"]
        cols = [
            ("current", "Current", "int"),
            ("baseline", "Baseline", "int"),
            ("contribution", "Contribution", "int"),
            ("share_of_movement", "Share of movement", "pct"),
        ]
        tables += [
            _table(
                "why-categories",
                "Contribution of each category to the change",
                c,
                [("category", "Category", "text"), *cols],
                key="category",
                note=f"Contributions add up to the total change of {total_change:+,} records.",
            ),
            _table(
                "why-districts",
                "Contribution of each district to the change",
                d,
                [("name", "District", "text"), *cols],
                key="district",
            ),
            _table(
                "why-district-categories",
                "The twelve largest district and category movements",
                dc,
                [("name", "District", "text"), ("category", "Category", "text"), *cols],
                key="key",
            ),
        ]
        if inputs.populations_baseline:
            frame = dist_only[["district", "name", "current", "baseline"]].copy()
            frame["population_current"] = frame["district"].map(inputs.populations)
            frame["population_baseline"] = frame["district"].map(inputs.populations_baseline)
            if frame["population_baseline"].gt(0).all():
                k = rate_change_decomposition(frame.rename(columns={"district": "area"}))
                k["name"] = k["area"].map(inputs.districts)
                tables.append(
                    _table(
                        "why-rate",
                        "Change in the rate per 1,000 split into rate and population effects",
                        k,
                        [
                            ("name", "District", "text"),
                            ("rate_baseline", "Rate before", "rate"),
                            ("rate_current", "Rate now", "rate"),
                            ("rate_effect", "Rate effect", "rate"),
                            ("composition_effect", "Population effect", "rate"),
                            ("contribution", "Contribution", "rate"),
                        ],
                        key="area",
                        note=f"Populations mid-{inputs.population_baseline_year} and mid-"
                        f"{inputs.population_year} (Kitagawa 1955).",
                    )
                )
        up = c[c["contribution"] > 0].head(3)
        down = c[c["contribution"] < 0].head(3)
        text = (
            f"The total {'rose' if total_change > 0 else 'fell'} by {abs(total_change):,} records."
            if total_change
            else "The total did not change."
        )
        if not up.empty:
            text += " Rises led by " + ", ".join(
                f"{r.category} ({r.contribution:+,})" for r in up.itertuples()
            )
            text += "."
        if not down.empty:
            text += " Falls led by " + ", ".join(
                f"{r.category} ({r.contribution:+,})" for r in down.itertuples()
            )
            text += "."
        findings.append(
            {
                "text": text,
                "evidence": [_ref("why-categories", x) for x in [*up.category, *down.category]],
            }
        )
    else:
        findings.append(
            {
                "text": "The change cannot be decomposed: the baseline includes months with no "
                "data.",
                "evidence": [_ref("changes-districts", "total")],
            }
        )
    hot_tables, hot_findings, notices = _emerging_section(inputs)
    tables.extend(hot_tables)
    findings.extend(hot_findings)
    return {
        "id": "why",
        "title": "Why: what drove the change",
        "text": [
            "Each category's (and district's) contribution is its own change in records; the "
            "contributions add up exactly to the partnership's change. The rate change of each "
            "district is split into the change in its rate and the change in its share of the "
            "population.",
        ],
        "notices": notices,
        "tables": tables,
        "figures": [],
        "findings": findings,
    }


# p-values from the normal approximation of Gi* z (as ArcGIS's emerging hot-spot analysis does):
# permutation p-values cannot fall below 1/(R+1), which FDR over hundreds of LSOAs never passes.
HOTSPOT_PERMUTATIONS = 99
HOTSPOT_SEED = 20260401
_EMERGED = ("new", "consecutive", "intensifying", "persistent")
_FADED = ("diminishing", "historical")


def _emerging_section(inputs) -> tuple[list, list, list]:
    """Hot-spots that emerged or faded: Getis-Ord Gi* on the partnership's LSOAs (queen
    contiguity) for each month of the window, classified by cdrp.analysis.emerging."""
    from cdrp.analysis.emerging import area_emerging_hotspots, area_table

    shapes = (inputs.shapes or {}).get("lsoa") or {}
    monthly = inputs.lsoa_monthly
    if monthly is None or not len(monthly) or len(shapes) < 3:
        return (
            [],
            [],
            ["Hot-spots were not analysed: LSOA boundaries or monthly counts are missing."],
        )
    codes = [c for c in inputs.lsoa["lsoa"] if c in shapes]
    months = sorted(monthly["month"].astype(str).unique())
    window = len(months)
    table = area_table(monthly, "lsoa", codes, months)
    try:
        classes = area_emerging_hotspots(
            table, shapes, permutations=HOTSPOT_PERMUTATIONS, seed=HOTSPOT_SEED
        )
    except ValueError as exc:  # e.g. a month in which every LSOA has the same count
        return [], [], [f"Hot-spots were not analysed: {exc}."]
    names = inputs.lsoa.set_index("lsoa")
    rows = classes[classes["pattern"].str.contains("|".join(_EMERGED + _FADED))].copy()
    rows["lsoa"] = rows.index
    rows["lsoa_name"] = rows["lsoa"].map(names["lsoa_name"])
    rows["district"] = rows["lsoa"].map(names["district"]).map(inputs.districts)
    rows["records"] = rows["lsoa"].map(table.sum(axis=0)).astype(int)
    rank = {kind: i for i, kind in enumerate(_EMERGED + _FADED)}
    rows["_rank"] = rows["pattern"].map(lambda p: min(r for k, r in rank.items() if k in p))
    rows = rows.sort_values(["_rank", "records"], ascending=[True, False])
    note = (
        f"Getis-Ord Gi* on {len(codes)} LSOAs (queen contiguity, binary weights, two-sided "
        f"normal p-values, false discovery rate 5%) for each of the {window} months "
        f"{months[0]} to {months[-1]}; patterns as defined in cdrp.analysis.emerging."
    )
    tables = [
        _table(
            "why-hotspots",
            "Hot-spots that emerged or faded (LSOAs)",
            rows,
            [
                ("lsoa_name", "LSOA", "text"),
                ("district", "District", "text"),
                ("pattern", "Pattern", "text"),
                ("records", "Records in the period", "int"),
            ],
            key="lsoa",
            note=note,
        )
    ]
    emerged = rows[
        rows["pattern"].str.contains("|".join(_EMERGED)) & rows["pattern"].str.contains("hot")
    ]
    faded = rows[rows["pattern"].str.contains("|".join(_FADED))]
    findings = []
    if len(emerged):
        findings.append(
            {
                "text": f"{len(emerged)} LSOAs are new, consecutive, intensifying or persistent "
                f"hot-spots, led by {', '.join(emerged['lsoa_name'].head(3))}.",
                "evidence": [_ref("why-hotspots", c) for c in emerged["lsoa"].head(10)],
            }
        )
    else:
        findings.append(
            {
                "text": "No LSOA is an emerging or persistent hot-spot in this period.",
                "evidence": [],
            }
        )
    if len(faded):
        findings.append(
            {
                "text": f"{len(faded)} LSOAs are diminishing or historical hot-spots.",
                "evidence": [_ref("why-hotspots", c) for c in faded["lsoa"].head(10)],
            }
        )
    return tables, findings, []


def plan_outcomes(plan: Mapping, monthly: pd.DataFrame, covered: Sequence[str]) -> pd.DataFrame:
    """Outcome of each indicator of a plan (see ``PLAN_SCHEMA``) against its target.

    Parameters
    ----------
    plan : mapping
        The plan as parsed from YAML.
    monthly : pandas.DataFrame
        ``month``, ``category`` (names) and ``count`` for the partnership.
    covered : sequence of str
        Months with data.

    Returns
    -------
    pandas.DataFrame
        One row per indicator: ``priority``, ``indicator``, ``target`` (text), ``baseline``,
        ``actual``, ``change_percent`` and ``outcome`` (``"met"``, ``"not met"`` or
        ``"cannot be measured: …"``). A target is never marked met without the data for
        every month it covers.

    Raises
    ------
    AssessmentError
        Naming the field of the plan that is missing or malformed.

    Examples
    --------
    >>> m = pd.DataFrame({"month": ["2021-12", "2022-01"], "category": ["Burglary"] * 2,
    ...                   "count": [10, 8]})
    >>> plan = {"plan": "P", "period": {"start": "2022-01", "end": "2022-01"},
    ...         "priorities": [{"name": "Burglary", "indicators": [{"name": "Burglary",
    ...         "categories": ["burglary"], "target": {"change_percent": -10}}]}]}
    >>> plan_outcomes(plan, m, ["2021-12", "2022-01"])[["actual", "outcome"]].values.tolist()
    [[8, 'met']]
    """

    def need(mapping, key, where):
        if not isinstance(mapping, Mapping) or key not in mapping or mapping[key] in (None, ""):
            raise AssessmentError(f"the plan: {where} has no '{key}' (see the plan schema)")
        return mapping[key]

    need(plan, "plan", "the file")
    period = need(plan, "period", "the file")
    try:
        start = pd.Period(str(need(period, "start", "period")), freq="M")
        end = pd.Period(str(need(period, "end", "period")), freq="M")
    except ValueError as exc:
        raise AssessmentError(f"the plan: period: {exc}") from None
    if end < start:
        raise AssessmentError("the plan: period ends before it starts")
    span = pd.period_range(start, end, freq="M")
    before = span - len(span)
    covered = {str(pd.Period(m, freq="M")) for m in covered}
    rows = []
    priorities = need(plan, "priorities", "the file")
    if not isinstance(priorities, list) or not priorities:
        raise AssessmentError("the plan: 'priorities' must be a list with at least one priority")
    for i, priority in enumerate(priorities, start=1):
        pname = need(priority, "name", f"priority {i}")
        indicators = need(priority, "indicators", f"priority {i} ({pname})")
        for j, ind in enumerate(indicators, start=1):
            where = f"priority {i} ({pname}), indicator {j}"
            iname = need(ind, "name", where)
            cats = need(ind, "categories", where)
            cats = [cats] if isinstance(cats, str) else list(cats)
            names = []
            for c in cats:
                n = category_name(str(c))
                if n is None:
                    raise AssessmentError(f"the plan: {where}: '{c}' is not a police.uk category")
                names.append(n)
            target = need(ind, "target", where)
            kinds = [k for k in ("change_percent", "at_most", "at_least") if k in target]
            if len(kinds) != 1:
                raise AssessmentError(
                    f"the plan: {where}: target needs exactly one of change_percent, at_most, "
                    "at_least"
                )
            kind = kinds[0]
            try:
                value = float(target[kind])
            except (TypeError, ValueError):
                raise AssessmentError(
                    f"the plan: {where}: target {kind} must be a number, got {target[kind]!r}"
                ) from None
            sel = monthly[monthly["category"].isin(names)]
            actual = int(sel[sel["month"].isin([str(m) for m in span])]["count"].sum())
            base = int(sel[sel["month"].isin([str(m) for m in before])]["count"].sum())
            gaps = [str(m) for m in span if str(m) not in covered]
            if kind == "change_percent":
                gaps += [str(m) for m in before if str(m) not in covered]
            change = (actual - base) / base * 100 if base else np.nan
            if gaps:
                outcome = f"cannot be measured: no data for {', '.join(sorted(set(gaps)))}"
            elif kind == "change_percent":
                if not base:
                    outcome = "cannot be measured: no records in the baseline"
                else:
                    outcome = "met" if change <= value else "not met"
                    if value > 0:  # a target to raise (e.g. detections)
                        outcome = "met" if change >= value else "not met"
            elif kind == "at_most":
                outcome = "met" if actual <= value else "not met"
            else:
                outcome = "met" if actual >= value else "not met"
            text = {
                "change_percent": f"{value:+g}% against {before[0]}..{before[-1]}",
                "at_most": f"at most {value:,.0f}",
                "at_least": f"at least {value:,.0f}",
            }[kind]
            rows.append(
                {
                    "key": f"{i}.{j}",
                    "priority": pname,
                    "indicator": iname,
                    "target": text,
                    "baseline": base if kind == "change_percent" else None,
                    "actual": actual,
                    "change_percent": change if kind == "change_percent" else None,
                    "outcome": outcome,
                }
            )
    return pd.DataFrame(rows)


def _plan(inputs, monthly, covered):
    if not inputs.plan:
        return {
            "id": "plan",
            "title": "Effectiveness of last year's plan",
            "text": [],
            "notices": [
                "No plan recorded: there is no previous plan with indicators and targets to "
                "measure. Outcomes are reported only against a recorded plan, never assumed."
            ],
            "tables": [],
            "figures": [],
            "findings": [{"text": "No plan recorded.", "evidence": []}],
        }
    if "outcomes" in inputs.plan:
        return _recorded_plan(inputs)
    out = plan_outcomes(inputs.plan, monthly, covered)
    met = int((out["outcome"] == "met").sum())
    unmeasured = int(out["outcome"].str.startswith("cannot").sum())
    return {
        "id": "plan",
        "title": "Effectiveness of last year's plan",
        "text": [
            f"Indicators of “{inputs.plan['plan']}” ({inputs.plan_source or 'plan file'}), "
            "measured from the recorded data for the plan period."
        ],
        "tables": [
            _table(
                "plan-outcomes",
                "Outcome of each indicator against its target",
                out,
                [
                    ("priority", "Priority", "text"),
                    ("indicator", "Indicator", "text"),
                    ("target", "Target", "text"),
                    ("baseline", "Baseline", "int"),
                    ("actual", "Actual", "int"),
                    ("change_percent", "Change %", "rate"),
                    ("outcome", "Outcome", "text"),
                ],
                key="key",
            )
        ],
        "figures": [],
        "findings": [
            {
                "text": f"{met} of {len(out)} indicators met their target"
                + (f"; {unmeasured} could not be measured" if unmeasured else "")
                + ".",
                "evidence": [_ref("plan-outcomes", k) for k in out["key"]],
            }
        ],
    }


def _recorded_plan(inputs):
    """Last year's plan from the plan records: outcomes already judged by the performance
    statistics (``inputs.plan["outcomes"]``, see `cdrp.plans.performance.plan_review`)."""
    out = pd.DataFrame(
        inputs.plan["outcomes"],
        columns=["key", "priority", "indicator", "target", "figure", "outcome", "reasoning"],
    )
    outcome = out["outcome"]
    ended = out[~outcome.str.startswith(("in progress", "cannot"))]
    met = int((ended["outcome"] == "met").sum())
    running = int(outcome.str.startswith("in progress").sum())
    unmeasured = int(outcome.str.startswith("cannot").sum())
    parts = [f"{met} of {len(ended)} targets that have ended were met"] if len(ended) else []
    if running:
        parts.append(
            f"{running} still running"
            if parts
            else f"No target has ended yet: {running} still running"
        )
    if unmeasured:
        parts.append(f"{unmeasured} could not be measured")
    return {
        "id": "plan",
        "title": "Effectiveness of last year's plan",
        "text": [
            f"Targets of “{inputs.plan['plan']}” ({inputs.plan_source}) whose periods overlap "
            "this assessment, judged from the recorded data as the performance report judges "
            "them: a target is met when the figure for its whole period meets it; “within "
            "chance” when it missed but the target lies inside the figure's 95% interval."
        ],
        "tables": [
            _table(
                "plan-outcomes",
                "Outcome of each target",
                out,
                [
                    ("priority", "Priority", "text"),
                    ("indicator", "Indicator", "text"),
                    ("target", "Target", "text"),
                    ("figure", "Figure", "text"),
                    ("outcome", "Outcome", "text"),
                ],
                key="key",
            )
        ],
        "figures": [],
        "findings": [
            {
                "text": ("; ".join(parts) or "No targets") + ".",
                "evidence": [_ref("plan-outcomes", k) for k in out["key"]],
            }
        ],
    }


def _community(inputs, cats):
    if inputs.survey is None:
        return (
            {
                "id": "community",
                "title": "Community views",
                "text": [],
                "notices": ["No consultation or survey results were given for this assessment."],
                "tables": [],
                "figures": [],
                "findings": [{"text": "No survey results recorded.", "evidence": []}],
            },
            None,
        )
    ranked = rank_concerns(inputs.survey)
    recorded = cats.set_index("category")
    ranked["recorded_rank"] = ranked["category"].map(recorded["volume_rank"])
    ranked["harm_rank"] = ranked["category"].map(recorded["harm_rank"])
    ranked["recorded"] = ranked["category"].map(recorded["count"])
    respondents = int(inputs.survey["row"].nunique()) if "row" in inputs.survey else None
    top = ranked.head(3)
    section = {
        "id": "community",
        "title": "Community views",
        "text": [
            f"Results of {inputs.survey_source or 'the survey'}"
            + (f" ({respondents} respondents)" if respondents else "")
            + ": the share of respondents who raised each concern (ticked it, or called it a "
            "very or fairly big problem), beside its rank in the recorded data."
        ],
        "tables": [
            _table(
                "community-concerns",
                "Concerns ranked by the share of respondents raising them",
                ranked,
                [
                    ("rank", "Rank", "int"),
                    ("concern", "Concern", "text"),
                    ("respondents", "Answered", "int"),
                    ("share_raised", "Share raising it", "pct"),
                    ("recorded", "Records", "int"),
                    ("recorded_rank", "Rank by records", "int"),
                    ("harm_rank", "Rank by harm", "int"),
                ],
                key="concern",
            )
        ],
        "figures": [],
        "findings": [
            {
                "text": "Residents' top concerns: "
                + ", ".join(f"{r.concern} ({r.share_raised:.0%})" for r in top.itertuples())
                + ".",
                "evidence": [_ref("community-concerns", c) for c in top["concern"]],
            }
        ],
    }
    return section, ranked


def _peers(inputs, dc_levels):
    if inputs.features is None:
        return (
            {
                "id": "peers",
                "title": "Comparison with similar areas",
                "text": [],
                "notices": ["No district features were given: families cannot be formed."],
                "tables": [],
                "figures": [],
                "findings": [],
            },
            None,
        )
    groups = peer_groups(inputs.features, k=inputs.k)
    pc = inputs.peer_counts.copy()
    pc["category"] = pc["category"].map(_name)
    available = sorted(
        set(pc["district"].dropna()) & {d for d, p in inputs.peer_populations.items() if p}
    )
    totals = pc.groupby("district")["count"].sum()
    family_rows, funnel_rows, figures, tables, findings = [], [], [], [], []
    peer_evidence = []
    for code, name in inputs.districts.items():
        try:
            members = family(groups, code, available=available)
        except ValueError as exc:
            raise AssessmentError(f"comparison with similar areas: {exc}") from None
        full = family(groups, code)
        units = [code, *members]
        frame = pd.DataFrame({"unit": units})
        frame["count"] = frame["unit"].map(totals).fillna(0)
        frame["population"] = frame["unit"].map(inputs.peer_populations).astype(float)
        for rank, peer in enumerate(full, start=1):
            family_rows.append(
                {
                    "key": f"{code}/{peer}",
                    "district": name,
                    "rank": rank,
                    "peer": inputs.peer_names.get(peer, peer),
                    "code": peer,
                    "with_data": "yes" if peer in members else "no",
                }
            )
        if len(units) < 2:
            findings.append(
                {
                    "text": f"{name}: none of its {inputs.k} family members has data loaded, "
                    "so there is no funnel comparison.",
                    "evidence": [_ref("peer-families", f"{code}/{full[0]}")],
                }
            )
            continue
        f = funnel(frame)
        f["name"] = f["unit"].map(lambda u: inputs.peer_names.get(u, u))
        f["district"] = name
        f["key"] = code + "/" + f["unit"]
        f["is_subject"] = f["unit"] == code
        funnel_rows.append(f)
        pops = np.linspace(f["population"].min() * 0.8, f["population"].max() * 1.2, 40)
        curve = funnel_curve(float(f["target_rate"].iloc[0]), pops)
        figures.append(
            {
                "id": f"funnel-{code}",
                "kind": "funnel",
                "title": f"{name} and its family: rate per 1,000 against population",
                "caption": f"{name} (red) and the {len(members)} members of its family "
                f"of {inputs.k} with data, with Poisson 95% (dashed) and 99.8% (solid) control "
                "limits around the family's pooled rate.",
                "data": _records(f, ["name", "population", "rate", "is_subject"]),
                "curve": _records(curve, list(curve.columns)),
            }
        )
        own = f[f["is_subject"]].iloc[0]
        findings.append(
            {
                "text": f"{name}: {own['rate']:.1f} per 1,000 against the family rate of "
                f"{own['target_rate']:.1f} ({len(members)} of {inputs.k} members with data): "
                f"{peer_position(own['position_95'], own['position_99_8'])}.",
                "evidence": [_ref("peer-funnel", f"{code}/{code}")],
            }
        )
        # Per category: the district's position among the same members (priority evidence).
        by = pc[pc["district"].isin(units)].groupby(["category", "district"])["count"].sum()
        by = by.unstack(fill_value=0).reindex(columns=units, fill_value=0).stack()
        by = by.rename("count").reset_index().rename(columns={"district": "unit"})
        by["population"] = by["unit"].map(inputs.peer_populations).astype(float)
        for category, group in by.groupby("category"):
            if group["count"].sum() == 0:
                continue
            g = funnel(group).set_index("unit")
            peer_evidence.append(
                {
                    "district": code,
                    "candidate": category,
                    "value": peer_position(
                        g.loc[code, "position_95"], g.loc[code, "position_99_8"]
                    ),
                    "rate": g.loc[code, "rate"],
                    "target": g.loc[code, "target_rate"],
                }
            )
    fam = pd.DataFrame(family_rows)
    tables.append(
        _table(
            "peer-families",
            f"Families: the {inputs.k} most similar districts in England",
            fam,
            [
                ("district", "District", "text"),
                ("rank", "Rank", "int"),
                ("peer", "Family member", "text"),
                ("code", "Code", "text"),
                ("with_data", "Data loaded", "text"),
            ],
            key="key",
            note="Nearest neighbours on standardised IoD 2019 domain scores, log population and "
            "log density (cdrp.analysis.peers).",
        )
    )
    if funnel_rows:
        fr = pd.concat(funnel_rows, ignore_index=True)
        fr["position"] = [
            peer_position(a, b) for a, b in zip(fr["position_95"], fr["position_99_8"], strict=True)
        ]
        tables.append(
            _table(
                "peer-funnel",
                "Each district and its family members with data: rates and control limits",
                fr,
                [
                    ("district", "District", "text"),
                    ("name", "Area", "text"),
                    ("count", "Records", "int"),
                    ("population", "Residents", "int"),
                    ("rate", "Rate per 1,000", "rate"),
                    ("lower_95", "95% lower", "rate"),
                    ("upper_95", "95% upper", "rate"),
                    ("lower_99_8", "99.8% lower", "rate"),
                    ("upper_99_8", "99.8% upper", "rate"),
                    ("position", "Position", "text"),
                ],
                key="key",
            )
        )
    pe = pd.DataFrame(peer_evidence)
    if not pe.empty:
        pe["key"] = pe["district"] + "/" + pe["candidate"]
        pe["name"] = pe["district"].map(inputs.districts)
        tables.append(
            _table(
                "peer-categories",
                "Each district's position in its family by category",
                pe.sort_values(["candidate", "district"]),
                [
                    ("name", "District", "text"),
                    ("candidate", "Category", "text"),
                    ("rate", "Rate per 1,000", "rate"),
                    ("target", "Family rate", "rate"),
                    ("value", "Position", "text"),
                ],
                key="key",
            )
        )
    section = {
        "id": "peers",
        "title": "Comparison with similar areas",
        "text": [
            f"Each district's family is its {inputs.k} most similar districts in England by "
            "deprivation (IoD 2019 domains), population and density. Its rate is compared on a "
            "funnel plot with the members that have data loaded, against Poisson 95% and 99.8% "
            "control limits around the pooled family rate (Spiegelhalter 2005)."
        ],
        "tables": tables,
        "figures": figures,
        "findings": findings,
    }
    return section, pe


def _priorities(inputs, cats, by_cat, peer_ev, concern):
    cand = cats["category"]
    # A change that could not be tested is missing evidence, not "no change".
    by_cat = by_cat[~by_cat["verdict"].str.startswith("not comparable")]
    evidence = {
        "volume": pd.DataFrame(
            {"candidate": cand, "value": cats["count"], "ref": "levels-categories#" + cand}
        ),
        "harm": pd.DataFrame(
            {"candidate": cand, "value": cats["harm"], "ref": "levels-categories#" + cand}
        ),
        "trend": pd.DataFrame(
            {
                "candidate": by_cat["category"],
                "value": by_cat["verdict"],
                "ref": "changes-categories#" + by_cat["category"],
            }
        ),
    }
    if peer_ev is not None and not peer_ev.empty:
        # The partnership's peer evidence for a category is its least favourable district.
        order = {"above 99.8% limit": 0, "above 95% limit": 1, "within limits": 2}
        order |= {"below 95% limit": 3, "below 99.8% limit": 4}
        worst = peer_ev.assign(o=peer_ev["value"].map(order)).sort_values(["o", "district"])
        worst = worst.drop_duplicates("candidate")
        evidence["peer"] = pd.DataFrame(
            {
                "candidate": worst["candidate"],
                "value": worst["value"],
                "ref": "peer-categories#" + worst["district"] + "/" + worst["candidate"],
            }
        )
    if concern is not None:
        c = concern.dropna(subset=["category"])
        evidence["concern"] = pd.DataFrame(
            {
                "candidate": c["category"],
                "value": c["share_raised"],
                "ref": "community-concerns#" + c["concern"],
            }
        )
    weights = dict(inputs.priority_weights or DEFAULT_WEIGHTS)
    ranked = score_priorities(evidence, weights=weights)
    ranked = ranked[ranked["candidate"].isin(set(cand))]
    for criterion in ("volume", "trend", "harm", "peer", "concern"):
        for suffix in ("value", "score", "ref"):
            if f"{criterion}_{suffix}" not in ranked.columns:
                ranked[f"{criterion}_{suffix}"] = None
    ranked["missing"] = ranked["missing"].map(
        lambda m: ", ".join(m) if isinstance(m, (list, tuple)) else (m or "")
    )
    table = _table(
        "priorities",
        "Priority scoring matrix",
        ranked,
        [
            ("rank", "Rank", "int"),
            ("candidate", "Candidate", "text"),
            ("score", "Score (0-100)", "rate"),
            ("volume_score", "Volume", "ratio"),
            ("trend_score", "Trend", "ratio"),
            ("harm_score", "Harm", "ratio"),
            ("peer_score", "Peers", "ratio"),
            ("concern_score", "Concern", "ratio"),
            ("missing", "No evidence for", "text"),
        ],
        key="candidate",
        note="Weights: " + ", ".join(f"{k} {v:g}" for k, v in weights.items()) + ".",
    )
    # Each score links to the row it came from.
    for row, (_, r) in zip(table["rows"], ranked.iterrows(), strict=True):
        row["_refs"] = {
            c: r[f"{c}_ref"]
            for c in ("volume", "trend", "harm", "peer", "concern")
            if isinstance(r[f"{c}_ref"], str)
        }
    top = ranked.head(RECOMMENDED)
    findings = [
        {
            "text": "Recommended priorities for the plan: "
            + "; ".join(f"{r.candidate} (score {r.score:.0f})" for r in top.itertuples())
            + ".",
            "evidence": [_ref("priorities", c) for c in top["candidate"]],
        }
    ]
    section = {
        "id": "priorities",
        "title": "Priorities",
        "text": [
            "Each candidate is scored 0 to 1 on volume (records / the largest), trend (the "
            "verdict against the previous period), harm (harm / the largest), peer position "
            "(the least favourable district's funnel position in its family) and community "
            "concern (share of respondents), and the weighted mean is scaled to 100. "
            "Criteria with no evidence are left out of the mean and listed, never counted as "
            "zero. Every score links to the row it came from."
        ],
        "tables": [table],
        "figures": [],
        "findings": findings,
        "recommended": top["candidate"].tolist(),
    }
    return section, ranked


def what_moved(annual: Mapping, refresh: Mapping) -> dict:
    """A section comparing a refresh with its annual assessment: totals, verdicts, priorities.

    Parameters
    ----------
    annual, refresh : mapping
        Assessment objects from :func:`build_assessment`.

    Returns
    -------
    dict
        A section (``id`` ``"moved"``) with one table of what moved.
    """

    def table(obj, table_id):
        for s in obj["sections"]:
            for t in s["tables"]:
                if t["id"] == table_id:
                    return {r["_key"]: r for r in t["rows"]}
        return {}

    rows = []
    # Rates are put on a yearly footing so a six-month refresh compares with a 12-month annual.
    per_year_a = 12 / annual["period"]["months"]
    per_year_r = 12 / refresh["period"]["months"]
    a, r = table(annual, "levels-districts"), table(refresh, "levels-districts")
    for key, row in r.items():
        if key in a and a[key]["rate"] is not None and row["rate"] is not None:
            before, after = a[key]["rate"] * per_year_a, row["rate"] * per_year_r
            rows.append(
                {
                    "key": f"rate/{key}",
                    "what": f"Records per 1,000 residents a year: {row['name']}",
                    "annual": before,
                    "refresh": after,
                    "change": after - before,
                }
            )
    a, r = table(annual, "changes-categories"), table(refresh, "changes-categories")
    for key, row in r.items():
        if key in a and a[key]["verdict"] != row["verdict"]:
            rows.append(
                {
                    "key": f"verdict/{key}",
                    "what": f"Trend verdict: {key}",
                    "annual": a[key]["verdict"],
                    "refresh": row["verdict"],
                    "change": None,
                }
            )
    a, r = table(annual, "priorities"), table(refresh, "priorities")
    for key, row in r.items():
        if key in a and a[key]["rank"] != row["rank"]:
            rows.append(
                {
                    "key": f"rank/{key}",
                    "what": f"Priority rank: {key}",
                    "annual": a[key]["rank"],
                    "refresh": row["rank"],
                    "change": row["rank"] - a[key]["rank"],
                }
            )
    frame = pd.DataFrame(rows, columns=["key", "what", "annual", "refresh", "change"])
    frame[["annual", "refresh"]] = frame[["annual", "refresh"]].astype(object)
    before = annual["period"]
    moved = [x for x in rows if x["key"].startswith(("verdict/", "rank/"))]
    return {
        "id": "moved",
        "title": "What moved since the annual assessment",
        "text": [
            f"Compared with the annual assessment for {before['start']} to {before['end']} "
            f"(built {annual.get('built_at', '')[:10]})."
        ],
        "tables": [
            _table(
                "moved",
                "Rates, verdicts and priority ranks: annual assessment and refresh",
                frame,
                [
                    ("what", "Measure", "text"),
                    ("annual", "Annual", "any"),
                    ("refresh", "Refresh", "any"),
                    ("change", "Change", "rate"),
                ],
                key="key",
            )
        ],
        "figures": [],
        "findings": [
            {
                "text": f"{len(moved)} trend verdicts or priority ranks changed since the annual "
                "assessment.",
                "evidence": [_ref("moved", x["key"]) for x in moved[:10]],
            }
        ],
    }


# -- the builder ------------------------------------------------------------------------------


def build_assessment(inputs: AssessmentInputs, report: Report | None = None) -> dict:
    """Build the structured strategic assessment (or six-month refresh) from gathered inputs.

    Parameters
    ----------
    inputs : AssessmentInputs
        Counts, populations, geography, weights, peers data and the optional plan and survey.
    report : callable, optional
        ``report(done, total, message)`` progress callback.

    Returns
    -------
    dict
        JSON-serialisable: ``schema``, ``kind``, ``title``, ``partnership``, ``period``,
        ``summary`` (findings), ``sections`` (each with ``number``, ``id``, ``title``,
        ``text``, ``tables``, ``figures``, ``findings``), ``warnings``, ``sources`` and
        ``parameters``. Findings carry ``evidence``: ``"<table id>#<row key>"``.

    Raises
    ------
    AssessmentError
        For a period with no data, a district with no population, a weight table that lacks a
        category in the data, a plan that does not follow ``PLAN_SCHEMA``; nothing is built.
    """
    report = report or (lambda done, total, message="": None)
    steps = 8
    report(0, steps, "checking inputs")
    window, warnings = _check(inputs)
    covered = sorted({str(pd.Period(m, freq="M")) for m in inputs.covered_months})
    monthly = inputs.monthly.copy()
    monthly = monthly[monthly["district"].isin(list(inputs.districts))]
    monthly = monthly[monthly["month"] <= str(window[-1])]
    monthly["category"] = monthly["category"].map(_name)
    monthly = monthly.groupby(["month", "district", "category"], as_index=False)["count"].sum()
    present = sorted(monthly["category"].unique())
    try:
        weights = check_weights(
            inputs.weights, present, source=f"the harm weight table ({inputs.weights_source})"
        )
    except ValueError as exc:
        raise AssessmentError(str(exc)) from None
    population = float(sum(inputs.populations[d] for d in inputs.districts))
    covered_upto = [m for m in covered if m <= str(window[-1])]

    report(1, steps, "levels and patterns")
    levels, cats, dc_levels, districts = _levels(
        inputs, window, monthly, covered_upto, population, weights
    )
    report(2, steps, "changes")
    changes, by_cat, by_dist, by_dc = _changes(inputs, window, monthly, covered_upto)
    report(3, steps, "drivers of change")
    why = _why(inputs, by_cat, by_dist, by_dc)
    report(4, steps, "last year's plan")
    plan = _plan(
        inputs, monthly.groupby(["month", "category"], as_index=False)["count"].sum(), covered_upto
    )
    report(5, steps, "community views")
    community, concern = _community(inputs, cats)
    report(6, steps, "similar areas")
    peers, peer_ev = _peers(inputs, dc_levels)
    report(7, steps, "priorities")
    priorities, _ = _priorities(inputs, cats, by_cat, peer_ev, concern)

    sections = [levels, changes, why, plan, community, peers, priorities]
    obj = {
        "schema": SCHEMA_VERSION,
        "kind": inputs.kind,
        "title": (
            "Strategic assessment" if inputs.kind == "strategic" else "Strategic assessment refresh"
        )
        + f": {inputs.partnership['name']}",
        "partnership": dict(inputs.partnership),
        "districts": [{"code": c, "name": n} for c, n in inputs.districts.items()],
        "period": {
            "start": str(window[0]),
            "end": str(window[-1]),
            "months": inputs.months,
            "label": f"{window[0].strftime('%B %Y')} to {window[-1].strftime('%B %Y')}",
        },
        "population_year": inputs.population_year,
        "warnings": warnings,
        "sources": list(inputs.sources),
        "parameters": {
            "months": inputs.months,
            "k": inputs.k,
            "priority_weights": dict(inputs.priority_weights or DEFAULT_WEIGHTS),
            "weights_source": inputs.weights_source,
            "plan": inputs.plan_source,
            "survey": inputs.survey_source,
        },
        "totals": {
            d["_key"]: d["count"]
            for d in levels["tables"][0]["rows"]  # levels-districts
        },
    }
    if inputs.kind == "refresh" and inputs.annual:
        sections.append(what_moved(inputs.annual, {"sections": sections, "period": obj["period"]}))
    for number, section in enumerate(sections, start=1):
        section["number"] = number
        section.setdefault("notices", [])
    obj["sections"] = sections
    obj["summary"] = [
        {**finding, "section": s["number"]}
        for s in sections
        for finding in s["findings"][: 3 if s["id"] in ("levels", "changes", "peers") else 1]
        if finding["evidence"] or s["id"] in ("plan",)
    ]
    report(steps, steps, "built")
    return obj
