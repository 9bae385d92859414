"""Splitting a fund by formula: exact shares, largest-remainder pence, formulas refused by key."""

from __future__ import annotations

import doctest
import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cdrp.analysis import allocation
from cdrp.analysis.allocation import (
    FormulaError,
    apportion,
    as_exact,
    parse_formula,
    parse_weights,
    quotas,
    shares,
    split,
    tie_order,
)


def test_docstring_examples_hold():
    result = doctest.testmod(allocation)
    assert result.attempted >= 8 and result.failed == 0


def test_one_hundred_pounds_three_ways_by_hand():
    third = Fraction(1, 3)
    # Quotas 3333 1/3 each; floors add to 9999; the last penny goes to the first key.
    assert apportion(10000, {"b": third, "a": third, "c": third}) == {
        "b": 3333,
        "a": 3334,
        "c": 3333,
    }


def test_a_two_measure_formula_by_hand():
    # Population shares 300/400 and 100/400; crime shares 10/40 and 30/40.
    # Weights 0.6/0.4: a = 0.6·0.75 + 0.4·0.25 = 0.55; b = 0.6·0.25 + 0.4·0.75 = 0.45.
    inputs = {"a": {"population": 300, "crime": 10}, "b": {"population": 100, "crime": 30}}
    result = split(1_000_001, inputs, {"population": "0.6", "crime": "0.4"})
    assert result.shares == {"a": Fraction(11, 20), "b": Fraction(9, 20)}
    # Quotas 550000.55 and 450000.45: the spare penny goes to the larger remainder (a).
    assert result.quotas == {"a": Fraction("550000.55"), "b": Fraction("450000.45")}
    assert result.amounts == {"a": 550001, "b": 450000}
    basis = result.basis("a")
    assert basis["measure_shares"]["population"]["exact"] == "3/4"
    assert basis["share"] == {"exact": "11/20", "decimal": "0.5500000000"}
    assert basis["quota_pence"] == {"exact": "11000011/20", "decimal": "550000.5500000000"}
    assert basis["inputs"] == {"population": 300, "crime": 10}


def test_a_float_weight_means_its_decimal_text():
    assert as_exact(0.35) == Fraction(7, 20)
    assert parse_weights({"population": 0.7, "crime": 0.3}) == {
        "population": Fraction(7, 10),
        "crime": Fraction(3, 10),
    }


# --- properties ------------------------------------------------------------------------------

recipients = st.lists(
    st.text(alphabet="abcdefghij", min_size=1, max_size=4), min_size=1, max_size=20, unique=True
)
totals = st.integers(min_value=0, max_value=10**12)


@st.composite
def share_sets(draw):
    keys = draw(recipients)
    raw = draw(st.lists(st.integers(0, 10**6), min_size=len(keys), max_size=len(keys)))
    if sum(raw) == 0:
        raw[0] = 1
    total = sum(raw)
    return {k: Fraction(v, total) for k, v in zip(keys, raw, strict=True)}


@settings(max_examples=150, deadline=None)
@given(totals, share_sets())
def test_amounts_add_to_the_total_exactly(total, s):
    assert sum(apportion(total, s).values()) == total


@settings(max_examples=150, deadline=None)
@given(totals, share_sets())
def test_each_amount_is_the_floor_or_ceiling_of_its_exact_quota(total, s):
    amounts = apportion(total, s)
    for r, q in quotas(total, s).items():
        assert amounts[r] in (math.floor(q), math.ceil(q))
        assert abs(amounts[r] - q) < 1


@settings(max_examples=150, deadline=None)
@given(totals, share_sets())
def test_a_larger_quota_never_gets_less(total, s):
    amounts = apportion(total, s)
    for a in s:
        for b in s:
            if s[a] > s[b]:
                assert amounts[a] >= amounts[b]


@settings(max_examples=100, deadline=None)
@given(totals, share_sets())
def test_a_zero_share_gets_nothing_and_the_order_of_input_does_not_matter(total, s):
    amounts = apportion(total, s)
    assert all(amounts[r] == 0 for r in s if s[r] == 0)
    reversed_input = dict(reversed(list(s.items())))
    assert apportion(total, reversed_input) == amounts


# Keys of mixed types, among them distinct keys with equal str(): 1 and "1", (1,) and "(1,)".
mixed_keys = st.lists(
    st.one_of(
        st.sampled_from([1, "1", (1,), "(1,)", 2, "2", -1, "-1", None, "None", b"1", 10, "10"]),
        st.integers(-50, 50),
        st.fractions(max_denominator=7),
        st.text(alphabet="ab1", min_size=1, max_size=3),
        st.tuples(st.integers(0, 3), st.text(alphabet="ab", max_size=2)),
    ),
    min_size=1,
    max_size=9,
    unique=True,
)


