"""Tactical assessment (tasking pack): Lancashire South for 2022-11 from the bundled data."""

import json

import pytest

from cdrp.analysis.tactical import TacticalError


@pytest.fixture
def pack(south_with_incidents):
    from cdrp.intelligence.tactical import tactical_assessment

    return tactical_assessment(south_with_incidents, "2022-11")


def test_the_pack_lists_emerging_hotspots_and_exceedances_with_evidence(pack):
    assert pack["month"] == "2022-11"
    assert pack["window"] == {"months": 6, "start": "2022-06", "end": "2022-11"}
    assert pack["emerging"], "expected emerging hot-spots in Lancashire South for 2022-11"
    assert pack["exceedances"], "expected exceedances in Lancashire South for 2022-11"
    for item in pack["emerging"]:
        assert "hot spot" in item["pattern"]
        assert len(item["evidence"]["series"]) == 6
        assert item["records"] == sum(item["evidence"]["series"])
    for item in pack["exceedances"]:
        assert item["observed"] > item["upper_limit"] >= 0
        assert item["excess"] == pytest.approx(item["observed"] - item["expected"], abs=1e-3)
        assert item["evidence"]["series"][-1] == item["observed"]
    json.dumps(pack)  # JSON-serialisable


def test_an_exceedance_count_equals_the_store_count(pack, reference_store):
    from cdrp.store import counts

    item = pack["exceedances"][0]
    store_count = counts(
        reference_store[0],
        [],
        start="2022-11",
        end="2022-11",
        categories=[item["category"]],
        areas={"ward": [item["ward"]]},
        output="pandas",
    )["count"].sum()
    assert item["observed"] == int(store_count)


def test_repeat_locations_shares_add_up(pack):
    rep = pack["repeats"]
    assert rep["items"]
    assert sum(i["records"] for i in rep["items"]) / rep["total"] == pytest.approx(
        rep["share_top"], abs=1e-3
    )
    assert rep["items"][0]["records"] >= rep["items"][-1]["records"]


def test_near_repeat_runs_knox_on_burglary_or_says_why_not(pack):
    near = pack["near_repeat"]
    assert near["category"] == "burglary"
    if near["ran"]:
        assert near["n_events"] >= 30
        assert len(near["cells"]) == 9
    else:
        assert "Knox test not run" in near["note"]


def test_a_month_with_no_data_is_a_clear_error(south_with_incidents):
    from cdrp.intelligence.tactical import tactical_assessment

    with pytest.raises(TacticalError, match="no data for January 2030"):
        tactical_assessment(south_with_incidents, "2030-01")


def test_a_window_longer_than_the_data_is_a_clear_error(south_with_incidents):
    from cdrp.intelligence.tactical import tactical_assessment

    with pytest.raises(
        TacticalError, match="window of 6 months ending February 2020 starts before"
    ):
        tactical_assessment(south_with_incidents, "2020-02")


def test_a_malformed_month_is_a_clear_error(south_with_incidents):
    from cdrp.intelligence.tactical import tactical_assessment

    with pytest.raises(TacticalError, match="YYYY-MM"):
        tactical_assessment(south_with_incidents, "November")


def test_the_assess_tactical_command_writes_the_pdf_and_json(south_with_incidents, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    pdf, js = tmp_path / "pack.pdf", tmp_path / "pack.json"
    call_command(
        "assess",
        "tactical",
        "--partnership",
        "lancashire-south",
        "--month",
        "2022-11",
        "--pdf",
        str(pdf),
        "--json",
        str(js),
        stdout=out,
    )
    assert "2022-11" in out.getvalue()
    assert pdf.read_bytes().startswith(b"%PDF")
    pack = json.loads(js.read_text())
    assert pack["month"] == "2022-11" and pack["emerging"]


def test_the_assess_tactical_command_refuses_a_month_without_data(south_with_incidents):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="no data for January 2031"):
        call_command(
            "assess", "tactical", "--partnership", "lancashire-south", "--month", "2031-01"
        )


def test_open_tasking_actions_are_listed_and_closed_or_other_groups_are_not(south_with_incidents):
    import datetime as dt

    from cdrp.intelligence.tactical import open_actions
    from cdrp.meetings.models import Action
    from cdrp.partnerships.models import Group, Person

    tasking = Group.objects.filter(partnership=south_with_incidents, kind="tasking").first()
    other = Group.objects.filter(partnership=south_with_incidents).exclude(kind="tasking").first()
    owner = Person.objects.first()
    before = {a["id"] for a in open_actions(south_with_incidents)}
    kept = Action.objects.create(
        partnership=south_with_incidents,
        group=tasking,
        description="Patrol Bamber Bridge East",
        owner=owner,
        due=dt.date(2022, 12, 15),
        hotspot="E01025395",
    )
    closed = Action.objects.create(
        partnership=south_with_incidents,
        group=tasking,
        description="Done",
        owner=owner,
        due=dt.date(2022, 12, 1),
        status="closed",
        closed_on=dt.date(2022, 11, 30),
    )
    elsewhere = Action.objects.create(
        partnership=south_with_incidents,
        group=other,
        description="Strategy item",
        owner=owner,
        due=dt.date(2022, 12, 1),
    )
    ids = {a["id"] for a in open_actions(south_with_incidents)} - before
    assert ids == {kept.pk}
    assert closed.pk not in ids and elsewhere.pk not in ids
    row = next(a for a in open_actions(south_with_incidents) if a["id"] == kept.pk)
    assert row["hotspot"] == "E01025395" and row["due"] == "2022-12-15"


