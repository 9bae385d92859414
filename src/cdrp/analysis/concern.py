"""Community concern: rank the concerns residents report in a survey or consultation.

A survey file has one row per respondent and one column per concern. The answer in a concern
column is either a tick (``1``/``0``, ``yes``/``no``) for "which of these concern you most", or
the standard problem scale of community safety surveys ("very big problem" … "not a problem at
all"). A concern counts as *raised* by a respondent when ticked or rated a very or fairly big
problem; blanks are no answer and are left out of that concern's base. Concern columns are police.uk
categories (names or slugs) unless a mapping says otherwise, so the ranking can sit beside the
recorded picture; any other column is refused by name, so a mistyped header never silently
disappears from the results.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from cdrp.analysis.harm import POLICE_UK_CATEGORIES, category_name

__all__ = [
    "ID_COLUMNS",
    "PROBLEM_SCALE",
    "TICKS",
    "rank_concerns",
    "read_survey",
]

#: Columns that describe the respondent rather than a concern.
ID_COLUMNS = ("respondent", "area", "weight")
#: Problem scale: answer -> (score 0-3, counts as raised).
PROBLEM_SCALE = {
    "very big problem": (3, True),
    "fairly big problem": (2, True),
    "not a very big problem": (1, False),
    "not a problem at all": (0, False),
}
#: Tick answers: answer -> raised.
TICKS = {"1": True, "0": False, "yes": True, "no": False, "true": True, "false": False}


def _answer(value: str) -> tuple[float, float] | None:
    """(raised 0/1, score or NaN) for one answer; None for no answer; raises if unknown."""
    text = str(value).strip().lower()
    if text == "" or text == "nan":
        return None
    if text in PROBLEM_SCALE:
        score, raised = PROBLEM_SCALE[text]
        return float(raised), float(score)
    if text in TICKS:
        return float(TICKS[text]), np.nan
    raise KeyError(text)


def read_survey(
    source: str | Path | pd.DataFrame,
    *,
    concerns: Mapping[str, str | None] | None = None,
) -> pd.DataFrame:
    """Read and check a survey file; return answers in long form.

    Parameters
    ----------
    source : path, file-like or pandas.DataFrame
        CSV with one row per respondent: optional ``respondent``, ``area`` and ``weight``
        columns, and one column per concern.
    concerns : mapping, optional
        Concern column -> police.uk category it corresponds to (``None`` for a concern with no
        recorded category, e.g. "speeding"). By default every other column must be a police.uk
        category name or slug.

    Returns
    -------
    pandas.DataFrame
        One row per answered (respondent, concern): ``row`` (file row number), ``concern``
        (column), ``category``, ``area``, ``weight``, ``raised`` (0/1) and ``score``
        (0-3 on the problem scale, NaN for ticks).

    Raises
    ------
    ValueError
        For unknown columns (all named), an answer that is not a tick or on the problem scale
        (naming file, row and column), a bad weight, or a file with no concern columns.

    Examples
    --------
    >>> import io
    >>> text = "respondent,Burglary,Drugs\\n1,very big problem,\\n2,not a problem at all,yes\\n"
    >>> read_survey(io.StringIO(text))[["row", "concern", "raised", "score"]]
       row   concern  raised  score
    0    2  Burglary     1.0    3.0
    1    3  Burglary     0.0    0.0
    2    3     Drugs     1.0    NaN
    """
    if isinstance(source, pd.DataFrame):
        name = "the survey"
        frame = source.astype(str).where(source.notna(), "")
    else:
        name = getattr(source, "name", str(source))
        try:
            frame = pd.read_csv(source, dtype=str, keep_default_na=False)
        except (
            OSError,
            UnicodeDecodeError,
            pd.errors.ParserError,
            pd.errors.EmptyDataError,
        ) as exc:
            raise ValueError(f"{name}: cannot read the survey as CSV ({exc})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    candidates = [c for c in frame.columns if c.lower() not in ID_COLUMNS]
    mapping: dict[str, str | None] = {}
    unknown = []
    for column in candidates:
        if concerns is not None:
            if column in concerns:
                category = concerns[column]
                if category is not None and category_name(category) is None:
                    raise ValueError(
                        f"the concern mapping gives {column!r} the category {category!r}, "
                        "which is not a police.uk category"
                    )
                mapping[column] = category_name(category) if category is not None else None
            else:
                unknown.append(column)
        else:
            category = category_name(column)
            if category is None:
                unknown.append(column)
            else:
                mapping[column] = category
    if unknown:
        expected = (
            "the columns of the concern mapping"
            if concerns is not None
            else "police.uk categories such as " + ", ".join(POLICE_UK_CATEGORIES[:3])
        )
        raise ValueError(
            f"{name}: unknown column(s) {', '.join(repr(c) for c in unknown)}; expected "
            f"{', '.join(ID_COLUMNS)} and {expected}"
        )
    if not mapping:
        raise ValueError(f"{name}: no concern columns found (columns: {list(frame.columns)})")
    lower = {c.lower(): c for c in frame.columns}
    area = frame[lower["area"]] if "area" in lower else pd.Series("", index=frame.index)
    if "weight" in lower:
        weight = pd.to_numeric(frame[lower["weight"]], errors="coerce")
        bad = weight.isna() | (weight <= 0)
        if bad.any():
            row = int(frame.index[bad][0]) + 2
            raise ValueError(f"{name}, row {row}, column 'weight': expected a number above zero")
    else:
        weight = pd.Series(1.0, index=frame.index)
    rows = []
    for column, category in mapping.items():
        for i, value in zip(frame.index, frame[column], strict=True):  # Series.items()
            try:
                answer = _answer(value)
            except KeyError:
                raise ValueError(
                    f"{name}, row {int(i) + 2}, column {column!r}: {value!r} is not an answer; "
                    f"expected a tick (1/0, yes/no) or one of: {', '.join(PROBLEM_SCALE)}"
                ) from None
            if answer is None:
                continue
            rows.append(
                (int(i) + 2, column, category, area[i], float(weight[i]), answer[0], answer[1])
            )
    return pd.DataFrame(
        rows, columns=["row", "concern", "category", "area", "weight", "raised", "score"]
    )


def rank_concerns(answers: pd.DataFrame, *, by_area: bool = False) -> pd.DataFrame:
    """Rank concerns by the (weighted) share of respondents who raised them.

    Parameters
    ----------
    answers : pandas.DataFrame
        :func:`read_survey` output.
    by_area : bool, default False
        Rank within each ``area`` instead of overall.

    Returns
    -------
    pandas.DataFrame
        Per concern (and area): ``concern``, ``category``, ``respondents`` (who answered),
        ``raised`` (weighted count), ``share_raised``, ``mean_score`` (problem scale, NaN
        for ticks) and ``rank`` (1 = most raised; ties by concern name). The ``share_raised``
        column is the community-concern evidence for :mod:`cdrp.analysis.priorities`.

    Examples
    --------
    >>> import io
    >>> text = "Burglary,Drugs\\nyes,no\\nyes,yes\\nno,\\n"
    >>> rank_concerns(read_survey(io.StringIO(text)))[["rank", "concern", "share_raised"]]
       rank   concern  share_raised
    0     1  Burglary      0.666667
    1     2     Drugs      0.500000
    """
    keys = ["area", "concern"] if by_area else ["concern"]
    data = answers.assign(
        w_raised=answers["raised"] * answers["weight"],
        w_score=answers["score"] * answers["weight"],
        w_scored=answers["weight"].where(answers["score"].notna(), 0.0),
    )
    grouped = data.groupby(keys, sort=True).agg(
        category=("category", "first"),
        respondents=("row", "size"),
        weight=("weight", "sum"),
        raised=("w_raised", "sum"),
        score_sum=("w_score", "sum"),
        scored=("w_scored", "sum"),
    )
    grouped["share_raised"] = grouped["raised"] / grouped["weight"]
    with np.errstate(invalid="ignore", divide="ignore"):
        grouped["mean_score"] = np.where(
            grouped["scored"] > 0, grouped["score_sum"] / grouped["scored"], np.nan
        )
    out = grouped.reset_index().drop(columns=["weight", "score_sum", "scored"])
    out = out.sort_values(
        [*keys[:-1], "share_raised", "concern"],
        ascending=[*([True] * (len(keys) - 1)), False, True],
        kind="mergesort",
    ).reset_index(drop=True)
    group = out.groupby(keys[:-1]).cumcount() + 1 if by_area else pd.Series(range(1, len(out) + 1))
    out.insert(0, "rank", group.to_numpy())
    return out
