"""Choosing priorities: a transparent scoring matrix, and a MoRiLE-style matrix as an alternative.

The scoring matrix rates each candidate priority (usually a crime category, or a category in an
area) on five criteria — volume, trend, harm, position among peer districts and community concern
— each scored 0 to 1 by a stated rule, and combines them with configurable weights into a score
out of 100. Every score keeps a reference to the evidence row it came from, so a reader of the
assessment can follow each number back to its table.

The MoRiLE-style matrix follows the structure analysts know from the Management of Risk in Law
Enforcement method (harm, likelihood, vulnerability, confidence, organisational position); its
arithmetic and defaults here are cdrp's own, stated below, not those of the licensed MoRiLE tool.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from cdrp.analysis.change import NOT_COMPARABLE

__all__ = [
    "CONFIDENCE_FACTORS",
    "CRITERIA",
    "DEFAULT_WEIGHTS",
    "MORILE_SCALE",
    "PEER_SCORES",
    "TREND_SCORES",
    "morile_matrix",
    "peer_position",
    "score_priorities",
]

#: Criteria of the scoring matrix.
CRITERIA = ("volume", "trend", "harm", "peer", "concern")
#: Equal weights by default; a partnership sets its own.
DEFAULT_WEIGHTS = {criterion: 1.0 for criterion in CRITERIA}
#: Trend score from the change verdict (:mod:`cdrp.analysis.change`).
TREND_SCORES = {
    "significant increase": 1.0,
    "no significant change": 0.5,
    "significant decrease": 0.0,
    "no records in either period": 0.0,
}
#: Peer score from the position on the family funnel plot (see :func:`peer_position`).
PEER_SCORES = {
    "above 99.8% limit": 1.0,
    "above 95% limit": 0.75,
    "within limits": 0.5,
    "below 95% limit": 0.25,
    "below 99.8% limit": 0.0,
}
# Criteria scored in proportion to the largest value among the candidates.
_PROPORTIONAL = ("volume", "harm", "concern")
_CATEGORICAL = {"trend": TREND_SCORES, "peer": PEER_SCORES}

#: Scale of the MoRiLE-style ratings (harm, likelihood, vulnerability, organisational position).
MORILE_SCALE = (1, 2, 3, 4, 5)
#: Multiplier for the analyst's confidence in the ratings; all 1 by default so that confidence is
#: shown beside the score (a low-confidence rating is an intelligence gap to close) rather than
#: silently lowering it.
CONFIDENCE_FACTORS = {"high": 1.0, "medium": 1.0, "low": 1.0}


def peer_position(position_95: str, position_99_8: str) -> str:
    """Combine funnel positions at the two levels into one description.

    Parameters
    ----------
    position_95, position_99_8 : {"above", "within", "below"}
        Positions from :func:`cdrp.analysis.funnel.funnel` (``position_95``, ``position_99_8``).

    Returns
    -------
    str
        One of the keys of ``PEER_SCORES``.

    Examples
    --------
    >>> peer_position("above", "within")
    'above 95% limit'
    """
    for value in (position_95, position_99_8):
        if value not in ("above", "within", "below"):
            raise ValueError(f"a funnel position is 'above', 'within' or 'below', not {value!r}")
    if position_99_8 != "within":
        return f"{position_99_8} 99.8% limit"
    if position_95 != "within":
        return f"{position_95} 95% limit"
    return "within limits"


def _check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    unknown = sorted(set(weights) - set(CRITERIA))
    if unknown:
        raise ValueError(f"unknown criteria {unknown}; the criteria are {list(CRITERIA)}")
    out = {c: float(weights.get(c, 0.0)) for c in CRITERIA}
    if any(not np.isfinite(w) or w < 0 for w in out.values()) or not any(out.values()):
        raise ValueError("weights must be zero or more, with at least one above zero")
    return out


def score_priorities(
    evidence: Mapping[str, pd.DataFrame],
    *,
    weights: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Score candidate priorities on the five criteria and rank them.

    Parameters
    ----------
    evidence : mapping of str to pandas.DataFrame
        For each criterion (``"volume"``, ``"trend"``, ``"harm"``, ``"peer"``, ``"concern"``) a
        frame with columns ``candidate``, ``value`` and ``ref`` (where the value came from, e.g.
        ``"levels#Burglary"``). Values: volume, harm and concern are numbers zero or more (e.g.
        records, harm-weighted records, share of survey respondents naming it); trend is a
        verdict (``TREND_SCORES``); peer is a funnel position (``PEER_SCORES``).
    weights : mapping, optional
        Weight per criterion (``DEFAULT_WEIGHTS``: all 1). Criteria left out weigh 0.

    Returns
    -------
    pandas.DataFrame
        One row per candidate, best first: ``rank``, ``candidate``, ``score`` (0 to 100),
        then for each criterion ``<criterion>_value``, ``<criterion>_score`` and
        ``<criterion>_ref``, and ``missing`` (criteria with no evidence for the candidate).

    Notes
    -----
    Volume, harm and concern score ``value / max(value)`` over the candidates (0 to 1); trend and
    peer score by the tables ``TREND_SCORES`` and ``PEER_SCORES``. The total is
    ``100 * sum_c w_c s_c / sum_c w_c`` over the criteria with evidence for that candidate, so
    missing evidence neither counts as zero nor as full marks, and is listed (a trend
    ``"not comparable: months missing"`` is missing evidence). Ties in score are
    ranked by candidate name.

    Examples
    --------
    >>> ev = {
    ...     "volume": pd.DataFrame({"candidate": ["Burglary", "Drugs"], "value": [400, 100],
    ...                             "ref": ["levels#1", "levels#2"]}),
    ...     "trend": pd.DataFrame({"candidate": ["Burglary", "Drugs"],
    ...                            "value": ["no significant change", "significant increase"],
    ...                            "ref": ["changes#1", "changes#2"]}),
    ... }
    >>> score_priorities(ev)[["rank", "candidate", "score", "volume_score", "trend_score"]]
       rank candidate  score  volume_score  trend_score
    0     1  Burglary   75.0          1.00          0.5
    1     2     Drugs   62.5          0.25          1.0
    """
    w = _check_weights(DEFAULT_WEIGHTS if weights is None else weights)
    unknown = sorted(set(evidence) - set(CRITERIA))
    if unknown:
        raise ValueError(f"unknown criteria {unknown}; the criteria are {list(CRITERIA)}")
    if not evidence:
        raise ValueError("no evidence given: at least one criterion is needed")
    columns: dict[str, pd.DataFrame] = {}
    for criterion, table in evidence.items():
        missing_columns = [c for c in ("candidate", "value", "ref") if c not in table.columns]
        if missing_columns:
            raise ValueError(
                f"the {criterion} evidence has no column(s) {missing_columns} "
                "(expected candidate, value, ref)"
            )
        if table["candidate"].duplicated().any():
            dupes = sorted(set(table.loc[table["candidate"].duplicated(), "candidate"]))
            raise ValueError(f"the {criterion} evidence lists {', '.join(map(str, dupes))} twice")
        frame = table.set_index("candidate")[["value", "ref"]].copy()
        if criterion in _PROPORTIONAL:
            values = pd.to_numeric(frame["value"], errors="coerce")
            bad = values.isna() | (values < 0)
            if bad.any():
                raise ValueError(
                    f"the {criterion} evidence for {', '.join(map(str, frame.index[bad]))} "
                    "is not a number zero or more"
                )
            top = values.max()
            frame["score"] = values / top if top > 0 else 0.0
        else:
            table_scores = _CATEGORICAL[criterion]
            # A change over missing months is no evidence either way: leave it out.
            unknown_ok = frame["value"].isna() | (frame["value"] == NOT_COMPARABLE)
            bad = ~frame["value"].isin(list(table_scores)) & ~unknown_ok
            if bad.any():
                first = frame.index[bad][0]
                raise ValueError(
                    f"the {criterion} evidence for {first} is {frame.loc[first, 'value']!r}; "
                    f"expected one of {list(table_scores)}"
                )
            frame["score"] = frame["value"].map(table_scores).astype(float)
        columns[criterion] = frame

    candidates = sorted(set().union(*(set(f.index) for f in columns.values())), key=str)
    out = pd.DataFrame({"candidate": candidates})
    weighted = np.zeros(len(candidates))
    weight_sum = np.zeros(len(candidates))
    missing: list[list[str]] = [[] for _ in candidates]
    for criterion in CRITERIA:
        found = columns.get(criterion)
        if found is None:
            continue
        aligned = found.reindex(candidates)
        out[f"{criterion}_value"] = aligned["value"].to_numpy()
        out[f"{criterion}_score"] = aligned["score"].to_numpy(dtype=float)
        out[f"{criterion}_ref"] = aligned["ref"].to_numpy()
        have = aligned["score"].notna().to_numpy()
        weighted += np.where(have, aligned["score"].fillna(0).to_numpy() * w[criterion], 0)
        weight_sum += np.where(have, w[criterion], 0)
        for i in np.flatnonzero(~have):
            missing[i].append(criterion)
    with np.errstate(invalid="ignore", divide="ignore"):
        out.insert(1, "score", np.where(weight_sum > 0, 100 * weighted / weight_sum, np.nan))
    out["missing"] = [", ".join(m) for m in missing]
    order = np.lexsort((out["candidate"].astype(str).to_numpy(), -out["score"].fillna(-1)))
    ranked: pd.DataFrame = out.iloc[order].reset_index(drop=True)
    ranked.insert(0, "rank", np.arange(1, len(ranked) + 1))
    return ranked


