"""Words a member understands, in every template (registered as a builtin in settings):
dates and months as GOV.UK writes them, crime categories as police.uk names them, and links from
technical terms to the glossary.

``{{ value|govuk_date }}``      2022-03-30 or a date → "30 March 2022"
``{{ value|govuk_month }}``     "2022-04" → "April 2022"
``{{ first|month_span:last }}`` "2022-04", "2025-03" → "April 2022 to March 2025"
``{{ slug|category }}``         "criminal-damage-arson" → "Criminal damage and arson"
``{% term "gi-star" "Gi*" %}``  a link to the term's glossary entry
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html

from cdrp.analysis import months
from cdrp.analysis.harm import category_name
from cdrp.analysis.readings import GLOSSARY, band_words

register = template.Library()


@register.filter
def govuk_date(value) -> str:
    """A date (or datetime, or ISO text) as "30 March 2022"; other text as it was."""
    return months.day_label(value)


@register.filter
def govuk_month(value) -> str:
    """A month "YYYY-MM" (or a date) as "April 2022"; other text as it was."""
    if value is None or value == "":
        return ""
    if hasattr(value, "year") and hasattr(value, "month"):
        return months.Month(value.year, value.month).label
    return months.label(value)


@register.filter
def month_span(first, last) -> str:
    """Two months as "April 2022 to March 2025" (one month when they are the same)."""
    try:
        return months.span_label(first, last)
    except months.MonthError:
        return f"{govuk_month(first)} to {govuk_month(last)}"


@register.filter
def category(value) -> str:
    """A police.uk category slug as police.uk names it; other text as it was."""
    if value is None:
        return ""
    return category_name(value) or str(value)


@register.filter
def categories(values) -> str:
    """A list of category slugs as names, joined with commas."""
    if isinstance(values, str):
        values = [v for v in values.split(",") if v.strip()]
    return ", ".join(category(v.strip() if isinstance(v, str) else v) for v in values or [])


@register.simple_tag
def term(key: str, text: str = "") -> str:
    """A technical term linked to its glossary entry (the term's own name by default)."""
    name = GLOSSARY[key][0] if key in GLOSSARY else key
    return format_html(
        '<a class="govuk-link cdrp-term" href="{}#{}">{}</a>',
        reverse("core:glossary"),
        key,
        text or name,
    )


@register.filter
def span_of(values) -> str:
    """A list of months as the span from its first to its last: "April 2022 to March 2025"."""
    values = list(values or [])
    if not values:
        return ""
    return month_span(values[0], values[-1])


@register.filter
def month_list(values) -> str:
    """Months as labels joined with commas: "June 2020, August 2020"."""
    return ", ".join(govuk_month(v) for v in values or [])


@register.filter
def govuk_datetime(value) -> str:
    """A datetime (or ISO text) as "7 December 2026, 20:41" in the service's time zone."""
    import datetime as dt

    from django.utils import timezone

    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return f"{months.day_label(value)}, {value:%H:%M}"
    return months.day_label(value)


@register.filter
def band(value) -> str:
    """A Knox band label in words: "[0, 200] m" → "within 200 m"."""
    return band_words(str(value))
