"""My area: a resident finds a ward by name, by the map and by postcode (an ONS Postcode
Directory extract imported with `cdrp import postcodes`), and its page shows the partnership's
priorities and the next public meeting with its time and venue."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from community_fixtures import area_world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def test_resident_finds_ward_by_name_and_sees_priorities_and_next_meeting(client, area_world):
    found = client.get("/community/", {"q": "chorley east"})
    assert found.status_code == 200
    page = found.content.decode()
    assert 'href="/community/area/E05005126/"' in page
    assert "ward in Chorley" in page
    area = client.get("/community/area/E05005126/")
    assert area.status_code == 200
    page = area.content.decode()
    assert '<h1 class="govuk-heading-l">Chorley East</h1>' in page
    assert "Lancashire South Strategic CDRP" in page
    assert page.index("Tackling anti-social behaviour") < page.index("Reducing burglary")
    meeting = area_world["meeting"]
    assert meeting.date.strftime("%A %-d %B %Y") in page
    assert "6:30pm" in page and "Chorley Town Hall, Market Street" in page


def test_a_private_meeting_is_not_listed(client, area_world):
    meeting = area_world["meeting"]
    meeting.public = False
    meeting.save()
    page = client.get("/community/area/E05005126/").content.decode()
    assert "Chorley Town Hall" not in page
    assert "No public meetings are arranged yet." in page


def test_search_finds_the_district_first_and_nothing_for_nonsense(client, area_world):
    page = client.get("/community/", {"q": "Chorley"}).content.decode()
    assert page.index("/community/area/E07000118/") < page.index("/community/area/E05005126/")
    page = client.get("/community/", {"q": "Nowhere Vale"}).content.decode()
    assert "No ward or district has a name like that" in page


def test_the_map_links_every_ward(client, area_world):
    response = client.get("/community/lancashire-south/map/")
    assert response.status_code == 200
    page = response.content.decode()
    for code, name in [("E05005125", "Astley and Buckshaw"), ("E05005126", "Chorley East")]:
        assert f'<a href="/community/area/{code}/" aria-label="{name}"><path d="M' in page
        # named on the map itself, inside its link (a phone shows no tooltip)
        link = page[page.index(f'aria-label="{name}"') :]
        assert f'aria-hidden="true">{name}</text></a>' in link[: link.index("</a>") + 4]


def test_an_unknown_area_is_not_found(client, area_world):
    assert client.get("/community/area/E05999999/").status_code == 404


def test_postcode_lookup_from_an_imported_extract(client, area_world, tmp_path, settings):
    settings.INCIDENT_STORE = str(tmp_path / "store")
    extract = tmp_path / "onspd.csv"
    extract.write_text(
        "pcd,pcd2,pcds,dointr,doterm,oslaua,osward,lsoa11\n"
        "PR7 1DP,PR7  1DP,PR7 1DP,198001,,E07000118,E05005126,E01012345\n"
        "PR7 2AA,PR7  2AA,PR7 2AA,198001,200012,E07000118,E05005125,E01012346\n"
        "PR7 3ZZ,PR7  3ZZ,PR7 3ZZ,198001,,E07000118,E05099999,E01012347\n"
    )
    out = io.StringIO()
    call_command("import", "postcodes", str(extract), stdout=out)
    assert "Postcodes: 2 imported (1 terminated postcodes left out)." in out.getvalue()
    response = client.get("/community/", {"postcode": "pr71dp"})
    assert response.status_code == 302 and response["Location"] == "/community/area/E05005126/"
    # a ward of another vintage falls back to the district
    response = client.get("/community/", {"postcode": "PR7 3ZZ"})
    assert response["Location"] == "/community/area/E07000118/"
    terminated = client.get("/community/", {"postcode": "PR7 2AA"}).content.decode()
    assert "could not find that postcode" in terminated
    bad = client.get("/community/", {"postcode": "hello"}).content.decode()
    assert "Enter a full postcode" in bad


def test_postcode_import_refuses_a_file_without_the_columns(tmp_path, settings):
    from django.core.management import CommandError

    settings.INCIDENT_STORE = str(tmp_path / "store")
    extract = tmp_path / "other.csv"
    extract.write_text("name,value\nA,1\n")
    with pytest.raises(CommandError, match="no postcode column"):
        call_command("import", "postcodes", str(extract), stdout=io.StringIO())


def test_the_trend_in_plain_words_from_the_incident_store(
    client, area_world, reference_store, settings
):
    from cdrp.store import counts

    settings.INCIDENT_STORE = reference_store[0]
    frame = counts(
        reference_store[0],
        by=["month", "category"],
        areas={"district": ["E07000118"]},
        output="pandas",
    )
    recent = frame[frame["month"].astype(str).between("2021-12", "2022-11")]
    asb = int(recent.loc[recent["category"] == "anti-social-behaviour", "count"].sum())
    crime = int(recent.loc[recent["category"] != "anti-social-behaviour", "count"].sum())
    page = client.get("/community/area/E07000118/").content.decode()
    assert (
        f"Crime recorded by the police in Chorley: {crime:,} records in the 12 months to "
        "November 2022" in page
    )
    assert f"Anti-social behaviour reported to the police in Chorley: {asb:,} records" in page


def test_small_counts_are_not_given():
    from cdrp.community.areas import _words

    assert _words("Crime", "Astley", 3, 10, "2022-11", 5) == (
        "Crime in Astley: fewer than 5 records in the 12 months to November 2022."
    )
    assert _words("Crime", "Astley", 12, 3, "2022-11", 5) == (
        "Crime in Astley: 12 records in the 12 months to November 2022."
    )
    assert _words("Crime", "Astley", 12, 10, "2022-11", 5).endswith(
        "20% more than the 12 months before."
    )
    assert _words("Crime", "Astley", 100, 102, "2022-11", 5).endswith(
        "about the same as the 12 months before."
    )
