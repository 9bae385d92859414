"""The performance figures as tables: each indicator's status, and the monthly figures behind
the indicators, as CSV or XLSX (through `cdrp.core.tables`)."""

from __future__ import annotations

from cdrp.core import tables

__all__ = [
    "SERIES_COLUMNS",
    "STATUS_COLUMNS",
    "indicators_csv",
    "indicators_xlsx",
    "MEASURE_KINDS",
    "series_rows",
    "status_records",
    "statuses_csv",
    "statuses_xlsx",
]


STATUS_COLUMNS = [
    ("priority", "Priority"),
    ("objective", "Objective"),
    ("indicator", "Indicator"),
    ("measure", "Measure"),
    ("direction", "Better"),
    ("period", "Target period"),
    ("target", "Target"),
    ("target_value", "Target figure"),
    ("as_of", "As of"),
    ("value", "So far"),
    ("projection", "Projected"),
    ("low", "95% interval from"),
    ("high", "95% interval to"),
    ("status", "Status"),
    ("reasoning", "Reasoning"),
]


#: The kind of figure of each measure (cdrp.core.tables.KINDS): counts and harm-weighted counts
#: are whole numbers, rates per 1,000 keep one place; a partner measure keeps two.
MEASURE_KINDS = {"count": "int", "harm": "int", "rate": "rate"}


def _kind(measure: str) -> str:
    return MEASURE_KINDS.get(measure, "decimal")


def status_records(rows: list[dict]) -> list[dict]:
    """One record per indicator; its figures are `tables.Figure`s of the measure's kind, so the
    CSV and the XLSX round them alike (and the XLSX formats them)."""

    def rounded(v, measure):
        return None if v is None else tables.Figure(float(v), _kind(measure))

    return [
        {
            "priority": r["priority"].name,
            "objective": r["objective"].text,
            "indicator": r["indicator"].name,
            "measure": r["measure"],
            "direction": r["direction"],
            "period": f"{r['period'][0]} to {r['period'][1]}" if r["period"] else "",
            "target": r["target_text"],
            "target_value": rounded(r["target_value"], r["measure"]),
            "as_of": r["as_of"],
            "value": rounded(r["value"], r["measure"]),
            "projection": rounded(r["projection"], r["measure"]),
            "low": rounded(r["low"], r["measure"]),
            "high": rounded(r["high"], r["measure"]),
            "status": r["status"],
            "reasoning": r["reasoning"],
        }
        for r in rows
    ]


def series_rows(rows: list[dict]) -> list[dict]:
    """The monthly figures behind each indicator: priority, indicator, month, value (empty
    for a month not held), in the indicator's measure."""
    out = []
    for r in rows:
        for point in r["months"]:
            out.append(
                {
                    "priority": r["priority"].name,
                    "indicator": r["indicator"].name,
                    "measure": r["measure"],
                    "month": point["month"],
                    "value": None
                    if point["value"] is None
                    else tables.Figure(float(point["value"]), _kind(r["measure"])),
                }
            )
    return out


def _csv(records: list[dict], columns: list[tuple[str, str]]) -> str:
    return tables.csv_text(
        ([rec[k] for k, _ in columns] for rec in records),
        header=[label for _, label in columns],
    )


def _xlsx(records: list[dict], columns: list[tuple[str, str]], title: str) -> bytes:
    return tables.xlsx_bytes(
        [
            tables.Sheet(
                title,
                [[rec[k] for k, _ in columns] for rec in records],
                header=[label for _, label in columns],
            )
        ]
    )


SERIES_COLUMNS = [
    ("priority", "Priority"),
    ("indicator", "Indicator"),
    ("measure", "Measure"),
    ("month", "Month"),
    ("value", "Value"),
]


def statuses_csv(rows: list[dict]) -> str:
    return _csv(status_records(rows), STATUS_COLUMNS)


def statuses_xlsx(rows: list[dict]) -> bytes:
    return _xlsx(status_records(rows), STATUS_COLUMNS, "Statuses")


def indicators_csv(rows: list[dict]) -> str:
    return _csv(series_rows(rows), SERIES_COLUMNS)


def indicators_xlsx(rows: list[dict]) -> bytes:
    return _xlsx(series_rows(rows), SERIES_COLUMNS, "Indicators")
