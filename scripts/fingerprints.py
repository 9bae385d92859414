"""SHA-256 of what the demo computes, to show a refactor changed no result.

    CDRP_DATA_DIR=/path/to/demo-data python scripts/fingerprints.py [--partnership SLUG] [--json]

Run against a database built by ``cdrp demo --no-serve`` (same CDRP_DATA_DIR), before and after a
change: each line must be the same. It recomputes, with the code as it is now, and saves nothing:

- strategic: the strategic assessment document, rebuilt with the parameters of the partnership's
  latest stored strategic assessment (``build(..., save=False)``), without its ``built_at``;
- tactical: the tactical pack for the latest month in the store (no reader);
- statuses: the status of every indicator of the plan performance is measured against, as of the
  last month held (``status_records`` of ``plan_performance``, as the performance page shows).

JSON is dumped in the documents' own key order (no sorting), so a change of key order shows too.
The partnership defaults to the one holding a partnership plan (the demo loads one).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from typing import Any


def _sha(value: Any) -> str:
    text = json.dumps(value, allow_nan=False, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def fingerprints(slug: str | None = None) -> dict[str, str]:
    """The three hashes for the partnership `slug` (default: the one with a plan)."""
    from cdrp.intelligence.assessments import build
    from cdrp.intelligence.models import Assessment
    from cdrp.intelligence.tactical import tactical_assessment
    from cdrp.partnerships.models import Partnership
    from cdrp.performance.exports import status_records
    from cdrp.performance.figures import performance_plan
    from cdrp.performance.status import plan_performance
    from cdrp.performance.store import default_store, last_month
    from cdrp.plans.models import Plan

    if slug:
        partnership = Partnership.objects.get(slug=slug)
    else:
        plan = Plan.objects.order_by("pk").first()
        if plan is None:
            raise SystemExit("no partnership plan in this database: run `cdrp demo --no-serve`")
        partnership = plan.partnership
    out: dict[str, str] = {}

    stored = (
        Assessment.objects.filter(partnership=partnership, kind=Assessment.Kind.STRATEGIC)
        .order_by("-period_end", "-built_at")
        .first()
    )
    if stored is None:
        raise SystemExit(f"{partnership.slug}: no strategic assessment stored")
    record = build(partnership=partnership, end=stored.period_end, months=stored.months, save=False)
    document = dict(record.document)
    document.pop("built_at", None)
    out["strategic"] = _sha(document)

    out["tactical"] = _sha(tactical_assessment(partnership))

    store = default_store()
    plan, _ = performance_plan(partnership)
    as_of = last_month(partnership, store)
    rows = plan_performance(plan, store, as_of) if plan and as_of else []
    out["statuses"] = _sha(status_records(rows))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partnership", help="partnership slug (default: the one with a plan)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdrp.settings")
    import django

    django.setup()
    hashes = fingerprints(args.partnership)
    if args.json:
        print(json.dumps(hashes, indent=2))
    else:
        for name, sha in hashes.items():
            print(f"{name:10} {sha}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
