"""Section 2, changes: the exact Poisson test per category and district; the 3-year trend."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cdrp.analysis.assessment.common import _fmt, _records, _ref, _table, summed
from cdrp.analysis.assessment.inputs import AssessmentInputs
from cdrp.analysis.assessment.sections import Finding, Section, Table
from cdrp.analysis.change import compare_periods, month_window
from cdrp.analysis.readings import rate_ratio_reading
from cdrp.analysis.trend import monthly_series, year_totals


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _compare(
    frame: pd.DataFrame,
    keys: list[str],
    inputs: AssessmentInputs,
    covered: list[str],
    baseline: str,
) -> pd.DataFrame:
    """compare_periods, or for a baseline with no data at all a frame that says so."""
    try:
        return compare_periods(
            frame,
            end=inputs.end,
            covered_months=covered,
            keys=keys,
            months=inputs.months,
            baseline=baseline,
            on_missing="flag",
        )
    except ValueError as exc:
        if "no data for the baseline" not in str(exc):
            raise
        current = month_window(inputs.end, inputs.months)
        base = current - (inputs.months if baseline == "previous" else 12)
        window = [str(m) for m in current]
        out = summed(frame[frame["month"].isin(window)], keys)
        out = out.rename(columns={"count": "current"})
        out["current_months"] = f"{current[0]}..{current[-1]}"
        out["baseline_months"] = f"{base[0]}..{base[-1]}"
        for column in ("baseline", "difference", "rate_ratio", "ratio_lower", "ratio_upper"):
            out[column] = np.nan
        out["p_value"] = np.nan
        out["verdict"] = "not comparable: no data for the baseline"
        return out


def changes_section(
    inputs: AssessmentInputs, window: pd.PeriodIndex, monthly: pd.DataFrame, covered: list[str]
) -> tuple[Section, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Section 2, and the comparisons by category, district and district × category."""
    months = inputs.months
    comparable: dict[str, bool | None] = {"previous": None, "year_before": None}
    baselines = ["previous"] if months == 12 else ["previous", "year_before"]
    tables: list[Table] = []
    findings: list[Finding] = []
    texts: list[str] = []
    # by category, district and district × category, for each baseline
    compared: dict[str, tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]] = {}
    for baseline in baselines:
        label = {
            "previous": "the previous 12 months"
            if months == 12
            else f"the previous {months} months",
            "year_before": "the same months a year before",
        }[baseline]
        cat = _compare(
            summed(monthly, ["month", "category"]),
            ["category"],
            inputs,
            covered,
            baseline,
        )
        dist = _compare(
            summed(monthly, ["month", "district"]),
            ["district"],
            inputs,
            covered,
            baseline,
        )
        total = _compare(
            summed(monthly, ["month"]).assign(area="total"),
            ["area"],
            inputs,
            covered,
            baseline,
        )
        dist["name"] = dist["district"].map(inputs.districts)
        total["district"] = "total"
        total["name"] = f"{inputs.partnership['name']} (all districts)"
        dist = pd.concat([dist, total.drop(columns="area")], ignore_index=True)
        dc = _compare(monthly, ["district", "category"], inputs, covered, baseline)
        suffix = "" if baseline == "previous" else "-year-before"
        cols = [
            ("current", "Current", "int"),
            ("baseline", "Baseline", "int"),
            ("difference", "Difference", "int"),
            ("rate_ratio", "Rate ratio", "ratio3"),
            ("ratio_lower", "95% lower", "ratio3"),
            ("ratio_upper", "95% upper", "ratio3"),
            ("p_value", "p", "p"),
            ("verdict", "Verdict", "verdict"),
        ]
        cat = cat.sort_values("current", ascending=False)
        tables.append(
            _table(
                f"changes-categories{suffix}",
                f"Change by category against {label}",
                cat,
                [("category", "Category", "text"), *cols],
                key="category",
                note=f"Current {cat['current_months'].iloc[0]}, baseline "
                f"{cat['baseline_months'].iloc[0]}.",
            )
        )
        tables.append(
            _table(
                f"changes-districts{suffix}",
                f"Change by district against {label}",
                dist,
                [("name", "Area", "text"), *cols],
                key="district",
            )
        )
        comparable[baseline] = not cat["verdict"].str.startswith("not comparable").any()
        compared[baseline] = (cat, dist, dc)
        t = dist[dist["district"] == "total"].iloc[0]
        if str(t["verdict"]).startswith("not comparable"):
            findings.append(
                {
                    "text": f"Against {label} the change cannot be tested: months are missing "
                    f"({t['baseline_months']}).",
                    "evidence": [_ref(f"changes-districts{suffix}", "total")],
                }
            )
        else:
            findings.append(
                {
                    "text": f"Against {label}: {_fmt(t['current'])} records against "
                    f"{_fmt(t['baseline'])} (rate ratio {t['rate_ratio']:.3f}, 95% interval "
                    f"{t['ratio_lower']:.3f} to {t['ratio_upper']:.3f}): {t['verdict']}.",
                    "evidence": [_ref(f"changes-districts{suffix}", "total")],
                    "reading": "Recorded crime was "
                    + _lower_first(
                        rate_ratio_reading(
                            float(t["rate_ratio"]),
                            float(t["ratio_lower"]),
                            float(t["ratio_upper"]),
                            compared_with=label,
                        )
                    ),
                }
            )
            for verdict in ("significant increase", "significant decrease"):
                moved = cat[cat["verdict"] == verdict]
                if not moved.empty:
                    findings.append(
                        {
                            "text": f"{verdict.capitalize()} against {label} (rate ratio): "
                            + ", ".join(
                                f"{r.category} ({r.rate_ratio:.2f})" for r in moved.itertuples()
                            )
                            + ".",
                            "evidence": [
                                _ref(f"changes-categories{suffix}", c) for c in moved["category"]
                            ],
                        }
                    )
    by_cat, by_dist, by_dc = compared["previous"]
    # Three-year trend of the partnership total (missing months leave a year blank).
    series = monthly_series(
        summed(monthly, "month"),
        covered,
        start=str(window[-1] - 35),
        end=str(window[-1]),
    )
    years = year_totals(series, inputs.end).reset_index(drop=True)
    years["key"] = years["first"] + ".." + years["last"]
    tables.append(
        _table(
            "trend-years",
            "Three-year trend: records in consecutive 12-month years",
            years,
            [
                ("first", "From", "text"),
                ("last", "To", "text"),
                ("total", "Records", "int"),
                ("months_with_data", "Months with data", "int"),
                ("missing_months", "Missing months", "text"),
            ],
            key="key",
            note="A year with a missing month has no total: a missing month is not zero.",
        )
    )
    roll = series.rolling(12, min_periods=12).sum().reset_index()
    roll.columns = ["month", "rolling"]
    roll["month"] = roll["month"].astype(str)
    monthly_total = series.reset_index()
    monthly_total.columns = ["month", "count"]
    monthly_total["month"] = monthly_total["month"].astype(str)
    monthly_total = monthly_total.merge(roll, on="month")
    texts.append(
        "Each change is tested with the exact Poisson conditional test, two-sided as twice "
        "the smaller one-sided exact p-value (statsmodels test_poisson_2indep, method "
        "exact-cond, each side); the rate ratio is current over baseline with the exact 95% "
        "interval from the same test (Clopper-Pearson), so a verdict of significant increase "
        "or decrease, p < 0.05, comes exactly when the interval excludes 1. "
        "A window that includes a month with no data is not compared."
        + (
            " For a 12-month window the previous 12 months are the same months a year before."
            if months == 12
            else ""
        )
    )
    section = Section(
        id="changes",
        title="Changes since the last assessment",
        text=texts,
        tables=tables,
        figures=[
            {
                "id": "monthly-trend",
                "kind": "trend",
                "title": "Records per month and 12-month rolling total",
                "caption": "Records per month (bars) and the rolling total of the last 12 months "
                "(line); gaps are months with no data.",
                "data": _records(monthly_total, ["month", "count", "rolling"]),
            },
            {
                "id": "rate-ratios",
                "kind": "ratio-dots",
                "title": "Rate ratio by category with 95% intervals",
                "caption": "Rate ratio (current / previous period) and its 95% interval; "
                "1 means no change.",
                "data": _records(
                    by_cat, ["category", "rate_ratio", "ratio_lower", "ratio_upper", "verdict"]
                ),
            },
        ],
        findings=findings,
        notices=[],
    )
    return section, by_cat, by_dist, by_dc
