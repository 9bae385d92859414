"""cdrp fetch geography against a local fake ArcGIS server (pytest-httpserver): never the internet.

The server answers from recorded feature files in tests/data/ons-arcgis (made from the national
boundary files' features for one district, E07000075: see make_fixtures.py there), the way the
portal's query operation does: layer metadata for ``?f=json``; for ``/query``, the features whose
code is in the ``where … IN (…)`` list, ordered by code, one page of ``resultRecordCount`` from
``resultOffset``, with ``exceededTransferLimit`` while more remain.
"""

from __future__ import annotations

import gzip
import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from werkzeug import Request, Response

from cdrp.store import Store
from cdrp.store.geography import read_table
from cdrp.store.ons import ArcGis, districts_of_force, fetch_geography
from cdrp.store.reader import BadInput

HERE = Path(__file__).resolve().parent
RECORDED = HERE / "data" / "ons-arcgis"
DEMO = HERE.parent / "data" / "demo"
ROLES = ("lookup", "lsoa", "ward", "district")


def recorded(role: str) -> tuple[dict, list[dict]]:
    layer = json.loads((RECORDED / f"{role}.layer.json").read_text())
    features = json.loads(gzip.decompress((RECORDED / f"{role}.features.json.gz").read_bytes()))
    return layer, features["features"]


def replay(role: str, log: list[dict]):
    layer, features = recorded(role)

    def handle(request: Request) -> Response:
        args = request.args
        log.append({"role": role, **args})
        if not request.path.endswith("/query"):
            return Response(json.dumps(layer), content_type="application/json")
        match = re.fullmatch(r"(\w+) IN \((.*)\)", args["where"])
        assert match, args["where"]
        field, codes = match.group(1), set(re.findall(r"'([^']*)'", match.group(2)))
        hits = sorted(
            (f for f in features if f["properties"][field] in codes),
            key=lambda f: f["properties"][args["orderByFields"]],
        )
        start, count = int(args["resultOffset"]), int(args["resultRecordCount"])
        page = hits[start : start + count]
        body = {"type": "FeatureCollection", "features": page}
        if start + count < len(hits):
            body["properties"] = {"exceededTransferLimit": True}
        return Response(json.dumps(body), content_type="application/geo+json")

    return handle


def serve(httpserver, log: list[dict]) -> dict[str, str]:
    urls = {}
    for role in ROLES:
        path = f"/arcgis/rest/services/{role}/FeatureServer/0"
        httpserver.expect_request(re.compile(f"^{path}(/query)?$")).respond_with_handler(
            replay(role, log)
        )
        urls[role] = httpserver.url_for(path)
    return urls


def quick(page_size: int = 20) -> ArcGis:
    return ArcGis(page_size=page_size, backoff=0, retries=2)


def test_a_districts_boundaries_are_fetched_page_by_page_and_imported(
    httpserver, tmp_path, fresh_store
):
    log: list[dict] = []
    urls = serve(httpserver, log)
    api = quick(page_size=20)
    got = fetch_geography(fresh_store, ["E07000075"], tmp_path / "dl", DEMO, urls, api)
    _, lsoas = recorded("lsoa")
    _, wards = recorded("ward")
    assert got.features == {"lsoa": len(lsoas), "ward": len(wards), "district": 1}
    assert (len(lsoas), len(wards)) == (53, 19)
    # 53 LSOAs in pages of 20: offsets 0, 20, 40.
    pages = [int(e["resultOffset"]) for e in log if e["role"] == "lsoa" and "resultOffset" in e]
    assert pages == [0, 20, 40]
    assert all(e["outSR"] == "4326" and e["f"] == "geojson" for e in log if "where" in e)
    store = Store(fresh_store)
    kept = read_table(store, "boundaries")
    kept = kept[kept.source.str.startswith("ons-")]  # the store held the demo's boundaries too
    assert kept.groupby("kind").size().to_dict() == {"district": 1, "lsoa": 53, "ward": 19}
    assert set(kept[kept.kind == "ward"].year) == {2013}
    # Every LSOA of the district got one of its wards; the recorded lookup was made with the
    # same best-fit rule, so each LSOA's ward equals the lookup's.
    _, lookup = recorded("lookup")
    expected = {r["properties"]["LSOA11CD"]: r["properties"]["WD13CD"] for r in lookup}
    lsoa = read_table(store, "lsoa").set_index("lsoa_code")
    assert lsoa.loc[list(expected), "ward_code"].to_dict() == expected
    assert not got.notes


