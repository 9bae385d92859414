"""A project's evaluation: the plan (method, outcome categories, target, buffer and control
LSOAs, two periods of equal length) and the result, counted from the incident store and judged
by the statistics in `cdrp.analysis.evaluation`, `cdrp.analysis.change` and
`cdrp.analysis.displacement`."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from cdrp.analysis.change import compare_counts
from cdrp.analysis.displacement import wdd, wdq
from cdrp.analysis.evaluation import ALPHA, json_safe, net_change, percent_change
from cdrp.analysis.months import month_range
from cdrp.funding.checks import FundingError, checked_month, checked_text, field_label, lock
from cdrp.funding.models import Evaluation, Project
from cdrp.funding.store import check_period, lsoa_names
from cdrp.store import counts
from cdrp.store.schema import CATEGORY_NAMES

__all__ = ["evaluate", "set_evaluation"]


def _codes(value, field: str, *, required: bool) -> list[str]:
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    codes = [str(c).strip().upper() for c in (value or []) if str(c).strip()]
    if required and not codes:
        raise FundingError(field, f"{field_label(field)}: give at least one LSOA code")
    bad = [c for c in codes if not (len(c) == 9 and c[:3] in ("E01", "W01") and c[3:].isdigit())]
    if bad:
        raise FundingError(
            field,
            f"{field_label(field)}: {', '.join(bad[:5])} is not an LSOA code (expected E01 or W01 "
            "and six digits, such as E01025460)",
        )
    if len(set(codes)) != len(codes):
        raise FundingError(field, f"{field_label(field)}: an LSOA code is listed twice")
    return codes


@transaction.atomic
def set_evaluation(
    project: Project,
    *,
    method: str,
    categories: Sequence[str],
    target_areas,
    control_areas,
    before_start: str,
    before_end: str,
    after_start: str,
    after_end: str,
    buffer_areas=(),
) -> Evaluation:
    """The evaluation plan: method, outcome categories, target/buffer/control LSOAs and two
    periods of equal length. Changing the plan clears an earlier result."""
    method = checked_text(method, "method")
    categories = [c.strip() for c in (categories or []) if c and c.strip()]
    if not categories:
        raise FundingError("categories", "Categories: choose at least one outcome category")
    unknown = [c for c in categories if c not in CATEGORY_NAMES]
    if unknown:
        raise FundingError(
            "categories", f"Categories: {', '.join(unknown)} is not a police.uk category slug"
        )
    target = _codes(target_areas, "target_areas", required=True)
    buffer = _codes(buffer_areas, "buffer_areas", required=False)
    control = _codes(control_areas, "control_areas", required=True)
    for name, a, b in [
        ("buffer_areas", buffer, target),
        ("control_areas", control, target),
        ("control_areas", control, buffer),
    ]:
        both = sorted(set(a) & set(b))
        if both:
            raise FundingError(
                name,
                f"{field_label(name)}: {', '.join(both[:5])} is also in another area; target, "
                "buffer and control areas must not overlap",
            )
    bs, be = checked_month(before_start, "before_start"), checked_month(before_end, "before_end")
    as_, ae = checked_month(after_start, "after_start"), checked_month(after_end, "after_end")
    if be < bs:
        raise FundingError("before_end", "Before end: the before period ends before it starts")
    if ae < as_:
        raise FundingError("after_end", "After end: the after period ends before it starts")
    if as_ <= be:
        raise FundingError(
            "after_start", "After start: the after period must start after the before period ends"
        )
    if len(month_range(bs, be)) != len(month_range(as_, ae)):
        raise FundingError(
            "after_end",
            f"After end: the periods must be of equal length (before {len(month_range(bs, be))} "
            f"months, after {len(month_range(as_, ae))})",
        )
    evaluation = Evaluation.objects.filter(project=project).first() or Evaluation(project=project)
    evaluation.method = method
    evaluation.categories = categories
    evaluation.target_areas = target
    evaluation.buffer_areas = buffer
    evaluation.control_areas = control
    evaluation.before_start, evaluation.before_end = bs, be
    evaluation.after_start, evaluation.after_end = as_, ae
    evaluation.result = {}
    evaluation.verdict = Evaluation.Verdict.PENDING
    evaluation.evaluated_at = None
    evaluation.save()
    return evaluation


@transaction.atomic
def evaluate(evaluation: Evaluation, store) -> Evaluation:
    """Count the outcome before and after in the target, buffer and control areas, test the
    change, compute the WDQ (with a buffer) and WDD, and give a verdict with its reasoning.

    Each area's own change is the assessment's exact Poisson conditional test
    (`cdrp.analysis.change.compare_counts`). The target's change net of the control area's,
    the ratio of rate ratios ``(A1/A0) / (C1/C0)``, is tested exactly as well: for four
    independent Poisson counts, conditioning on the margins of the 2×2 table leaves the
    hypergeometric distribution when the target changed as the control did, i.e. Fisher's exact
    test; the p-value is twice the smaller one-sided one, so it agrees with the exact conditional
    95% interval (scipy's ``odds_ratio(kind="conditional")``). The verdict: *effective* when
    the target fell significantly (5% level) against the control and, with a buffer, the total
    net effect is positive (displacement did not cancel the benefit); *worse* when the target
    rose significantly against the control; otherwise *no evidence of effect*.
    """
    e = lock(evaluation)
    areas = {"target": e.target_areas, "buffer": e.buffer_areas, "control": e.control_areas}
    codes = [c for group in areas.values() for c in group]
    names = lsoa_names(store)
    known = set(names)
    for name, group in areas.items():
        unknown = [c for c in group if c not in known]
        if unknown:
            raise FundingError(
                f"{name}_areas",
                f"{field_label(name + '_areas')}: {', '.join(unknown[:5])} is not an LSOA in the "
                "store's geography",
            )
    before_months = month_range(e.before_start, e.before_end)
    after_months = month_range(e.after_start, e.after_end)
    check_period(store, before_months, "before_start", "the before period")
    check_period(store, after_months, "after_start", "the after period")

    def period(first, last):
        frame = counts(
            store,
            ["lsoa"],
            start=first,
            end=last,
            categories=list(e.categories),
            areas={"lsoa": codes},
            output="pandas",
        )
        return {str(k): int(v) for k, v in zip(frame["lsoa"], frame["count"], strict=True)}

    before = period(e.before_start, e.before_end)
    after = period(e.after_start, e.after_end)
    totals = {
        name: (sum(before.get(c, 0) for c in group), sum(after.get(c, 0) for c in group))
        for name, group in areas.items()
        if group
    }
    c0, c1 = totals["control"]
    if c0 == 0 or c1 == 0:
        raise FundingError(
            "control_areas",
            f"Control areas: the comparison area has {c0} records before and {c1} after: it "
            "needs records in both periods; choose a larger area or longer periods",
        )
    a0, a1 = totals["target"]
    months = len(before_months)
    change = compare_counts(
        [totals[n][1] for n in totals], months, [totals[n][0] for n in totals], months
    )
    changes = {
        name: {
            "before": int(row["baseline"]),
            "after": int(row["current"]),
            "difference": int(row["difference"]),
            "rate_ratio": float(row["rate_ratio"]),
            "ratio_lower": float(row["ratio_lower"]),
            "ratio_upper": float(row["ratio_upper"]),
            "p_value": float(row["p_value"]),
            "verdict": str(row["verdict"]),
        }
        for name, row in zip(totals, change.to_dict("records"), strict=True)
    }
    relative = net_change(a0, a1, c0, c1)
    p_rel = relative["p_value"]
    buffer = totals.get("buffer")
    quotient = wdq(totals["target"], buffer, totals["control"]) if buffer else None
    difference = wdd(totals["target"], totals["control"], buffer=buffer)

    reasons = []
    rr = relative["rate_ratio"]
    if a0 + a1 == 0:
        verdict = Evaluation.Verdict.NO_EVIDENCE
        reasons.append("The target area had no records of the outcome in either period.")
    else:
        reasons.append(
            f"The target area went from {a0} to {a1} records; the comparison area from {c0} to "
            f"{c1}."
        )
        reasons.append(
            f"Net of the comparison area's change, the target's rate ratio is {rr:.2f} "
            f"({percent_change(rr)}; 95% interval {relative['ratio_lower']:.2f} to "
            f"{relative['ratio_upper']:.2f}; exact conditional test p = {p_rel:.3f})."
            if rr == rr and rr != float("inf")
            else f"The target had no records before (exact conditional test p = {p_rel:.3f})."
        )
        if p_rel < ALPHA and rr < 1:
            if quotient is not None and quotient.total_net_effect <= 0:
                verdict = Evaluation.Verdict.NO_EVIDENCE
                reasons.append(
                    f"But the buffer rose against the comparison area by as much or more "
                    f"(WDQ {quotient.wdq:.2f}, {quotient.reading}; total net effect "
                    f"{quotient.total_net_effect:+.1f} records): no net benefit."
                )
            else:
                verdict = Evaluation.Verdict.EFFECTIVE
                reasons.append("The target fell significantly against the comparison area.")
                if quotient is not None:
                    reasons.append(
                        f"The WDQ is {quotient.wdq:.2f} ({quotient.reading}); total net effect "
                        f"{quotient.total_net_effect:+.1f} records saved."
                    )
        elif p_rel < ALPHA and rr > 1:
            verdict = Evaluation.Verdict.WORSE
            reasons.append("The target rose significantly against the comparison area.")
        else:
            verdict = Evaluation.Verdict.NO_EVIDENCE
            reasons.append(
                "The change is within what chance alone would give (5% level): no evidence "
                "that the project changed the outcome."
            )
            if quotient is not None and quotient.wdq == quotient.wdq:
                reasons.append(
                    f"For reference, the WDQ is {quotient.wdq:.2f} ({quotient.reading}), a "
                    "reading that only means something when the target's fall is real."
                )
    if "buffer" in changes:
        b = changes["buffer"]
        if b["verdict"] in ("significant increase", "significant decrease"):
            reasons.append(
                f"The buffer went from {b['before']} to {b['after']} records, a "
                f"{b['verdict']} on its own (p = {b['p_value']:.3f})."
            )
    reasons.append(
        f"Weighted displacement difference {difference.wdd:+.0f} records (z = "
        f"{difference.z:.2f}, p = {difference.p_value:.3f}): {difference.reading}."
    )
    e.result = json_safe(
        {
            "months": months,
            "categories": list(e.categories),
            "periods": {
                "before": [e.before_start, e.before_end],
                "after": [e.after_start, e.after_end],
            },
            "counts": {n: {"before": t[0], "after": t[1]} for n, t in totals.items()},
            "by_lsoa": {
                name: {c: [before.get(c, 0), after.get(c, 0)] for c in group}
                for name, group in areas.items()
                if group
            },
            "names": {c: names[c] for c in codes},
            "change": changes,
            "relative": relative,
            "wdq": quotient.as_dict() if quotient else None,
            "wdd": difference.as_dict(),
            "alpha": ALPHA,
            "reasoning": reasons,
        }
    )
    e.verdict = verdict
    e.evaluated_at = timezone.now()
    e.save()
    return e
