"""Performance statistics (cdrp.analysis.performance): intervals against scipy and statsmodels,
hand-worked projections and targets, every status in both directions, bad input."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2, gamma
from statsmodels.stats.proportion import proportion_confint

from cdrp.analysis import performance
from cdrp.analysis.errors import RefusedInput
from cdrp.analysis.months import month_range
from cdrp.analysis.performance import (
    PerformanceError,
    ResolvedTarget,
    assess,
    check_target,
    gamma_interval,
    judge,
    poisson_interval,
    project_year_end,
    resolve_target,
    sparkline,
    wilson_interval,
)

YEAR_2022 = month_range("2022-01", "2022-12")
Z95 = 1.959963984540054


def test_docstring_examples_hold():
    result = doctest.testmod(performance, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 12 and result.failed == 0


@pytest.mark.parametrize("x", [0, 1, 7, 40, 1148])
def test_the_poisson_interval_is_garwoods_exact_interval(x):
    from statsmodels.stats.rates import confint_poisson

    low, high = poisson_interval(x)
    assert low == pytest.approx(0.0 if x == 0 else chi2.ppf(0.025, 2 * x) / 2, rel=1e-12)
    assert high == pytest.approx(chi2.ppf(0.975, 2 * x + 2) / 2, rel=1e-12)
    ref_low, ref_high = confint_poisson(x, 1, method="exact-c")
    assert (low, high) == pytest.approx((ref_low, ref_high), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("x,n", [(0, 10), (10, 10), (50, 119), (3, 7), (412, 1000)])
def test_the_wilson_interval_matches_statsmodels(x, n):
    assert wilson_interval(x, n) == pytest.approx(
        proportion_confint(x, n, alpha=0.05, method="wilson"), rel=1e-10, abs=1e-12
    )


def test_a_hand_worked_seasonal_projection():
    # January to April 2022: 10 + 12 + 8 + 10 = 40 records (k = 4 of n = 12 months).
    # Last year: January to April 8 + 10 + 7 + 5 = 30, the whole of 2021 30 + 8 x 11.25 = 120,
    # so the seasonal factor f = 120 / 30 = 4 (not 12 / 4 = 3: the early months are quiet).
    # Projection 40 x 4 = 160. Garwood limits of 40: chi2.ppf(0.025, 80) / 2 = 28.5766 and
    # chi2.ppf(0.975, 82) / 2 = 54.4686; times 4: 114.31 to 217.87.
    last = dict(zip(month_range("2021-01", "2021-12"), [8, 10, 7, 5] + [11.25] * 8, strict=True))
    seen = {"2022-01": 10, "2022-02": 12, "2022-03": 8, "2022-04": 10}
    p = project_year_end(seen, YEAR_2022, set(last) | set(seen), last, as_of="2022-04")
    assert p.seasonal and p.factor == 4.0 and p.observed == 40
    assert p.value == 40 and p.projection == 160
    assert p.low == pytest.approx(4 * 28.5766, abs=1e-3)
    assert p.high == pytest.approx(4 * 54.4686, abs=1e-3)
    assert p.elapsed == ["2022-01", "2022-02", "2022-03", "2022-04"] and not p.missing
    assert "adjusted by last year's seasonal pattern" in p.describe()
    assert "40 records in 4 of 12 months" in p.describe()


def test_without_last_years_months_the_projection_is_pro_rata():
    # 2021-06 missing: the seasonal factor needs every month one year before the period, so
    # f = 12 / 4 = 3 and the projection is 40 x 3 = 120.
    last = dict(zip(month_range("2021-01", "2021-12"), [8, 10, 7, 5] + [11.25] * 8, strict=True))
    covered = (set(last) - {"2021-06"}) | set(YEAR_2022[:4])
    seen = {"2022-01": 10, "2022-02": 12, "2022-03": 8, "2022-04": 10}
    p = project_year_end(seen, YEAR_2022, covered, last, as_of="2022-04")
    assert not p.seasonal and p.factor == 3 and p.projection == 120
    assert p.low == pytest.approx(3 * chi2.ppf(0.025, 80) / 2)
    assert "pro rata (12/4)" in p.describe()


def test_a_missing_month_in_the_period_is_not_a_zero():
    # 2022-02 has no file: k = 3 covered months (10 + 8 + 10 = 28). Last year's matching months
    # (January, March, April: 8 + 7 + 5 = 20) against 120: f = 6, projection 168.
    last = dict(zip(month_range("2021-01", "2021-12"), [8, 10, 7, 5] + [11.25] * 8, strict=True))
    seen = {"2022-01": 10, "2022-02": 12, "2022-03": 8, "2022-04": 10}
    covered = set(last) | {"2022-01", "2022-03", "2022-04"}
    p = project_year_end(seen, YEAR_2022, covered, last, as_of="2022-04")
    assert p.observed == 28 and p.factor == 6 and p.projection == 168
    assert p.missing == ["2022-02"] and "February 2022 not held" in p.describe()


def test_a_complete_period_is_its_total():
    seen = dict.fromkeys(YEAR_2022, 5)
    p = project_year_end(seen, YEAR_2022, YEAR_2022, seen)
    assert p.factor == 1 and p.projection == 60 and p.complete
    assert p.describe().startswith("Final year-end figure 60")


def test_a_harm_weighted_projection_uses_the_gamma_interval_of_the_compound_poisson():
    # Two months of 3 burglaries (weight 380) and 1 robbery (weight 800) each:
    # H = 2 x (3 x 380 + 800) = 3,880; V = 2 x (3 x 380^2 + 800^2) = 2,146,400; pro rata f = 6.
    # Lower: Gamma(shape H^2/V = 7.0138, scale V/H = 553.20).ppf(0.025) = 1,561.7;
    # upper, with one more robbery: Gamma(shape 4680^2/2,786,400 = 7.8605, scale 595.38)
    # .ppf(0.975) = 8,474.7 (the normal approximation gave 1,008.5 to 6,751.5).
    months = month_range("2022-01", "2022-02")
    h = dict.fromkeys(months, 3 * 380 + 800)
    var = dict.fromkeys(months, 3 * 380**2 + 800**2)
    p = project_year_end(
        h, YEAR_2022, months, as_of="2022-02", variance_by_month=var, max_weight=800
    )
    H, V = 3880, 2_146_400
    low = gamma.ppf(0.025, H**2 / V, scale=V / H)
    high = gamma.ppf(0.975, (H + 800) ** 2 / (V + 800**2), scale=(V + 800**2) / (H + 800))
    assert (round(low, 1), round(high, 1)) == (1561.7, 8474.7)
    assert p.measure == "harm" and p.observed == 3880 and p.projection == 6 * 3880
    assert p.low == pytest.approx(6 * low) and p.high == pytest.approx(6 * high)
    assert "gamma approximation" in p.describe()
    # Without the heaviest weight, the gamma matching H and V alone.
    bare = project_year_end(h, YEAR_2022, months, as_of="2022-02", variance_by_month=var)
    assert bare.high == pytest.approx(6 * gamma.ppf(0.975, H**2 / V, scale=V / H))
    assert bare.low == p.low


def test_with_every_weight_one_the_gamma_interval_is_the_garwood_interval():
    for count in [0, 1, 4, 40, 333]:
        low, high = gamma_interval(count, count, 1)
        assert (low, high) == pytest.approx(poisson_interval(count), rel=1e-9, abs=1e-12)


# A compound Poisson: categories of harm weight w with Poisson counts of mean lam over the
# elapsed months. Skewed ones (a few heavily weighted records) and a large, nearly normal one.
COMPOUND = {
    "3 burglaries and 1 robbery expected": ([380.183624, 799.62887], [3.0, 1.0]),
    "6 burglaries and 2 robberies": ([380.183624, 799.62887], [6.0, 2.0]),
    "a rare robbery among shopliftings": ([11.855539, 799.62887], [200.0, 0.3]),
    "a mixed basket": ([275.576628, 380.183624, 799.62887, 102.600562], [30.0, 6.0, 2.0, 5.0]),
}


@pytest.mark.parametrize("case", list(COMPOUND))
def test_the_harm_interval_covers_the_true_figure_95_percent_of_the_time_in_simulation(case):
    # Seeded simulation: draw each category's count 20,000 times, form H and V, and count how
    # often the interval holds the true mean sum(w lam). The gamma interval with the heaviest
    # weight never covers less than 95% (less 3 Monte-Carlo standard errors); the normal
    # approximation it replaced does in the skewed cases.
    weights, means = (np.array(v) for v in COMPOUND[case])
    rng = np.random.default_rng(20221101)
    counts = rng.poisson(means, size=(20_000, means.size))
    h, v = counts @ weights, counts @ weights**2
    truth = float(weights @ means)
    low, high = gamma_interval(h, v, weights.max())
    covered = float(np.mean((low <= truth) & (truth <= high)))
    assert covered >= 0.95 - 3 * math.sqrt(0.95 * 0.05 / 20_000), (case, covered)
    sd = np.sqrt(v)
    normal = float(np.mean((np.maximum(h - Z95 * sd, 0) <= truth) & (truth <= h + Z95 * sd)))
    if case != "a mixed basket":
        assert normal < 0.935, (case, normal)
    # The normal interval sits too low (it ignores the right skew): the truth is above its upper
    # limit more than 2.5% of the time. The gamma's lower limit is above the truth at most its
    # 2.5% of the time.
    tolerance = 3 * math.sqrt(0.025 * 0.975 / 20_000)
    if case != "a mixed basket":
        assert float(np.mean(truth > h + Z95 * sd)) > 0.025 + tolerance
    assert float(np.mean(truth < low)) <= 0.025 + tolerance


def test_the_harm_interval_follows_a_simulated_compound_poisson_where_the_normal_does_not():
    # The audit's comparison: simulate the weighted sum with the observed counts as means
    # (seeded) and take its 2.5% and 97.5% points. The gamma matching H and V sits beside them;
    # the normal interval is shifted down, as the audit found ([244.9, 843.1] against a
    # simulated [280, 872] in its case).
    weights = np.array([80.40516, 46.12372, 11.855539])  # theft from the person, other theft,
    counts = np.array([3, 5, 6])  # shoplifting
    h, v = float(counts @ weights), float(counts @ weights**2)
    rng = np.random.default_rng(20221101)
    simulated = rng.poisson(counts, size=(400_000, 3)) @ weights
    sim_low, sim_high = np.percentile(simulated, [2.5, 97.5])
    low, high = gamma_interval(h, v)
    normal_low, normal_high = h - Z95 * math.sqrt(v), h + Z95 * math.sqrt(v)
    # Both ends of the simulated interval are above the normal's, and the gamma's likewise.
    assert sim_low > normal_low and sim_high > normal_high
    assert low > normal_low and high > normal_high
    assert abs(high - sim_high) / sim_high < 0.03
    assert abs(low - sim_low) < abs(normal_low - sim_low) + 30
    # Skewed like the simulation: the upper arm longer than the lower.
    assert (high - h) / (h - low) > 1.2 and (sim_high - h) / (h - sim_low) > 1.1


def test_a_harm_interval_with_an_impossible_weight_or_variance_is_refused():
    with pytest.raises(PerformanceError, match="largest weight is smaller"):
        gamma_interval(1000, 500_000, 100)
    with pytest.raises(PerformanceError, match="variance"):
        gamma_interval(1000, 0)
    months = month_range("2022-01", "2022-02")
    with pytest.raises(PerformanceError, match="expected a weight above zero"):
        project_year_end(
            {"2022-01": 5}, YEAR_2022, months, variance_by_month={"2022-01": 5}, max_weight=0
        )


def test_a_rate_divides_the_count_and_its_limits_by_the_population():
    seen = dict.fromkeys(YEAR_2022, 10)
    p = project_year_end(seen, YEAR_2022, YEAR_2022, population=40_000)
    low, high = chi2.ppf(0.025, 240) / 2, chi2.ppf(0.975, 242) / 2
    assert p.measure == "rate" and p.projection == pytest.approx(120 / 40)
    assert (p.low, p.high) == pytest.approx((low / 40, high / 40))
    harm = project_year_end(seen, YEAR_2022, YEAR_2022, variance_by_month=seen, population=1000)
    assert harm.measure == "harm rate"


def test_a_proportion_is_not_projected_and_has_a_wilson_interval():
    # 5 + 7 re-offended of 40 + 41 in the cohort: p = 12 / 81.
    months = month_range("2022-01", "2022-02")
    p = project_year_end(
        {"2022-01": 5, "2022-02": 7},
        YEAR_2022,
        months,
        as_of="2022-03",
        denominator_by_month={"2022-01": 40, "2022-02": 41},
    )
    assert p.measure == "proportion" and p.value == p.projection == pytest.approx(12 / 81)
    assert (p.low, p.high) == pytest.approx(proportion_confint(12, 81, method="wilson"))
    assert p.missing == ["2022-03"]
    assert "12 of 81" in p.describe() and "Wilson" in p.describe()


def test_a_denominator_below_its_value_is_refused():
    with pytest.raises(PerformanceError, match="denominator: 2022-01: the denominator 4 is"):
        project_year_end(
            {"2022-01": 5}, YEAR_2022, ["2022-01"], denominator_by_month={"2022-01": 4}
        )
    with pytest.raises(PerformanceError, match="value: 2022-01: expected zero or more"):
        project_year_end({"2022-01": -1}, YEAR_2022, ["2022-01"])


@pytest.mark.parametrize(
    "direction,projection,low,high,target,status",
    [
        ("lower", 100, 80, 120, 130, "on track"),  # whole interval below
        ("lower", 100, 80, 120, 110, "on track"),  # projection below, interval reaches above
        ("lower", 100, 80, 120, 100, "on track"),  # exactly on the target
        ("lower", 100, 80, 120, 90, "at risk"),  # misses, target inside the interval
        ("lower", 100, 80, 120, 80, "at risk"),  # target at the lower limit: not excluded
        ("lower", 100, 80, 120, 70, "off track"),  # even the lower limit is above the target
        ("higher", 100, 80, 120, 70, "on track"),
        ("higher", 100, 80, 120, 110, "at risk"),
        ("higher", 100, 80, 120, 120, "at risk"),
        ("higher", 100, 80, 120, 130, "off track"),  # even the upper limit is below
    ],
)
def test_every_status_in_both_directions(direction, projection, low, high, target, status):
    result = judge(projection, low, high, target, direction)
    assert result.status == status
    assert (result.projection, result.low, result.high, result.target) == (
        projection,
        low,
        high,
        target,
    )


def test_the_reasoning_reads_as_a_sentence():
    result = judge(
        1234,
        1180,
        1290,
        1200,
        "lower",
        evidence="Projected year-end 1,234 (95% interval 1,180 to 1,290)",
        target_text="at most 1,200 (10% below the baseline of 1,333 in 2021-04 to 2022-03)",
    )
    assert result.status == "at risk"
    assert result.reasoning == (
        "Projected year-end 1,234 (95% interval 1,180 to 1,290); target at most 1,200 (10% "
        "below the baseline of 1,333 in 2021-04 to 2022-03): the projection misses the target "
        "but the target is inside the interval, so the difference could be chance."
    )
    off = judge(1300, 1250, 1350, 1200, "lower")
    assert "even the lower end of the interval is above the target" in off.reasoning
    off_up = judge(50, 40, 60, 70, "higher")
    assert "even the upper end of the interval is below the target" in off_up.reasoning
    share = judge(0.2, 0.15, 0.26, 0.18, "lower", measure="proportion")
    assert share.status == "at risk" and "the figure so far misses the target" in share.reasoning
    assert "target at most 18.0%" in share.reasoning


def test_no_data_and_not_started_are_statuses_with_reasons():
    target = ResolvedTarget("absolute", 100, "at most 100")
    later = project_year_end({}, YEAR_2022, [], as_of="2021-11")
    result = assess(later, target)
    assert result.status == "not started" and "has not started" in result.reasoning
    empty = project_year_end({}, YEAR_2022, ["2021-12"], as_of="2022-02")
    result = assess(empty, target)
    assert (
        result.status == "no data"
        and "No data yet for January 2022 to December 2022" in result.reasoning
    )
    assert result.target == 100 and result.projection is None


def test_a_change_target_is_the_baseline_scaled_to_the_period():
    # Baseline of 6 months totalling 300, a 12-month period: 600 scaled, -10% gives 540.
    base = month_range("2021-01", "2021-06")
    t = resolve_target(
        "change",
        -10,
        period_months=YEAR_2022,
        baseline_months=base,
        baseline_by_month=dict.fromkeys(base, 50),
        covered=base,
    )
    assert t.value == pytest.approx(540) and t.baseline == 600
    assert t.text == (
        "at most 540 (10% below the baseline of 300 in January 2021 to June 2021, 600 scaled to "
        "12 months)"
    )
    up = resolve_target(
        "change",
        12.5,
        period_months=YEAR_2022,
        direction="higher",
        baseline_months=base,
        baseline_by_month=dict.fromkeys(base, 50),
        covered=base,
        measure="rate",
        population=20_000,
    )
    # 600 records among 20,000 residents = 30 per 1,000; +12.5% = 33.75.
    assert up.value == pytest.approx(33.75) and up.text.startswith("at least 33.75 per 1,000")


def test_a_proportion_change_target_is_on_the_baseline_proportion():
    base = month_range("2021-01", "2021-02")
    t = resolve_target(
        "change",
        -20,
        period_months=YEAR_2022,
        measure="proportion",
        baseline_months=base,
        baseline_by_month={"2021-01": 10, "2021-02": 10},
        baseline_denominator_by_month={"2021-01": 50, "2021-02": 50},
        covered=base,
    )
    assert t.value == pytest.approx(0.16) and "baseline of 20.0%" in t.text
    absolute = resolve_target("absolute", 25, period_months=YEAR_2022, measure="proportion")
    assert absolute.value == 0.25 and absolute.text == "at most 25.0%"


def test_a_family_target_is_the_family_rate_scaled_like_the_projection():
    # Family members at 2.0 and 3.0 per 1,000 over the elapsed months: average 2.5; the
    # projection's factor is 1.5, so 3.75 per 1,000 by year-end; 80,000 residents: 300.
    t = resolve_target(
        "family",
        None,
        period_months=YEAR_2022,
        family_rate=2.5,
        factor=1.5,
        population=80_000,
        family_label="Wyre and Fylde",
        months_elapsed=8,
    )
    assert t.value == pytest.approx(300)
    assert "family average of Wyre and Fylde: 2.50 per 1,000 in the same 8 months" in t.text
    rate = resolve_target(
        "family", None, period_months=YEAR_2022, family_rate=2.5, factor=1.5, measure="rate",
        population=80_000,
    )  # fmt: skip
    assert rate.value == pytest.approx(3.75)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({}, "baseline_start: a change target needs a baseline period"),
        (
            {"baseline_months": ["2021-01", "2021-02"], "covered": ["2021-01"]},
            "baseline_start: the baseline January 2021 to February 2021 is not all held: "
            "no data for February 2021",
        ),
        (
            {"baseline_months": ["2021-01"], "covered": ["2021-01"], "baseline_by_month": {}},
            "baseline_start: the baseline January 2021 totals zero",
        ),
    ],
)
def test_a_change_target_without_a_usable_baseline_is_refused(kwargs, message):
    with pytest.raises(PerformanceError, match=message) as caught:
        resolve_target("change", -5, period_months=YEAR_2022, **kwargs)
    assert caught.value.field == "baseline_start"


@pytest.mark.parametrize(
    "args,field,message",
    [
        (("change", -5, "2022-01", "2022-12"), "baseline_start", "needs a baseline period"),
        (("change", -5, "2022-01", "2022-12", "2021-01", ""), "baseline_end", "baseline period"),
        (("change", -5, "2022-01", "2022-12", "2021-01", "2022-01"), "baseline_end", "must end"),
        (("change", -100, "2022-01", "2022-12", "2021-01", "2021-12"), "value", "above -100%"),
        (("change", None, "2022-01", "2022-12", "2021-01", "2021-12"), "value", "percentage"),
        (("absolute", None, "2022-01", "2022-12"), "value", "needs the figure"),
        (("absolute", -3, "2022-01", "2022-12"), "value", "zero or more"),
        (("absolute", 3, "2022-13", "2022-12"), "period_start", "YYYY-MM"),
        (("absolute", 3, "2022-06", "2022-01"), "period_end", "is before period_start"),
        (("ratio", 3, "2022-01", "2022-12"), "kind", "expected one of absolute"),
        (("change", -5, "2022-01", "2022-12", "2021", "2021-12"), "baseline_start", "YYYY-MM"),
    ],
)
def test_bad_targets_are_refused_naming_the_field(args, field, message):
    # A month that is not YYYY-MM is refused by cdrp.analysis.months (a MonthError), the rest by
    # the statistics (a PerformanceError): both are the one RefusedInput.
    with pytest.raises(RefusedInput, match=message) as caught:
        check_target(*args)
    assert caught.value.field == field and str(caught.value).startswith(f"{field}: ")


def test_a_family_target_without_family_data_is_refused():
    with pytest.raises(PerformanceError, match="kind: no family member has data"):
        resolve_target("family", None, period_months=YEAR_2022, factor=1, population=1)
    with pytest.raises(PerformanceError, match="kind: a family target needs a store indicator"):
        resolve_target("family", None, period_months=YEAR_2022, measure="proportion")


def test_the_sparkline_leaves_gaps_and_labels_itself():
    svg = sparkline([3, 4, None, 5, 6, None, 2], label='Burglary <"A">', target=4, target_from=3)
    assert svg.count("<polyline") == 2 and svg.count("<circle") == 1
    assert 'aria-label="Burglary &lt;&quot;A&quot;&gt;"' in svg
    assert "<title>Burglary &lt;&quot;A&quot;&gt;</title>" in svg
    assert 'stroke-dasharray="3 2"' in svg
    # The dashed target line starts at the fourth month: x = 2 + 3 x (116 / 6) = 60.
    assert 'x1="60.0"' in svg
    assert sparkline([], label="nothing").startswith("<svg")


@settings(deadline=None)  # the first chi-squared quantile call can be slow on a busy machine
@given(
    x=st.integers(min_value=0, max_value=5000),
    k=st.integers(min_value=1, max_value=12),
    target=st.floats(min_value=0, max_value=20000),
    direction=st.sampled_from(["lower", "higher"]),
)
def test_the_interval_holds_the_projection_and_the_status_follows_the_rule(x, k, target, direction):
    months = YEAR_2022[:k]
    seen = {months[0]: x}
    p = project_year_end(seen, YEAR_2022, months, as_of=months[-1])
    assert p.low <= p.projection <= p.high
    result = assess(p, ResolvedTarget("absolute", target, f"{target}"), direction)
    better = p.projection <= target if direction == "lower" else p.projection >= target
    beyond = p.low > target if direction == "lower" else p.high < target
    expected = "on track" if better else ("off track" if beyond else "at risk")
    assert result.status == expected
