"""The one month type: parsing, arithmetic, spans and labels, checked by hand and by property."""

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cdrp.analysis import months
from cdrp.analysis.errors import RefusedInput
from cdrp.analysis.months import Month, MonthError

any_month = st.builds(Month, st.integers(1900, 2200), st.integers(1, 12))


@given(any_month, st.integers(-2400, 2400))
def test_adding_months_agrees_with_pandas_periods(month, n):
    assert str(month + n) == str(pd.Period(str(month), freq="M") + n)
    assert (month + n) - month == n


@given(any_month)
def test_a_month_survives_its_text_and_knows_its_days(month):
    assert Month.parse(str(month)) == month
    assert month.last_day + dt.timedelta(days=1) == (month + 1).first_day
    assert month.first_day.strftime("%B %Y") == month.label


@pytest.mark.parametrize("bad", ["2022-13", "2022-00", "22-01", "2022/01", "April 2022", "", None])
def test_anything_but_a_month_is_refused_naming_the_field(bad):
    with pytest.raises(MonthError) as refused:
        months.parse_month(bad, "period_start")
    assert isinstance(refused.value, RefusedInput)
    assert refused.value.field == "period_start"
    assert "YYYY-MM" in refused.value.message


def test_ranges_windows_and_quarters_worked_by_hand():
    assert months.month_range("2021-11", "2022-02") == ["2021-11", "2021-12", "2022-01", "2022-02"]
    assert months.window("2022-02", 3) == ["2021-12", "2022-01", "2022-02"]
    assert months.quarter_months("2021-Q4") == ("2021-10", "2021-12")
    assert months.quarter_of("2021-12") == "2021-Q4"
    assert months.span_label("2022-04", "2025-03") == "April 2022 to March 2025"
    with pytest.raises(MonthError, match="comes before"):
        months.month_range("2022-03", "2022-02")


def test_dates_and_periods_are_taken_as_months():
    assert Month.parse(dt.date(2022, 4, 30)) == Month(2022, 4)
    assert Month.parse(pd.Period("2022-04", freq="M")) == Month(2022, 4)
    assert months.months_since(["2022-03", "2021-12"], origin="2021-11").tolist() == [4, 1]


def test_year_zero_is_refused_as_a_month_not_a_crash():
    # 0000-01 has the form YYYY-MM but no calendar dates: refused like any other non-month.
    with pytest.raises(MonthError, match="expected a month as YYYY-MM"):
        Month.parse("0000-01")
