"""Words a member understands: the date and month filters, the category names, and the
plain-English readings of each statistic, checked on hand-worked cases."""

import datetime as dt

import pytest
from django.template import Context, Template

from cdrp.analysis import readings
from cdrp.analysis.months import MonthError, day_label, read_month


def render(text, **context):
    return Template(text).render(Context(context))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2022, 3, 30), "30 March 2022"),
        (dt.date(2027, 3, 1), "1 March 2027"),
        (dt.datetime(2024, 12, 25, 14, 5), "25 December 2024"),
        ("2008-04-01", "1 April 2008"),
        ("2022-11", "November 2022"),
        ("", ""),
        (None, ""),
        ("not a date", "not a date"),
    ],
)
def test_govuk_date(value, expected):
    assert render("{{ v|govuk_date }}", v=value) == expected
    assert day_label(value) == expected


def test_month_filters_and_spans():
    assert render("{{ m|govuk_month }}", m="2022-04") == "April 2022"
    assert render("{{ m|govuk_month }}", m=dt.date(2021, 12, 9)) == "December 2021"
    assert render("{{ a|month_span:b }}", a="2022-04", b="2025-03") == "April 2022 to March 2025"
    assert render("{{ a|month_span:b }}", a="2022-04", b="2022-04") == "April 2022"
    assert render("{{ ms|span_of }}", ms=["2021-11", "2021-12", "2022-01"]) == (
        "November 2021 to January 2022"
    )
    assert render("{{ ms|span_of }}", ms=[]) == ""


def test_a_date_shown_as_it_is_follows_the_style_guide():
    # The format module (settings.FORMAT_MODULE_PATH): "30 March 2022", never "30 Mar 2022".
    assert render("{{ d }}", d=dt.date(2022, 3, 30)) == "30 March 2022"
    assert render("{{ d|date }}", d=dt.date(2022, 3, 30)) == "30 March 2022"


def test_category_names_as_police_uk_writes_them():
    assert render("{{ c|category }}", c="criminal-damage-arson") == "Criminal damage and arson"
    assert render("{{ c|category }}", c="anti-social-behaviour") == "Anti-social behaviour"
    assert render("{{ c|category }}", c="Something else") == "Something else"
    assert render("{{ cs|categories }}", cs=["burglary", "vehicle-crime"]) == (
        "Burglary, Vehicle crime"
    )


def test_a_term_links_to_the_glossary(client, db):
    html = render('{% term "gi-star" "Gi*" %}')
    assert html == '<a class="govuk-link cdrp-term" href="/glossary/#gi-star">Gi*</a>'
    page = client.get("/glossary/").content.decode()
    for key, (term, _) in readings.GLOSSARY.items():
        assert f'id="{key}"' in page
        assert term.replace("&", "&amp;") in page


@pytest.mark.parametrize(
    ("typed", "month"),
    [
        ("April 2022", "2022-04"),
        ("apr 2022", "2022-04"),
        ("4 2022", "2022-04"),
        ("04/2022", "2022-04"),
        ("2022-04", "2022-04"),
        ("Sept 2021", "2021-09"),
    ],
)
def test_a_month_as_people_type_it(typed, month):
    assert read_month(typed) == month


@pytest.mark.parametrize("typed", ["13 2022", "2022", "Smarch 2022", "", "April"])
def test_a_month_that_is_not_one_is_refused(typed):
    with pytest.raises(MonthError):
        read_month(typed)


def test_change_readings_hand_worked():
    # 100 → 117 is +17%; p = 0.01 < 0.05.
    assert readings.change_reading("Burglary", 100, 117, 0.01) == (
        "Burglary rose by 17% — more than chance would explain"
    )
    # 40 → 30 is −25%; p = 0.3 ≥ 0.05.
    assert readings.change_reading("Vehicle crime", 40, 30, 0.3) == (
        "Vehicle crime fell by 25% — within what chance alone could give"
    )
    # 200 → 203 is +1.5%: one decimal below 10%.
    assert readings.change_reading("Robbery", 200, 203, 0.9).startswith("Robbery rose by 1.5%")
    assert readings.change_reading("Arson", 0, 4, None) == "Arson rose from none to 4 records"


def test_rate_ratio_readings_hand_worked():
    # 0.982 is 1.8% lower; its interval 0.91–1.06 (9% lower to 6% higher) includes 1.
    assert readings.rate_ratio_reading(0.982, 0.91, 1.06, compared_with="similar areas") == (
        "About the same as similar areas (1.8% lower, but anywhere from 9% lower to 6% higher "
        "is likely): no clear difference"
    )
    # 1.25 with 1.10–1.42: all above 1.
    assert readings.rate_ratio_reading(1.25, 1.1, 1.42, compared_with="last year") == (
        "25% higher than last year (likely between 10% and 42% higher): a real difference, "
        "more than chance would explain"
    )
    assert "no records" in readings.rate_ratio_reading(float("nan"), None, None)


def test_control_limit_and_exceedance_readings_hand_worked():
    assert readings.control_limit_reading(52, 30, 70) == (
        "Within the 99.8% control limits (30 to 70): ordinary variation, not a real change"
    )
    assert readings.control_limit_reading(75, 30, 70).startswith("Above the upper control limit")
    assert readings.control_limit_reading(20, 30, 70).startswith("Below the lower control limit")
    assert readings.exceedance_reading("Central", "Burglary", 14, 6.2, 12) == (
        "Burglary in Central: 14 records against about 6 expected — more than ordinary ups and "
        "downs would give (at most 12 in 99 months out of 100)"
    )


def test_hotspot_knox_fdr_and_concentration_readings():
    assert "for the first time this month" in readings.hotspot_reading("X 001A", "new hot spot")
    assert "steady level" in readings.hotspot_reading("X 001A", "persistent hot spot")
    assert "well below" in readings.hotspot_reading("X 001A", "new cold spot")
    assert readings.knox_reading(True, [("[0, 200] m", "[0, 0] months")]) == (
        "After a burglary, more burglaries than chance would explain followed within 200 m in "
        "the same month: warn and protect the neighbouring homes quickly"
    )
    assert "no near-repeat risk" in readings.knox_reading(True, [])
    assert readings.band_words("(200, 400] m") == "200 to 400 m away"
    assert readings.band_words("(0, 1] months") == "a month later"
    assert readings.fdr_reading(120, 6).startswith("6 of 120 areas tested stand out")
    # 31% is about one record in 3 (100 / 31 = 3.2); 19% about one in 5.
    assert readings.concentration_reading(10, 0.31, 1200).endswith("about one record in 3")
    assert readings.concentration_reading(10, 0.19, 14732).endswith("about one record in 5")
