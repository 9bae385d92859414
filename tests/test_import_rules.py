"""Import rules: idempotent by content, a newer vintage replaces its force-month, imports never
interleave."""

from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path

import pytest

from cdrp.store import Store, StoreLocked, counts, import_police_uk, imports
from cdrp.store.ingest import expand_paths, import_inputs

ROOT = Path(__file__).resolve().parent.parent
STREET = ROOT / "data" / "demo" / "police-uk-street-lancashire"


def test_reimporting_the_same_files_reports_zero_new_rows(reference_store):
    root, _ = reference_store
    version = Store(root).state()["version"]
    results = import_police_uk(root, [STREET / "2022-01", STREET / "2022-02"])
    assert [r.status for r in results] == ["already imported"] * 2
    assert all("0 new rows" in r.message and r.imported == 0 for r in results)
    assert Store(root).state()["version"] == version


def _modified_copy(tmp_path: Path, month: str = "2022-01") -> Path:
    """The month's file with "Status update unavailable" outcomes updated: a later vintage."""
    import gzip

    source = STREET / month / f"{month}-lancashire-street.csv.gz"
    text = gzip.decompress(source.read_bytes()).decode()
    changed = text.replace("Status update unavailable", "Local resolution")
    assert changed != text
    target = tmp_path / "later" / f"{month}-lancashire-street.csv"
    target.parent.mkdir(parents=True)
    target.write_text(changed)
    return target


def test_a_modified_copy_of_one_month_replaces_only_that_month(fresh_store, tmp_path):
    root = fresh_store
    import_police_uk(root, [STREET / "2022-01", STREET / "2022-02"])
    before = counts(root, ["month"]).to_pylist()
    february = [e for e in Store(root).state()["files"] if e["month"] == "2022-02"]

    (result,) = import_police_uk(root, [_modified_copy(tmp_path)])
    assert result.status == "imported"
    assert result.replaced == ["lancashire/2022-01"]
    assert counts(root, ["month"]).to_pylist() == before  # same rows, newer outcomes
    entries = Store(root).state()["files"]
    assert [e for e in entries if e["month"] == "2022-02"] == february
    (january,) = [e for e in entries if e["month"] == "2022-01"]
    assert january["ingest_id"] == result.ingest_id
    partition = Path(root) / "source=police-uk" / "force=lancashire" / "month=2022-01"
    assert [p.name for p in partition.iterdir()] == [f"part-{result.ingest_id}.parquet"]


def _import_in_process(root: str, path: str, queue) -> None:
    results = import_police_uk(root, [path])
    queue.put((results[0].status, results[0].ingest_id, results[0].imported))


def test_two_imports_of_one_force_month_at_once_never_mix_the_partition(fresh_store, tmp_path):
    root = fresh_store
    original = tmp_path / "first" / "2022-01-lancashire-street.csv.gz"
    original.parent.mkdir()
    shutil.copy(STREET / "2022-01" / "2022-01-lancashire-street.csv.gz", original)
    later = _modified_copy(tmp_path)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [
        context.Process(target=_import_in_process, args=(root, str(p), queue))
        for p in (original, later)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    outcomes = sorted(queue.get(timeout=5) for _ in workers)
    assert [o[0] for o in outcomes] == ["imported", "imported"]
    (entry,) = [e for e in Store(root).state()["files"] if e["month"] == "2022-01"]
    partition = Path(root) / "source=police-uk" / "force=lancashire" / "month=2022-01"
    assert [p.name for p in partition.iterdir()] == [f"part-{entry['ingest_id']}.parquet"]
    assert counts(root, []).column("count").to_pylist() == [16_268]
    # The one that committed last replaced the other's partition whole.
    manifest = imports(root)
    assert manifest[0]["replaced"] == ["lancashire/2022-01"]


def test_an_import_that_cannot_get_the_lock_refuses_cleanly(fresh_store):
    root = fresh_store
    store = Store(root)
    inputs = expand_paths([STREET / "2022-01"])
    with store.lock():
        context = multiprocessing.get_context("fork")
        queue = context.Queue()

        def attempt():
            try:
                import_inputs(root, inputs, lock_timeout=0.3)
                queue.put("imported")
            except StoreLocked as exc:
                queue.put(str(exc))

        worker = context.Process(target=attempt)
        worker.start()
        worker.join(30)
        message = queue.get(timeout=5)
    assert "another import has held the store lock" in message
    assert store.state()["files"] == []


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
def test_plain_and_gzipped_copies_of_one_file_are_the_same_content(fresh_store, tmp_path, suffix):
    import gzip

    data = gzip.decompress((STREET / "2022-02" / "2022-02-lancashire-street.csv.gz").read_bytes())
    import_police_uk(fresh_store, [STREET / "2022-02"])
    copy = tmp_path / f"2022-02-lancashire-street{suffix}"
    copy.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
    (result,) = import_police_uk(fresh_store, [copy])
    assert result.status == "already imported"


def test_a_query_racing_a_replacing_import_reads_again(fresh_store, tmp_path, monkeypatch):
    root = fresh_store
    import_police_uk(root, [STREET / "2022-01"])
    stale = Store(root).state()
    import_police_uk(root, [_modified_copy(tmp_path)])  # deletes the file `stale` names
    real = Store.state
    calls = []

    def state_once_stale(self):
        calls.append(1)
        return stale if len(calls) == 1 else real(self)

    monkeypatch.setattr(Store, "state", state_once_stale)
    assert counts(root, []).column("count").to_pylist() == [16_268]
    assert len(calls) >= 2
