"""Moved: performance management is the `cdrp.performance` package (store, figures, family,
status, review, report, exports, services).

Only `cdrp.intelligence.assessments` still imports the plan review from here; this alias goes
when it imports `cdrp.performance.review` itself (it is outside this change's files).
"""

from __future__ import annotations

from cdrp.performance.review import plan_review, plan_review_record

__all__ = ["plan_review", "plan_review_record"]
