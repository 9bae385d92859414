"""Tactical assessment pages: the page with its map data, the PDF and JSON downloads, access."""

import json

import pytest

from conftest import user_with_role

PASSWORD = "a-long-password-1"


@pytest.fixture
def member_client(client, south_with_incidents):
    user = user_with_role("t-member", south_with_incidents, "member")
    client.force_login(user)
    return client


def test_the_page_lists_hotspots_and_exceedances_linked_to_their_evidence(member_client):
    response = member_client.get("/intelligence/tactical/lancashire-south/?month=2022-11")
    assert response.status_code == 200
    html = response.content.decode()
    pack = response.context["pack"]
    assert pack["emerging"] and pack["exceedances"]
    for item in pack["emerging"] + pack["exceedances"]:
        assert f'href="#evidence-{item["id"]}"' in html
        assert f'id="evidence-{item["id"]}"' in html
    assert "vendor/leaflet/leaflet.js" in html
    data = response.context["map_data"]
    assert len(data["hotspots"]["features"]) == len(pack["emerging"])
    assert data["tile_url"] == ""


def test_a_month_without_data_shows_a_clear_error(member_client):
    response = member_client.get("/intelligence/tactical/lancashire-south/?month=2031-01")
    assert response.status_code == 400
    assert "no data for January 2031" in response.content.decode()


def test_the_json_and_pdf_downloads(member_client):
    response = member_client.get("/intelligence/tactical/lancashire-south/pack.json?month=2022-11")
    assert response.status_code == 200
    pack = json.loads(response.content)
    assert pack["month"] == "2022-11" and pack["exceedances"]
    response = member_client.get("/intelligence/tactical/lancashire-south/pack.pdf?month=2022-11")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_someone_outside_the_partnership_is_refused(client, south_with_incidents):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("t-outsider", password=PASSWORD)
    client.force_login(user)
    response = client.get("/intelligence/tactical/lancashire-south/?month=2022-11")
    assert response.status_code in (302, 403)
