"""cdrp assess: build a strategic assessment (or six-month refresh), save it, write PDF/JSON."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cdrp.accounts.audit import acting_as
from cdrp.core.progress import terminal_progress
from cdrp.intelligence.assessments import AssessmentError, build
from cdrp.intelligence.documents import render_html, render_pdf, render_tactical_pdf
from cdrp.intelligence.models import Assessment
from cdrp.intelligence.tactical import TacticalError, tactical_assessment
from cdrp.partnerships.models import Partnership


class Command(BaseCommand):
    help = "Build a partnership's strategic assessment, six-month refresh or tactical pack"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(
            dest="kind", required=True, metavar="{strategic,refresh,tactical}"
        )
        t = sub.add_parser("tactical", help="the tactical assessment (tasking pack) for a month")
        t.add_argument("--partnership", required=True, help="partnership slug")
        t.add_argument("--month", help="month, YYYY-MM (default: latest data)")
        t.add_argument("--pdf", help="write the PDF pack here")
        t.add_argument("--json", dest="json_out", help="write the structured object here")
        for kind, text in (
            ("strategic", "the annual strategic assessment"),
            ("refresh", "the six-month refresh of the latest annual assessment"),
        ):
            p = sub.add_parser(kind, help=text)
            p.add_argument("--partnership", help="partnership slug, e.g. lancashire-south")
            p.add_argument(
                "--districts",
                help="comma-separated district codes (instead of or with --partnership)",
            )
            p.add_argument("--to", dest="end", help="last month, YYYY-MM (default: latest data)")
            p.add_argument("--months", type=int, default=12, help="months in the period (12)")
            p.add_argument("--weights", help="harm weight table CSV (category,weight)")
            p.add_argument("--asb-weight", type=float, default=0.0, help="harm weight of ASB (0)")
            p.add_argument("--survey", help="community survey CSV")
            p.add_argument("--plan", help="last year's plan as YAML (see the plan schema)")
            p.add_argument("--pdf", help="write the PDF here")
            p.add_argument("--html", help="write the standalone HTML here")
            p.add_argument("--json", dest="json_out", help="write the structured object here")
            if kind == "refresh":
                p.add_argument(
                    "--annual", type=int, help="id of the annual assessment (default: latest)"
                )

    def handle(self, *args, kind, partnership, **opts):
        if kind == "tactical":
            return self._tactical(partnership, **opts)
        return self._strategic(kind, partnership, **opts)

    def _tactical(self, slug, *, month=None, pdf=None, json_out=None, **_):
        record = Partnership.objects.filter(slug=slug).first()
        if record is None:
            raise CommandError(f"no partnership with slug {slug!r}")
        try:
            pack = tactical_assessment(record, month)
        except TacticalError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Tactical assessment {record.name}, {pack['month']}: "
            f"{len(pack['emerging'])} emerging hot-spots, {len(pack['exceedances'])} exceedances, "
            f"{len(pack['actions'])} open tasking actions"
        )
        if json_out:
            Path(json_out).write_text(json.dumps(pack, indent=1))
            self.stdout.write(f"Wrote {json_out}")
        if pdf:
            Path(pdf).write_bytes(render_tactical_pdf(pack, record))
            self.stdout.write(f"Wrote {pdf}")

    def _strategic(self, kind, partnership, *, districts, end, months, **opts):
        record = None
        if partnership:
            record = Partnership.objects.filter(slug=partnership).first()
            if record is None:
                raise CommandError(f"no partnership with slug {partnership!r}")
        codes = [c.strip() for c in (districts or "").split(",") if c.strip()] or None
        if record is None and not codes:
            raise CommandError("give --partnership SLUG or --districts CODE,CODE,…")
        annual = None
        if kind == "refresh":
            annuals = Assessment.objects.filter(kind="strategic")
            if opts.get("annual"):
                annual = annuals.filter(pk=opts["annual"]).first()
                if annual is None:
                    raise CommandError(f"no strategic assessment with id {opts['annual']}")
            else:
                annual = (
                    annuals.filter(partnership=record).order_by("-period_end", "-built_at").first()
                )
                if annual is None:
                    raise CommandError("a refresh needs an annual assessment: build one first")
        try:
            with acting_as(None, "cdrp assess"), terminal_progress("Building assessment") as report:
                assessment = build(
                    partnership=record,
                    districts=codes,
                    end=end,
                    months=months,
                    kind=kind,
                    annual=annual,
                    report=report,
                    weights_path=opts.get("weights"),
                    asb_weight=opts.get("asb_weight") or 0.0,
                    survey_path=opts.get("survey"),
                    plan_path=opts.get("plan"),
                )
        except AssessmentError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Built {assessment.title} ({assessment.period_start}..{assessment.period_end}) "
            f"as assessment {assessment.pk} in {assessment.build_seconds:.1f} s"
        )
        if opts.get("json_out"):
            Path(opts["json_out"]).write_text(json.dumps(assessment.document, indent=1))
            self.stdout.write(f"Wrote {opts['json_out']}")
        if opts.get("html") or opts.get("pdf"):
            if opts.get("html"):
                Path(opts["html"]).write_text(render_html(assessment, standalone=True))
                self.stdout.write(f"Wrote {opts['html']}")
            if opts.get("pdf"):
                Path(opts["pdf"]).write_bytes(render_pdf(assessment))
                self.stdout.write(f"Wrote {opts['pdf']}")