def test_a_busy_server_is_retried(httpserver, tmp_path, fresh_store):
    log: list[dict] = []
    path = "/arcgis/rest/services/lookup/FeatureServer/0"
    httpserver.expect_ordered_request(path).respond_with_data("busy", status=503)
    urls = serve(httpserver, log)
    api = quick(page_size=100)
    got = fetch_geography(fresh_store, ["E07000075"], tmp_path / "dl", DEMO, urls, api)
    assert got.features["lsoa"] == 53
    # 1 refused + the 8 answered: 4 metadata, 1 lookup, 1 page each of LSOAs, wards, district.
    assert api.requests == 9 and len(log) == 8


def test_an_arcgis_error_document_is_refused_with_its_message(httpserver, tmp_path, fresh_store):
    error = {"error": {"code": 400, "message": "Unable to complete operation.", "details": []}}
    httpserver.expect_request("/bad/FeatureServer/0").respond_with_json(error)
    with pytest.raises(BadInput, match=r"refused the query \(400: Unable to complete operation"):
        fetch_geography(
            fresh_store,
            ["E07000075"],
            tmp_path / "dl",
            DEMO,
            {"lookup": httpserver.url_for("/bad/FeatureServer/0")},
            quick(),
        )


def test_an_offline_machine_gets_one_clear_error(tmp_path, fresh_store):
    # Nothing listens on port 9 of this machine: the connection is refused at once.
    layers = {"lookup": "http://127.0.0.1:9/arcgis/rest/services/x/FeatureServer/0"}
    with pytest.raises(BadInput) as caught:
        fetch_geography(fresh_store, ["E07000075"], tmp_path / "dl", DEMO, layers, quick())
    assert "cannot reach 127.0.0.1 after 3 attempts" in str(caught.value)
    assert "is this machine offline?" in str(caught.value)
    assert "`cdrp import geography FILE…`" in str(caught.value)


def test_district_codes_are_checked_before_any_request(tmp_path, fresh_store):
    with pytest.raises(BadInput, match=r"--district: Rochford: expected district codes"):
        fetch_geography(fresh_store, ["Rochford"], tmp_path, DEMO, {}, quick())


def test_a_forces_districts_come_from_the_stores_lookups(fresh_store):
    # The 14 districts of the force's reference figures in shared/data/README.md.
    essex = {
        "E06000033", "E06000034", "E07000066", "E07000067", "E07000068", "E07000069",
        "E07000070", "E07000071", "E07000072", "E07000073", "E07000074", "E07000075",
        "E07000076", "E07000077",
    }  # fmt: skip
    assert set(districts_of_force(Store(fresh_store), "Essex")) == essex
    assert set(districts_of_force(Store(fresh_store), "essex police")) == essex
    with pytest.raises(BadInput, match="no police force area named 'Atlantis'"):
        districts_of_force(Store(fresh_store), "Atlantis")


def test_the_fetch_geography_command(httpserver, tmp_path, fresh_store, settings):
    settings.INCIDENT_STORE = fresh_store
    urls = serve(httpserver, [])
    out = io.StringIO()
    call_command(
        "fetch",
        "geography",
        "--district",
        "E07000075",
        *[arg for role, url in urls.items() for arg in ("--layer", f"{role}={url}")],
        "--download-dir",
        str(tmp_path / "dl"),
        "--data",
        str(DEMO),
        stdout=out,
    )
    text = out.getvalue()
    assert "Boundaries fetched: 53 lsoa, 19 ward, 1 district" in text
    assert (tmp_path / "dl" / "ons-lsoa-E07000075.geojson").exists()
    with pytest.raises(CommandError, match="--layer: expected ROLE=URL"):
        call_command("fetch", "geography", "--district", "E07000075", "--layer", "nope")
