"""Readings: one line of plain English beside each statistic, for members who are not analysts.

Every function here is pure and returns one sentence (no trailing full stop is left off, no
jargon is left unexplained). The numbers are the ones a page or document already shows; the
reading says what they mean: "Burglary rose by 17% — more than chance would explain".

The glossary page (``/glossary/``) explains each technical term these readings avoid; its
entries are in `GLOSSARY`, keyed by the anchor the pages link to.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

__all__ = [
    "GLOSSARY",
    "change_reading",
    "rate_ratio_reading",
    "hotspot_reading",
    "exceedance_reading",
    "knox_reading",
    "band_words",
    "fdr_reading",
    "control_limit_reading",
    "concentration_reading",
    "target_reading",
    "funnel_reading",
    "percent_change",
]

#: The technical terms of the pages and documents: anchor → (term, explanation).
GLOSSARY: dict[str, tuple[str, str]] = {
    "rate-ratio": (
        "Rate ratio",
        "The rate in one period or place divided by the rate in another. 1 means no "
        "difference; 1.20 means 20% higher; 0.80 means 20% lower.",
    ),
    "confidence-interval": (
        "95% interval (confidence interval)",
        "The range the true figure is likely to lie in, allowing for chance. When the interval "
        "of a rate ratio includes 1, the difference could be chance.",
    ),
    "significance": (
        "More than chance would explain (statistically significant)",
        "Crime counts go up and down from month to month by chance alone. A change is called "
        "significant when a change that large would happen by chance less than 5 times in 100 "
        "(p below 0.05).",
    ),
    "p-value": (
        "p-value",
        "How often chance alone would give a result at least this extreme. Small values "
        "(below 0.05) mean chance is an unlikely explanation.",
    ),
    "gi-star": (
        "Hot spot (Getis-Ord Gi*)",
        "A neighbourhood (LSOA) whose count, together with its neighbours', is much higher than "
        "the area's average: a cluster of high crime, not one busy street.",
    ),
    "emerging-hot-spot": (
        "Emerging hot spot",
        "A hot spot judged over recent months: new (only this month), consecutive (the last "
        "few months in a row), intensifying (most months and growing), persistent (most months, "
        "steady) or sporadic (on and off).",
    ),
    "fdr": (
        "False discovery rate (FDR)",
        "When hundreds of areas are tested at once some will look unusual by chance. The FDR "
        "correction raises the bar so that no more than about 5 in 100 areas flagged are false "
        "alarms.",
    ),
    "exceedance": (
        "Exceedance",
        "A ward and crime type whose count this month is above the highest level that "
        "ordinary variation around its seasonal expected count would reach (the upper limit).",
    ),
    "upper-limit": (
        "Upper limit (control limit)",
        "The highest count that ordinary variation would give 99 months in 100 (or 998 in "
        "1,000 for the 99.8% limits). A count above it signals a real change.",
    ),
    "knox": (
        "Near-repeat (Knox test)",
        "Whether crimes happen close together in both place and time more often than chance "
        "would give: after a burglary, are neighbouring homes at higher risk for a while?",
    ),
    "lsoa": (
        "LSOA (lower layer super output area)",
        "A small census area of about 1,500 residents (650 households), the smallest area "
        "police.uk data can be counted in.",
    ),
    "ward": (
        "Ward",
        "An electoral ward of the district or borough council.",
    ),
    "funnel-plot": (
        "Funnel plot",
        "A chart of each area's rate against its population, with limits that are wider for "
        "smaller areas: areas outside the funnel differ from the average by more than chance.",
    ),
    "most-similar-group": (
        "Most similar group (peers)",
        "The districts most like this one on population, deprivation and density, whose crime "
        "rates are the fairest comparison.",
    ),
    "harm-weighting": (
        "Harm weighting",
        "Counting each crime by how much harm it causes (the Cambridge or ONS severity score) "
        "instead of counting every crime as one.",
    ),
    "repeat-location": (
        "Repeat location",
        "A place that accounts for many records: a few places often hold a large share of "
        "the area's crime.",
    ),
    "suppressed": (
        "Suppressed figure",
        "A small count hidden (shown as a dash) so that no person can be identified from it.",
    ),
}


def _pct(value: float) -> str:
    """A percentage as people write it: whole numbers, or one decimal below 10%."""
    v = abs(value)
    return f"{v:.0f}%" if v >= 9.95 or abs(v - round(v)) < 0.05 else f"{v:.1f}%"


def percent_change(before: float, after: float) -> float | None:
    """The change from `before` to `after` in per cent; None when `before` is 0.

    >>> percent_change(100, 117), percent_change(40, 30), percent_change(0, 3)
    (17.0, -25.0, None)
    """
    if not before:
        return None
    return (after - before) / before * 100


def _ok(x: float | None) -> bool:
    return x is not None and math.isfinite(x)


def change_reading(
    subject: str,
    before: float,
    after: float,
    p_value: float | None,
    *,
    alpha: float = 0.05,
) -> str:
    """A change between two periods in words.

    Examples
    --------
    >>> change_reading("Burglary", 100, 117, 0.01)
    'Burglary rose by 17% — more than chance would explain'
    >>> change_reading("Vehicle crime", 40, 30, 0.3)
    'Vehicle crime fell by 25% — within what chance alone could give'
    >>> change_reading("Robbery", 12, 12, 1.0)
    'Robbery stayed the same (12 records in each period)'
    >>> change_reading("Arson", 0, 4, None)
    'Arson rose from none to 4 records'
    """
    if before == after:
        return f"{subject} stayed the same ({after:,.0f} records in each period)"
    change = percent_change(before, after)
    if change is None:
        return f"{subject} rose from none to {after:,.0f} records"
    verb = "rose" if change > 0 else "fell"
    if p_value is None or not math.isfinite(p_value):
        return f"{subject} {verb} by {_pct(change)}"
    judgement = (
        "more than chance would explain"
        if p_value < alpha
        else "within what chance alone could give"
    )
    return f"{subject} {verb} by {_pct(change)} — {judgement}"


def rate_ratio_reading(
    ratio: float | None,
    lower: float | None,
    upper: float | None,
    *,
    compared_with: str = "the comparison",
) -> str:
    """A rate ratio with its 95% interval in words.

    Examples
    --------
    >>> rate_ratio_reading(0.982, 0.91, 1.06, compared_with="similar areas")
    'About the same as similar areas (1.8% lower, but anywhere from 9% lower to 6% higher is likely): no clear difference'
    >>> rate_ratio_reading(1.25, 1.1, 1.42, compared_with="last year")
    '25% higher than last year (likely between 10% and 42% higher): a real difference, more than chance would explain'
    >>> rate_ratio_reading(0.6, 0.45, 0.8)
    '40% lower than the comparison (likely between 20% and 55% lower): a real difference, more than chance would explain'
    >>> rate_ratio_reading(None, None, None)
    'No rate ratio: there were no records to compare'
    """  # noqa: E501
    if ratio is None or not math.isfinite(ratio):
        return "No rate ratio: there were no records to compare"
    diff = (ratio - 1) * 100
    if lower is None or upper is None or not (math.isfinite(lower) and math.isfinite(upper)):
        word = "higher" if diff > 0 else "lower"
        return f"{_pct(diff)} {word} than {compared_with} (no interval could be worked out)"
    lo, hi = (lower - 1) * 100, (upper - 1) * 100

    def side(v: float) -> str:
        return f"{_pct(v)} {'higher' if v > 0 else 'lower'}"

    if lower <= 1 <= upper:
        word = "higher" if diff > 0 else "lower"
        return (
            f"About the same as {compared_with} ({_pct(diff)} {word}, but anywhere from "
            f"{side(lo)} to {side(hi)} is likely): no clear difference"
        )
    word = "higher" if diff > 0 else "lower"
    near, far = (lo, hi) if diff > 0 else (hi, lo)
    return (
        f"{_pct(diff)} {word} than {compared_with} (likely between {_pct(near)} and "
        f"{_pct(far)} {word}): a real difference, more than chance would explain"
    )


_PATTERN_WORDS = {
    "new": "a hot spot for the first time this month",
    "consecutive": "a hot spot for the last few months in a row",
    "intensifying": "a hot spot in most recent months, and getting stronger",
    "persistent": "a hot spot in most recent months, at a steady level",
    "sporadic": "a hot spot on and off in recent months",
    "diminishing": "a hot spot in most recent months, but getting weaker",
    "historical": "a hot spot earlier in the window, but not this month",
    "oscillating": "a hot spot this month after being a cold spot earlier",
}


def hotspot_reading(place: str, pattern: str) -> str:
    """An emerging hot-spot pattern (Getis-Ord Gi*) in words.

    Examples
    --------
    >>> hotspot_reading("Town Centre 001A", "new hot spot")
    'Town Centre 001A is a hot spot for the first time this month: crime here and next door is well above the area average'
    >>> hotspot_reading("Riverside 002B", "persistent hot spot")
    'Riverside 002B is a hot spot in most recent months, at a steady level: crime here and next door is well above the area average'
    >>> hotspot_reading("Park 003C", "no pattern detected")
    'Park 003C shows no lasting cluster of high or low crime'
    """  # noqa: E501
    text = pattern.strip().lower()
    kind = text.split(" ")[0] if text else ""
    if text.endswith("hot spot") and kind in _PATTERN_WORDS:
        return (
            f"{place} is {_PATTERN_WORDS[kind]}: crime here and next door is well above the "
            "area average"
        )
    if text.endswith("cold spot"):
        return f"{place} is a cold spot: crime here and next door is well below the area average"
    return f"{place} shows no lasting cluster of high or low crime"


def exceedance_reading(
    place: str, category: str, observed: int, expected: float, upper_limit: float
) -> str:
    """An exceedance (a count above its upper limit) in words.

    Examples
    --------
    >>> exceedance_reading("Central", "Burglary", 14, 6.2, 12)
    'Burglary in Central: 14 records against about 6 expected — more than ordinary ups and downs would give (at most 12 in 99 months out of 100)'
    >>> exceedance_reading("North", "Shoplifting", 5, 1.0, 4)
    'Shoplifting in North: 5 records against about 1 expected — more than ordinary ups and downs would give (at most 4 in 99 months out of 100)'
    """  # noqa: E501
    return (
        f"{category} in {place}: {observed:,} records against about {expected:,.0f} expected — "
        f"more than ordinary ups and downs would give (at most {upper_limit:,.0f} in 99 months "
        "out of 100)"
    )


def knox_reading(
    ran: bool,
    significant: Sequence[tuple[str, str]] = (),
    *,
    crime: str = "burglary",
) -> str:
    """The Knox near-repeat test in words; `significant` lists the (distance band, time band)
    cells above chance, closest first, with bands as the pack labels them.

    Examples
    --------
    >>> knox_reading(True, [("[0, 200] m", "[0, 0] months"), ("(200, 400] m", "[0, 0] months")])
    'After a burglary, more burglaries than chance would explain followed within 200 m in the same month: warn and protect the neighbouring homes quickly'
    >>> knox_reading(True, [])
    'Burglaries were no more clustered in place and time than chance would give: no near-repeat risk to act on'
    >>> knox_reading(False)
    'The near-repeat test was not run: too few burglaries with a location'
    """  # noqa: E501
    plural = crime[:-1] + "ies" if crime.endswith("y") else crime + "s"
    if not ran:
        return f"The near-repeat test was not run: too few {plural} with a location"
    if not significant:
        return (
            f"{plural.capitalize()} were no more clustered in place and time than chance would "
            "give: no near-repeat risk to act on"
        )
    distance, time = significant[0]
    return (
        f"After a {crime}, more {plural} than chance would explain followed "
        f"{band_words(distance)} {band_words(time)}: warn and protect the neighbouring "
        "homes quickly"
    )


_BAND = re.compile(r"[\[(]\s*([\d.]+)\s*,\s*([\d.]+)\s*[\])]\s*(\w+)")


def _number(text: str) -> str:
    value = float(text)
    return f"{value:,.0f}" if value.is_integer() else f"{value:,}"


def band_words(band: str) -> str:
    """A Knox band label in words.

    Examples
    --------
    >>> band_words("[0, 200] m"), band_words("(200, 400] m")
    ('within 200 m', '200 to 400 m away')
    >>> band_words("[0, 0] months"), band_words("(0, 1] months"), band_words("(1, 3] months")
    ('in the same month', 'a month later', '1 to 3 months later')
    >>> band_words("near")
    'near'
    """
    found = _BAND.fullmatch(band.strip())
    if found is None:
        return band
    lo, hi, unit = float(found.group(1)), float(found.group(2)), found.group(3)
    if unit.startswith("month"):
        if hi == 0:
            return "in the same month"
        if hi - lo == 1:
            return "a month later" if hi == 1 else f"{_number(found.group(2))} months later"
        if lo == 0:
            return f"within {_number(found.group(2))} months"
        return f"{_number(found.group(1))} to {_number(found.group(2))} months later"
    if lo == 0:
        return f"within {_number(found.group(2))} {unit}"
    return f"{_number(found.group(1))} to {_number(found.group(2))} {unit} away"


def fdr_reading(tested: int, flagged: int, rate: float = 0.05) -> str:
    """The false discovery rate correction in words.

    >>> fdr_reading(120, 6)
    '6 of 120 areas tested stand out; with so many tested at once, the bar was raised so that no more than about 5 in 100 of those flagged are false alarms'
    """  # noqa: E501
    return (
        f"{flagged:,} of {tested:,} areas tested stand out; with so many tested at once, the bar "
        f"was raised so that no more than about {rate * 100:.0f} in 100 of those flagged are "
        "false alarms"
    )


def control_limit_reading(
    value: float, lower: float | None, upper: float | None, *, level: str = "99.8%"
) -> str:
    """A value against its control limits in words.

    Examples
    --------
    >>> control_limit_reading(52, 30, 70)
    'Within the 99.8% control limits (30 to 70): ordinary variation, not a real change'
    >>> control_limit_reading(75, 30, 70)
    'Above the upper control limit (70): a real rise, more than ordinary variation'
    >>> control_limit_reading(20, 30, 70)
    'Below the lower control limit (30): a real fall, more than ordinary variation'
    """
    if _ok(upper) and upper is not None and value > upper:
        return (
            f"Above the upper control limit ({upper:,.0f}): a real rise, more than ordinary "
            "variation"
        )
    if _ok(lower) and lower is not None and value < lower:
        return (
            f"Below the lower control limit ({lower:,.0f}): a real fall, more than ordinary "
            "variation"
        )
    span = (
        f" ({lower:,.0f} to {upper:,.0f})"
        if _ok(lower) and _ok(upper) and lower is not None and upper is not None
        else ""
    )
    return f"Within the {level} control limits{span}: ordinary variation, not a real change"


def concentration_reading(places: int, share: float, total: int) -> str:
    """Repeat locations in words (`share` a fraction of `total`).

    >>> concentration_reading(10, 0.31, 1200)
    'The 10 busiest areas hold 31% of the 1,200 records: focusing on them reaches about one record in 3'
    """  # noqa: E501
    pct = share * 100
    reach = f"about one record in {max(1, round(100 / pct))}" if pct > 0 else "none of them"
    return (
        f"The {places:,} busiest areas hold {_pct(pct)} of the {total:,} records: focusing on "
        f"them reaches {reach}"
    )


def target_reading(status: str, projection: str, interval: str, target: str, by: str = "") -> str:
    """A plan target's projection and status in words (the figures as the page formats them).

    Examples
    --------
    >>> target_reading("on track", "412", "380 to 445", "at most 420", "March 2025")
    'Heading for about 412 by March 2025 (likely between 380 and 445): on track for the target (at most 420)'
    >>> target_reading("off track", "530", "", "at most 420")
    'Heading for about 530: off track — the target (at most 420) will be missed unless something changes'
    >>> target_reading("at risk", "425", "390 to 460", "at most 420")
    'Heading for about 425 (likely between 390 and 460): at risk — the target (at most 420) could go either way'
    >>> target_reading("no data", "–", "", "at most 420")
    'No figures yet, so the target (at most 420) cannot be judged'
    """  # noqa: E501
    if status in ("no data", "not started", "cannot judge") or projection in ("", "–"):
        return f"No figures yet, so the target ({target}) cannot be judged"
    if status == "no target":
        return f"Heading for about {projection}; no target is set"
    when = f" by {by}" if by else ""
    likely = f" (likely between {interval.replace(' to ', ' and ', 1)})" if interval else ""
    verdict = {
        "on track": f"on track for the target ({target})",
        "at risk": f"at risk — the target ({target}) could go either way",
        "off track": f"off track — the target ({target}) will be missed unless something changes",
    }.get(status, status)
    return f"Heading for about {projection}{when}{likely}: {verdict}"


def funnel_reading(place: str, position: str) -> str:
    """A district's place in its family's funnel plot (``peer_position``) in words.

    Examples
    --------
    >>> funnel_reading("Chorley", "above 99.8% limit")
    'Chorley has clearly more crime for its size than similar areas — far more than chance would explain'
    >>> funnel_reading("Chorley", "below 95% limit")
    'Chorley has less crime for its size than similar areas — probably more than chance'
    >>> funnel_reading("Chorley", "within limits")
    'Chorley has about as much crime for its size as similar areas'
    """  # noqa: E501
    if position.startswith("above 99.8"):
        return (
            f"{place} has clearly more crime for its size than similar areas — far more than "
            "chance would explain"
        )
    if position.startswith("below 99.8"):
        return (
            f"{place} has clearly less crime for its size than similar areas — far more than "
            "chance would explain"
        )
    if position.startswith("above"):
        return f"{place} has more crime for its size than similar areas — probably more than chance"
    if position.startswith("below"):
        return f"{place} has less crime for its size than similar areas — probably more than chance"
    return f"{place} has about as much crime for its size as similar areas"
