"""Exports: figures rounded by their kind, the same in CSV and XLSX, with number formats in
XLSX (whole numbers #,##0, rates #,##0.0, proportions 0.0%, money £#,##0.00), through
cdrp.core.tables; no annex carries an unrounded float such as 92.7889803075263."""

from __future__ import annotations

import csv
import io
import re
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from cdrp.core import tables
from cdrp.store import Store

SOUTH = ["E07000118", "E07000126", "E07000127"]
LONG_FLOAT = re.compile(r"\d\.\d{7,}")


def _cells(data: bytes):
    book = load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def test_each_kind_rounds_and_formats_its_figures_alike_in_csv_and_xlsx():
    rows = [["Chorley", 11007.0, 92.7889803075263, 0.34745962711978695, 1234.565, 0.000012345]]
    kinds = [None, "int", "rate", "pct", "money", "p"]
    text = tables.csv_text(rows, header=["name", "n", "rate", "share", "spent", "p"], kinds=kinds)
    assert text.splitlines()[1] == "Chorley,11007,92.8,0.347,1234.57,1.23e-05"
    cells = {
        c.coordinate: c for c in _cells(tables.xlsx_bytes([tables.Sheet("t", rows, kinds=kinds)]))
    }
    assert [cells[k].value for k in ("B1", "C1", "D1", "E1")] == [
        11007,
        92.8,
        0.347,
        1234.57,
    ]
    assert [cells[k].number_format for k in ("B1", "C1", "D1", "E1")] == [
        "#,##0",
        "#,##0.0",
        "0.0%",
        "£#,##0.00",
    ]
    assert cells["A1"].value == "Chorley" and cells["A1"].number_format == "General"


def test_a_figure_carries_its_own_kind_and_floats_of_no_kind_are_rounded_too():
    rows = [[tables.Figure(11704.14703087886, "int"), tables.Figure(26.765241435122743, "rate")]]
    assert tables.csv_text(rows).strip() == "11704,26.8"
    cells = _cells(tables.xlsx_bytes([tables.Sheet("t", rows)]))
    assert [(c.value, c.number_format) for c in cells] == [(11704, "#,##0"), (26.8, "#,##0.0")]
    assert tables.csv_text([[92.7889803075263, 3, "=1+1"]]).strip() == "92.789,3,'=1+1"
    assert tables.round_figure(float("nan"), "rate") is None
    assert (
        tables.round_figure(-0.04, "rate") == 0.0
        and str(tables.round_figure(-0.04, "rate")) == "0.0"
    )


@pytest.fixture(scope="module")
def built(reference_store):
    from cdrp.intelligence.assessments import build

    root, _ = reference_store
    return build(districts=SOUTH, end="2022-11", store=Store(root), save=False)


def test_the_assessment_annex_holds_rounded_figures_with_formats(built):
    from cdrp.intelligence.documents import annex_csv, annex_xlsx

    text = annex_csv(built)
    assert not LONG_FLOAT.findall(text)
    rows = list(csv.reader(io.StringIO(text)))
    districts = [r for r in rows if r and r[0] == "Chorley" and len(r) == 8]
    assert districts, "the levels table's Chorley row"
    count, population, rate = districts[0][1], districts[0][2], districts[0][3]
    assert count.isdigit() and population.isdigit() and re.fullmatch(r"\d+\.\d", rate)
    cells = _cells(annex_xlsx(built))
    figures = [c for c in cells if isinstance(c.value, float)]
    assert figures and not [c.value for c in figures if LONG_FLOAT.search(repr(c.value))]
    formats = {c.number_format for c in cells if isinstance(c.value, int | float)}
    assert {"#,##0", "#,##0.0", "0.0%", "0.000"} <= formats


def _status_row(measure, value):
    return {
        "priority": SimpleNamespace(name="Burglary"),
        "objective": SimpleNamespace(text="Fewer burglaries"),
        "indicator": SimpleNamespace(name="Burglary: records"),
        "measure": measure,
        "direction": "lower",
        "period": ["2022-04", "2023-03"],
        "target_text": "at most 900",
        "target_value": 900.0,
        "as_of": "2022-09",
        "value": value,
        "projection": value * 2.0133333,
        "low": value * 1.9,
        "high": value * 2.1,
        "status": "on track",
        "reasoning": "…",
        "months": [{"month": "2022-04", "value": value / 6}],
    }


def test_performance_exports_round_by_the_measure():
    from cdrp.performance import exports

    rows = [_status_row("count", 451.0), _status_row("rate", 3.2719)]
    text = exports.statuses_csv(rows)
    assert not LONG_FLOAT.findall(text)
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[1][9:13] == ["451", "908", "857", "947"]
    assert lines[2][9:13] == ["3.3", "6.6", "6.2", "6.9"]
    cells = {c.coordinate: c for c in _cells(exports.statuses_xlsx(rows))}
    assert (cells["J2"].value, cells["J2"].number_format) == (451, "#,##0")
    assert (cells["J3"].value, cells["J3"].number_format) == (3.3, "#,##0.0")
    series = list(csv.reader(io.StringIO(exports.indicators_csv(rows))))
    assert [r[4] for r in series[1:]] == ["75", "0.5"]
