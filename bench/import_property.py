"""The import property test at scale: many generated import sequences, the statuses they reached.

The suite runs a dozen sequences of ``tests/test_import_property.py``; this runs many more (the
same generator and the same checks: the store equals a DuckDB recount of the accepted files,
nothing lost without a confirmed replacement, no orphans). Prints JSON: sequences, imports,
seconds, and how many imports ended in each status. ``python bench/import_property.py [N]``.
"""

from __future__ import annotations

import collections
import json
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

import test_import_property as prop  # noqa: E402


def main(examples: int = 300) -> None:
    statuses: collections.Counter[str] = collections.Counter()
    sequences = 0
    real = prop.import_police_uk

    def counting(*args, **kwargs):
        results = real(*args, **kwargs)
        statuses.update(r.status for r in results)
        return results

    prop.import_police_uk = counting

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(sequence=prop.steps())
    def run(sequence):
        nonlocal sequences
        sequences += 1
        prop._run(sequence)

    started = time.perf_counter()
    try:
        run()
    finally:
        prop.import_police_uk = real
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "sequences": sequences,
                "imports": sum(statuses.values()),
                "statuses": dict(statuses.most_common()),
                "seconds": round(seconds, 1),
                "ms_per_import": round(1000 * seconds / max(1, sum(statuses.values())), 1),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
