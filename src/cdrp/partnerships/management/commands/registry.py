"""cdrp registry seed: every community safety partnership of England and Wales from the ONS
lookups, with its districts, police force area and region (see `cdrp.partnerships.registry`)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cdrp.accounts.audit import acting_as
from cdrp.analysis.errors import RefusedInput
from cdrp.partnerships import registry


class Command(BaseCommand):
    help = (
        "Seed the registry with every community safety partnership of England and Wales "
        "(districts, police force area, region) from the ONS lookups"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        seed = sub.add_parser(
            "seed",
            help="create every partnership of the LAD → CSP → PFA lookup; a second run changes "
            "nothing, and an edited partnership is never overwritten",
        )
        seed.add_argument(
            "--lookup",
            type=Path,
            help="the lookup file (default: the January 2017 edition shipped in "
            f"{registry.LOOKUP_2017.split('/')[0]}/, whose districts match the 2011 LSOAs)",
        )
        seed.add_argument(
            "--data",
            type=Path,
            help="the reference data folder holding the region lookups (default: the shipped one)",
        )

    def handle(self, *args, action, **options):
        try:
            with acting_as(None, "cdrp registry seed"):
                report = registry.seed(options["lookup"], options["data"])
        except RefusedInput as exc:
            raise CommandError(str(exc)) from None
        for line in report.lines():
            self.stdout.write(line)
