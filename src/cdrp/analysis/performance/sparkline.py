"""The small inline chart of an indicator's months."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

# -- sparkline ---------------------------------------------------------------------------------


def sparkline(
    values: Sequence[float | None],
    *,
    label: str,
    target: float | None = None,
    target_from: int = 0,
    width: int = 120,
    height: int = 32,
    colour: str = "#1d70b8",
) -> str:
    """A tiny inline SVG line of monthly values: missing months are gaps, the target a dashed line.

    Parameters
    ----------
    values : sequence of float or None
        One value per month, None where the month is missing.
    label : str
        What it shows, for screen readers (``aria-label`` and ``<title>``); escaped.
    target : float, optional
        The target's monthly level, drawn dashed from month ``target_from`` to the end.
    width, height : int
        Size in pixels.

    Returns
    -------
    str
        ``<svg …>…</svg>``. The vertical scale runs from the smallest to the largest of the
        values and the target.

    Examples
    --------
    >>> svg = sparkline([3, None, 5, 4], label="Burglary", target=4)
    >>> svg.count("<polyline"), svg.count("<circle"), "stroke-dasharray" in svg
    (1, 1, True)
    >>> "<title>Burglary</title>" in svg
    True
    """
    pad = 2.0
    numbers = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    scale = numbers + ([float(target)] if target is not None else [])
    # From the smallest to the largest figure (as sparklines do), so the month-to-month
    # movement shows; a flat series sits in the middle.
    bottom, top = (min(scale), max(scale)) if scale else (0.0, 1.0)
    if top - bottom < 1e-12:
        bottom, top = bottom - 1.0, top + 1.0
    count = len(values)
    step = (width - 2 * pad) / max(count - 1, 1)

    def x(i: int) -> float:
        return pad + i * step

    def y(v: float) -> float:
        return height - pad - (height - 2 * pad) * ((v - bottom) / (top - bottom))

    label = escape(label)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cdrp-sparkline" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{label}">'
        f"<title>{label}</title>"
    ]
    if target is not None and count:
        ty = y(float(target))
        parts.append(
            f'<line x1="{x(min(target_from, count - 1)):.1f}" y1="{ty:.1f}" '
            f'x2="{x(count - 1):.1f}" y2="{ty:.1f}" stroke="#505a5f" stroke-width="1" '
            'stroke-dasharray="3 2"/>'
        )
    run: list[str] = []
    runs: list[list[str]] = []
    for i, v in enumerate(values):
        if v is None or math.isnan(float(v)):
            if run:
                runs.append(run)
            run = []
            continue
        run.append(f"{x(i):.1f},{y(float(v)):.1f}")
    if run:
        runs.append(run)
    for points in runs:
        if len(points) == 1:
            cx, cy = points[0].split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="1.5" fill="{colour}"/>')
        else:
            parts.append(
                f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
                'stroke-width="1.5" stroke-linejoin="round"/>'
            )
    parts.append("</svg>")
    return "".join(parts)
