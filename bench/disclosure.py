"""Benchmark: protecting a month of public counts (cdrp.analysis.disclosure).

(a) One month like the demo's: 16 areas × 14 categories with real-sized counts, and a tail of 25
    areas far away holding one to four records each, with a second layer (distinct records).
(b) One month of a national store: 330 districts × 14 categories, no tail.
(c) 36 such demo-like months through `PublicationGrid.build`, as the counts API does once per
    state of the store.

Each case reports the seconds, the cells withheld (primary and all), and checks that every
primary cell's range is at least the threshold wide by the module's own audit. Prints one JSON
object. Run: ``.venv/bin/python bench/disclosure.py``.
"""

from __future__ import annotations

import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cdrp.analysis.disclosure import PublicationGrid, protect  # noqa: E402

THRESHOLD = 5
CATEGORY_MEANS = np.array([300, 3, 40, 90, 12, 25, 50, 6, 45, 4, 35, 5, 30, 380])


def month(rng: np.random.Generator, areas: int, tail: int) -> np.ndarray:
    scale = rng.uniform(0.3, 1.6, size=(areas, 1))
    main = rng.poisson(CATEGORY_MEANS[None, :] * scale)
    far = np.zeros((tail, len(CATEGORY_MEANS)), dtype=int)
    for row in far:
        for _ in range(rng.integers(1, 5)):
            row[rng.choice(len(CATEGORY_MEANS), p=CATEGORY_MEANS / CATEGORY_MEANS.sum())] += 1
    return np.vstack([main, far])


def case(name: str, table: np.ndarray, layer: np.ndarray | None) -> dict:
    started = time.perf_counter()
    result = protect(table, THRESHOLD, layers=[] if layer is None else [layer])
    seconds = time.perf_counter() - started
    ranges = result.intervals()
    narrow = [
        cell
        for cell, (lo, hi) in ranges.items()
        if result.primary[cell] and hi is not None and hi - lo < THRESHOLD
    ]
    return {
        "case": name,
        "cells": int(table.size),
        "seconds": round(seconds, 3),
        "primary": int(result.primary.sum()),
        "withheld": int(result.suppressed.sum()),
        "every_primary_protected": not narrow,
    }


if __name__ == "__main__":
    rng = np.random.default_rng(2026)
    demo = month(rng, 16, 25)
    distinct = np.array([[rng.integers(max(v - 2, 0), v + 1) for v in row] for row in demo])
    national = month(rng, 330, 0)
    started = time.perf_counter()
    cells = []
    for m in range(36):
        table = month(rng, 16, 25)
        for (r, c), v in np.ndenumerate(table):
            if v:
                cells.append((f"m{m:02d}", f"area-{r:03d}", f"cat-{c:02d}", (int(v),)))
    grid = PublicationGrid.build(cells, THRESHOLD)
    grid_seconds = time.perf_counter() - started
    out = [
        case("a demo-like month, two layers", demo, distinct),
        case("a national month", national, None),
        {
            "case": "36 demo-like months (PublicationGrid.build)",
            "seconds": round(grid_seconds, 3),
            "withheld": int(sum(t.suppressed.sum() for _, _, t, _ in grid.tables.values())),
        },
    ]
    print(
        json.dumps(
            {"benchmark": "disclosure", "python": platform.python_version(), "results": out},
            indent=2,
        )
    )
