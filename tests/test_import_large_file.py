"""A very large police.uk file is streamed: importing 5 million rows keeps peak memory < 1.5 GB."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cdrp.store.schema import STREET_COLUMNS

ROWS = 5_000_000
TEMPLATE = (
    "{id},2022-01,Lancashire Constabulary,Lancashire Constabulary,-2.69{d:04d},53.65{d:04d},"
    "On or near Market Street,E01024951,Chorley 001A,{cat},{outcome},\n"
)

_CHILD = """
import json, resource, sys, time
from cdrp.store import import_police_uk
started = time.monotonic()
(result,) = import_police_uk(sys.argv[1], [sys.argv[2]])
print(json.dumps({
    "status": result.status, "read": result.read, "imported": result.imported,
    "quarantined": result.quarantined, "distinct": result.distinct_rows,
    "seconds": round(time.monotonic() - started, 1),
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def _generate(path) -> None:
    """5M rows: a third anti-social behaviour without IDs, one row in 100 000 bad."""
    with open(path, "w") as out:
        out.write(",".join(STREET_COLUMNS) + "\n")
        step = 250_000
        for start in range(0, ROWS, step):
            lines = []
            for i in range(start, start + step):
                if i % 3 == 0:
                    lines.append(
                        TEMPLATE.format(id="", d=i % 9999, cat="Anti-social behaviour", outcome="")
                    )
                elif i % 100_000 == 1:
                    lines.append(
                        TEMPLATE.format(
                            id=f"{i:064x}", d=i % 9999, cat="Jaywalking", outcome="Local resolution"
                        )
                    )
                else:
                    lines.append(
                        TEMPLATE.format(
                            id=f"{i:064x}", d=i % 9999, cat="Burglary", outcome="Local resolution"
                        )
                    )
            out.write("".join(lines))


@pytest.mark.slow
def test_five_million_rows_import_with_peak_memory_below_1_5_gb(fresh_store, tmp_path):
    path = tmp_path / "2022-01-lancashire-street.csv"
    _generate(path)
    assert path.stat().st_size > 900_000_000
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, fresh_store, str(path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(result)
    assert result["status"] == "imported"
    assert result["read"] == ROWS
    assert result["quarantined"] == sum(1 for i in range(1, ROWS, 100_000) if i % 3)
    assert result["imported"] + result["quarantined"] == ROWS
    assert result["peak_rss_mb"] < 1500