def _toy(burglaries=5):
    """Nine 0.01° square LSOAs near Preston, six months, one ward, one category."""
    import pandas as pd
    import shapely

    codes = [f"L{i}" for i in range(9)]
    shapes = {
        c: shapely.box(
            -2.7 + (i % 3) * 0.01,
            53.7 + (i // 3) * 0.01,
            -2.69 + (i % 3) * 0.01,
            53.71 + (i // 3) * 0.01,
        )
        for i, c in enumerate(codes)
    }
    lsoa = pd.DataFrame(
        {"lsoa": codes, "lsoa_name": codes, "district": "D", "ward": "W", "ward_name": "Ward"}
    )
    months = [f"2022-{m:02d}" for m in range(6, 12)]
    monthly = pd.DataFrame(
        [(m, c, 2) for m in months for c in codes], columns=["month", "lsoa", "count"]
    )
    wc = pd.DataFrame(
        [(f"2021-{m:02d}", "W", "burglary", 4) for m in range(11, 13)]
        + [(f"2022-{m:02d}", "W", "burglary", 4) for m in range(1, 11)]
        + [("2022-11", "W", "burglary", 12)],
        columns=["month", "ward", "category", "count"],
    )
    burg = pd.DataFrame({"x": range(burglaries), "y": 0.0, "month": "2022-11"})
    return dict(lsoa=lsoa, lsoa_monthly=monthly, shapes=shapes, ward_category=wc, burglary=burg)


def test_the_builder_on_a_hand_worked_toy_case():
    from cdrp.analysis.tactical import build_tactical

    pack = build_tactical(month="2022-11", partnership={"slug": "t", "name": "T"}, **_toy())
    # Flat counts: Gi* is undefined, said in a note; 12 burglaries against 4 expected (limit 9).
    assert pack["emerging"] == []
    assert "Gi* is undefined without variation" in pack["notes"][0]
    [ex] = pack["exceedances"]
    assert (ex["observed"], ex["expected"], ex["upper_limit"], ex["excess"]) == (12, 4, 9, 8)
    assert pack["repeats"]["total"] == 9 * 2 * 6
    assert pack["near_repeat"]["ran"] is False
    assert "5 burglaries" in pack["near_repeat"]["note"]
    assert len(pack["map"]["lsoas"]["features"]) == 9
    json.dumps(pack)


def test_the_pack_is_analysed_once_per_store_version_and_its_actions_are_read_afresh(
    south_with_incidents, monkeypatch
):
    import datetime as dt

    from django.core.cache import cache

    from cdrp.intelligence import tactical
    from cdrp.meetings.models import Action
    from cdrp.partnerships.models import Group, Person
    from cdrp.store import Store

    cache.clear()
    analysed = []
    real = tactical._analyse
    monkeypatch.setattr(tactical, "_analyse", lambda *a: analysed.append(a[4]) or real(*a))
    first = tactical.tactical_assessment(south_with_incidents, "2022-11")
    second = tactical.tactical_assessment(south_with_incidents, "2022-11")
    assert len(analysed) == 1
    assert second["exceedances"] == first["exceedances"] and second["emerging"]
    # A new open tasking action is on the next view without a new analysis.
    Action.objects.create(
        partnership=south_with_incidents,
        group=Group.objects.filter(partnership=south_with_incidents, kind="tasking").first(),
        description="Patrol after the pack",
        owner=Person.objects.first(),
        due=dt.date(2022, 12, 15),
    )
    third = tactical.tactical_assessment(south_with_incidents, "2022-11")
    assert len(analysed) == 1
    assert len(third["actions"]) == len(first["actions"]) + 1
    assert "Patrol after the pack" in {a["description"] for a in third["actions"]}
    # Another month, or a new committed version of the store (an import), is analysed anew.
    tactical.tactical_assessment(south_with_incidents, "2022-10")
    assert len(analysed) == 2
    state = Store.state
    monkeypatch.setattr(Store, "state", lambda self: {**state(self), "version": 10_000})
    tactical.tactical_assessment(south_with_incidents, "2022-11")
    assert len(analysed) == 3
