"""Choropleth maps drawn as SVG path data (British National Grid metres), for the levels section."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import shapely

from cdrp.analysis.assessment.common import _num
from cdrp.analysis.assessment.inputs import (
    MAP_TOLERANCE,
    AssessmentInputs,
)
from cdrp.analysis.assessment.sections import Figure


def small_area_rates(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["count"] = frame["count"].fillna(0).astype(int)
    pop = pd.to_numeric(frame["population"], errors="coerce")
    ok = pop > 0
    frame["rate"] = np.where(ok, frame["count"] / pop.where(ok, 1) * 1000, np.nan)
    return frame


def map_figure(
    inputs: AssessmentInputs, level: str, frame: pd.DataFrame, title: str
) -> Figure | None:
    """A choropleth of `frame`'s rates at `level` (lsoa or ward); None without boundaries."""
    shapes = (inputs.shapes or {}).get(level)
    if not shapes:
        return None

    # pyproj loads the PROJ database: only when a map is drawn.
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


def _svg_path(geom: Any, minx: float, maxy: float) -> str:
    """SVG path data in metres from the top-left corner (y grows downwards)."""
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
