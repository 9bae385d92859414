"""The bundled Lancashire files give exactly the reference figures of data/demo/SOURCE-README.md."""

from __future__ import annotations

import pytest

from cdrp.store import counts, coverage, imports, points

LANCASHIRE = {
    "E06000008": ("Blackburn with Darwen", 20_876),
    "E06000009": ("Blackpool", 32_706),
    "E07000117": ("Burnley", 15_845),
    "E07000118": ("Chorley", 11_007),
    "E07000119": ("Fylde", 6_290),
    "E07000120": ("Hyndburn", 12_038),
    "E07000121": ("Lancaster", 16_542),
    "E07000122": ("Pendle", 10_272),
    "E07000123": ("Preston", 25_354),
    "E07000124": ("Ribble Valley", 3_495),
    "E07000125": ("Rossendale", 6_759),
    "E07000126": ("South Ribble", 10_236),
    "E07000127": ("West Lancashire", 8_418),
    "E07000128": ("Wyre", 10_212),
}
CATEGORY_TOTALS = {
    "anti-social-behaviour": 198_130,
    "violent-crime": 179_080,
    "criminal-damage-arson": 46_733,
    "other-theft": 31_846,
    "public-order": 29_070,
    "burglary": 23_560,
    "shoplifting": 20_401,
    "vehicle-crime": 20_303,
    "other-crime": 9_613,
    "drugs": 8_159,
    "possession-of-weapons": 3_636,
    "bicycle-theft": 2_820,
    "robbery": 2_743,
    "theft-from-the-person": 2_672,
}
WINDOW = {"start": "2021-12", "end": "2022-11"}


@pytest.fixture(scope="module")
def by_district(reference_store):
    root, _ = reference_store
    table = counts(root, ["district"], names=True, **WINDOW)
    return {r["district"]: (r["district_name"], r["count"]) for r in table.to_pylist()}


def test_every_row_of_the_33_files_is_read_and_imported(reference_store):
    _, results = reference_store
    assert len(results) == 33
    assert sum(r.read for r in results) == 578_766
    assert sum(r.imported for r in results) == 578_766
    assert sum(r.quarantined for r in results) == 0
    assert all(r.imported + r.quarantined == r.read for r in results)


def test_the_per_file_row_counts_match_the_published_listing(reference_store):
    _, results = reference_store
    rows = {r.months[0]: r.read for r in results}
    assert rows["2019-12"] == 14_748
    assert rows["2020-05"] == 21_515
    assert rows["2022-11"] == 14_684
    assert "2020-06" not in rows


def test_the_manifest_keeps_the_sha256_of_each_files_csv_content(reference_store):
    root, _ = reference_store
    by_month = {r["months"][0]: r for r in imports(root)}
    assert by_month["2019-12"]["content_sha256"].startswith("0d6603bcb49efa73")
    assert by_month["2022-11"]["content_sha256"].startswith("6182f72789c8cf1d")
    assert by_month["2022-11"]["read"] == 14_684


def test_category_totals_over_the_whole_set_are_the_reference_figures(reference_store):
    root, _ = reference_store
    table = counts(root, ["category"])
    assert dict(zip(*(c.to_pylist() for c in table.columns), strict=True)) == CATEGORY_TOTALS


def test_dec_2021_to_nov_2022_by_district_is_exact_for_all_14_districts(by_district):
    for code, (name, expected) in LANCASHIRE.items():
        assert by_district[code] == (name, expected), name


def test_7014_records_in_the_window_are_not_in_a_lancashire_district(by_district):
    outside = sum(n for code, (_, n) in by_district.items() if code not in LANCASHIRE)
    assert outside == 7_014
    assert by_district[None][1] == 6_479  # no location
    assert outside - by_district[None][1] == 535


def test_records_with_an_lsoa_elsewhere_are_counted_in_their_own_district(by_district):
    assert by_district["E08000010"] == ("Wigan", 57)
    assert by_district["E08000014"] == ("Sefton", 54)
    assert by_district["E08000001"] == ("Bolton", 48)
    assert by_district["E08000005"] == ("Rochdale", 24)
    assert by_district["E08000003"] == ("Manchester", 20)
    assert by_district["E08000002"] == ("Bury", 19)
    assert by_district["E07000031"] == ("South Lakeland", 18)


def test_nine_welsh_lsoas_get_their_district_from_the_census_file(reference_store):
    root, _ = reference_store
    table = counts(root, ["lsoa", "district"], **WINDOW).to_pandas()
    welsh = table[table.lsoa.fillna("").str.startswith("W01")]
    assert welsh.lsoa.nunique() == 9
    assert welsh.district.str.startswith("W06").all()


def test_the_window_holds_197064_published_and_195511_distinct_records(reference_store):
    root, _ = reference_store
    assert counts(root, [], **WINDOW).column("count").to_pylist() == [197_064]
    assert counts(root, [], distinct=True, **WINDOW).column("count").to_pylist() == [195_511]


def test_distinct_removes_6795_repeats_of_6715_crime_ids_from_the_whole_set(reference_store):
    root, results = reference_store
    assert counts(root, [], distinct=True).column("count").to_pylist() == [571_971]
    assert sum(r.distinct_rows for r in results) == 571_971
    repeated = counts(root, []).column("count")[0].as_py() - 571_971
    assert repeated == 6_795


