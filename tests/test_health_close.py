"""Closing issue 20: the weighted displacement quotient around shared borders (a hand-worked
case), shared priorities from plans and strategic assessments with their sources, and the
hallmarks page opening on the latest year that has records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conftest import user_with_role


def _row(n: int):
    from cdrp.analysis.weights import Grid, grid_queen

    return grid_queen(Grid(0, 0, 1, n, 1))  # n LSOAs in a row, each touching the next


def test_border_wdq_hand_worked():
    """Six LSOAs in a row, X X X | Y Y Y. X's border band is its third LSOA (100 then 60
    records), the band across is Y's first (40 then 50), the control the four LSOAs on no
    border (200 then 200). By hand: SM = 60/200 − 100/200 = −0.2; BDM = 50/200 − 40/200 = 0.05;
    WDQ = 0.05 / −0.2 = −0.25 (displacement smaller than the fall); total net effect
    (100·1 − 60) + (40·1 − 50) = 30. Y's band rose against the control: no WDQ."""
    from cdrp.health.border import border_wdq

    before = [50, 50, 100, 40, 50, 50]
    after = [50, 50, 60, 50, 50, 50]
    x, y = border_wdq(_row(6), list("XXXYYY"), before, after)
    assert (x["partnership"], x["across"]) == ("X", ["Y"])
    assert (x["target"], x["buffer"], x["control"]) == ((100, 60), (40, 50), (200, 200))
    assert (x["target_lsoas"], x["buffer_lsoas"], x["control_lsoas"]) == (1, 1, 4)
    assert x["wdq"].success_measure == pytest.approx(-0.2)
    assert x["wdq"].buffer_displacement_measure == pytest.approx(0.05)
    assert x["quotient"] == pytest.approx(-0.25) and x["quotient_text"] == "−0.25"
    assert x["wdq"].total_net_effect == pytest.approx(30)
    assert "down 40%" in x["reading"] and "up 25%" in x["reading"]
    assert "some of it looks to have moved across the border" in x["reading"]
    assert y["quotient"] is None and "not defined" in y["reading"]
    # Three partnerships, X X | Y Y | Z Z: Y's band is both its LSOAs, its buffer one of X's
    # and one of Z's; the control is the two end LSOAs.
    rows = {r["partnership"]: r for r in border_wdq(_row(6), list("XXYYZZ"), before, after)}
    assert rows["Y"]["across"] == ["X", "Z"]
    assert rows["Y"]["target"] == (140, 110) and rows["Y"]["buffer"] == (100, 100)
    assert rows["Y"]["control"] == (100, 100) and rows["X"]["buffer"] == (100, 60)
    # Y fell 140 → 110 against a flat control (SM −0.3), its neighbours' bands were flat
    # (BDM 0): neither displacement nor diffusion.
    assert rows["Y"]["quotient"] == 0 and "nothing is seen to cross" in rows["Y"]["reading"]


@pytest.mark.django_db
def test_shared_priorities_come_from_plans_and_approved_assessments(partnership, other_partnership):
    from cdrp.accounts.audit import acting_as
    from cdrp.health.appraisal import _priorities
    from cdrp.intelligence.models import Assessment
    from cdrp.plans.models import Plan, Priority

    def assessment(p, status, recommended):
        return Assessment.objects.create(
            partnership=p,
            title=f"Strategic assessment {p.slug}",
            period_start="2021-12",
            period_end="2022-11",
            status=status,
            built_at=dt.datetime(2022, 12, 5, tzinfo=dt.UTC),
            fingerprint={},
            document={"sections": [{"id": "priorities", "recommended": recommended}]},
        )

    with acting_as(None, "test"):
        plan = Plan.objects.create(
            partnership=partnership,
            revision=1,
            title="Plan 2023 to 2026",
            period_start="2023-04",
            period_end="2026-03",
        )
        Priority.objects.create(plan=plan, name="Reduce burglary", categories=["burglary"])
        Priority.objects.create(plan=plan, name="Drugs", categories=[])
        Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.APPROVED)  # as approved
        theirs = assessment(other_partnership, "approved", ["Burglary", "Drugs", "Shoplifting"])
        draft = assessment(partnership, "draft", ["Shoplifting"])
    found = _priorities([partnership, other_partnership], dt.date(2023, 3, 31))
    assert found["recorded"] == [partnership.name, other_partnership.name]
    ours, other = found["sources"]
    assert ours["plan"]["priorities"] == ["Reduce burglary", "Drugs"]
    assert ours["assessment"] is None  # the draft does not count
    assert other["plan"] is None and other["assessment"]["priorities"][0] == "Burglary"
    assert other["assessment"]["url"].endswith(f"/{theirs.pk}/")
    # "Drugs" by name (a plan priority and an assessment's), burglary by crime category.
    assert found["shared_names"] == [
        {
            "name": "Drugs",
            "sources": [f"{partnership.name} (plan)", f"{other_partnership.name} (assessment)"],
        }
    ]
    assert found["shared_categories"] == [
        {
            "name": "Burglary",
            "sources": [f"{partnership.name} (plan)", f"{other_partnership.name} (assessment)"],
        }
    ]
    # Approving our assessment: shoplifting becomes shared, from two assessments.
    with acting_as(None, "test"):
        draft.status = "approved"
        draft.save()
    found = _priorities([partnership, other_partnership], dt.date(2023, 3, 31))
    shoplifting = [e for e in found["shared_categories"] if e["name"] == "Shoplifting"]
    assert shoplifting == [
        {
            "name": "Shoplifting",
            "sources": [
                f"{partnership.name} (assessment)",
                f"{other_partnership.name} (assessment)",
            ],
        }
    ]


