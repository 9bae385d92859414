"""Benchmark: the tactical assessment (tasking pack) for Lancashire South, 2022-11.

Data to the structured object: store queries (LSOA months, ward × category × 36 months,
burglary points), geography, emerging hot-spots (Gi* × 6 months), exceedances, repeats, Knox
(99 permutations) and the GeoJSON layers; target < 5 s. The store is built first in a
temporary folder (geography and every bundled police.uk month; not timed). Cold is the first
build in the process, warm a second one. Open actions are not read (no database).

Prints one JSON object. Run: ``.venv/bin/python bench/tactical.py``.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
DEMO = ROOT / "data" / "demo"
SOUTH = {"E07000118": "Chorley", "E07000126": "South Ribble", "E07000127": "West Lancashire"}


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="cdrp-bench-tactical-"))
    os.environ["CDRP_DATA_DIR"] = str(work / "data")
    os.environ["CDRP_INCIDENT_STORE"] = str(work / "store")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdrp.settings")
    import django

    django.setup()
    from cdrp.intelligence.tactical import tactical_assessment
    from cdrp.store import Store, build_geography, import_police_uk

    started = time.perf_counter()
    root = str(work / "store")
    build_geography(root, DEMO)
    import_police_uk(root, [DEMO / "police-uk-street-lancashire"])
    setup = time.perf_counter() - started
    store = Store(root)
    south = SimpleNamespace(
        slug="lancashire-south",
        name="Lancashire South",
        districts=SimpleNamespace(
            all=lambda: [SimpleNamespace(code=c, name=n) for c, n in SOUTH.items()]
        ),
    )

    def one():
        t0 = time.perf_counter()
        pack = tactical_assessment(south, "2022-11", store=store, actions=[])
        return pack, round(time.perf_counter() - t0, 3)

    _, cold = one()
    pack, warm = one()
    out = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "setup_seconds_not_timed": round(setup, 1),
        "lancashire_south_2022_11": {
            "target_seconds": 5,
            "cold_seconds": cold,
            "warm_seconds": warm,
            "emerging_hotspots": len(pack["emerging"]),
            "exceedances": len(pack["exceedances"]),
            "repeat_share_top": pack["repeats"].get("share_top"),
            "knox_ran": pack["near_repeat"]["ran"],
            "knox_events": pack["near_repeat"].get("n_events"),
            "lsoas_on_map": len(pack["map"]["lsoas"]["features"]),
            "document_bytes": len(json.dumps(pack)),
        },
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