def test_distinct_keeps_a_repeated_crime_in_its_first_month_with_its_latest_outcome(
    reference_store,
):
    import duckdb

    from cdrp.store.files import Store
    from cdrp.store.query import _Bound, _incidents_sql, incident_files

    root, _ = reference_store
    files = incident_files(root)
    con = duckdb.connect()
    raw = con.sql(
        f"SELECT record_id, min(month) AS first, arg_max(outcome, month) AS latest, count(*) AS n "
        f"FROM read_parquet({files!r}, hive_partitioning = false) WHERE record_id IS NOT NULL "
        f"GROUP BY record_id HAVING count(DISTINCT month) > 1 LIMIT 1"
    ).fetchone()
    record_id, first, latest, n = raw
    assert n > 1
    bound = _Bound()
    sql = _incidents_sql(Store(root), True, None, bound)
    where = f"record_id = {bound(record_id)}"
    kept = con.execute(f"SELECT month, outcome FROM ({sql}) WHERE {where}", bound.values).fetchall()
    assert kept == [(first, latest)]


def test_the_store_counts_repeated_crime_ids_in_the_import_summary(reference_store):
    _, results = reference_store
    # Identical rows within one month and IDs repeated in later months are both flagged.
    assert all(r.repeated_ids is not None for r in results)
    by_month = {r.months[0]: r for r in results}
    assert by_month["2020-03"].repeated_ids > by_month["2019-12"].repeated_ids


def test_a_merged_partnership_counts_its_three_districts(reference_store):
    root, _ = reference_store
    south = {"lancashire-south": ["E07000118", "E07000126", "E07000127"]}
    table = counts(root, ["partnership"], partnerships=south, **WINDOW).to_pylist()
    assert {"partnership": "lancashire-south", "count": 11_007 + 10_236 + 8_418} in table


def test_partnership_means_the_ons_csp_by_default_and_force_the_pfa(reference_store):
    root, _ = reference_store
    table = counts(root, ["partnership"], **WINDOW).to_pylist()
    assert {"partnership": "E22000153", "count": 11_007} in table  # Chorley CSP
    forces = {r["force"]: r["count"] for r in counts(root, ["force"], **WINDOW).to_pylist()}
    assert forces["E23000003"] == 197_064 - 7_014  # Lancashire PFA


def test_area_and_category_filters_narrow_the_counts(reference_store):
    root, _ = reference_store
    table = counts(
        root,
        ["month"],
        areas={"district": ["E07000118"]},
        categories=["burglary"],
        **WINDOW,
    )
    assert len(table) == 12
    total = counts(root, [], areas={"district": ["E07000118"]}, **WINDOW)
    assert total.column("count")[0].as_py() == 11_007
    assert sum(table.column("count").to_pylist()) < 11_007


def test_counts_by_ward_add_up_to_the_district(reference_store):
    root, _ = reference_store
    wards = counts(root, ["ward"], areas={"district": ["E07000118"]}, **WINDOW)
    assert sum(wards.column("count").to_pylist()) == 11_007
    assert all(w and w.startswith("E05") for w in wards.column("ward").to_pylist())


def test_coverage_flags_the_three_missing_months(reference_store):
    root, _ = reference_store
    table = coverage(root)
    assert sorted(table[table.missing].month) == ["2020-06", "2020-08", "2020-09"]
    assert len(table) == 36


def test_point_extracts_leave_out_records_without_coordinates(reference_store):
    root, _ = reference_store
    table = points(root, start="2022-11", end="2022-11", districts=["E07000118"])
    assert table.num_rows > 0
    assert table.column("lon").null_count == 0
    assert set(table.column("district_code").to_pylist()) == {"E07000118"}


def test_the_distinct_index_and_the_window_rule_give_identical_counts(reference_store, monkeypatch):
    from cdrp.store import query

    root, _ = reference_store
    by = ["district", "month", "category"]
    with_index = counts(root, by, distinct=True)
    monkeypatch.setattr(query, "files_digest", lambda state: "stale")
    by_window = counts(root, by, distinct=True)
    assert with_index.equals(by_window)
    assert sum(by_window.column("count").to_pylist()) == 571_971


def test_6715_crime_ids_are_flagged_as_listed_more_than_once(reference_store):
    from cdrp.store import repeated_ids

    root, _ = reference_store
    table = repeated_ids(root)
    assert table.num_rows == 6_715
    assert sum(table.column("rows").to_pylist()) == 13_510
    within_month = sum(1 for m in table.column("months").to_pylist() if m == 1)
    assert within_month == 4_150


def test_exact_duplicate_rows_are_kept_as_published(reference_store):
    import duckdb

    from cdrp.store.query import incident_files

    root, _ = reference_store
    files = incident_files(root)
    published = (
        "record_id, month, category, lon, lat, location_text, lsoa_code, outcome, reported_by, "
        "falls_within"
    )
    con = duckdb.connect()
    (duplicates,) = con.sql(
        f"SELECT count(*) - (SELECT count(*) FROM (SELECT DISTINCT {published} "
        f"FROM read_parquet({files!r}, hive_partitioning = false))) "
        f"FROM read_parquet({files!r}, hive_partitioning = false)"
    ).fetchone()
    assert duplicates == 77_555


def test_35505_records_have_no_location_and_one_more_has_only_coordinates(reference_store):
    root, _ = reference_store
    table = counts(root, ["lsoa", "district"]).to_pandas()
    no_lsoa = table[table.lsoa.isna()]
    assert no_lsoa["count"].sum() == 35_506
    # That one (2021-10, -6.89 54.46) lies in the Irish Sea: no district polygon holds it.
    assert no_lsoa.district.isna().all()
    assert points(root).num_rows == 578_766 - 35_505