@st.composite
def mixed_share_sets(draw):
    keys = draw(mixed_keys)
    # Few distinct weights, so that many remainders tie.
    raw = draw(st.lists(st.integers(0, 3), min_size=len(keys), max_size=len(keys)))
    if sum(raw) == 0:
        raw[0] = 1
    return {k: Fraction(v, sum(raw)) for k, v in zip(keys, raw, strict=True)}


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 50), mixed_share_sets(), st.randoms(use_true_random=False))
def test_every_permutation_of_the_input_gives_the_same_pence_even_for_keys_equal_as_text(
    total, s, random
):
    amounts = apportion(total, s)
    items = list(s.items())
    for _ in range(4):
        random.shuffle(items)
        assert apportion(total, dict(items)) == amounts
    # Ties go to the first in the documented order: sorted by tie_order, the remainders of those
    # who got the extra penny are never smaller, and among equals they come first.
    q = quotas(total, s)
    extra = {r for r in s if amounts[r] > math.floor(q[r])}
    ranked = sorted(s, key=lambda r: (-(q[r] - math.floor(q[r])), tie_order(r)))
    assert extra == set(ranked[: len(extra)])


def test_a_tie_between_1_and_text_1_goes_to_the_number_in_either_input_order():
    # Remainders ½ and ½, one penny left: str() cannot tell 1 from "1"; the tie order can.
    assert apportion(1, {1: Fraction(1, 2), "1": Fraction(1, 2)}) == {1: 1, "1": 0}
    assert apportion(1, {"1": Fraction(1, 2), 1: Fraction(1, 2)}) == {"1": 0, 1: 1}
    assert apportion(1, {"1": "1/2", 1: "1/2"}, order=["1", 1]) == {"1": 1, 1: 0}
    assert apportion(1, {"b": "1/2", "a": "1/2"}) == {"b": 0, "a": 1}  # slugs: alphabetical


def test_the_tie_order_is_numbers_by_value_then_text_then_bytes_then_tuples():
    keys = ["b", 10, "1", 9, (2, "a"), None, b"x", Fraction(19, 2), (1, "z"), "10", -3.5]
    assert sorted(keys, key=tie_order) == [
        None,
        -3.5,
        9,
        Fraction(19, 2),
        10,
        "1",
        "10",
        "b",
        b"x",
        (1, "z"),
        (2, "a"),
    ]


def test_keys_without_a_fixed_tie_order_and_bad_orders_are_refused():
    with pytest.raises(FormulaError, match="type object have no fixed tie order"):
        apportion(1, {object(): "1/2", "a": "1/2"})
    with pytest.raises(FormulaError, match="NaN"):
        apportion(1, {float("nan"): "1/2", "a": "1/2"})
    with pytest.raises(FormulaError, match="every recipient exactly once"):
        apportion(1, {"a": "1/2", "b": "1/2"}, order=["a"])
    with pytest.raises(FormulaError, match="every recipient exactly once"):
        apportion(1, {"a": "1/2", "b": "1/2"}, order=["a", "b", "a"])
    # An explicit order serves keys of any type.
    marker = object()
    assert apportion(1, {marker: "1/2", "a": "1/2"}, order=[marker, "a"]) == {marker: 1, "a": 0}


@st.composite
def formula_inputs(draw):
    keys = draw(recipients)
    n = len(keys)
    pop = draw(st.lists(st.integers(0, 2_000_000), min_size=n, max_size=n))
    crime = draw(st.lists(st.integers(0, 100_000), min_size=n, max_size=n))
    pop[0] = pop[0] or 1
    crime[-1] = crime[-1] or 1
    w = draw(st.integers(0, 100))
    weights = {"population": str(Decimal(w) / 100), "crime": str(Decimal(100 - w) / 100)}
    inputs = {k: {"population": p, "crime": c} for k, p, c in zip(keys, pop, crime, strict=True)}
    return inputs, weights


@settings(max_examples=150, deadline=None)
@given(totals, formula_inputs())
def test_formula_shares_add_to_one_and_the_pence_to_the_fund(total, case):
    inputs, weights = case
    s = shares(inputs, weights)
    assert sum(s.values()) == 1
    result = split(total, inputs, weights)
    assert result.shares == s
    assert sum(result.amounts.values()) == total


