"""Manual series: a partner measure entered month by month (a month with no entry is missing),
and each month's value, checked before anything is written."""

from __future__ import annotations

from django.db import transaction

from cdrp.analysis.errors import RefusedInput
from cdrp.analysis.months import label, read_month
from cdrp.analysis.performance import PerformanceError
from cdrp.performance.store import slug as _slug
from cdrp.plans.models import ManualSeries, SeriesValue

__all__ = [
    "SeriesValueError",
    "check_series_value",
    "create_series",
    "record_series_value",
    "series_points",
]


class SeriesValueError(PerformanceError):
    """A month's value that cannot be saved; ``field`` names the field at fault."""


def _whole(raw, field_name: str, required: bool) -> int | None:
    text = "" if raw is None else str(raw).strip().replace(",", "")
    if text == "":
        if required:
            raise SeriesValueError(field_name, "enter a whole number, zero or more")
        return None
    try:
        number = int(text)
    except ValueError:
        raise SeriesValueError(
            field_name, f"expected a whole number, zero or more, got {raw!r}"
        ) from None
    if number < 0:
        raise SeriesValueError(field_name, f"expected zero or more, got {number}")
    return number


def check_series_value(series: ManualSeries, month, value, denominator=None) -> tuple:
    """Check a month's entry; returns (month, value, denominator) or raises SeriesValueError."""
    try:
        month = read_month(month, "month")  # "November 2022" as typed, or "2022-11"
    except RefusedInput as exc:
        raise SeriesValueError("month", exc.message) from None
    value = _whole(value, "value", True)
    denominator = _whole(denominator, "denominator", series.has_denominator)
    if series.has_denominator:
        if denominator == 0:
            raise SeriesValueError("denominator", "the denominator must be above zero")
        if value > denominator:
            raise SeriesValueError(
                "denominator",
                f"the denominator ({denominator}) is smaller than the value ({value}): it is "
                "the number the value is out of",
            )
    elif denominator is not None:
        raise SeriesValueError(
            "denominator", f"“{series.name}” is a count: leave the denominator empty"
        )
    return month, value, denominator


@transaction.atomic
def record_series_value(
    series: ManualSeries,
    month,
    value,
    denominator=None,
    note: str = "",
    *,
    version: int | None = None,
) -> tuple[SeriesValue, bool]:
    """Enter (or correct) one month of a manual series; returns (row, created).

    A month already entered is replaced only with the `version` of the row being replaced
    (so nobody's figure is overwritten unseen): without it `SeriesValueError` on ``month``;
    with a stale one `cdrp.core.models.ConflictError`.
    """
    month, value, denominator = check_series_value(series, month, value, denominator)
    note = (note or "").strip()
    if len(note) > 300:
        raise SeriesValueError("note", f"keep the note to 300 characters (it has {len(note)})")
    existing = SeriesValue.objects.select_for_update().filter(series=series, month=month).first()
    if existing is None:
        row = SeriesValue.objects.create(
            series=series, month=month, value=value, denominator=denominator, note=note
        )
        return row, True
    if version is None:
        shown = f"{existing.value}" + (
            f" out of {existing.denominator}" if existing.denominator is not None else ""
        )
        raise SeriesValueError(
            "month",
            f"{label(month)} already has a value ({shown}); check it and confirm to replace it",
        )
    existing.value, existing.denominator, existing.note = value, denominator, note
    existing.save_checked(int(version))
    return existing, False


@transaction.atomic
def create_series(
    partnership,
    name: str,
    *,
    description: str = "",
    source: str = "",
    has_denominator: bool = False,
    slug: str | None = None,
) -> ManualSeries:
    """Add a partner measure to be entered month by month; the slug comes from the name."""
    name = (name or "").strip()
    if not name:
        raise SeriesValueError("name", "enter the name of the measure")
    if len(name) > 200:
        raise SeriesValueError("name", f"keep the name to 200 characters (it has {len(name)})")
    slug = _slug(slug or name)[:80].strip("-")
    if not slug:
        raise SeriesValueError("name", "the name needs at least one letter or digit")
    if ManualSeries.objects.filter(partnership=partnership, slug=slug).exists():
        raise SeriesValueError(
            "name", f"the partnership already has a measure called “{name}” ({slug})"
        )
    return ManualSeries.objects.create(
        partnership=partnership,
        slug=slug,
        name=name,
        description=(description or "").strip(),
        source=(source or "").strip()[:200],
        has_denominator=bool(has_denominator),
    )


def series_points(series: ManualSeries) -> list[SeriesValue]:
    return list(series.values.order_by("-month"))
