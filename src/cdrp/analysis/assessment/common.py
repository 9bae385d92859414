"""Small helpers every section uses: JSON-safe numbers, document tables, evidence links."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import pandas as pd

from cdrp.analysis.assessment.inputs import (
    AssessmentError,
    AssessmentInputs,
)
from cdrp.analysis.assessment.sections import Table
from cdrp.analysis.harm import category_name


def _num(value: Any) -> Any:
    """A JSON-safe number: NaN and infinities become None, numpy scalars plain Python."""
    if value is None:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return None if math.isnan(value) or math.isinf(value) else value
    return value


def summed(frame: pd.DataFrame, keys: str | list[str]) -> pd.DataFrame:
    """``count`` summed by ``keys``, which stay columns: ``groupby(keys, as_index=False)``.

    (pandas' stubs type a column of a groupby as a Series whatever ``as_index``.)

    >>> summed(pd.DataFrame({"k": ["a", "b", "a"], "count": [1, 2, 3]}), "k").to_dict("list")
    {'k': ['a', 'b'], 'count': [4, 2]}
    """
    return cast(pd.DataFrame, frame.groupby(keys, as_index=False)["count"].sum())


def stacked(frame: pd.DataFrame) -> pd.Series[Any]:
    """``frame.stack()`` of a frame with one level of columns: a Series (the stubs allow a
    DataFrame).

    >>> stacked(pd.DataFrame({"x": [1], "y": [2]})).tolist()
    [1, 2]
    """
    return cast("pd.Series[Any]", frame.stack())


def _records(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    out = []
    for row in frame[list(columns)].itertuples(index=False):
        out.append({c: _num(v) for c, v in zip(columns, row, strict=True)})
    return out


def _table(
    table_id: str,
    title: str,
    frame: pd.DataFrame,
    columns: list[tuple[str, str, str]],
    key: str,
    note: str = "",
) -> Table:
    """A document table: columns as (key, label, format) and rows keyed for evidence links."""
    keys = [c[0] for c in columns]
    rows = _records(frame, keys)
    for row, k in zip(rows, frame[key].tolist(), strict=True):
        row["_key"] = str(k)
    return {
        "id": table_id,
        "title": title,
        "columns": [{"key": c[0], "label": c[1], "format": c[2]} for c in columns],
        "rows": rows,
        "note": note,
    }


def _ref(table_id: str, key: object) -> str:
    return f"{table_id}#{key}"


def _fmt(n: float) -> str:
    return f"{int(round(n)):,}"


def _window_text(months: pd.PeriodIndex) -> str:
    return f"{months[0].strftime('%b %Y')} to {months[-1].strftime('%b %Y')}"


def _name(value: str) -> str:
    name = category_name(value)
    if name is None:
        raise AssessmentError(f"'{value}' in the incident data is not a police.uk category")
    return name


#: How a missing boundary layer is loaded (named in the notices that say it is missing).
_IMPORT_HINT = (
    "load the {layer} boundary files with `cdrp import geography PATH…` or `cdrp fetch "
    "geography --district {codes}`"
)


def _districts_text(inputs: AssessmentInputs, codes: Sequence[str]) -> str:
    """'Name (code)' for each district, joined with commas and 'and'."""
    names = [f"{inputs.districts.get(c, c)} ({c})" for c in codes]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def missing_lsoa_boundaries(inputs: AssessmentInputs) -> list[str]:
    """The districts assessed none of whose LSOAs has a boundary loaded."""
    shapes = (inputs.shapes or {}).get("lsoa") or {}
    lsoa = inputs.lsoa
    have = set(lsoa.loc[lsoa["lsoa"].isin(list(shapes)), "district"])
    return [c for c in inputs.districts if c not in have]


def missing_wards(inputs: AssessmentInputs) -> list[str]:
    """The districts assessed with no ward in the store's ward boundaries."""
    have = set(inputs.wards["district"]) if len(inputs.wards) else set()
    return [c for c in inputs.districts if c not in have]


def lsoa_boundaries_notice(inputs: AssessmentInputs, codes: Sequence[str], what: str) -> str:
    """'No LSOA boundaries for <districts>: <what>; <how to load them>.'"""
    hint = _IMPORT_HINT.format(layer="LSOA", codes=" ".join(codes))
    return f"No LSOA boundaries for {_districts_text(inputs, codes)}: {what}; {hint}."


def ward_boundaries_notice(inputs: AssessmentInputs, codes: Sequence[str], what: str) -> str:
    """'No ward boundaries for <districts>: <what>; <how to load them>.'"""
    hint = _IMPORT_HINT.format(layer="ward", codes=" ".join(codes))
    return f"No ward boundaries for {_districts_text(inputs, codes)}: {what}; {hint}."
