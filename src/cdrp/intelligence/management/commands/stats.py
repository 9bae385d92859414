"""cdrp stats counts: counts of incident records from the store, as a table, CSV or JSON."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from cdrp.core import tables
from cdrp.intelligence.services import incident_store
from cdrp.store import LEVELS, counts


class Command(BaseCommand):
    help = "Print counts of incident records by district, month, category, … for a period"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True, metavar="{counts}")
        c = sub.add_parser("counts", help="counts grouped by areas, months or categories")
        c.add_argument("--by", default="district", help=f"comma-separated: {', '.join(LEVELS)}")
        c.add_argument("--from", dest="start", help="first month, YYYY-MM")
        c.add_argument("--to", dest="end", help="last month, YYYY-MM")
        c.add_argument("--category", action="append", help="police.uk category slug (repeatable)")
        c.add_argument("--district", action="append", help="district code (repeatable)")
        c.add_argument("--partnership", help="a registry partnership's slug: its districts only")
        c.add_argument("--distinct", action="store_true", help="each Crime ID once")
        c.add_argument("--format", choices=["table", "csv", "json"], default="table")

    def handle(
        self, *args, what, by, start, end, category, district, partnership, distinct, format, **opts
    ):
        levels = [b.strip() for b in by.split(",") if b.strip()]
        if partnership:
            from cdrp.partnerships.models import Partnership

            found = Partnership.objects.filter(slug=partnership).first()
            if found is None:
                raise CommandError(f"--partnership: no partnership {partnership!r}")
            codes = list(found.districts.values_list("code", flat=True))
            district = [c for c in codes if not district or c in district]
        try:
            table = counts(
                incident_store(),
                levels,
                start=start,
                end=end,
                categories=category,
                areas={"district": district} if district else None,
                distinct=distinct,
                names=True,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        rows = table.to_pylist()
        if format == "json":
            self.stdout.write(json.dumps(rows, indent=1, default=str))
        elif format == "csv":
            names = table.column_names
            tables.write_csv(self.stdout, ([row[n] for n in names] for row in rows), header=names)
        else:
            out = Table(
                title=f"Records {start or 'first'} … {end or 'last'}"
                + (" (distinct Crime IDs)" if distinct else "")
            )
            for name in table.column_names:
                out.add_column(name, justify="right" if name == "count" else "left")
            for row in rows:
                out.add_row(
                    *(
                        "" if v is None else f"{v:,}" if isinstance(v, int) else str(v)
                        for v in row.values()
                    )
                )
            out.add_row(
                *([""] * (len(table.column_names) - 1)),
                f"{sum(r['count'] for r in rows):,}",
                style="bold",
            )
            Console(file=self.stdout, width=160, highlight=False).print(out)
