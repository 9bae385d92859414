"""GOV.UK dates where ISO months were left (issue 17, item 7): the performance page and its
series form, the funding forms and the tactical pack's "no data" message show "April 2022";
the month inputs take "April 2022" as typed (and "2022-04" still)."""

from __future__ import annotations

import re

import pytest

from cdrp.funding.forms import EvaluationForm, FormulaForm
from test_performance_pages import _plan, _url, cohort, store  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

ISO_MONTH = re.compile(r"\b20\d\d-(0[1-9]|1[0-2])\b")


def _visible(html: str) -> str:
    """The page's text, without attributes (values and links may carry ISO months)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]*>", " ", body)


def test_the_performance_page_shows_and_reads_months_in_words(
    client,
    store,  # noqa: F811
    south_districts,
    cohort,  # noqa: F811
    member,
):
    _plan(south_districts, cohort)
    client.force_login(member)
    page = client.get(_url("performance") + "?as_of=August 2022")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Figures as of <strong>August 2022</strong>" in html
    assert 'value="2022-08" selected>August 2022</option>' in html
    assert "Statuses as of August 2022" in html
    assert not ISO_MONTH.search(_visible(html)), ISO_MONTH.search(_visible(html))
    # The ISO form is still read.
    same = client.get(_url("performance") + "?as_of=2022-08").content.decode()
    assert "Figures as of <strong>August 2022</strong>" in same
    bad = client.get(_url("performance") + "?as_of=Smarch 2022")
    assert bad.status_code == 400
    assert "enter a month and year, for example August 2022" in bad.content.decode()


def test_the_series_form_hints_in_words_and_takes_a_month_as_typed(
    client,
    south_districts,
    cohort,  # noqa: F811
    make_user,
):
    from cdrp.plans.models import SeriesValue

    client.force_login(make_user("analyst-months", "analyst"))
    url = _url("series-value", series=cohort.slug)
    form = client.get(url).content.decode()
    assert "For example, November 2022" in form and "YYYY" not in form
    response = client.post(url, {"month": "October 2022", "value": "5", "denominator": "60"})
    assert response.status_code == 302
    assert SeriesValue.objects.get(series=cohort, month="2022-10").value == 5
    # Correcting a month: the form shows it in words, and a month held is named in words.
    change = client.get(url + "?month=2022-10").content.decode()
    assert 'value="October 2022"' in change
    again = client.post(url, {"month": "2022-10", "value": "6", "denominator": "60"})
    assert again.status_code == 400
    assert "October 2022 already has a value" in again.content.decode()


def test_the_funding_forms_hint_and_read_months_in_words(south_districts):
    from cdrp.funding.models import FundingStream

    stream = FundingStream(partnership=south_districts, name="Fund")
    formula = FormulaForm(stream=stream)
    for name in ("crime_start", "crime_end"):
        field = formula.fields[name]
        assert "YYYY" not in field.label and field.help_text == "For example, April 2022"
        assert field.clean("April 2022") == "2022-04" and field.clean("2022-04") == "2022-04"
    unbound = FormulaForm(initial={"crime_start": "2021-12"}, stream=stream)
    assert 'value="December 2021"' in str(unbound["crime_start"])
    evaluation = EvaluationForm()
    for name in ("before_start", "before_end", "after_start", "after_end"):
        field = evaluation.fields[name]
        assert "YYYY" not in field.label and field.help_text == "For example, April 2022"
        assert field.clean("mar 2023") == "2023-03"
    with pytest.raises(Exception, match="for example April 2022"):
        evaluation.fields["before_start"].clean("2022-1")


def test_the_funding_check_names_a_month_in_words():
    from cdrp.funding.checks import FundingError, checked_month

    assert checked_month("November 2022", "before_start") == "2022-11"
    with pytest.raises(FundingError, match="such as November 2022"):
        checked_month("2022-13", "before_start")


def test_the_tactical_no_data_message_names_months_in_words():
    import pandas as pd

    from cdrp.analysis.tactical import TacticalError, build_tactical

    empty = pd.DataFrame()
    with pytest.raises(TacticalError) as info:
        build_tactical(
            month="2031-01",
            partnership={"name": "P"},
            lsoa=empty,
            lsoa_monthly=empty,
            shapes={},
            ward_category=empty,
            months_covered=["2021-04", "2022-11"],
        )
    assert str(info.value) == (
        "no data for January 2031: the store holds April 2021 to November 2022"
    )
