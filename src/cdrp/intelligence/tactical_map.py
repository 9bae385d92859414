"""The tasking pack's map drawn on the server as SVG (for the PDF): neighbourhoods, wards and
districts as context with their names, emerging hot spots in red, exceedances coloured by crime
type, and a legend naming each colour. It reads the pack's ``map`` (GeoJSON in WGS84)."""

from __future__ import annotations

import math
from html import escape
from typing import Any

import shapely

FONT = "Helvetica, Arial, sans-serif"


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    kind = geometry.get("type")
    coords = geometry.get("coordinates") or []
    if kind == "Polygon":
        return list(coords)
    if kind == "MultiPolygon":
        return [ring for poly in coords for ring in poly]
    return []


def tactical_map_svg(map_data: dict[str, Any], width: int = 640, title: str = "Map") -> str:
    """The map as one SVG element (legend included); "" when the pack has no shapes."""
    layers = {
        k: (map_data.get(k) or {}).get("features", [])
        for k in ("lsoas", "wards", "districts", "hotspots", "exceedances")
    }
    points = [
        pt
        for feats in layers.values()
        for f in feats
        for ring in _rings(f["geometry"])
        for pt in ring
    ]
    if not points:
        return ""
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    minx, maxx, miny, maxy = min(lons), max(lons), min(lats), max(lats)
    kx = math.cos(math.radians((miny + maxy) / 2))  # equirectangular, true at the mid-latitude
    span_x = max((maxx - minx) * kx, 1e-9)
    span_y = max(maxy - miny, 1e-9)
    scale = width / span_x
    height = int(span_y * scale)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (lon - minx) * kx * scale, (maxy - lat) * scale

    def path(geometry: dict[str, Any]) -> str:
        # In pixels, simplified to under a pixel and rounded: WeasyPrint's time grows with the
        # size of the SVG, and finer detail than a pixel cannot be seen.
        out = []
        for ring in _rings(geometry):
            pts = [xy(*p[:2]) for p in ring]
            line = shapely.LineString(pts) if len(pts) >= 2 else None
            if line is None:
                continue
            coords = shapely.simplify(line, 0.6).coords
            if len(coords) < 3:
                continue
            out.append("M" + " ".join(f"{x:.0f} {y:.0f}" for x, y in coords[:-1]) + "Z")
        return "".join(out)

    legend = map_data.get("legend") or []
    legend_h = 22 + 16 * len(legend)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cdrp-map" role="img" '
        f'aria-label="{escape(title)}" viewBox="0 0 {width} {height + legend_h}" '
        f'width="{width}" height="{height + legend_h}">',
        f"<title>{escape(title)}</title>",
    ]
    lsoas = "".join(path(f["geometry"]) for f in layers["lsoas"])
    if lsoas:
        parts.append(f'<path d="{lsoas}" fill="none" stroke="#b1b4b6" stroke-width="0.4"/>')
    for f in layers["hotspots"]:
        parts.append(
            f'<path d="{path(f["geometry"])}" fill="#d4351c" fill-opacity="0.55" '
            'stroke="#d4351c" stroke-width="0.8" fill-rule="evenodd">'
            f"<title>{escape(f['properties'].get('name', ''))}</title></path>"
        )
    for f in layers["exceedances"]:
        c = f["properties"].get("colour", "#1d70b8")
        parts.append(
            f'<path d="{path(f["geometry"])}" fill="{c}" fill-opacity="0.3" stroke="{c}" '
            'stroke-width="1.6" stroke-dasharray="4 2" fill-rule="evenodd"/>'
        )
    wards = "".join(path(f["geometry"]) for f in layers["wards"])
    if wards:
        parts.append(f'<path d="{wards}" fill="none" stroke="#505a5f" stroke-width="0.8"/>')
    for f in layers["districts"]:
        parts.append(
            f'<path d="{path(f["geometry"])}" fill="none" stroke="#0b0c0c" stroke-width="2"/>'
        )
    for f in layers["wards"]:
        at = f["properties"].get("label_at")
        if at:
            x, y = xy(*at)
            parts.append(
                f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" font-family="{FONT}" '
                f'font-size="6" fill="#505a5f">{escape(f["properties"]["name"])}</text>'
            )
    for f in layers["districts"]:
        at = f["properties"].get("label_at")
        if at:
            x, y = xy(*at)
            name = escape(f["properties"]["name"])
            # A white halo drawn first, then the name (not every renderer knows paint-order).
            for paint in ('fill="#ffffff" stroke="#ffffff" stroke-width="3"', 'fill="#0b0c0c"'):
                parts.append(
                    f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" font-family="{FONT}" '
                    f'font-size="12" font-weight="bold" {paint}>{name}</text>'
                )
    y = height + 16
    parts.append(
        f'<text x="0" y="{y}" font-family="{FONT}" font-size="11" font-weight="bold" '
        'fill="#0b0c0c">Key</text>'
    )
    for i, item in enumerate(legend):
        yy = y + 6 + 16 * i
        c = escape(item["colour"])
        if item["kind"] in ("district", "ward", "lsoa"):
            w = {"district": 2, "ward": 0.8, "lsoa": 0.6}[item["kind"]]
            swatch = (
                f'<line x1="0" y1="{yy + 6}" x2="22" y2="{yy + 6}" stroke="{c}" '
                f'stroke-width="{w}"/>'
            )
        else:
            swatch = (
                f'<rect x="0" y="{yy}" width="22" height="12" fill="{c}" fill-opacity="0.5" '
                f'stroke="{c}"/>'
            )
        parts.append(
            swatch + f'<text x="30" y="{yy + 10}" font-family="{FONT}" font-size="10" '
            f'fill="#0b0c0c">{escape(item["label"])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
