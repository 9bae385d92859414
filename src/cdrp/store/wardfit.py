"""LSOA → ward by area: each LSOA goes to the ward holding most of its area.

Computed with shapely 2 on whole arrays: an STRtree finds every (LSOA, ward) pair whose shapes
intersect, the pairs where the ward holds the whole LSOA take the LSOA's area, and the others are
intersected in one vectorised call (split across threads: GEOS releases the GIL). Nothing is
assigned by nearness: an LSOA that the loaded wards cover for less than half of its area has no
ward ("no ward"), with the share they cover kept.

Ties (two wards holding the same area, to 0.01 m²) go to the smaller ward code, so the result
never depends on file or row order. A ward code drawn in several parts (a ward split across two
files) counts the area of all its parts.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

__all__ = ["MIN_COVER", "best_ward"]

#: The share of an LSOA the loaded wards must cover for it to get a ward at all.
MIN_COVER = 0.5
_CHUNK = 20_000


def best_ward(
    lsoa_codes: npt.ArrayLike,
    lsoa_geoms: npt.ArrayLike,
    ward_codes: npt.ArrayLike,
    ward_geoms: npt.ArrayLike,
    threads: int | None = None,
) -> pd.DataFrame:
    """The ward holding most of each LSOA's area (projected coordinates, e.g. EPSG:27700).

    Parameters
    ----------
    lsoa_codes, lsoa_geoms : arrays
        One (multi)polygon per LSOA code.
    ward_codes, ward_geoms : arrays
        Ward polygons; a code may repeat (a ward in several parts).
    threads : int, optional
        Threads for the intersections (default: the machine's cores, at most 4).

    Returns
    -------
    DataFrame
        One row per LSOA, in the order given: ``lsoa_code``, ``ward_code`` (None for no ward),
        ``ward_share`` (that ward's share of the LSOA's area) and ``covered_share`` (the share
        covered by any loaded ward).

    Examples
    --------
    >>> import shapely
    >>> lsoas = [shapely.box(0, 0, 10, 10), shapely.box(100, 0, 110, 10)]
    >>> wards = [shapely.box(0, 0, 7, 10), shapely.box(7, 0, 20, 10)]
    >>> best_ward(["L1", "L2"], lsoas, ["W1", "W2"], wards).to_dict("records")[0]
    {'lsoa_code': 'L1', 'ward_code': 'W1', 'ward_share': 0.7, 'covered_share': 1.0}
    >>> best_ward(["L1", "L2"], lsoas, ["W1", "W2"], wards).ward_code.iloc[1] is None
    True
    """
    codes = np.asarray(lsoa_codes, dtype=object)
    lsoas = np.asarray(lsoa_geoms, dtype=object)
    wcodes = np.asarray(ward_codes, dtype=object)
    wards = np.asarray(ward_geoms, dtype=object)
    out = pd.DataFrame(
        {
            "lsoa_code": codes,
            "ward_code": np.full(len(codes), None, dtype=object),
            "ward_share": np.zeros(len(codes)),
            "covered_share": np.zeros(len(codes)),
        }
    )
    if len(codes) == 0 or len(wards) == 0:
        return out
    tree = shapely.STRtree(wards)
    li, wi = tree.query(lsoas, predicate="intersects")
    overlap = _overlap_areas(lsoas[li], wards[wi], threads)
    lsoa_area = shapely.area(lsoas)
    pairs = pd.DataFrame({"lsoa": li, "ward": wcodes[wi], "area": overlap})
    pairs = pd.DataFrame(
        pairs[pairs.area > 0].groupby(["lsoa", "ward"], as_index=False, sort=False)["area"].sum()
    )
    if pairs.empty:
        return out
    covered = pairs.groupby("lsoa").area.sum()
    # Largest area first (to 0.01 m², so float noise cannot decide), then the smaller code.
    pairs["key"] = -np.round(pairs.area.to_numpy(), 2)
    best = pairs.sort_values(["lsoa", "key", "ward"]).drop_duplicates("lsoa")
    rows = best.lsoa.to_numpy()
    share = best.area.to_numpy() / lsoa_area[rows]
    cover = covered.reindex(rows).to_numpy() / lsoa_area[rows]
    out.loc[rows, "covered_share"] = np.minimum(cover, 1.0)
    keep = cover >= MIN_COVER
    out.loc[rows[keep], "ward_code"] = best.ward.to_numpy()[keep]
    out.loc[rows[keep], "ward_share"] = np.minimum(share[keep], 1.0)
    return out


def _overlap_areas(
    lsoas: npt.NDArray[Any], wards: npt.NDArray[Any], threads: int | None
) -> npt.NDArray[np.float64]:
    """Area of each LSOA ∩ ward pair; the whole LSOA's area where the ward contains it."""
    shapely.prepare(wards)
    inside = shapely.contains_properly(wards, lsoas)
    areas = np.where(inside, shapely.area(lsoas), 0.0)
    todo = np.flatnonzero(~inside)
    if len(todo) == 0:
        return areas
    chunks = [todo[i : i + _CHUNK] for i in range(0, len(todo), _CHUNK)]
    workers = threads or min(4, os.cpu_count() or 1)

    def part(rows: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:
        return np.asarray(shapely.area(shapely.intersection(lsoas[rows], wards[rows])))

    if workers > 1 and len(chunks) > 1:
        with ThreadPoolExecutor(workers) as pool:
            results = list(pool.map(part, chunks))
    else:
        results = [part(rows) for rows in chunks]
    areas[todo] = np.concatenate(results)
    return areas
