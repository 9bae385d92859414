"""Benchmark: splitting a fund by formula with exact arithmetic (cdrp.analysis.allocation).

(a) 14 recipients (Lancashire's districts) with real-sized populations and crime counts,
    half by population and half by crime, £1,250,000.07; repeated to get a per-split time.
(b) 10,000 recipients (every LSOA of a large county, say) with random inputs: the exact
    Fractions grow, so this is the case that would show a slowdown.

Each case checks that the pence add to the fund exactly. Prints one JSON object.
Run: ``.venv/bin/python bench/allocation.py``.
"""

from __future__ import annotations

import json
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cdrp.analysis.allocation import split  # noqa: E402

WEIGHTS = {"population": "0.5", "crime": "0.5"}
TOTAL = 1_250_000_07


def case(name: str, inputs: dict, repeats: int) -> dict:
    started = time.perf_counter()
    for _ in range(repeats):
        result = split(TOTAL, inputs, WEIGHTS)
    seconds = (time.perf_counter() - started) / repeats
    assert sum(result.amounts.values()) == TOTAL
    return {
        "case": name,
        "recipients": len(inputs),
        "seconds_per_split": round(seconds, 6),
        "pence_add_to_the_fund": sum(result.amounts.values()) == TOTAL,
    }


if __name__ == "__main__":
    rng = random.Random(2026)
    districts = {
        f"district-{i:02d}": {
            "population": rng.randint(60_000, 160_000),
            "crime": rng.randint(2_000, 25_000),
        }
        for i in range(14)
    }
    lsoas = {
        f"lsoa-{i:05d}": {"population": rng.randint(1_000, 3_000), "crime": rng.randint(0, 400)}
        for i in range(10_000)
    }
    out = [
        case("14 districts", districts, repeats=200),
        case("10,000 small areas", lsoas, repeats=3),
    ]
    print(
        json.dumps(
            {"benchmark": "allocation", "python": platform.python_version(), "results": out},
            indent=2,
        )
    )
