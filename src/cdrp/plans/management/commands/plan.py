"""cdrp plan show|seed|pdf|changes: the partnership plan from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cdrp.analysis.errors import RefusedInput
from cdrp.intelligence.models import Assessment
from cdrp.partnerships.models import Partnership
from cdrp.plans import documents, services
from cdrp.plans.models import Plan


class Command(BaseCommand):
    help = "Show, draft, print or compare revisions of a partnership plan"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="print a revision (default: the current plan)")
        seed = sub.add_parser("seed", help="draft a plan from a strategic assessment")
        pdf = sub.add_parser("pdf", help="write a revision as PDF")
        changes = sub.add_parser("changes", help="what a revision changed from the one it revises")
        for p in (show, seed, pdf, changes):
            p.add_argument("partnership", help="the partnership's slug, e.g. lancashire-south")
        for p in (show, pdf, changes):
            p.add_argument("--revision", type=int, help="revision number (default: current)")
        show.add_argument("--json", action="store_true", help="print the revision as JSON")
        seed.add_argument("--assessment", type=int, required=True, help="the assessment's id")
        seed.add_argument("--from", dest="start", required=True, help="first month, YYYY-MM")
        pdf.add_argument("--out", required=True, help="the PDF file to write")

    def handle(self, *args, action, partnership, **options):
        p = Partnership.objects.filter(slug=partnership).first()
        if p is None:
            known = ", ".join(Partnership.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No partnership {partnership!r} (known: {known})")
        if action == "seed":
            return self._seed(p, options["assessment"], options["start"])
        plan = self._revision(p, options.get("revision"))
        if action == "show":
            snap = services.snapshot(plan)
            if options["json"]:
                self.stdout.write(json.dumps(snap, indent=1))
            else:
                self._print(plan, snap)
        elif action == "pdf":
            Path(options["out"]).write_bytes(documents.render_pdf(plan))
            self.stdout.write(f"Wrote {options['out']} (revision {plan.revision}).")
        else:
            if plan.revises is None:
                raise CommandError(f"Revision {plan.revision} does not revise an earlier one")
            for row in services.differences(plan.revises, plan):
                self.stdout.write(f"{row['change']:>8}  {row['what']}")
                if row["before"]:
                    self.stdout.write(f"          - {row['before']}")
                if row["after"]:
                    self.stdout.write(f"          + {row['after']}")

    def _revision(self, p, revision):
        plans = Plan.objects.filter(partnership=p)
        plan = plans.filter(revision=revision).first() if revision else services.current_plan(p)
        if plan is None:
            have = ", ".join(str(r) for r in plans.values_list("revision", flat=True)) or "none"
            raise CommandError(
                f"{p.name} has no {'revision ' + str(revision) if revision else 'approved plan'}"
                f" (revisions: {have})"
            )
        return plan

    def _seed(self, p, assessment_id, start):
        assessment = Assessment.objects.filter(partnership=p, pk=assessment_id).first()
        if assessment is None:
            raise CommandError(f"{p.name} has no assessment {assessment_id}")
        try:
            plan = services.seed_from_assessment(assessment, None, period_start=start)
        except (ValidationError, RefusedInput) as exc:
            raise CommandError(
                str(exc) if isinstance(exc, RefusedInput) else exc.messages[0]
            ) from None
        self.stdout.write(
            f"Drafted revision {plan.revision}: {plan.title} with "
            f"{plan.priorities.count()} priorities."
        )

    def _print(self, plan, snap):
        w = self.stdout.write
        w(f"{plan.title} — revision {plan.revision}, {plan.get_status_display().lower()}")
        w(f"{plan.period_start} to {plan.period_end}")
        for n, p in enumerate(snap["priorities"], start=1):
            w(f"\n{n}. {p['name']}")
            for o in p["objectives"]:
                w(f"   objective: {o['text']}" + (f" ({o['owner']})" if o["owner"] else ""))
                for i in o["indicators"]:
                    w(f"     indicator: {i['name']}")
                    for t in i["targets"]:
                        w(f"       target: {t['text']}")
