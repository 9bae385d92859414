"""Benchmark: our police.uk import against DuckDB's own CSV → Parquet copy (the floor).

Both read the same 33 bundled gz files in one run. Ours parses, validates, quarantines, assigns
districts and wards, writes partitioned Parquet and commits the store state; the floor is
``COPY (SELECT * FROM read_csv([...], all_varchar)) TO … (FORMAT parquet)`` with no checks.
Targets: ours ≤ 2.0 × floor; the warm counts query (district × month × category, all months)
< 150 ms. Prints JSON.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from cdrp.store import build_geography, counts, import_police_uk  # noqa: E402

DATA = ROOT / "data" / "demo"
FILES = sorted((DATA / "police-uk-street-lancashire").glob("*/*.csv.gz"))


def floor(target: Path) -> float:
    con = duckdb.connect()
    files = ", ".join(f"'{f}'" for f in FILES)
    started = time.perf_counter()
    con.execute(
        f"COPY (SELECT * FROM read_csv([{files}], all_varchar = true, header = true)) "
        f"TO '{target}' (FORMAT parquet, COMPRESSION zstd)"
    )
    return time.perf_counter() - started


def ours(root: Path) -> tuple[float, int]:
    started = time.perf_counter()
    results = import_police_uk(str(root), FILES)
    seconds = time.perf_counter() - started
    assert all(r.status == "imported" for r in results), [r.message for r in results]
    return seconds, sum(r.read for r in results)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        root = tmp / "store"
        build_geography(str(root), DATA)  # reference data, built once before any import
        floor(tmp / "warmup.parquet")  # both sides read the files once from a warm page cache
        floor_s = floor(tmp / "floor.parquet")
        ours_s, rows = ours(root)
        by = ["district", "month", "category"]
        counts(str(root), by)  # warm: connection open, files in the page cache
        times = []
        for _ in range(10):
            started = time.perf_counter()
            table = counts(str(root), by)
            times.append(time.perf_counter() - started)
        started = time.perf_counter()
        counts(str(root), by, distinct=True)
        distinct_ms = (time.perf_counter() - started) * 1000
    print(
        json.dumps(
            {
                "files": len(FILES),
                "rows": rows,
                "floor_duckdb_copy_s": round(floor_s, 3),
                "ours_import_s": round(ours_s, 3),
                "ratio": round(ours_s / floor_s, 2),
                "ratio_target": 2.0,
                "ours_rows_per_s": round(rows / ours_s),
                "floor_rows_per_s": round(rows / floor_s),
                "counts_query": "district x month x category, all months",
                "counts_groups": table.num_rows,
                "counts_warm_ms_median": round(statistics.median(times) * 1000, 1),
                "counts_warm_ms_max": round(max(times) * 1000, 1),
                "counts_target_ms": 150,
                "counts_distinct_ms": round(distinct_ms, 1),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
