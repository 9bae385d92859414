"""GET /api/counts: the store's counts over HTTP, public with small numbers withheld."""

from __future__ import annotations

import pytest

from cdrp.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(reference_store, settings):
    settings.INCIDENT_STORE = reference_store[0]
    return reference_store[0]


def test_counts_by_district_for_a_period_are_public_and_exact_for_large_numbers(client, store):
    response = client.get("/api/counts", {"by": "district", "from": "2021-12", "to": "2022-11"})
    assert response.status_code == 200
    body = response.json()
    rows = {r["district"]: r["count"] for r in body["rows"]}
    assert rows["E07000118"] == 11_007
    assert rows["E06000009"] == 32_706
    assert rows[None] == 6_479
    assert body["suppressed_below"] == 5
    assert rows["E06000014"] is None  # York: 1 record, withheld from the public


def test_an_analyst_sees_small_numbers_exactly(client, store, analyst):
    _, key = ApiToken.issue(analyst, "test")
    response = client.get(
        "/api/counts",
        {"by": "district", "from": "2021-12", "to": "2022-11"},
        headers={"Authorization": f"Bearer {key}"},
    )
    body = response.json()
    assert body["suppressed_below"] is None
    rows = {r["district"]: r["count"] for r in body["rows"]}
    assert rows["E06000014"] == 1
    assert sum(rows.values()) == 197_064


def test_counts_by_district_and_month_with_a_category_filter(client, store):
    response = client.get(
        "/api/counts",
        {
            "by": "district,month",
            "from": "2022-01",
            "to": "2022-03",
            "category": "burglary",
            "district": "E07000118",
        },
    )
    rows = response.json()["rows"]
    assert [r["month"] for r in rows] == ["2022-01", "2022-02", "2022-03"]
    assert {r["district"] for r in rows} == {"E07000118"}


def test_distinct_counts_each_crime_id_once(client, store):
    response = client.get("/api/counts", {"by": "", "distinct": "true"})
    assert response.json()["rows"] == [{"count": 571_971}]


def test_a_registry_partnership_filters_to_its_districts(client, store, partnership):
    from cdrp.partnerships.models import Area

    for code, name in [("E07000118", "Chorley"), ("E07000126", "South Ribble")]:
        partnership.districts.add(
            Area.objects.get_or_create(code=code, defaults={"name": name, "level": "district"})[0]
        )
    response = client.get(
        "/api/counts",
        {"by": "", "from": "2021-12", "to": "2022-11", "partnership": "lancashire-south"},
    )
    assert response.json()["rows"] == [{"count": 11_007 + 10_236}]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"by": "planet"}, "unknown level 'planet'"),
        ({"from": "last year"}, "is not of the form YYYY-MM"),
    ],
)
def test_bad_parameters_are_a_400_saying_what_was_expected(client, store, params, message):
    response = client.get("/api/counts", params)
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_the_import_manifest_is_for_analysts_only(client, store, analyst, member):
    assert client.get("/api/imports").status_code == 401
    _, key = ApiToken.issue(member, "m")
    auth = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/imports", headers=auth).status_code == 403
    _, key = ApiToken.issue(analyst, "a")
    response = client.get("/api/imports", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert len(response.json()) == 33
    assert sum(r["read"] for r in response.json()) == 578_766


def test_coverage_lists_the_missing_months(client, store):
    rows = client.get("/api/coverage").json()
    assert [r["month"] for r in rows if r["missing"]] == ["2020-06", "2020-08", "2020-09"]