@pytest.mark.django_db
def test_hallmarks_open_on_the_latest_year_with_records(partnership, client):
    from cdrp.accounts.audit import acting_as
    from cdrp.health import services
    from cdrp.meetings.models import Meeting
    from cdrp.partnerships.models import Group

    now = services.current_year()
    assert services.default_year(partnership) == now  # nothing recorded: the current year
    with acting_as(None, "test"):
        group = Group.objects.create(
            partnership=partnership, slug="rag", name="Strategy group", kind="strategy"
        )
        Meeting.objects.create(group=group, date=dt.date(2019, 6, 10), status="held")
        Meeting.objects.create(group=group, date=dt.date(2020, 2, 12), status="held")
    assert services.default_year(partnership) == 2019  # both in 2019/20
    assert services.years_of(partnership) == list(range(2019, now + 1))
    client.force_login(user_with_role("m", partnership, "member"))
    url = reverse("health:hallmarks", kwargs={"partnership": partnership.slug})
    html = client.get(url).content.decode()
    assert "Six hallmarks self-assessment 2019/20" in html
    assert '<option value="2019" selected>2019/20</option>' in html
    assert f'<option value="{now}">' in html  # the chooser still offers the current year
    assert "2 meetings held in 2019/20" in html
    # A meeting this year: the page opens on the current year.
    with acting_as(None, "test"):
        Meeting.objects.create(group=group, date=dt.date(now, 4, 1), status="held")
    assert services.default_year(partnership) == now


def pdf_links(content: bytes) -> list[str]:
    """The URIs of the PDF's link annotations, page by page."""
    import io

    from pypdf import PdfReader

    uris = []
    for page in PdfReader(io.BytesIO(content)).pages:
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            action = annot.get("/A")
            if annot.get("/Subtype") == "/Link" and action is not None and "/URI" in action:
                uris.append(str(action["/URI"]))
    return uris


def test_dates_are_read_as_people_type_them():
    from cdrp.health.forms import ReviewForm

    for text in ("28 9 2022", "28 September 2022", "28/09/2022", "2022-09-28"):
        form = ReviewForm({"held_on": text})
        assert form.is_valid(), (text, form.errors)
        assert form.cleaned_data["held_on"] == dt.date(2022, 9, 28)
    form = ReviewForm({"held_on": "31 2 2022"})
    assert not form.is_valid() and "for example 27 3 2027" in str(form.errors["held_on"])


def test_pdf_links_use_the_configured_address_else_the_request(settings, rf):
    from cdrp.health.documents import site_url

    settings.ALLOWED_HOSTS = ["cdrp.council.example"]
    request = rf.get("/", HTTP_HOST="cdrp.council.example")
    settings.CDRP_SITE_URL = "http://localhost:8000/"  # the default: not a real address
    assert site_url(request) == "http://cdrp.council.example/"
    settings.CDRP_SITE_URL = "https://safety.example.org"
    assert site_url(request) == "https://safety.example.org/"


def test_the_border_months_end_at_the_date_appraised_when_held():
    from cdrp.health.appraisal import _border_end

    held = ["2022-05", "2022-06"]
    assert _border_end(None, dt.date(2022, 6, 30), None, held) == "2022-06"  # a month's end
    assert _border_end(None, dt.date(2022, 6, 15), None, held) == "2022-05"  # the last whole
    assert _border_end(None, dt.date(2022, 6, 15), "March 2021", held) == "2021-03"  # as asked
