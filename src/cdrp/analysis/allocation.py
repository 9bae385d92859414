"""Splitting a fund between partnerships by a formula that is data, exactly to the penny.

A funding formula is a small mapping, stored with the fund and shown to everyone::

    {"method": "weighted shares",
     "weights": {"population": "0.5", "crime": "0.5"},
     "population_year": 2022,
     "crime_period": ["2021-12", "2022-11"],
     "crime_categories": null}

Each recipient's share is the weighted sum of its shares of each measure,

    share_r = Σ_m w_m · x_rm / Σ_s x_sm,

computed with exact rational arithmetic (:class:`fractions.Fraction`), so the shares add to
exactly 1. The money is then apportioned by the largest-remainder (Hamilton) method: each
recipient gets the whole pence of its exact quota ``total · share_r``, and the pence left over
(fewer than the number of recipients) go one each to the recipients with the largest fractional
remainders. Ties between equal remainders go to the recipient that comes first in the *tie
order* (:func:`tie_order`): numbers by value, then text by code point (slugs alphabetically),
then bytes, then tuples element by element. Two distinct keys never tie in it (``1`` and ``"1"``
are apart), so the result never depends on the order of the input. A caller may instead give
its own order (``order=[...]``, every recipient once).

The amounts therefore add to the total exactly; each is the floor or the ceiling of its quota;
a larger quota never gets less money; and a recipient with a zero quota gets nothing.

Hand-worked example: £100.00 split three ways equally. Each quota is 10000/3 = 3333⅓ pence;
the floors add to 9999, leaving 1 penny; the three remainders (⅓) tie, so the penny goes to the
first key:

>>> apportion(10000, {"a": Fraction(1, 3), "b": Fraction(1, 3), "c": Fraction(1, 3)})
{'a': 3334, 'b': 3333, 'c': 3333}

Pure code: no Django import.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from numbers import Rational
from typing import Any, Generic, TypeVar

#: A recipient's key (a slug, a partnership's id, ...): any hashable value.
K = TypeVar("K", bound=Hashable)

__all__ = [
    "MEASURES",
    "METHOD",
    "Formula",
    "FormulaError",
    "Split",
    "apportion",
    "as_exact",
    "decimal_text",
    "measure_shares",
    "parse_formula",
    "parse_weights",
    "quotas",
    "shares",
    "split",
    "tie_order",
]

#: The one method so far: a weighted sum of each recipient's share of each measure.
METHOD = "weighted shares"
#: Measures a formula may weight, with what each means.
MEASURES = {
    "population": "residents (ONS mid-year estimate of the given year)",
    "crime": "police.uk crime records in the given months (anti-social behaviour excluded "
    "unless named in crime_categories)",
}
_KEYS = ("method", "weights", "population_year", "crime_period", "crime_categories")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_SLUG = re.compile(r"^[a-z][a-z0-9-]*$")


class FormulaError(ValueError):
    """A formula, weight or input that cannot be used; `field` names where the problem is."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


