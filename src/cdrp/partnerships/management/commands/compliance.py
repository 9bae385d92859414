"""cdrp compliance PARTNERSHIP [--as-at YYYY-MM-DD]: print each statutory rule's finding with its
evidence, judged by the law in force on that date (`cdrp.partnerships.law`)."""

from __future__ import annotations

import argparse
import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from cdrp.partnerships.compliance import Severity, Status, default_date, evaluate
from cdrp.partnerships.models import Partnership

_MARK = {Status.MET: "✓", Status.NOT_MET: "✗", Status.NO_EVIDENCE: "?", Status.NOT_APPLICABLE: "–"}


class Command(BaseCommand):
    help = "Check a partnership against the statutory rules and print the findings with evidence"

    def add_arguments(self, parser):
        parser.add_argument("partnership", help="the partnership's slug, e.g. lancashire-south")
        parser.add_argument(
            "--as-at",
            "--on",
            dest="on",
            type=_date,
            help="check as at this date (YYYY-MM-DD), applying the law in force then",
        )
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument(
            "--strict",
            action="store_true",
            help="exit with status 1 if a statutory rule is not met",
        )

    def handle(self, *args, partnership, on, json: bool, strict: bool, **options):
        p = Partnership.objects.filter(slug=partnership).first()
        if p is None:
            known = ", ".join(Partnership.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No partnership {partnership!r} (known: {known})")
        on = on or default_date(p)
        findings = evaluate(p, on)
        if json:
            self.stdout.write(_json(p, findings, on))
        else:
            self.stdout.write(f"{p.name}: compliance as at {on:%-d %B %Y}\n")
            for f in findings:
                r = f.rule
                if r is None:  # evaluate() gives every finding its rule
                    continue
                self.stdout.write(f"{_MARK[f.status]} {r.id:<18} {f.status.label:<21} {r.title}")
                self.stdout.write(f"    {f.summary}")
                for line in f.problems[1:]:
                    self.stdout.write(f"    ✗ {line}")
                for line in f.evidence:
                    self.stdout.write(f"    · {line}")
                self.stdout.write(f"    Source: {r.source} ({r.severity.label.lower()})")
                for x in f.law:
                    self.stdout.write(
                        f"    Law on this date: {x.role.label}: {x.citation} <{x.url}>"
                    )
            counts = {s: sum(f.status == s for f in findings) for s in Status}
            self.stdout.write(
                "\n" + ", ".join(f"{counts[s]} {s.label.lower()}" for s in Status if counts[s])
            )
        failed = [
            f
            for f in findings
            if f.status == Status.NOT_MET
            and f.rule is not None
            and f.rule.severity == Severity.STATUTORY
        ]
        if strict and failed:
            raise SystemExit(1)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date: give it as YYYY-MM-DD, e.g. 2008-06-01"
        ) from None


def _json(p, findings, on: dt.date) -> str:
    return json.dumps(
        {
            "partnership": p.slug,
            "as_at": on.isoformat(),
            "findings": [f.as_data() for f in findings],
        },
        indent=2,
        ensure_ascii=False,
    )
