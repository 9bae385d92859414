"""Benchmark: performance against the plan for the Lancashire South demo plan.

Times (1) the status of every indicator of the demo plan as of 2022-11 (one store query for
all store indicators, the family of the rate indicator, projections, intervals and the
reasoning), cold (first in the process) and warm; (2) the quarterly report for
July to September 2022 as a PDF (statuses plus WeasyPrint); and (3) the key its stored PDF
is found by: before, the report computed and hashed; after, `report_version` (the store's
version and the plan's records' versions). The store is built first in a
temporary folder (geography and every bundled police.uk month), then a temporary SQLite
database with the demo registry and the demo plan (not timed).

Prints one JSON object. Run: ``.venv/bin/python bench/performance.py``.
"""

from __future__ import annotations

import io
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


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="cdrp-bench-performance-"))
    os.environ["CDRP_DATA_DIR"] = str(work / "data")
    os.environ["CDRP_INCIDENT_STORE"] = str(work / "store")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdrp.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from cdrp.accounts.audit import acting_as
    from cdrp.store import Store, build_geography, import_police_uk

    started = time.perf_counter()
    root = str(work / "store")
    build_geography(root, DEMO)
    import_police_uk(root, [DEMO / "police-uk-street-lancashire"])
    call_command("migrate", verbosity=0)
    from cdrp.meetings import demo as meetings_demo
    from cdrp.partnerships import demo as registry_demo
    from cdrp.performance import report as perf_report
    from cdrp.performance import status as perf_status
    from cdrp.plans import demo as plans_demo
    from cdrp.plans.models import Plan

    sink = io.StringIO()
    with acting_as(None, "bench"):
        registry_demo.load(sink, {})
        meetings_demo.load(sink, {})
        plans_demo.load(sink, {})
    setup = time.perf_counter() - started
    plan = Plan.objects.filter(partnership__slug="lancashire-south").order_by("-revision").first()
    store = Store(root)

    def statuses():
        t0 = time.perf_counter()
        rows = perf_status.plan_performance(plan, store, "2022-11")
        return rows, round(time.perf_counter() - t0, 3)

    _, cold = statuses()
    rows, warm = statuses()

    def report():
        t0 = time.perf_counter()
        data = perf_report.quarterly_report(plan, store, "2022-Q3")
        t1 = time.perf_counter()
        pdf = perf_report.render_report_pdf(data)
        t2 = time.perf_counter()
        return pdf, round(t1 - t0, 3), round(t2 - t1, 3)

    pdf_cold = report()
    pdf, data_seconds, render_seconds = report()

    from cdrp.core.documents import fingerprint

    def key_by_content():  # before: the whole report computed, then hashed
        t0 = time.perf_counter()
        fingerprint(
            "performance-report-pdf",
            "1:2022-Q3",
            perf_report.quarterly_report(plan, store, "2022-Q3"),
        )
        return time.perf_counter() - t0

    def key_by_version():  # after: the store's version and the records' versions
        t0 = time.perf_counter()
        fingerprint(
            "performance-report-pdf",
            "1:2022-Q3",
            *perf_report.report_version(plan, store, "2022-Q3"),
        )
        return time.perf_counter() - t0

    def best(fn, runs=5):
        return round(min(fn() for _ in range(runs)), 4)

    out = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "setup_seconds_not_timed": round(setup, 1),
        "lancashire_south_statuses_2022_11": {
            "indicators": len(rows),
            "cold_seconds": cold,
            "warm_seconds": warm,
            "statuses": {c["status"]: c["count"] for c in perf_status.status_counts(rows)},
        },
        "quarterly_report_pdf_2022_q3": {
            "cold_seconds": round(pdf_cold[1] + pdf_cold[2], 3),
            "warm_statuses_seconds": data_seconds,
            "warm_render_seconds": render_seconds,
            "pdf_bytes": len(pdf),
        },
        "quarterly_report_cache_key_seconds_best_of_5": {
            "by_content_before": best(key_by_content),
            "by_version_after": best(key_by_version),
        },
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
