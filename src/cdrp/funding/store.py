"""What the incident store gives funding: each district's name and mid-year populations, the
months police.uk data is held for, and a formula's measures summed over each partnership's
districts. Geography comes through the store's public API (`cdrp.store.geography`)."""

from __future__ import annotations

from collections.abc import Sequence

from cdrp.analysis.allocation import parse_formula
from cdrp.analysis.months import month_range
from cdrp.funding.checks import FundingError, field_label
from cdrp.partnerships.models import Partnership
from cdrp.store import counts, coverage
from cdrp.store.geography import has_table, read_table

__all__ = [
    "ASB",
    "check_period",
    "covered_months",
    "district_populations",
    "formula_inputs",
    "lsoa_names",
]

ASB = "anti-social-behaviour"


def district_populations(store) -> tuple[dict[str, str], dict[str, dict[int, float]]]:
    """Each district's name, and its populations by mid-year estimate year (NaN left out)."""
    if not has_table(store, "districts"):
        raise FundingError(
            "", "The incident store has no geography tables: run `cdrp import geography` first"
        )
    table = read_table(store, "districts")
    years = sorted(
        int(c.removeprefix("population_"))
        for c in table.columns
        if c.startswith("population_") and c.removeprefix("population_").isdigit()
    )
    names = dict(zip(table.district_code, table.district_name, strict=True))
    pops: dict[str, dict[int, float]] = {}
    for year in years:
        for code, value in zip(table.district_code, table[f"population_{year}"], strict=True):
            if value == value:  # not NaN
                pops.setdefault(code, {})[year] = value
    return names, pops


def covered_months(store) -> set[str]:
    """The months some police.uk force's data is held for."""
    frame = coverage(store)
    if frame.empty:
        return set()
    return set(frame.loc[~frame.missing.astype(bool), "month"].astype(str))


def check_period(store, months: Sequence[str], field: str, what: str) -> None:
    covered = covered_months(store)
    missing = [m for m in months if m not in covered]
    if missing:
        shown = ", ".join(missing[:6]) + (" …" if len(missing) > 6 else "")
        raise FundingError(
            field,
            f"{field_label(field)}: the incident store has no police.uk data for {shown}, so "
            f"{what} cannot be counted (a month with no data is missing, not zero)",
        )


def formula_inputs(
    partnerships: Sequence[Partnership], formula: dict, store
) -> tuple[dict[str, dict], dict]:
    """Each partnership's measures (summed over its districts) and what was read.

    Returns ``(inputs, read)``: ``inputs[slug] = {"population": …, "crime": …}`` for the
    weighted measures and ``read`` with the population year used, the months, the categories
    and each district's own figures.
    """
    parsed = parse_formula(formula)
    weighted = [m for m, w in parsed.weights.items() if w > 0]
    names, pops = district_populations(store)
    districts: dict[str, list[tuple[str, str]]] = {}
    owner: dict[str, str] = {}
    for p in partnerships:
        rows = sorted((a.code, a.name) for a in p.districts.all())
        if not rows:
            raise FundingError(
                "partnerships",
                f"Partnerships: {p.name} has no districts in the registry, so it has no "
                "population or crime to share by",
            )
        for code, _ in rows:
            if code in owner:
                raise FundingError(
                    "partnerships",
                    f"Partnerships: {names.get(code, code)} ({code}) is a district of both "
                    f"{owner[code]} and {p.name}: it would be counted twice",
                )
            owner[code] = p.name
        districts[p.slug] = rows
    codes = sorted(owner)
    unknown = [c for c in codes if c not in names]
    if unknown:
        raise FundingError(
            "partnerships",
            f"Partnerships: district code(s) {', '.join(unknown)} are not in the store's geography",
        )
    read: dict = {"districts": {}}
    per_district: dict[str, dict] = {c: {"name": names[c]} for c in codes}
    if "population" in weighted:
        available = sorted({y for c in codes for y in pops.get(c, {})})
        year = parsed.population_year
        if year is None:
            full = [y for y in available if all(y in pops.get(c, {}) for c in codes)]
            if not full:
                raise FundingError(
                    "formula.population_year",
                    "Formula: population_year: no population year covers every district",
                )
            year = full[-1]
        lacking = [c for c in codes if year not in pops.get(c, {})]
        if lacking:
            raise FundingError(
                "formula.population_year",
                f"Formula: population_year: the store has no {year} population for "
                f"{', '.join(names[c] for c in lacking)} (years held: "
                f"{', '.join(map(str, available)) or 'none'})",
            )
        read["population_year"] = year
        for c in codes:
            per_district[c]["population"] = int(round(pops[c][year]))
    if "crime" in weighted:
        if parsed.crime_period is None:
            raise FundingError(
                "formula.crime_period",
                "Formula: crime_period: a crime weight needs the months to count "
                "(for example April 2021 to March 2022)",
            )
        first, last = parsed.crime_period
        check_period(store, month_range(first, last), "formula.crime_period", "crime")
        frame = counts(
            store,
            ["district", "category"],
            start=first,
            end=last,
            categories=list(parsed.crime_categories) if parsed.crime_categories else None,
            areas={"district": codes},
            output="pandas",
        )
        if parsed.crime_categories is None:
            frame = frame[frame.category != ASB]
        by_code = frame.groupby("district")["count"].sum()
        read["crime_period"] = [first, last]
        read["crime_categories"] = (
            list(parsed.crime_categories) if parsed.crime_categories else None
        )
        for c in codes:
            per_district[c]["crime"] = int(by_code.get(c, 0))
    inputs = {}
    for p in partnerships:
        rows = districts[p.slug]
        inputs[p.slug] = {m: sum(per_district[c][m] for c, _ in rows) for m in weighted}
        read["districts"][p.slug] = [{"code": c, **per_district[c]} for c, _ in rows]
    return inputs, read


def lsoa_names(store) -> dict[str, str]:
    """Each LSOA's name by code, from the store's geography."""
    if not has_table(store, "lsoa"):
        raise FundingError("", "The incident store has no geography tables: import them first")
    geo = read_table(store, "lsoa", ["lsoa_code", "lsoa_name"])
    return dict(zip(geo["lsoa_code"], geo["lsoa_name"], strict=True))
