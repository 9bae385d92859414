"""cdrp store check [--repair]: verify the incident store's files against its manifest."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from cdrp.intelligence.services import incident_store
from cdrp.store import StoreLocked, check_store


class Command(BaseCommand):
    help = "Check the incident store: every listed file present with its checksum; orphans"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True, metavar="{check}")
        check = sub.add_parser(
            "check",
            help="verify the manifest against the files (checksums, rows) and list orphans",
        )
        check.add_argument(
            "--repair",
            action="store_true",
            help=(
                "remove orphans (files no import committed) and list each file's districts in "
                "the manifest where it is missing; listed files are never touched"
            ),
        )
        check.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, what, repair, format, **options):
        try:
            report = check_store(incident_store(), repair=repair)
        except StoreLocked as exc:
            raise CommandError(f"{exc}: try again when the import has finished") from exc
        if format == "json":
            self.stdout.write(json.dumps(report.as_dict(), indent=1))
        else:
            for problem in report.problems:
                self.stdout.write(f"problem: {problem}")
            for orphan in report.orphans:
                verb = "removed" if orphan in report.removed else "orphan"
                self.stdout.write(f"{verb}: {orphan}")
            left = len(set(report.orphans) - set(report.removed))
            summary = (
                f"{report.checked:,} listed file(s) checked: {len(report.problems)} problems, "
                f"{left} orphans"
            )
            if report.removed:
                summary += f" ({len(report.removed)} removed)"
            if report.districts_listed:
                summary += f"; {report.districts_listed:,} file(s) given their districts list"
            if report.unverified:
                summary += f"; {report.unverified} imported before checksums were kept (rows only)"
            self.stdout.write(summary)
        if not report.ok:
            reasons = []
            if report.problems:
                reasons.append(
                    f"{len(report.problems)} problem(s): re-import the files named above"
                )
            if left := len(set(report.orphans) - set(report.removed)):
                reasons.append(f"{left} orphan file(s): `cdrp store check --repair` removes them")
            raise CommandError("the store is not as its manifest says: " + "; ".join(reasons))
