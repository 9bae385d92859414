"""Section 1, levels and patterns: counts, rates per 1,000, harm, seasonality, concentration."""

from __future__ import annotations

import pandas as pd

from cdrp.analysis.assessment.common import (
    _districts_text,
    _fmt,
    _records,
    _ref,
    _table,
    _window_text,
    lsoa_boundaries_notice,
    missing_lsoa_boundaries,
    missing_wards,
    stacked,
    summed,
    ward_boundaries_notice,
)
from cdrp.analysis.assessment.inputs import AssessmentInputs
from cdrp.analysis.assessment.maps import map_figure, small_area_rates
from cdrp.analysis.assessment.sections import Finding, Section, Table
from cdrp.analysis.concentration import concentration
from cdrp.analysis.rates import rates
from cdrp.analysis.trend import monthly_series, same_period_last_year


def levels_section(
    inputs: AssessmentInputs,
    window: pd.PeriodIndex,
    monthly: pd.DataFrame,
    covered: list[str],
    population: float,
    weights: pd.Series,
) -> tuple[Section, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Section 1, and the category, district × category and district tables it computed."""
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
    dc = stacked(dc.reindex(index=list(names), fill_value=0)).rename("count").reset_index()
    dc["key"] = dc["district"] + "/" + dc["category"]
    dc["name"] = dc["district"].map(names)
    dc["population"] = dc["district"].map(inputs.populations).astype(float)
    dc = rates(dc, area="key")

    # Seasonality: each month beside the same month a year before, partnership total.
    series = monthly_series(
        summed(monthly, "month"),
        covered,
        start=str(window[0] - 12),
        end=str(window[-1]),
    )
    season = same_period_last_year(series).loc[slice(window[0], None)].reset_index()
    season["month"] = season["month"].astype(str)
    by_month_cat = summed(current, ["month", "category"])

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
    lsoa_rated = small_area_rates(lsoa)
    wards_rated = small_area_rates(inputs.wards.copy())

    top_lsoa = lsoa_rated.sort_values(["count", "lsoa"], ascending=[False, True]).head(15)
    top_wards = wards_rated.sort_values(["count", "ward"], ascending=[False, True]).head(15)
    missing = _missing_small_areas(inputs, lsoa)
    ward_note = (
        "Ward populations are Census 2011 residents of the LSOAs best fitted to each ward; a "
        "ward rate is indicative only."
    )
    if top_wards.empty:
        ward_note = next(m for m in missing if m.startswith("No ward boundaries"))

    tables: list[Table] = [
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
            note=ward_note,
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
        map_figure(inputs, "lsoa", lsoa_rated, "Rate per 1,000 residents by LSOA"),
        map_figure(inputs, "ward", wards_rated, "Rate per 1,000 residents by ward"),
    ]
    tot = districts[districts["district"] == "total"].iloc[0]
    top = cats.head(3)
    lsoa_conc = conc[conc["level"] == "LSOA"]
    findings: list[Finding] = [
        {
            "text": f"{_fmt(tot['count'])} records in {_window_text(window)}: "
            f"{tot['rate']:.1f} per 1,000 residents (95% interval {tot['rate_lower']:.1f} to "
            f"{tot['rate_upper']:.1f}).",
            "evidence": [_ref("levels-districts", "total")],
        },
        {
            "text": "The most recorded categories were "
            + ", ".join(
                f"{category} ({_fmt(count)}, {share:.0%})"
                for category, count, share in zip(
                    top["category"], top["count"], top["share"], strict=True
                )
            )
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
    section = Section(
        id="levels",
        title="Levels and patterns",
        text=[
            f"Records of crime and anti-social behaviour published by police.uk for "
            f"{_window_text(window)}, counted as published (duplicates included), by district, "
            f"category, ward and LSOA. Rates are per 1,000 residents (ONS mid-"
            f"{inputs.population_year} estimates) with exact Poisson 95% intervals. Harm weights "
            "each record by the severity of its category, shown beside the raw count: volume "
            "and harm point to different priorities. Substance misuse appears here as the "
            "police.uk Drugs category (possession and supply offences recorded by the police); "
            "partner data such as treatment figures can be imported beside it.",
        ],
        tables=tables,
        figures=[f for f in figures if f is not None],
        findings=findings,
        notices=[],
        missing=missing,
    )
    return section, cats, dc, districts


def _missing_small_areas(inputs: AssessmentInputs, lsoa: pd.DataFrame) -> list[str]:
    """What the ward and LSOA tables and maps lack, naming the missing input: ward or LSOA
    boundaries of a district, wards not covering LSOAs, LSOAs without a Census population."""
    missing = []
    no_wards = missing_wards(inputs)
    if no_wards:
        missing.append(
            ward_boundaries_notice(
                inputs,
                no_wards,
                "the ward table, ward concentration and ward map leave "
                + ("it" if len(no_wards) == 1 else "them")
                + " out",
            )
        )
    no_lsoa = missing_lsoa_boundaries(inputs)
    if no_lsoa:
        missing.append(
            lsoa_boundaries_notice(
                inputs,
                no_lsoa,
                "the LSOA map leaves " + ("it" if len(no_lsoa) == 1 else "them") + " out",
            )
        )
    # LSOAs of districts that have wards, but which no loaded ward covers.
    with_wards = [c for c in inputs.districts if c not in no_wards]
    unwarded = lsoa[lsoa["district"].isin(with_wards) & lsoa["ward"].isna()]
    if len(unwarded):
        missing.append(
            f"{len(unwarded)} LSOAs of {_districts_text(inputs, sorted(set(unwarded['district'])))}"
            f" lie in no loaded ward ({_fmt(unwarded['count'].sum())} records in the period): "
            "the ward table leaves them out; load the ward boundaries that cover them."
        )
    no_pop = lsoa[~(pd.to_numeric(lsoa["population"], errors="coerce") > 0)]
    if len(no_pop):
        missing.append(
            f"{len(no_pop)} LSOAs have no Census 2011 population (e.g. {no_pop['lsoa'].iloc[0]}): "
            "their rates are left blank and their wards' rates rest on the other LSOAs' residents "
            "only; load the Census 2011 LSOA populations that cover them."
        )
    return missing
