"""The incident store, read once for many indicators: monthly counts by district and category
for a span of months, the months each force holds, and the district table (names, forces,
populations). Geography comes through the store's public API (`cdrp.store.geography`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from cdrp.analysis.months import parse_month
from cdrp.analysis.performance import PerformanceError
from cdrp.intelligence.services import incident_store
from cdrp.store import Store, counts, coverage
from cdrp.store.geography import has_table, read_table

__all__ = ["StoreData", "default_store", "district_table", "last_month", "load_store_data", "slug"]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")


@dataclass
class StoreData:
    """Monthly counts by district and category for a span of months, with coverage and the
    district table (names, forces, populations): one store query serves every indicator."""

    store: Store
    start: str
    end: str
    frame: pd.DataFrame  # month, district, category, count
    districts: pd.DataFrame  # indexed by district_code
    coverage: pd.DataFrame  # police-uk force × month with `missing`
    _covered: dict = field(default_factory=dict)

    def covered(self, codes: list[str]) -> set[str]:
        """Months held for these districts: every force they belong to has the month's file."""
        key = tuple(sorted(codes))
        if key in self._covered:
            return self._covered[key]
        cov = self.coverage
        forces = set(cov["force"]) if len(cov) else set()
        names = self.districts.reindex(list(codes))["force_name"].dropna()
        wanted = {f for f in forces if any(slug(n).startswith(f) for n in names)} or forces
        held = cov[cov["force"].isin(wanted)] if len(cov) else cov
        if not len(held):
            out: set[str] = set()
        else:
            ok = held.groupby("month")["missing"].apply(lambda s: not s.any())
            out = {str(m) for m in ok[ok].index}
        self._covered[key] = out
        return out

    def last_month(self, codes: list[str] | None = None) -> str | None:
        months = self.covered(codes or list(self.districts.index))
        return max(months) if months else None

    def population(self, codes: list[str], year: int) -> float | None:
        """Residents of the districts from the latest mid-year estimate not after `year`."""
        years = sorted(
            int(m.group(1))
            for c in self.districts.columns
            if (m := re.match(r"population_(\d{4})$", c))
        )
        earlier = [y for y in years if y <= year]
        chosen = max(earlier) if earlier else (min(years) if years else None)
        if chosen is None:
            return None
        values = self.districts.reindex(codes)[f"population_{chosen}"]
        if values.isna().any():
            return None
        return float(values.sum())

    def population_year(self, year: int) -> int | None:
        years = sorted(
            int(m.group(1))
            for c in self.districts.columns
            if (m := re.match(r"population_(\d{4})$", c))
        )
        earlier = [y for y in years if y <= year]
        return max(earlier) if earlier else (min(years) if years else None)


def district_table(store: Store, columns: tuple[str, ...] = ("district_name", "force_name")):
    """The store's district table indexed by district code (empty, with `columns`, when the
    store has no geography)."""
    if has_table(store, "districts"):
        return read_table(store, "districts").set_index("district_code")
    return pd.DataFrame(columns=list(columns))


def load_store_data(store: Store | str | None, start: str, end: str) -> StoreData:
    """Read the counts by month, district and category for ``start..end`` (one query); refused
    when no incident store is configured."""
    if store is None:
        raise PerformanceError("store", "no incident store is configured (CDRP_INCIDENT_STORE)")
    store = store if isinstance(store, Store) else Store(store)
    start, end = parse_month(start, "start"), parse_month(end, "end")
    frame = counts(store, ["month", "district", "category"], start=start, end=end, output="pandas")
    districts = district_table(store)
    cov = coverage(store)
    if len(cov):
        cov = cov[cov["source"] == "police-uk"]
    return StoreData(store, start, end, frame, districts, cov)


def default_store() -> Store | None:
    """The incident store named in the settings (None when it cannot be opened: pages still
    show manual indicators)."""

    try:
        return incident_store()
    except Exception:
        return None


def last_month(partnership, store: Store | str | None) -> str | None:
    """The last month held for the partnership's districts (police.uk), else None."""
    if store is None:
        return None
    store = store if isinstance(store, Store) else Store(store)
    cov = coverage(store)
    if not len(cov):
        return None
    data = StoreData(
        store,
        "",
        "",
        pd.DataFrame(),
        district_table(store, ("force_name",)),
        cov[cov["source"] == "police-uk"],
    )
    codes = [a.code for a in partnership.districts.all()]
    return data.last_month(codes or None)
