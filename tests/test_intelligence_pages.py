"""Analyst pages: data sources, coverage calendar (missing months flagged), quarantine browser,
counts by district × category with a CSV download — on the real bundled data."""

import csv
import gzip
import io

import pytest

from cdrp.store import import_police_uk

pytestmark = pytest.mark.django_db
STREET = "data/demo/police-uk-street-lancashire"


@pytest.fixture
def small_store(fresh_store, settings, tmp_path):
    """2020-05 and 2020-07 (so 2020-06 is missing) and a file with one bad row."""
    with gzip.open(f"{STREET}/2022-11/2022-11-lancashire-street.csv.gz", "rt") as fh:
        lines = fh.read().splitlines()
    bad = lines[1].split(",")
    bad[5] = "999"  # latitude
    path = tmp_path / "2022-11-lancashire-street.csv"
    path.write_text("\n".join([lines[0], ",".join(bad), *lines[2:50]]) + "\n")
    import_police_uk(
        fresh_store,
        [
            f"{STREET}/2020-05/2020-05-lancashire-street.csv.gz",
            f"{STREET}/2020-07/2020-07-lancashire-street.csv.gz",
            path,
        ],
    )
    settings.INCIDENT_STORE = fresh_store
    return fresh_store


def test_data_pages_are_for_members_and_quarantine_for_analysts(
    client, small_store, member, analyst
):
    for url in ["/intelligence/data/", "/intelligence/data/coverage/", "/intelligence/counts/"]:
        assert client.get(url).status_code == 302
    client.force_login(member)
    assert client.get("/intelligence/data/").status_code == 200
    assert client.get("/intelligence/data/quarantine/").status_code == 403
    assert client.get("/intelligence/data/lancashire-south/quarantine/").status_code == 403
    client.force_login(analyst)
    # An analyst's quarantine is their partnership's (the imports from its force's area).
    response = client.get("/intelligence/data/quarantine/")
    assert response["Location"] == "/intelligence/data/lancashire-south/quarantine/"
    assert client.get("/intelligence/data/lancashire-south/quarantine/").status_code == 200


def test_data_sources_list_each_import_with_its_summary(client, small_store, member):
    client.force_login(member)
    page = client.get("/intelligence/data/").content.decode()
    assert "3 imports: 40,992 rows read, 40,991 imported, 1 quarantined." in page
    assert "2020-05-lancashire-street.csv.gz" in page and "21,515" in page


def test_coverage_flags_the_missing_month(client, small_store, member):
    client.force_login(member)
    page = client.get("/intelligence/data/coverage/").content.decode()
    # 2020-05, 2020-07 and 2022-11 are present: every month between is missing, not zero.
    assert "Missing months: June 2020, August 2020, September 2020, October 2020" in page
    assert "21,515" in page and "19,428" in page


def test_quarantine_shows_file_row_field_and_reason(client, small_store, analyst, partnership):
    from cdrp.partnerships.models import Area

    partnership.districts.add(
        Area.objects.create(code="E07000118", name="Chorley", level="district")
    )
    client.force_login(analyst)
    url = "/intelligence/data/lancashire-south/quarantine/"
    page = client.get(url).content.decode()
    assert "2022-11-lancashire-street.csv" in page and "Latitude" in page and "999" in page
    assert client.get(url + "?import=nonsense").status_code == 404


def test_counts_match_the_reference_figures_and_download_as_csv(
    client, reference_store, settings, member
):
    settings.INCIDENT_STORE = reference_store[0]
    client.force_login(member)
    page = client.get("/intelligence/counts/?from=2021-12&to=2022-11").content.decode()
    assert "Chorley" in page and "11,007" in page and "197,064" in page
    response = client.get("/intelligence/counts/?from=2021-12&to=2022-11&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = {r["district"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert int(rows["Chorley"]["total"]) == 11007
    assert int(rows["South Ribble"]["total"]) == 10236
    assert int(rows["West Lancashire"]["total"]) == 8418
    assert sum(int(r["total"]) for r in rows.values()) == 197064
    distinct = client.get("/intelligence/counts/?from=2021-12&to=2022-11&distinct=1&format=csv")
    assert (
        sum(int(r["total"]) for r in csv.DictReader(io.StringIO(distinct.content.decode())))
        == 195511
    )


def test_a_malformed_month_is_a_clear_error(client, small_store, member):
    client.force_login(member)
    response = client.get("/intelligence/counts/?from=2021-13&to=2022-11")
    assert response.status_code == 400
    assert "Enter the first month as a month and year, for example December 2021" in (
        response.content.decode()
    )
    response = client.get("/intelligence/counts/?from=2022-11&to=2021-12")
    assert (
        "The last month must be the same as or after the first month" in response.content.decode()
    )
