"""A store on a non-local filesystem works unchanged: everything goes through pyarrow's filesystem.

pyarrow's in-memory mock filesystem (``mock://``) stands in for object storage (``s3://…``):
writing, committing state, querying with DuckDB (through pyarrow datasets), re-import checks.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from cdrp.store import (
    Store,
    build_geography,
    counts,
    import_police_uk,
    quarantine,
    repeated_ids,
    store_state,
)

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo"
STREET = DEMO / "police-uk-street-lancashire"


def test_a_store_on_an_object_store_style_filesystem_imports_and_counts(tmp_path):
    store = Store("mock:///incidents")
    assert not store.local
    build_geography(store, DEMO)
    source = STREET / "2022-01" / "2022-01-lancashire-street.csv.gz"
    lines = gzip.decompress(source.read_bytes()).decode().splitlines()[:3]
    lines[1] = lines[1].replace("2022-01", "2022-02")  # disagrees with the file name: quarantined
    lines[2] = lines[2].replace("2022-01", "2022-03")
    bad = tmp_path / "2022-03-lancashire-street.csv"
    bad.write_text("\n".join(lines) + "\n")
    results = import_police_uk(store, [STREET / "2022-01", STREET / "2022-02", bad])
    assert [r.status for r in results] == ["imported"] * 3
    assert results[2].quarantined == 1
    assert counts(store, []).column("count").to_pylist() == [16_268 + 14_971 + 1]
    chorley = counts(store, ["district"], areas={"district": ["E07000118"]}).to_pylist()
    assert chorley[0]["count"] > 1_500
    assert counts(store, [], distinct=True).column("count")[0].as_py() <= 16_268 + 14_971 + 1
    assert repeated_ids(store).num_rows >= 0
    assert quarantine(store).column("field").to_pylist() == ["Month"]
    again = import_police_uk(store, [STREET / "2022-01"])
    assert again[0].status == "already imported"
    assert store.state()["version"] > 1
    assert not (tmp_path / "incidents").exists()
    assert store_state("mock:///elsewhere")["ok"]
