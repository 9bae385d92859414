"""Figures as a chair reads them."""

from __future__ import annotations

import math

# -- formatting --------------------------------------------------------------------------------


def format_value(value: float | None, measure: str) -> str:
    """A figure as a chair reads it: counts and harm whole, rates to 2 places, percentages.

    Examples
    --------
    >>> format_value(1234.4, "count"), format_value(3.456, "rate"), format_value(0.42, "proportion")
    ('1,234', '3.46 per 1,000', '42.0%')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if measure == "proportion":
        return f"{value:.1%}"
    if measure in ("rate", "harm rate"):
        return f"{value:,.2f} per 1,000"
    return f"{value:,.0f}"


def _number(value: float, measure: str) -> str:
    """Like format_value, without the unit (for intervals)."""
    if measure == "proportion":
        return f"{value:.1%}"
    if measure in ("rate", "harm rate"):
        return f"{value:,.2f}"
    return f"{value:,.0f}"