@settings(max_examples=100, deadline=None)
@given(totals, formula_inputs())
def test_a_recipient_with_zero_of_every_weighted_measure_gets_nothing(total, case):
    inputs, weights = case
    key = "zzzz-nothing"
    inputs = {**inputs, key: {"population": 0, "crime": 0}}
    assert shares(inputs, weights)[key] == 0
    assert apportion(total, shares(inputs, weights))[key] == 0


@settings(max_examples=100, deadline=None)
@given(formula_inputs())
def test_a_measure_with_zero_weight_has_no_effect(case):
    inputs, _ = case
    by_population = shares(inputs, {"population": "1", "crime": "0"})
    other = {
        k: {**v, "crime": 0 if i % 2 else 7 * i + 1} for i, (k, v) in enumerate(inputs.items())
    }
    assert shares(other, {"population": "1", "crime": "0"}) == by_population
    # A zero-weighted measure may be missing altogether.
    only_population = {k: {"population": v["population"]} for k, v in inputs.items()}
    assert shares(only_population, {"population": "1", "crime": "0"}) == by_population


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["population", "crime"]),
        st.integers(-100, 200).map(lambda x: str(Decimal(x) / 100)),
        min_size=1,
    )
)
def test_weights_that_do_not_add_to_one_or_are_negative_are_refused(weights):
    values = [Fraction(v) for v in weights.values()]
    valid = sum(values) == 1 and all(v >= 0 for v in values)
    if valid:
        assert sum(parse_weights(weights).values()) == 1
    else:
        with pytest.raises(FormulaError) as info:
            parse_weights(weights)
        assert info.value.field.startswith("weights")


# --- formulas refused, naming the key --------------------------------------------------------

GOOD = {
    "method": "weighted shares",
    "weights": {"population": "0.5", "crime": "0.5"},
    "population_year": 2022,
    "crime_period": ["2021-12", "2022-11"],
    "crime_categories": None,
}


def test_a_good_formula_round_trips_as_data():
    formula = parse_formula(GOOD)
    assert formula.weights == {"population": Fraction(1, 2), "crime": Fraction(1, 2)}
    assert formula.as_data() == GOOD
    assert parse_formula(formula.as_data()) == formula


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"method": "equal shares"}, "method", "unknown method"),
        ({"weights": {"population": "0.5", "crime": "0.6"}}, "weights", "add to 1.1"),
        ({"weights": {"population": "-0.5", "crime": "1.5"}}, "weights.population", "negative"),
        (
            {"weights": {"population": "0.5", "deprivation": "0.5"}},
            "weights.deprivation",
            "unknown",
        ),
        ({"weights": {"population": "half", "crime": "0.5"}}, "weights.population", "number"),
        ({"weights": {}}, "weights", "mapping"),
        ({"population_year": "last"}, "population_year", "year"),
        ({"crime_period": ["2022-11", "2021-12"]}, "crime_period", "after the last"),
        ({"crime_period": ["2021-13", "2022-11"]}, "crime_period", "YYYY-MM"),
        ({"crime_period": None}, "crime_period", "crime is weighted"),
        ({"crime_categories": "burglary"}, "crime_categories", "list"),
        ({"crime_categories": ["Burglary!"]}, "crime_categories", "slugs"),
        ({"colour": "red"}, "colour", "unknown key"),
    ],
)
def test_a_bad_formula_is_refused_naming_the_key(change, field, words):
    with pytest.raises(FormulaError) as info:
        parse_formula({**GOOD, **change})
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ") and words in str(info.value)


def test_bad_inputs_and_shares_are_refused_naming_them():
    with pytest.raises(FormulaError, match=r"inputs\.b\.crime: missing"):
        shares({"a": {"population": 1, "crime": 1}, "b": {"population": 1}}, GOOD["weights"])
    with pytest.raises(FormulaError, match=r"inputs\.a\.population: must not be negative"):
        shares({"a": {"population": -1, "crime": 1}}, GOOD["weights"])
    with pytest.raises(FormulaError, match=r"every recipient's crime is zero"):
        shares({"a": {"population": 1, "crime": 0}}, GOOD["weights"])
    with pytest.raises(FormulaError, match=r"shares: must add to exactly 1, they add to 0.9"):
        apportion(100, {"a": "0.5", "b": "0.4"})
    with pytest.raises(FormulaError, match=r"total: must not be negative"):
        apportion(-1, {"a": 1})
    with pytest.raises(FormulaError, match=r"total: expected whole pence"):
        apportion(10.5, {"a": 1})