def as_exact(value: object, field: str = "value") -> Fraction:
    """An exact rational from an int, Fraction, Decimal or decimal text (``"0.35"``, ``"1/3"``).

    A float is read by its shortest decimal form (``0.1`` → 1/10), so a weight typed in JSON as
    ``0.35`` means 35/100, not the nearest binary fraction.

    >>> as_exact("0.35"), as_exact(0.1), as_exact("1/3")
    (Fraction(7, 20), Fraction(1, 10), Fraction(1, 3))
    """
    if isinstance(value, bool):
        raise FormulaError(field, f"expected a number, got {value!r}")
    if isinstance(value, Fraction | int):
        return Fraction(value)
    if isinstance(value, Rational):
        return Fraction(int(value.numerator), int(value.denominator))
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise FormulaError(field, f"expected a finite number, got {value!r}")
        return Fraction(Decimal(repr(value)))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise FormulaError(field, f"expected a finite number, got {value!r}")
        return Fraction(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            if "/" in text:
                num, den = text.split("/")
                out = Fraction(int(num), int(den))
            else:
                number = Decimal(text)
                if not number.is_finite():
                    raise InvalidOperation
                out = Fraction(number)
        except (ValueError, ZeroDivisionError, InvalidOperation):
            raise FormulaError(
                field, f"expected a number such as 0.5 or 1/3, got {value!r}"
            ) from None
        return out
    if hasattr(value, "item"):  # numpy scalars
        return as_exact(value.item(), field)
    raise FormulaError(field, f"expected a number, got {value!r}")


def decimal_text(value: Fraction, places: int = 10) -> str:
    """A fraction as decimal text rounded half-even to `places` (for display and storage).

    >>> decimal_text(Fraction(1, 3), 4), decimal_text(Fraction(5, 2), 0)
    ('0.3333', '2')
    """
    q = Decimal(value.numerator) / Decimal(value.denominator)
    return str(q.quantize(Decimal(1).scaleb(-places)) if places else q.quantize(Decimal(1)))


def parse_weights(
    weights: Mapping[str, object], *, measures: Sequence[str] | None = None
) -> dict[str, Fraction]:
    """Check the weights of a formula and return them as exact fractions.

    Every weight is a non-negative number; together they add to exactly 1. With `measures`,
    only those measure names are allowed.

    Raises
    ------
    FormulaError
        Naming the weight at fault (``weights.crime``) or ``weights`` for the sum.

    Examples
    --------
    >>> parse_weights({"population": "0.5", "crime": "0.5"})
    {'population': Fraction(1, 2), 'crime': Fraction(1, 2)}
    >>> parse_weights({"population": "0.6", "crime": "0.5"})
    Traceback (most recent call last):
    ...
    cdrp.analysis.allocation.FormulaError: weights: the weights must add to exactly 1, they add to 1.1
    """  # noqa: E501
    if not isinstance(weights, Mapping) or not weights:
        raise FormulaError(
            "weights", 'expected a mapping of measure to weight, e.g. {"population": "0.5", …}'
        )
    out: dict[str, Fraction] = {}
    for name, raw in weights.items():
        key = f"weights.{name}"
        if not isinstance(name, str) or not name:
            raise FormulaError("weights", f"a measure name must be text, got {name!r}")
        if measures is not None and name not in measures:
            raise FormulaError(key, f"unknown measure; choose from {', '.join(measures)}")
        w = as_exact(raw, key)
        if w < 0:
            raise FormulaError(key, f"a weight must not be negative, got {raw!r}")
        out[name] = w
    total = sum(out.values(), Fraction(0))
    if total != 1:
        raise FormulaError(
            "weights", f"the weights must add to exactly 1, they add to {_plain(total)}"
        )
    return out


def _plain(value: Fraction) -> str:
    if 10**12 % value.denominator == 0:
        return format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return f"{value.numerator}/{value.denominator}"


@dataclass(frozen=True)
class Formula:
    """A checked formula: the method, exact weights and what each measure reads."""

    weights: dict[str, Fraction]
    population_year: int | None = None
    crime_period: tuple[str, str] | None = None
    crime_categories: tuple[str, ...] | None = None
    method: str = METHOD

    def as_data(self) -> dict[str, Any]:
        """The formula as JSON-ready data (weights as decimal or ``a/b`` text)."""
        return {
            "method": self.method,
            "weights": {k: _plain(v) for k, v in self.weights.items()},
            "population_year": self.population_year,
            "crime_period": list(self.crime_period) if self.crime_period else None,
            "crime_categories": list(self.crime_categories)
            if self.crime_categories is not None
            else None,
        }


def parse_formula(data: Mapping[str, Any]) -> Formula:
    """Check a formula (data) and return it; refuse it naming the key at fault.

    Keys: ``method`` ("weighted shares"), ``weights`` (measure → weight, adding to 1, measures
    among :data:`MEASURES`), ``population_year`` (int, or null for the latest available; read
    when population is weighted), ``crime_period`` ([first, last] months ``YYYY-MM``, needed when
    crime is weighted), ``crime_categories`` (null for every crime category, or a list of
    police.uk category slugs). Any other key is refused.

    Examples
    --------
    >>> f = parse_formula({"method": "weighted shares", "weights": {"population": "1"},
    ...                    "population_year": 2022})
    >>> f.weights, f.population_year
    ({'population': Fraction(1, 1)}, 2022)
    >>> parse_formula({"weights": {"population": "1"}, "colour": "red"})
    Traceback (most recent call last):
    ...
    cdrp.analysis.allocation.FormulaError: colour: unknown key; a formula has method, weights, population_year, crime_period, crime_categories
    """  # noqa: E501
    if not isinstance(data, Mapping):
        raise FormulaError("formula", f"expected a mapping, got {type(data).__name__}")
    for key in data:
        if key not in _KEYS:
            raise FormulaError(str(key), f"unknown key; a formula has {', '.join(_KEYS)}")
    method = data.get("method", METHOD)
    if method != METHOD:
        raise FormulaError("method", f"unknown method {method!r}; the method is {METHOD!r}")
    if "weights" not in data:
        raise FormulaError("weights", "missing: give each measure's weight")
    weights = parse_weights(data["weights"], measures=tuple(MEASURES))

    year = data.get("population_year")
    if year is not None:
        if isinstance(year, bool) or not isinstance(year, int | str) or not str(year).isdigit():
            raise FormulaError("population_year", f"expected a year such as 2022, got {year!r}")
        year = int(year)
        if not 1900 <= year <= 2100:
            raise FormulaError("population_year", f"expected a year such as 2022, got {year}")

    period = data.get("crime_period")
    if period is not None:
        if (
            isinstance(period, str)
            or not isinstance(period, Sequence)
            or len(period) != 2
            or not all(isinstance(m, str) and _MONTH.match(m) for m in period)
        ):
            raise FormulaError(
                "crime_period", f'expected ["YYYY-MM", "YYYY-MM"] (first, last), got {period!r}'
            )
        if period[0] > period[1]:
            raise FormulaError(
                "crime_period", f"the first month {period[0]} is after the last {period[1]}"
            )
        period = (period[0], period[1])
    elif weights.get("crime", 0) > 0:
        raise FormulaError("crime_period", "missing: crime is weighted, so give its months")

    categories = data.get("crime_categories")
    if categories is not None:
        if isinstance(categories, str) or not isinstance(categories, Sequence) or not categories:
            raise FormulaError(
                "crime_categories",
                f"expected null (every crime category) or a list of category slugs, got "
                f"{categories!r}",
            )
        for c in categories:
            if not isinstance(c, str) or not _SLUG.match(c):
                raise FormulaError(
                    "crime_categories", f"expected police.uk category slugs, got {c!r}"
                )
        categories = tuple(categories)
    return Formula(weights, year, period, categories)


def measure_shares(
    inputs: Mapping[K, Mapping[str, object]], measures: Sequence[str]
) -> dict[str, dict[K, Fraction]]:
    """Each recipient's exact share of each measure: ``x_rm / Σ_s x_sm``.

    Raises
    ------
    FormulaError
        For a missing or negative input (``inputs.<recipient>.<measure>``) or a measure whose
        total is zero.
    """
    out: dict[str, dict[K, Fraction]] = {}
    for m in measures:
        values = {}
        for r, row in inputs.items():
            key = f"inputs.{r}.{m}"
            if not isinstance(row, Mapping) or m not in row or row[m] is None:
                raise FormulaError(key, "missing")
            x = as_exact(row[m], key)
            if x < 0:
                raise FormulaError(key, f"must not be negative, got {row[m]!r}")
            values[r] = x
        total = sum(values.values(), Fraction(0))
        if total == 0:
            raise FormulaError(f"inputs.*.{m}", f"every recipient's {m} is zero: no share")
        out[m] = {r: x / total for r, x in values.items()}
    return out


def shares(
    inputs: Mapping[K, Mapping[str, object]], weights: Mapping[str, object]
) -> dict[K, Fraction]:
    """Exact shares ``Σ_m w_m · x_rm / Σ_s x_sm`` of each recipient; they add to exactly 1.

    Measures with a zero weight are not read (they may be missing).

    Parameters
    ----------
    inputs : mapping
        Recipient → {measure: number}; numbers are ints, Fractions, Decimals or decimal text.
    weights : mapping
        Measure → weight, adding to exactly 1 (see :func:`parse_weights`).

    Examples
    --------
    Two districts, half by population and half by crime:

    >>> s = shares({"a": {"population": 300, "crime": 10}, "b": {"population": 100, "crime": 30}},
    ...            {"population": "0.5", "crime": "0.5"})
    >>> s  # a: 0.5·3/4 + 0.5·1/4 = 1/2
    {'a': Fraction(1, 2), 'b': Fraction(1, 2)}
    """
    if not inputs:
        raise FormulaError("inputs", "no recipients to share between")
    w = parse_weights(weights)
    used = [m for m, v in w.items() if v > 0]
    per = measure_shares(inputs, used)
    return {r: sum((w[m] * per[m][r] for m in used), Fraction(0)) for r in inputs}


def quotas(total_pence: int, shares: Mapping[K, object]) -> dict[K, Fraction]:
    """Exact quotas ``total · share`` in pence (checks the shares as :func:`apportion` does)."""
    total, exact = _checked(total_pence, shares)
    return {r: total * s for r, s in exact.items()}


def _checked(total_pence: object, shares: Mapping[K, object]) -> tuple[int, dict[K, Fraction]]:
    if isinstance(total_pence, bool) or not isinstance(total_pence, int):
        raise FormulaError("total", f"expected whole pence (an int), got {total_pence!r}")
    if total_pence < 0:
        raise FormulaError("total", f"must not be negative, got {total_pence}")
    if not shares:
        raise FormulaError("shares", "no recipients to share between")
    exact: dict[K, Fraction] = {}
    for r, s in shares.items():
        value = as_exact(s, f"shares.{r}")
        if value < 0:
            raise FormulaError(f"shares.{r}", f"must not be negative, got {s!r}")
        exact[r] = value
    if sum(exact.values(), Fraction(0)) != 1:
        raise FormulaError(
            "shares",
            f"must add to exactly 1, they add to {_plain(sum(exact.values(), Fraction(0)))}",
        )
    return total_pence, exact


def tie_order(key: object) -> tuple[object, ...]:
    """Where a recipient's key stands when remainders tie: a total order on distinct keys.

    ``None`` first, then numbers by value (int, Fraction, Decimal, finite float; ``True`` is 1
    as a dict key anyway), then text by Unicode code point, then bytes, then tuples element by
    element in this same order. Distinct dict keys never compare equal in it: keys equal in
    value are one dict key (``1``, ``1.0``, ``Fraction(1)``), and each type has its own rank, so
    ``1`` comes before ``"1"`` whatever order they were given in.

    Raises
    ------
    FormulaError
        For a key of any other type, or NaN (no place in an order): pass ``order`` instead.

    Examples
    --------
    >>> sorted(["b", 10, "1", 9, (2, "a"), None], key=tie_order)
    [None, 9, 10, '1', 'b', (2, 'a')]
    """
    if key is None:
        return (0,)
    if isinstance(key, Rational | Decimal | float | int):
        if isinstance(key, float | Decimal) and (key != key):
            raise FormulaError("order", "a recipient key is NaN: give the order explicitly")
        if isinstance(key, float | Decimal) and not math.isfinite(key):
            return (1, 1 if key > 0 else -1, 0)
        return (1, 0, Fraction(key))
    if isinstance(key, str):
        return (2, key)
    if isinstance(key, bytes):
        return (3, key)
    if isinstance(key, tuple):
        return (4, tuple(tie_order(k) for k in key))
    raise FormulaError(
        "order",
        f"recipient keys of type {type(key).__name__} have no fixed tie order: give the order "
        "explicitly",
    )


def _tie_ranks(keys: Collection[K], order: Sequence[K] | None) -> dict[K, Any]:
    if order is None:
        return {r: tie_order(r) for r in keys}
    listed = list(order)
    if len(listed) != len(set(listed)) or set(listed) != set(keys):
        raise FormulaError("order", "the order must list every recipient exactly once")
    return {r: i for i, r in enumerate(listed)}


def apportion(
    total_pence: int, shares: Mapping[K, object], *, order: Sequence[K] | None = None
) -> dict[K, int]:
    """Whole pence for each recipient by largest remainder (Hamilton), adding to the total.

    Parameters
    ----------
    total_pence : int
        The sum to divide, in pence (non-negative).
    shares : mapping
        Recipient → exact share (Fraction, int, Decimal or text); non-negative, adding to
        exactly 1.
    order : sequence, optional
        Every recipient once: equal remainders go to the one listed first. By default the
        :func:`tie_order` of the keys (slugs alphabetically).

    Returns
    -------
    dict
        Recipient → pence, in the order of `shares`. Each amount is the floor or ceiling of its
        quota ``total · share``; the leftover pence go to the largest remainders, ties to the
        recipient first in the tie order. The result does not depend on the order of `shares`.

    Examples
    --------
    >>> apportion(10000, {"c": Fraction(1, 3), "b": Fraction(1, 3), "a": Fraction(1, 3)})
    {'c': 3333, 'b': 3333, 'a': 3334}
    >>> apportion(101, {"x": "0.25", "y": "0.75"})  # quotas 25.25 and 75.75
    {'x': 25, 'y': 76}
    >>> apportion(1, {"1": "1/2", 1: "1/2"})  # numbers before text in the tie order
    {'1': 0, 1: 1}
    >>> apportion(1, {"1": "1/2", 1: "1/2"}, order=["1", 1])
    {'1': 1, 1: 0}
    """
    total, exact = _checked(total_pence, shares)
    rank = _tie_ranks(exact, order)
    quota = {r: total * s for r, s in exact.items()}
    floors = {r: q.numerator // q.denominator for r, q in quota.items()}
    left = total - sum(floors.values())
    ranked = sorted(quota, key=lambda r: (-(quota[r] - floors[r]), rank[r]))
    out = dict(floors)
    for r in ranked[:left]:
        out[r] += 1
    return out


@dataclass(frozen=True)
class Split(Generic[K]):
    """The result of :func:`split`: per recipient its inputs, measure shares, share, quota and
    amount, with the totals of each measure."""

    total_pence: int
    weights: dict[str, Fraction]
    totals: dict[str, Fraction]
    measure_shares: dict[str, dict[K, Fraction]]
    shares: dict[K, Fraction]
    quotas: dict[K, Fraction]
    amounts: dict[K, int]
    inputs: dict[K, dict[str, object]] = field(default_factory=dict)

    def basis(self, recipient: K) -> dict[str, Any]:
        """JSON-ready figures behind one recipient's amount (fractions as ``a/b`` text too)."""
        share = self.shares[recipient]
        quota = self.quotas[recipient]
        return {
            "inputs": {m: _number(v) for m, v in self.inputs[recipient].items()},
            "totals": {m: _number(v) for m, v in self.totals.items()},
            "weights": {m: _plain(w) for m, w in self.weights.items()},
            "measure_shares": {
                m: _fraction(per[recipient]) for m, per in self.measure_shares.items()
            },
            "share": _fraction(share),
            "quota_pence": _fraction(quota),
            "amount_pence": self.amounts[recipient],
            "total_pence": self.total_pence,
        }


def _fraction(value: Fraction) -> dict[str, str]:
    return {"exact": f"{value.numerator}/{value.denominator}", "decimal": decimal_text(value, 10)}


def _number(value: object) -> int | str:
    x = as_exact(value)
    return int(x) if x.denominator == 1 else _plain(x)


def split(
    total_pence: int,
    inputs: Mapping[K, Mapping[str, object]],
    weights: Mapping[str, object],
    *,
    order: Sequence[K] | None = None,
) -> Split[K]:
    """Shares, exact quotas and whole-penny amounts in one go (see :func:`shares`, :func:`apportion`).

    Examples
    --------
    >>> r = split(100_00, {"a": {"population": 2}, "b": {"population": 1}}, {"population": 1})
    >>> r.amounts, r.quotas["a"]
    ({'a': 6667, 'b': 3333}, Fraction(20000, 3))
    """  # noqa: E501
    w = parse_weights(weights)
    used = [m for m, v in w.items() if v > 0]
    if not inputs:
        raise FormulaError("inputs", "no recipients to share between")
    per = measure_shares(inputs, used)
    s = {r: sum((w[m] * per[m][r] for m in used), Fraction(0)) for r in inputs}
    q = quotas(total_pence, s)
    totals = {m: sum((as_exact(inputs[r][m]) for r in inputs), Fraction(0)) for m in used}
    return Split(
        total_pence=total_pence,
        weights=w,
        totals=totals,
        measure_shares=per,
        shares=s,
        quotas=q,
        amounts=apportion(total_pence, s, order=order),
        inputs={r: {m: inputs[r][m] for m in used} for r in inputs},
    )
