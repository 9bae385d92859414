"""Calendar months: the one month type of cdrp and its arithmetic.

Incident data is monthly (police.uk publishes a file a month), so a month is the unit of every
period: a strategic assessment covers twelve of them, a plan's targets run from one to another, a
funding formula counts over a span. Wherever a month crosses a boundary (a URL, a form, JSON, the
database, a Parquet partition) it is the text ``"YYYY-MM"``; in arithmetic it is a `Month`, and in
frame work a monthly `pandas.Period`. This module is the only place that converts between them,
checks them and counts with them, so "the month after" means one thing everywhere.

A month with no data is *missing*, not zero: these functions only count months, they never say
whether data exists for them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cdrp.analysis.errors import RefusedInput

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = [
    "Month",
    "MonthError",
    "parse_month",
    "shift",
    "month_range",
    "window",
    "label",
    "span_label",
    "day_label",
    "read_month",
    "read_date",
    "quarter_of",
    "quarter_months",
    "quarter_label",
    "to_period",
    "period_index",
    "months_since",
]

_PATTERN = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class MonthError(RefusedInput):
    """A value that should be a month (or a span or quarter of months) and is not."""


@dataclass(frozen=True, order=True, slots=True)
class Month:
    """A calendar month.

    Examples
    --------
    >>> m = Month.parse("2022-11")
    >>> str(m), str(m + 2), str(m - 11), m - Month(2021, 12)
    ('2022-11', '2023-01', '2021-12', 11)
    >>> m.label, m.first_day, m.last_day
    ('November 2022', datetime.date(2022, 11, 1), datetime.date(2022, 11, 30))
    """

    year: int
    month: int

    @classmethod
    def parse(cls, value: object, field: str = "month") -> Month:
        """The month written ``YYYY-MM`` (a `Month`, a date or a Period are taken as they are).

        Raises
        ------
        MonthError
            Naming `field`, when `value` is not such a month.
        """
        if isinstance(value, Month):
            return value
        if isinstance(value, dt.date):
            return cls(value.year, value.month)
        if hasattr(value, "year") and hasattr(value, "month") and hasattr(value, "freqstr"):
            return cls(int(value.year), int(value.month))  # a pandas Period
        text = "" if value is None else str(value).strip()
        found = _PATTERN.fullmatch(text)
        if found is None or int(found.group(1)) < 1:  # year 0 has no calendar dates
            raise MonthError(
                field, f"expected a month as YYYY-MM, for example 2022-04, got {value!r}"
            )
        return cls(int(found.group(1)), int(found.group(2)))

    @property
    def index(self) -> int:
        """Months since January of year 0: differences of indexes count months."""
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> Month:
        return cls(index // 12, index % 12 + 1)

    def __add__(self, months: int) -> Month:
        return Month.from_index(self.index + months)

    def __sub__(self, other: int | Month) -> Month | int:
        if isinstance(other, Month):
            return self.index - other.index
        return Month.from_index(self.index - other)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """The month as people write it: ``"April 2022"``."""
        return f"{_NAMES[self.month - 1]} {self.year}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return (self + 1).first_day - dt.timedelta(days=1)

    @property
    def quarter(self) -> str:
        """The calendar quarter, ``"2022-Q3"``."""
        return f"{self.year:04d}-Q{(self.month - 1) // 3 + 1}"


def parse_month(value: object, field: str = "month") -> str:
    """Check a ``YYYY-MM`` month and return it as text.

    Examples
    --------
    >>> parse_month(" 2022-04 ")
    '2022-04'
    >>> parse_month("April 2022", "period_start")
    Traceback (most recent call last):
    ...
    cdrp.analysis.months.MonthError: period_start: expected a month as YYYY-MM, for example 2022-04, got 'April 2022'
    """  # noqa: E501
    return str(Month.parse(value, field))


def shift(month: object, months: int) -> str:
    """The month `months` after `month` (negative for before).

    Examples
    --------
    >>> shift("2022-01", -12), shift("2021-12", 1)
    ('2021-01', '2022-01')
    """
    return str(Month.parse(month) + months)


def month_range(
    first: object, last: object, *, first_field: str = "start", last_field: str = "end"
) -> list[str]:
    """Every month from `first` to `last` inclusive.

    Raises
    ------
    MonthError
        When either is not a month, or `last` comes before `first` (naming `last_field`).

    Examples
    --------
    >>> month_range("2021-11", "2022-02")
    ['2021-11', '2021-12', '2022-01', '2022-02']
    >>> month_range("2022-02", "2022-01", last_field="to")
    Traceback (most recent call last):
    ...
    cdrp.analysis.months.MonthError: to: the last month (2022-01) comes before the first (2022-02)
    """
    a = Month.parse(first, first_field)
    b = Month.parse(last, last_field)
    if b < a:
        raise MonthError(last_field, f"the last month ({b}) comes before the first ({a})")
    return [str(Month.from_index(i)) for i in range(a.index, b.index + 1)]


def window(last: object, months: int, field: str = "month") -> list[str]:
    """The `months` months ending with `last`, oldest first.

    Examples
    --------
    >>> window("2022-11", 3)
    ['2022-09', '2022-10', '2022-11']
    """
    if months < 1:
        raise MonthError("months", f"a window needs at least one month, got {months}")
    end = Month.parse(last, field)
    return [str(end - k) for k in range(months - 1, -1, -1)]


def label(month: object) -> str:
    """``"2021-12"`` → ``"December 2021"``; text that is not a month comes back as it was.

    Examples
    --------
    >>> label("2021-12"), label(""), label(None)
    ('December 2021', '', None)
    """
    try:
        return Month.parse(month).label
    except MonthError:
        return month  # type: ignore[return-value]


def span_label(first: object, last: object) -> str:
    """A span of months as people write it.

    Examples
    --------
    >>> span_label("2022-04", "2025-03")
    'April 2022 to March 2025'
    >>> span_label("2022-04", "2022-04")
    'April 2022'
    """
    a, b = Month.parse(first), Month.parse(last)
    return a.label if a == b else f"{a.label} to {b.label}"


def day_label(value: object) -> str:
    """A date as GOV.UK writes it: ``"30 March 2022"`` (a date, a datetime or ISO text);
    text that is not a date comes back as it was.

    Examples
    --------
    >>> day_label(dt.date(2022, 3, 30)), day_label("2027-03-27"), day_label("2022-04")
    ('30 March 2022', '27 March 2027', 'April 2022')
    >>> day_label("next week"), day_label(None)
    ('next week', '')
    """
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value.day} {_NAMES[value.month - 1]} {value.year}"
    text = str(value).strip()
    try:
        return day_label(dt.date.fromisoformat(text[:10]))
    except ValueError:
        pass
    if _PATTERN.fullmatch(text):
        return label(text)
    return text


_WORDS = {name.lower(): i + 1 for i, name in enumerate(_NAMES)}
_WORDS.update({name[:3].lower(): i + 1 for i, name in enumerate(_NAMES)})
_WORDS["sept"] = 9


def read_month(value: object, field: str = "month") -> str:
    """A month as a person may type it (``"April 2022"``, ``"apr 2022"``, ``"4 2022"``,
    ``"04/2022"`` or ``"2022-04"``), returned as ``YYYY-MM``.

    Raises
    ------
    MonthError
        Naming `field`, when `value` is none of these.

    Examples
    --------
    >>> read_month("April 2022"), read_month(" 4 2022"), read_month("04/2022"), read_month("2022-04")
    ('2022-04', '2022-04', '2022-04', '2022-04')
    >>> read_month("Sept 2021"), read_month("march, 2023")
    ('2021-09', '2023-03')
    >>> read_month("13 2022")
    Traceback (most recent call last):
    ...
    cdrp.analysis.months.MonthError: month: enter a month and year, for example April 2022, got '13 2022'
    """  # noqa: E501
    if isinstance(value, Month):
        return str(value)
    text = "" if value is None else str(value).strip()
    if _PATTERN.fullmatch(text):
        return str(Month.parse(text, field))
    parts = [p for p in re.split(r"[\s/,.-]+", text.lower()) if p]
    if len(parts) == 2 and parts[1].isdigit() and len(parts[1]) == 4:
        name, year = parts
        number = _WORDS.get(name) or (int(name) if name.isdigit() else 0)
        if 1 <= number <= 12 and int(year) >= 1:
            return str(Month(int(year), number))
    raise MonthError(field, f"enter a month and year, for example April 2022, got {value!r}")


def read_date(value: object) -> dt.date | None:
    """A date as a person may type it (``"27 3 2027"``, ``"27/03/2027"``, ``"27 March 2027"``,
    ``"27 Mar 2027"``) or as ISO ``"2027-03-27"``; None when it is none of these.

    Examples
    --------
    >>> read_date("27 3 2027"), read_date("27/03/2027"), read_date("27 march 2027")
    (datetime.date(2027, 3, 27), datetime.date(2027, 3, 27), datetime.date(2027, 3, 27))
    >>> read_date("2027-03-27"), read_date("31 2 2027"), read_date("soon")
    (datetime.date(2027, 3, 27), None, None)
    """
    text = "" if value is None else str(value).strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    parts = [p for p in re.split(r"[\s/,.-]+", text.lower()) if p]
    if len(parts) != 3 or not parts[0].isdigit() or not parts[2].isdigit() or len(parts[2]) != 4:
        return None
    month = _WORDS.get(parts[1]) or (int(parts[1]) if parts[1].isdigit() else 0)
    try:
        return dt.date(int(parts[2]), month, int(parts[0]))
    except ValueError:
        return None


def quarter_of(month: object) -> str:
    """The calendar quarter of a month.

    >>> quarter_of("2022-08")
    '2022-Q3'
    """
    return Month.parse(month).quarter


def quarter_months(quarter: str, field: str = "quarter") -> tuple[str, str]:
    """The first and last months of a calendar quarter ``YYYY-Qn``.

    Examples
    --------
    >>> quarter_months("2022-Q3")
    ('2022-07', '2022-09')
    >>> quarter_months("2022-3")
    Traceback (most recent call last):
    ...
    cdrp.analysis.months.MonthError: quarter: expected a calendar quarter as YYYY-Qn, for example 2022-Q3, got '2022-3'
    """  # noqa: E501
    found = _QUARTER.fullmatch(str(quarter or "").strip())
    if found is None:
        raise MonthError(
            field, f"expected a calendar quarter as YYYY-Qn, for example 2022-Q3, got {quarter!r}"
        )
    year, q = int(found.group(1)), int(found.group(2))
    return str(Month(year, 3 * q - 2)), str(Month(year, 3 * q))


def quarter_label(quarter: str) -> str:
    """``"2022-Q3"`` → ``"July to September 2022"``.

    >>> quarter_label("2022-Q3")
    'July to September 2022'
    """
    first, last = (Month.parse(m) for m in quarter_months(quarter))
    return f"{_NAMES[first.month - 1]} to {_NAMES[last.month - 1]} {first.year}"


def to_period(month: object, field: str = "month") -> pd.Period:
    """A month as a monthly `pandas.Period`.

    >>> to_period("2022-11")
    Period('2022-11', 'M')
    """
    import pandas as pd

    return pd.Period(str(Month.parse(month, field)), freq="M")


def period_index(values: Iterable[object]) -> pd.PeriodIndex:
    """Months (text, dates, Periods) as a monthly `pandas.PeriodIndex`.

    >>> period_index(["2022-01", "2022-03"])
    PeriodIndex(['2022-01', '2022-03'], dtype='period[M]')
    """
    import pandas as pd

    return pd.PeriodIndex([str(Month.parse(v)) for v in values], freq="M")


def months_since(months: Iterable[object], origin: object | None = None) -> np.ndarray:
    """Whole months from `origin` (default: the earliest of `months`) to each month.

    >>> months_since(["2022-03", "2022-01", "2023-01"]).tolist()
    [2, 0, 12]
    """
    import numpy as np

    index = np.array([Month.parse(m).index for m in months], dtype=np.int64)
    if origin is not None:
        start = Month.parse(origin).index
    else:
        start = int(index.min()) if index.size else 0
    return index - start
