"""The strategic assessment built from the real Lancashire data: totals, tests, evidence."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cdrp.analysis.assessment import plan_outcomes
from cdrp.store import Store, counts

DATA = Path(__file__).resolve().parent / "data"
SOUTH = ["E07000118", "E07000126", "E07000127"]


def _table(document, table_id):
    for section in document["sections"]:
        for table in section["tables"]:
            if table["id"] == table_id:
                return {row["_key"]: row for row in table["rows"]}
    raise KeyError(table_id)


@pytest.fixture(scope="module")
def south_assessment(reference_store):
    from cdrp.intelligence.assessments import build

    root, _ = reference_store
    record = build(
        districts=SOUTH,
        end="2022-11",
        store=Store(root),
        save=False,
        survey_path=str(DATA / "assessment_survey.csv"),
        plan_path=str(DATA / "assessment_plan.yaml"),
    )
    return root, record


def test_lancashire_south_district_totals_equal_the_reference_figures(south_assessment):
    _, record = south_assessment
    totals = _table(record.document, "levels-districts")
    assert {c: totals[c]["count"] for c in SOUTH} == {
        "E07000118": 11007,
        "E07000126": 10236,
        "E07000127": 8418,
    }
    assert totals["total"]["count"] == 11007 + 10236 + 8418
    assert record.period_start == "2021-12" and record.period_end == "2022-11"


def test_the_document_has_the_seven_sections_in_order_and_is_strict_json(south_assessment):
    _, record = south_assessment
    ids = [s["id"] for s in record.document["sections"]]
    assert ids == ["levels", "changes", "why", "plan", "community", "peers", "priorities"]
    assert [s["number"] for s in record.document["sections"]] == list(range(1, 8))
    json.dumps(record.document, allow_nan=False)  # NaN would break JSON clients


def test_rates_use_the_mid_2022_populations(south_assessment):
    _, record = south_assessment
    row = _table(record.document, "levels-districts")["E07000118"]
    population = pd.read_csv(
        DATA.parent.parent / "data/demo/ons-population-la/la_population_mid2022.csv"
    )
    chorley = float(population.set_index("area_code").loc["E07000118", "population"])
    assert row["population"] == chorley
    assert row["rate"] == pytest.approx(11007 / chorley * 1000, rel=1e-12)


def test_change_tests_agree_with_statsmodels(south_assessment):
    from statsmodels.stats.rates import test_poisson_2indep

    _, record = south_assessment
    rows = _table(record.document, "changes-categories")
    assert len(rows) == 14
    for category, row in rows.items():
        expected = test_poisson_2indep(
            row["current"], 12, row["baseline"], 12, method="exact-cond"
        ).pvalue
        assert row["p_value"] == pytest.approx(expected, abs=1e-9), category
        verdict = "no significant change"
        if expected < 0.05:
            verdict = (
                "significant increase"
                if row["current"] > row["baseline"]
                else "significant decrease"
            )
        assert row["verdict"] == verdict, category


def test_baseline_counts_are_the_previous_twelve_months_from_the_store(south_assessment):
    root, record = south_assessment
    previous = counts(root, [], start="2020-12", end="2021-11", areas={"district": SOUTH})
    assert (
        _table(record.document, "changes-districts")["total"]["baseline"]
        == previous.column("count")[0].as_py()
    )


def test_contributions_add_up_to_the_change(south_assessment):
    _, record = south_assessment
    rows = _table(record.document, "why-categories").values()
    total = _table(record.document, "changes-districts")["total"]
    assert sum(r["contribution"] for r in rows) == total["current"] - total["baseline"]
    why = next(s for s in record.document["sections"] if s["id"] == "why")
    assert why["notices"] == [] and any(t["id"] == "why-hotspots" for t in why["tables"])


def test_concentration_counts_every_lsoa_including_empty_ones(south_assessment):
    from cdrp.analysis.concentration import concentration

    root, record = south_assessment
    lsoa = pd.read_parquet(Path(root) / "_geography/lsoa.parquet")
    codes = lsoa.loc[lsoa["district_code"].isin(SOUTH), "lsoa_code"]
    by = counts(root, ["lsoa"], start="2021-12", end="2022-11", areas={"district": SOUTH})
    by = by.to_pandas().set_index("lsoa")["count"]
    values = codes.map(by).fillna(0).to_numpy()
    expected = concentration(values)
    row = _table(record.document, "concentration")["LSOA"]
    assert row["places"] == len(codes) == expected.places
    assert row["top10"] == pytest.approx(expected.top_shares[0.10])
    assert row["gini"] == pytest.approx(expected.gini)


def test_harm_is_the_count_times_the_shipped_weight(south_assessment):
    from cdrp.analysis.harm import default_weights

    _, record = south_assessment
    weights = default_weights()
    for category, row in _table(record.document, "levels-categories").items():
        assert row["harm"] == pytest.approx(row["count"] * weights[category])


def test_family_funnels_use_only_lancashire_districts_with_data(south_assessment):
    _, record = south_assessment
    lancashire = set(
        pd.read_csv(
            DATA.parent.parent / "data/demo/ons-lookups/lad_to_csp_dec2019.csv", sep=";", dtype=str
        ).iloc[:, 0]
    )
    rows = _table(record.document, "peer-funnel")
    geo = {r["_key"].split("/")[1] for r in rows.values()}
    assert geo <= lancashire
    # Hand check of Chorley's funnel: the target is the pooled rate of Chorley and its members.
    chorley = [r for k, r in rows.items() if k.startswith("E07000118/")]
    pooled = sum(r["count"] for r in chorley) / sum(r["population"] for r in chorley) * 1000
    from cdrp.analysis.funnel import poisson_limits

    own = rows["E07000118/E07000118"]
    expected = own["population"] * pooled / 1000
    lower, upper = poisson_limits([expected], 0.998)
    assert own["lower_99_8"] == pytest.approx(lower[0] * pooled)
    assert own["upper_99_8"] == pytest.approx(upper[0] * pooled)


def test_every_finding_and_priority_score_points_at_an_existing_row(south_assessment):
    _, record = south_assessment
    keys = {
        f"{t['id']}#{row['_key']}"
        for s in record.document["sections"]
        for t in s["tables"]
        for row in t["rows"]
    }
    refs = [r for s in record.document["sections"] for f in s["findings"] for r in f["evidence"]]
    refs += [r for f in record.document["summary"] for r in f["evidence"]]
    for row in _table(record.document, "priorities").values():
        refs += list(row["_refs"].values())
    assert refs and set(refs) <= keys, sorted(set(refs) - keys)[:5]


def test_priorities_rank_every_category_with_community_concern_where_surveyed(south_assessment):
    _, record = south_assessment
    rows = _table(record.document, "priorities")
    assert sorted(r["rank"] for r in rows.values()) == list(range(1, 15))
    assert rows["Anti-social behaviour"]["_refs"]["concern"] == (
        "community-concerns#Anti-social behaviour"
    )
    assert "concern" in rows["Shoplifting"]["missing"]
    section = next(s for s in record.document["sections"] if s["id"] == "priorities")
    ranked = sorted(rows.values(), key=lambda r: r["rank"])
    assert section["recommended"] == [r["candidate"] for r in ranked[:5]]


def test_community_concerns_are_ranked_from_the_example_survey(south_assessment):
    _, record = south_assessment
    rows = _table(record.document, "community-concerns")
    # Anti-social behaviour: 7 of 10 respondents call it a very or fairly big problem.
    assert rows["Anti-social behaviour"]["share_raised"] == pytest.approx(0.7)
    assert rows["Anti-social behaviour"]["rank"] == 1
    assert rows["Violence and sexual offences"]["share_raised"] == pytest.approx(3 / 9)


def test_plan_outcomes_are_measured_against_the_recorded_data(south_assessment):
    root, record = south_assessment
    rows = _table(record.document, "plan-outcomes")
    asb = (
        counts(
            root,
            [],
            start="2021-12",
            end="2022-11",
            categories=["anti-social-behaviour"],
            areas={"district": SOUTH},
        )
        .column("count")[0]
        .as_py()
    )
    asb_before = (
        counts(
            root,
            [],
            start="2020-12",
            end="2021-11",
            categories=["anti-social-behaviour"],
            areas={"district": SOUTH},
        )
        .column("count")[0]
        .as_py()
    )
    assert rows["1.1"]["actual"] == asb and rows["1.1"]["baseline"] == asb_before
    change = (asb - asb_before) / asb_before * 100
    assert rows["1.1"]["outcome"] == ("met" if change <= -10 else "not met")
    burglary = _table(record.document, "levels-categories")["Burglary"]["count"]
    assert rows["2.2"]["actual"] == burglary
    assert rows["2.2"]["outcome"] == ("met" if burglary <= 1200 else "not met")


def test_a_plan_target_over_a_missing_month_is_never_marked_met():
    monthly = pd.DataFrame(
        {"month": ["2020-05", "2020-07"], "category": ["Burglary"] * 2, "count": [10, 1]}
    )
    plan = {
        "plan": "P",
        "period": {"start": "2020-06", "end": "2020-07"},
        "priorities": [
            {
                "name": "B",
                "indicators": [
                    {"name": "B", "categories": ["burglary"], "target": {"at_most": 100}}
                ],
            }
        ],
    }
    out = plan_outcomes(plan, monthly, ["2020-05", "2020-07"])
    assert out["outcome"].tolist() == ["cannot be measured: no data for 2020-06"]


def test_without_a_plan_the_section_says_no_plan_recorded(reference_store):
    from cdrp.intelligence.assessments import build

    root, _ = reference_store
    record = build(districts=["E07000118"], end="2022-11", store=Store(root), save=False)
    plan = next(s for s in record.document["sections"] if s["id"] == "plan")
    assert plan["tables"] == []
    assert "No plan recorded" in plan["notices"][0]
    assert record.document["partnership"]["name"] == "Chorley"


def test_a_baseline_with_missing_months_is_flagged_not_compared(reference_store):
    from cdrp.intelligence.assessments import build

    root, _ = reference_store
    # Baseline Nov-2019..Oct-2020 lacks Nov-2019, Jun, Aug and Sep 2020: not comparable.
    record = build(districts=SOUTH, end="2021-10", store=Store(root), save=False)
    rows = _table(record.document, "changes-categories")
    assert {r["verdict"] for r in rows.values()} == {"not comparable: months missing"}
    # No month of the period is missing: the only warning is that one force's data is held.
    (warning,) = record.document["warnings"]
    assert warning.startswith("Section 6 (Comparison with similar areas): Only one force's data")
    trend = _table(record.document, "priorities")
    assert all("trend" in r["missing"] for r in trend.values())
    years = _table(record.document, "trend-years")
    assert [r["total"] is None for r in years.values()] == [True, True, False]


def test_a_period_with_a_missing_month_warns_and_names_it(reference_store):
    from cdrp.intelligence.assessments import build

    root, _ = reference_store
    record = build(districts=SOUTH, end="2020-12", store=Store(root), save=False)
    assert "2020-06, 2020-08, 2020-09" in record.document["warnings"][0]
    season = _table(record.document, "seasonality")
    assert season["2020-06"]["count"] is None  # missing, never zero


@pytest.mark.django_db
def test_a_partnership_from_the_registry_is_built_and_saved_with_its_fingerprint(
    reference_store, partnership
):
    from cdrp.intelligence.assessments import build, staleness
    from cdrp.intelligence.models import Assessment
    from cdrp.partnerships.models import Area

    root, _ = reference_store
    for code, name in zip(SOUTH, ["Chorley", "South Ribble", "West Lancashire"], strict=True):
        partnership.districts.add(Area.objects.create(code=code, name=name, level="district"))
    record = build(partnership=partnership, end="2022-11", store=Store(root))
    saved = Assessment.objects.get()
    assert saved.pk == record.pk and saved.status == "draft"
    assert saved.document["partnership"] == {"slug": "lancashire-south", "name": partnership.name}
    assert saved.document["totals"]["E07000127"] == 8418
    months = {p["month"] for p in saved.fingerprint["partitions"]}
    assert months == {m for m in months if "2019-12" <= m <= "2022-11"} and len(months) == 33
    assert saved.fingerprint["population_year"] == 2022
    assert staleness(saved, Store(root)) == []


@pytest.mark.django_db
def test_a_refresh_shows_what_moved_since_the_annual_assessment(reference_store, partnership):
    from cdrp.intelligence.assessments import build

    root, _ = reference_store
    annual = build(districts=SOUTH, end="2022-05", store=Store(root), partnership=None)
    refresh = build(districts=SOUTH, end="2022-11", store=Store(root), annual=annual)
    assert refresh.kind == "refresh" and refresh.annual_id == annual.pk
    sections = refresh.document["sections"]
    assert [s["id"] for s in sections][-1] == "moved" and sections[-1]["number"] == 8
    moved = _table(refresh.document, "moved")
    before = _table(annual.document, "levels-districts")["E07000118"]["rate"]
    after = _table(refresh.document, "levels-districts")["E07000118"]["rate"]
    assert moved["rate/E07000118"]["change"] == pytest.approx(after - before)
    # A six-month refresh compares yearly rates: twice its six-month rate.
    short = build(districts=SOUTH, end="2022-11", months=6, store=Store(root), annual=annual)
    six = _table(short.document, "levels-districts")["E07000118"]["rate"]
    assert _table(short.document, "moved")["rate/E07000118"]["refresh"] == pytest.approx(2 * six)
    assert "changes-categories-year-before" in {
        t["id"] for s in short.document["sections"] for t in s["tables"]
    }


@pytest.mark.django_db
def test_a_reimported_month_makes_the_assessment_stale(fresh_store, tmp_path):
    import gzip

    from cdrp.intelligence.assessments import build, staleness
    from cdrp.store import import_police_uk

    demo = DATA.parent.parent / "data/demo/police-uk-street-lancashire"
    import_police_uk(fresh_store, [demo / "2022-10", demo / "2022-11"])
    record = build(districts=["E07000118"], end="2022-11", months=2, store=Store(fresh_store))
    assert staleness(record, Store(fresh_store)) == []
    # A corrected November file (two records withdrawn) replaces that partition.
    lines = gzip.open(demo / "2022-11/2022-11-lancashire-street.csv.gz", "rt").read().splitlines()
    folder = tmp_path / "2022-11"
    folder.mkdir()
    (folder / "2022-11-lancashire-street.csv").write_text("\n".join(lines[:-2]) + "\n")
    # Fewer rows than the month holds: a replacement that must be confirmed (issue 15).
    import_police_uk(fresh_store, [folder], replace=True, reason="two records withdrawn")
    reasons = staleness(record, Store(fresh_store))
    assert len(reasons) == 1 and reasons[0].startswith("lancashire 2022-11: re-imported")
    # The stored document itself never changes.
    assert (
        record.document["totals"]["E07000118"]
        == type(record).objects.get(pk=record.pk).document["totals"]["E07000118"]
    )


def test_the_chart_specs_are_valid_vega_lite_and_render_to_svg(south_assessment):
    from cdrp.intelligence.documents import chart_spec, chart_svg

    _, record = south_assessment
    figures = [f for s in record.document["sections"] for f in s["figures"]]
    kinds = {f["kind"] for f in figures}
    assert {"stacked-area", "harm-bars", "trend", "ratio-dots", "funnel", "choropleth"} <= kinds
    spec = chart_spec(next(f for f in figures if f["kind"] == "funnel"))
    svg = chart_svg(spec)
    assert svg.lstrip().startswith("<svg") and "Records per 1,000 residents" in svg


def test_the_choropleths_draw_every_lsoa_and_ward_in_british_national_grid(south_assessment):
    from cdrp.intelligence.documents import choropleth_svg

    root, record = south_assessment
    figures = {f["id"]: f for s in record.document["sections"] for f in s["figures"]}
    lsoa = pd.read_parquet(Path(root) / "_geography/lsoa.parquet")
    expected = int(lsoa["district_code"].isin(SOUTH).sum())
    assert len(figures["map-lsoa"]["features"]) == expected
    # Metres: the three districts span tens of kilometres east-west.
    assert 20_000 < figures["map-lsoa"]["width"] < 80_000
    svg = choropleth_svg(figures["map-ward"])
    assert svg.count("<path") == len(figures["map-ward"]["features"])
    assert np.all([f["path"].startswith("M") for f in figures["map-ward"]["features"]])


def test_the_annex_lists_every_table_as_csv_and_xlsx(south_assessment):
    import io

    from openpyxl import load_workbook

    from cdrp.intelligence.documents import annex_csv, annex_xlsx

    _, record = south_assessment
    text = annex_csv(record)
    assert "1. Levels and patterns: Records, rates per 1,000 residents and harm by district" in text
    assert "11007" in text
    book = load_workbook(io.BytesIO(annex_xlsx(record)))
    assert "levels-districts" in book.sheetnames and "priorities" in book.sheetnames


def test_the_builder_docstring_examples_run_and_it_never_imports_django():
    import doctest
    import subprocess
    import sys

    import cdrp.analysis.assessment as module

    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
    code = "import sys, cdrp.analysis.assessment; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_hot_spots_that_emerged_or_faded_come_from_gi_star_on_the_lsoas(south_assessment):
    """Each listed LSOA's pattern is recomputed from the store's counts with the analysis
    module directly, and its records equal the store's count for the period."""
    import shapely

    from cdrp.analysis.emerging import emerging_hotspots
    from cdrp.analysis.weights import polygon_queen, project_to_bng

    root, record = south_assessment
    rows = _table(record.document, "why-hotspots")
    assert rows, "the demo partnership has emerging or persistent hot-spots"
    monthly = counts(
        Store(root),
        ["month", "lsoa"],
        start="2021-12",
        end="2022-11",
        areas={"district": SOUTH},
        output="pandas",
    )
    by_lsoa = monthly.groupby("lsoa")["count"].sum()
    for code, row in rows.items():
        assert row["records"] == by_lsoa[code]
        assert any(
            k in row["pattern"]
            for k in (
                "new",
                "consecutive",
                "intensifying",
                "persistent",
                "diminishing",
                "historical",
            )
        )
    from cdrp.intelligence.assessments import gather

    inputs, _ = gather(
        districts=SOUTH, partnership={"slug": "x", "name": "x"}, end="2022-11", store=Store(root)
    )
    codes = [c for c in inputs.lsoa["lsoa"] if c in inputs.shapes["lsoa"]]
    table = inputs.lsoa_monthly.pivot_table(
        index="month", columns="lsoa", values="count", aggfunc="sum", fill_value=0
    ).reindex(columns=codes, fill_value=0)
    geoms = [
        shapely.from_wkb(g) if isinstance(g, bytes | bytearray) else g
        for g in (inputs.shapes["lsoa"][c] for c in codes)
    ]
    direct = emerging_hotspots(
        table.to_numpy(float),
        polygon_queen(project_to_bng(geoms)),
        window=12,
        basis="normal",
        index=codes,
    )
    for code, row in rows.items():
        assert direct.loc[code, "pattern"] == row["pattern"], code
