"""cdrp search reindex [--partnership SLUG]: rebuild the search index from the records, reading
the text of every attached paper (see `cdrp.search`)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from cdrp.partnerships.models import Partnership
from cdrp.search.index import reindex


class Command(BaseCommand):
    help = "Search index: rebuild it from the records (papers' text read again)"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        again = sub.add_parser("reindex", help="rebuild the index of one partnership, or of all")
        again.add_argument("--partnership", metavar="SLUG", help="only this partnership")

    def handle(self, *args, action, **options):
        partnership = None
        if options.get("partnership"):
            partnership = Partnership.objects.filter(slug=options["partnership"]).first()
            if partnership is None:
                raise CommandError(f"No partnership {options['partnership']!r}")
        started = time.perf_counter()
        counts = reindex(partnership, report=lambda line: self.stdout.write(line))
        total = sum(counts.values())
        detail = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
        self.stdout.write(
            f"Indexed {total} record{'s' if total != 1 else ''}"
            f"{': ' + detail if detail else ''} in {time.perf_counter() - started:.1f} s"
        )
