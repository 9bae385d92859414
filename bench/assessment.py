"""Benchmark: building and rendering the strategic assessment on the bundled Lancashire data.

(a) Lancashire South (Chorley, South Ribble, West Lancashire), Dec-2021 … Nov-2022: data to the
    structured object (store queries, geography, families, every section); target < 3 s.
(b) All 14 Lancashire districts, one assessment each, same period; target < 30 s in total.
    Also the county as one partnership of 14 districts.
(c) The PDF of (a) (Altair charts to SVG with vl-convert, maps, WeasyPrint); target < 15 s.

Each build reports its time in DuckDB (the store queries) and in Python (pandas, statistics,
assembly). The store is built first in a temporary folder (geography and every bundled
police.uk month; not timed). Cold is the first build in the process (DuckDB connection, Parquet
footers, district features read from the ONS files); warm is a second build.

Prints one JSON object. Run: ``.venv/bin/python bench/assessment.py``.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
DEMO = ROOT / "data" / "demo"
SOUTH = ["E07000118", "E07000126", "E07000127"]
LANCASHIRE = [
    "E06000008",
    "E06000009",
    "E07000117",
    "E07000118",
    "E07000119",
    "E07000120",
    "E07000121",
    "E07000122",
    "E07000123",
    "E07000124",
    "E07000125",
    "E07000126",
    "E07000127",
    "E07000128",
]


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="cdrp-bench-assessment-"))
    os.environ["CDRP_DATA_DIR"] = str(work / "data")
    os.environ["CDRP_INCIDENT_STORE"] = str(work / "store")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdrp.settings")
    import django

    django.setup()
    from cdrp.intelligence.assessments import Timings, build
    from cdrp.intelligence.documents import render_pdf
    from cdrp.store import Store, build_geography, import_police_uk

    started = time.perf_counter()
    root = str(work / "store")
    build_geography(root, DEMO)
    import_police_uk(root, [DEMO / "police-uk-street-lancashire"])
    setup = time.perf_counter() - started
    store = Store(root)

    def one(districts):
        timings = Timings()
        record = build(districts=districts, end="2022-11", store=store, save=False, timings=timings)
        return record, timings.as_dict()

    south_cold_record, south_cold = one(SOUTH)
    south_record, south_warm = one(SOUTH)
    assert south_record.document["totals"]["E07000118"] == 11007

    each = []
    t0 = time.perf_counter()
    duck = 0.0
    for code in LANCASHIRE:
        _, timing = one([code])
        duck += timing["duckdb_seconds"]
        each.append({"district": code, **timing})
    all_seconds = time.perf_counter() - t0
    _, county = one(LANCASHIRE)

    t0 = time.perf_counter()
    pdf = render_pdf(south_record)
    pdf_cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    render_pdf(south_record)
    pdf_warm = time.perf_counter() - t0

    out = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "setup_seconds_not_timed": round(setup, 1),
        "lancashire_south": {
            "target_seconds": 3,
            "cold": south_cold,
            "warm": south_warm,
            "document_bytes": len(json.dumps(south_record.document)),
        },
        "all_14_districts": {
            "target_seconds": 30,
            "seconds": round(all_seconds, 3),
            "duckdb_seconds": round(duck, 3),
            "python_seconds": round(all_seconds - duck, 3),
            "duckdb_share": round(duck / all_seconds, 3),
            "slowest": max(each, key=lambda e: e["seconds"]),
        },
        "county_as_one_partnership_of_14": county,
        "pdf": {
            "target_seconds": 15,
            "cold_seconds": round(pdf_cold, 3),
            "warm_seconds": round(pdf_warm, 3),
            "duckdb_share": 0.0,
            "pages_bytes": len(pdf),
        },
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
