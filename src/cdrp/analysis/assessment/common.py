"""Small helpers every section uses: JSON-safe numbers, document tables, evidence links."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from cdrp.analysis.assessment.inputs import (
    AssessmentError,
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
