"""The partnership plan as a document: one template for the page and the PDF (WeasyPrint)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from cdrp.core import documents as stored
from cdrp.plans.models import Plan
from cdrp.plans.services import snapshot
from cdrp.store.schema import CATEGORY_NAMES

__all__ = ["context", "plan_pdf", "render_html", "render_pdf"]


def context(plan: Plan) -> dict:
    snap = snapshot(plan)
    for p in snap["priorities"]:
        p["category_names"] = [CATEGORY_NAMES.get(c, c) for c in p["categories"]]
        for o in p["objectives"]:
            for i in o["indicators"]:
                i["category_names"] = [CATEGORY_NAMES.get(c, c).lower() for c in i["categories"]]
    return {
        "plan": plan,
        "doc": snap,
        "previous": plan.revises,
        "history": Plan.objects.filter(partnership=plan.partnership)
        .exclude(pk=plan.pk)
        .exclude(status=Plan.Status.DRAFT),
    }


def render_html(plan: Plan) -> str:
    ctx = context(plan)
    ctx["partnership"] = plan.partnership
    return render_to_string("plans/plan/print.html", ctx)


def render_pdf(plan: Plan) -> bytes:
    """The plan as a PDF a strategy group or the public could receive."""
    from weasyprint import HTML  # a second to import: only when a PDF is asked for

    return HTML(string=render_html(plan), base_url=str(settings.BASE_DIR)).write_pdf()


def plan_pdf(plan: Plan):
    """The plan's PDF, rendered once per version of what it shows: the plan's snapshot (its
    priorities, objectives, indicators and targets), its status and the revisions it lists."""
    history = context(plan)["history"]
    version = [
        plan.version,
        plan.updated_at,
        plan.status,
        plan.partnership.name,
        snapshot(plan),
        [(p.pk, p.revision, p.status, p.title) for p in history],
    ]
    return stored.cached("plan-pdf", plan.pk, version, lambda: render_pdf(plan), "application/pdf")
