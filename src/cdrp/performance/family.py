"""The family comparison of a performance target: each district's family is its 15 most similar
districts in England (`cdrp.analysis.peers`, as in the strategic assessment), keeping those
whose force's data covers the elapsed months. The family of a partnership of several districts
is the union of its districts' families, less its own districts; the family average is the
plain mean of the members' rates per 1,000."""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd

from cdrp.analysis.peers import DEFAULT_K, family, features_from_files, peer_groups
from cdrp.analysis.performance import PerformanceError
from cdrp.intelligence.services import demo_data_dir
from cdrp.performance.figures import harm_frame
from cdrp.performance.store import StoreData, slug
from cdrp.plans.models import Indicator

__all__ = ["family_members", "family_rate"]


@functools.lru_cache(maxsize=2)
def _peer_groups(data_dir: str) -> pd.DataFrame:
    base = Path(data_dir)
    features = features_from_files(
        base / "iod2019-lad" / "IoD2019_lad.csv",
        base / "ons-population-la" / "la_population_mid2019.csv",
        base / "ons-lsoa2011-national" / "census2011_lsoa_population_households.csv.gz",
    )
    return peer_groups(features, k=DEFAULT_K)


def family_members(codes: list[str], data: StoreData, months: list[str]) -> list[str]:
    """The family of these districts: the union of each one's 15 most similar districts whose
    force holds every one of `months`, less the districts themselves, most similar first."""
    groups = _peer_groups(str(demo_data_dir()))
    held_by: dict[str, set[str]] = {}
    cov = data.coverage
    for force, rows in cov.groupby("force") if len(cov) else []:
        held_by[str(force)] = set(rows.loc[~rows["missing"], "month"].astype(str))
    forces_ok = {f for f, held in held_by.items() if set(months) <= held}
    available = [
        str(code)
        for code, name in data.districts["force_name"].items()
        if isinstance(name, str) and any(slug(name).startswith(f) for f in forces_ok)
    ]
    members: list[str] = []
    for code in codes:
        try:
            found = family(groups, code, available=available)
        except ValueError as exc:
            raise PerformanceError("kind", str(exc)) from None
        members += [m for m in found if m not in codes and m not in members]
    return members


def family_rate(
    indicator: Indicator, data: StoreData, codes: list[str], months: list[str], year: int
) -> tuple[float | None, list[str]]:
    members = family_members(codes, data, months)
    rates, named = [], []
    frame = data.frame[data.frame["month"].isin(months)]
    categories = list(indicator.categories or [])
    if categories:
        frame = frame[frame["category"].isin(categories)]
    if indicator.harm_weighted:
        frame = harm_frame(frame, categories)
    else:
        frame = frame.assign(value=frame["count"].astype(float))
    totals = frame.groupby("district")["value"].sum()
    for member in members:
        pop = data.population([member], year)
        if not pop:
            continue
        rates.append(float(totals.get(member, 0.0)) / (pop / 1000.0))
        named.append(member)
    if not rates:
        return None, []
    return sum(rates) / len(rates), named