def morile_matrix(
    frame: pd.DataFrame,
    *,
    confidence_factors: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """MoRiLE-style risk scores from analyst ratings.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per candidate with ``candidate``, ratings on ``MORILE_SCALE`` (1 to 5) for
        ``harm``, ``likelihood``, ``vulnerability`` and ``organisational_position`` (5: the
        partnership can and should do much more about it — a gap in capacity or response,
        public expectation, or a statutory duty), ``confidence`` (``"high"``, ``"medium"`` or
        ``"low"``) and optionally ``ref`` (where the ratings came from).
    confidence_factors : mapping, optional
        Multiplier per confidence level (``CONFIDENCE_FACTORS``: all 1).

    Returns
    -------
    pandas.DataFrame
        ``frame`` plus ``impact`` (harm + vulnerability, 2 to 10), ``risk``
        (impact x likelihood, 2 to 50), ``priority`` (risk x organisational position / 5 x
        confidence factor) and ``rank`` (1 highest; ties by candidate), sorted by rank.

    Raises
    ------
    ValueError
        Naming the candidate and field of a rating off the scale or an unknown confidence.

    References
    ----------
    National Police Chiefs' Council (2017). Management of Risk in Law Enforcement (MoRiLE)
    — the structure of harm, likelihood, vulnerability, confidence and organisational position.

    Examples
    --------
    >>> df = pd.DataFrame({"candidate": ["Domestic abuse", "Shoplifting"], "harm": [5, 2],
    ...                    "likelihood": [4, 5], "vulnerability": [5, 1],
    ...                    "organisational_position": [4, 2], "confidence": ["medium", "high"]})
    >>> morile_matrix(df)[["rank", "candidate", "risk", "priority"]]
       rank       candidate  risk  priority
    0     1  Domestic abuse    40      32.0
    1     2     Shoplifting    15       6.0
    """
    factors = dict(CONFIDENCE_FACTORS if confidence_factors is None else confidence_factors)
    needed = [
        "candidate",
        "harm",
        "likelihood",
        "vulnerability",
        "organisational_position",
        "confidence",
    ]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"the MoRiLE ratings have no column(s) {missing}")
    out = frame.copy()
    for field in ("harm", "likelihood", "vulnerability", "organisational_position"):
        values = pd.to_numeric(out[field], errors="coerce")
        bad = ~values.isin(MORILE_SCALE)
        if bad.any():
            first = out.index[bad][0]
            raise ValueError(
                f"{out.loc[first, 'candidate']}: {field} must be a whole number from "
                f"{MORILE_SCALE[0]} to {MORILE_SCALE[-1]}, got {out.loc[first, field]!r}"
            )
        out[field] = values.astype(np.int64)
    bad = ~out["confidence"].isin(list(factors))
    if bad.any():
        first = out.index[bad][0]
        raise ValueError(
            f"{out.loc[first, 'candidate']}: confidence must be one of {list(factors)}, "
            f"got {out.loc[first, 'confidence']!r}"
        )
    out["impact"] = out["harm"] + out["vulnerability"]
    out["risk"] = out["impact"] * out["likelihood"]
    out["priority"] = (
        out["risk"]
        * out["organisational_position"]
        / MORILE_SCALE[-1]
        * out["confidence"].map(factors).astype(float)
    )
    order = np.lexsort((out["candidate"].astype(str).to_numpy(), -out["priority"].to_numpy()))
    ranked: pd.DataFrame = out.iloc[order].reset_index(drop=True)
    ranked.insert(0, "rank", np.arange(1, len(ranked) + 1))
    return ranked
