"""The store reads only the files a query can count: the manifest's source, month and districts
decide which files are left unread, and the counts are exactly those of reading everything."""

import pytest

from cdrp.store import Store, counts
from cdrp.store import query as store_query


@pytest.fixture
def scanned(monkeypatch):
    """The incident files each query reads (the largest list handed to the scanner)."""
    seen: list[int] = []
    real = store_query._scan

    def scan(store, relatives, bound, union=False):
        if union:
            seen.append(len(relatives))
        return real(store, relatives, bound, union)

    monkeypatch.setattr(store_query, "_scan", scan)
    return seen


def _everything(root):
    return counts(root, ["month", "district", "category"], output="pandas")


def test_a_month_range_reads_only_its_months_and_counts_the_same(reference_store, scanned):
    root = reference_store[0]
    entries = [e for e in Store(root).state()["files"] if e["table"] == ""]
    months = sorted({e["month"] for e in entries})
    first, last = months[2], months[4]
    found = counts(root, ["month", "district", "category"], start=first, end=last, output="pandas")
    assert scanned[-1] == sum(first <= e["month"] <= last for e in entries) < len(entries)
    every = _everything(root)
    expected = every[(every.month >= first) & (every.month <= last)].reset_index(drop=True)
    assert found.reset_index(drop=True).equals(expected)


def test_the_manifest_lists_each_files_districts_and_a_district_query_reads_only_those(
    reference_store, scanned
):
    root = reference_store[0]
    entries = [e for e in Store(root).state()["files"] if e["table"] == ""]
    assert all(e["districts"] for e in entries)
    every = _everything(root)
    district = every.district.dropna().iloc[0]
    holding = [e for e in entries if district in e["districts"]]
    found = counts(root, ["month", "category"], areas={"district": [district]}, output="pandas")
    assert scanned[-1] == len(holding)
    mine = every[every.district == district].groupby(["month", "category"])["count"].sum()
    assert dict(zip(zip(found.month, found.category), found["count"])) == mine.to_dict()
    # A district no file holds: nothing read, nothing counted (as reading every file would say).
    nowhere = "E07999999"
    assert not any(nowhere in e["districts"] for e in entries)
    assert counts(root, ["month"], areas={"district": [nowhere]}, output="pandas").empty
    assert every[every.district == nowhere].empty


def test_a_force_or_partnership_filter_prunes_by_its_districts(reference_store):
    root = reference_store[0]
    every = counts(root, ["force", "partnership"], output="pandas").dropna()
    force, partnership = every.force.iloc[0], every.partnership.iloc[0]
    by_force = counts(root, ["district"], areas={"force": [force]}, output="pandas")
    assert by_force["count"].sum() == every[every.force == force]["count"].sum()
    mapped = counts(
        root,
        ["partnership"],
        areas={"partnership": ["ours"]},
        partnerships={"ours": list(by_force.district.dropna()[:2])},
        output="pandas",
    )
    assert mapped["count"].sum() == by_force.set_index("district")["count"].iloc[:2].sum()
    assert counts(root, [], areas={"partnership": [partnership]}, output="pandas")[
        "count"
    ].sum() == (every[every.partnership == partnership]["count"].sum())


def test_a_repair_lists_the_districts_of_files_imported_before_the_manifest_kept_them(
    fresh_store,
):
    from cdrp.store import check_store, import_police_uk
    from conftest import DEMO_DATA

    import_police_uk(fresh_store, [DEMO_DATA / "police-uk-street-lancashire" / "2022-01"])
    store = Store(fresh_store)
    state = store.state()
    listed = {e["path"]: e["districts"] for e in state["files"] if e["table"] == ""}
    for entry in state["files"]:
        entry.pop("districts", None)
    with store.lock():
        store.commit(state)  # as a store written before the list was kept
    before = counts(fresh_store, ["district"], areas={"district": ["E07000118"]}).to_pylist()
    assert check_store(fresh_store).districts_listed == 0  # a check alone changes nothing
    report = check_store(fresh_store, repair=True)
    assert report.ok and report.districts_listed == len(listed)
    after = Store(fresh_store).state()
    assert after["version"] == state["version"] + 2  # the stripped state, then the repair
    assert {e["path"]: e["districts"] for e in after["files"] if e["table"] == ""} == listed
    assert counts(fresh_store, ["district"], areas={"district": ["E07000118"]}).to_pylist() == (
        before
    )
    assert check_store(fresh_store, repair=True).districts_listed == 0  # nothing left to list
