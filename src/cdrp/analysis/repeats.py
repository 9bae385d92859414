"""Repeat locations: the places with the most records over a window, and the share they hold.

A "place" is whatever key the caller groups by: a police.uk snap point (its longitude, latitude
and ``location_text``), an LSOA code, a street. police.uk moves every record to the nearest of a
fixed set of map points, so a snap point with many records is a block of streets or a
point of interest (a shopping centre, a station), not necessarily one address.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

__all__ = ["TOP", "repeat_locations"]

#: Places listed by default.
TOP = 10


def _months(values: Iterable[Any]) -> pd.PeriodIndex:
    return pd.PeriodIndex(pd.to_datetime(pd.Index(values).astype(str)), freq="M")


def repeat_locations(
    records: pd.DataFrame,
    key: str | Sequence[str],
    *,
    start: str | pd.Period | None = None,
    end: str | pd.Period | None = None,
    top: int = TOP,
    month_column: str = "month",
) -> pd.DataFrame:
    """The ``top`` places with the most records between ``start`` and ``end`` (months, inclusive).

    Parameters
    ----------
    records : pandas.DataFrame
        One row per record, with the ``key`` column(s) and a month column (needed only when a
        window is given).
    key : str or list of str
        Column(s) naming a place. Rows with an empty key (no location) are not places: they
        count towards the total but are never listed.
    start, end : str or Period, optional
        First and last month of the window (default: all the data).
    top : int
        How many places to list.

    Returns
    -------
    pandas.DataFrame
        The key columns, ``records``, ``share`` (of all records in the window),
        ``cumulative_share`` and ``rank`` (1 = most records; ties share the smaller rank).
        ``attrs["total"]`` is the number of records in the window and ``attrs["places"]`` the
        number of distinct places.

    Raises
    ------
    ValueError
        A window outside the data, or no records in it.

    Examples
    --------
    >>> df = pd.DataFrame({"place": list("AAAABBC") + [None], "month": ["2022-11"] * 8})
    >>> out = repeat_locations(df, "place", top=2)
    >>> out.values.tolist()
    [['A', 4, 0.5, 0.5, 1], ['B', 2, 0.25, 0.75, 2]]
    """
    keys = [key] if isinstance(key, str) else list(key)
    absent = [c for c in keys if c not in records.columns]
    if absent:
        raise ValueError(f"records has no column {absent[0]!r} to group places by")
    if top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    df = records
    if start is not None or end is not None:
        if month_column not in records.columns:
            raise ValueError(f"a window needs a {month_column!r} column")
        months = _months(records[month_column])
        if len(months) == 0:
            raise ValueError("no records: the table is empty")
        first, last = months.min(), months.max()
        lo = pd.Period(str(start), freq="M") if start is not None else first
        hi = pd.Period(str(end), freq="M") if end is not None else last
        if lo > hi:
            raise ValueError(f"the window starts ({lo}) after it ends ({hi})")
        if lo < first or hi > last:
            raise ValueError(
                f"the window {lo} to {hi} is longer than the data, which covers {first} to {last}"
            )
        df = records[(months >= lo) & (months <= hi)]
    if df.empty:
        raise ValueError("no records in the window selected")
    total = len(df)
    places = df.dropna(subset=keys)
    counts = places.groupby(keys, sort=False).size().rename("records").reset_index()
    counts = counts.sort_values(["records", *keys], ascending=[False] + [True] * len(keys))
    counts["share"] = counts["records"] / total
    counts["cumulative_share"] = counts["share"].cumsum()
    counts["rank"] = counts["records"].rank(method="min", ascending=False).astype(int)
    out = counts.head(top).reset_index(drop=True)
    out.attrs["total"] = total
    out.attrs["places"] = len(counts)
    return out
