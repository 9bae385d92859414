"""cdrp fetch police-uk | geography: download a force's street files for a period, or the ONS
boundaries of chosen districts, then import them."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cdrp.core.progress import terminal_progress
from cdrp.intelligence.services import demo_data_dir, incident_store
from cdrp.intelligence.summaries import summary_table
from cdrp.store import BadInput
from cdrp.store.fetch import ARCHIVE_URL, Fetcher, fetch_police_uk
from cdrp.store.ons import ONS_LAYERS, ArcGis, districts_of_force, fetch_geography


class Command(BaseCommand):
    help = (
        "Download police.uk street files for a force and period (retries, resumes), or ONS "
        "boundaries for districts, then import"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True, metavar="{police-uk,geography}")
        p = sub.add_parser("police-uk", help="police.uk street-level crime")
        p.add_argument("--force", required=True, help="force slug as in file names: lancashire")
        p.add_argument("--from", dest="start", required=True, help="first month, YYYY-MM")
        p.add_argument("--to", dest="end", required=True, help="last month, YYYY-MM")
        p.add_argument(
            "--url-template",
            default=ARCHIVE_URL,
            help="{end}: one archive of all months; {month}/{force}: one file per month",
        )
        p.add_argument("--download-dir", default=None, help="default: DATA_DIR/downloads")
        p.add_argument("--min-interval", type=float, default=1.0, help="seconds between requests")
        p.add_argument("--retries", type=int, default=4)
        g = sub.add_parser("geography", help="ONS LSOA, ward and district boundaries")
        which = g.add_mutually_exclusive_group(required=True)
        which.add_argument("--district", nargs="+", help="district (LAD) codes: E07000075 …")
        which.add_argument("--force", help="a police force area's name or code (its districts)")
        g.add_argument(
            "--layer",
            action="append",
            default=[],
            metavar="ROLE=URL",
            help=f"replace a feature layer ({', '.join(ONS_LAYERS)}) by its ArcGIS REST URL",
        )
        g.add_argument("--download-dir", default=None, help="default: DATA_DIR/downloads/ons")
        g.add_argument("--data", default=None, help="folder of the ONS lookup files (data/demo)")
        g.add_argument("--page-size", type=int, default=1000, help="features per request")
        g.add_argument("--retries", type=int, default=4)

    def handle(self, *args, what, **options):
        if what == "geography":
            self.geography(**options)
        else:
            self.police_uk(**options)

    def geography(self, *, district, force, layer, download_dir, data, page_size, retries, **_):
        from rich.console import Console

        layers = {}
        for given in layer:
            role, _, url = given.partition("=")
            if role not in ONS_LAYERS or not url:
                raise CommandError(
                    f"--layer: expected ROLE=URL, ROLE one of {', '.join(ONS_LAYERS)}"
                )
            layers[role] = url
        store = incident_store()
        target = (
            Path(download_dir) if download_dir else Path(settings.DATA_DIR) / "downloads" / "ons"
        )
        console = Console(file=self.stdout, width=140, highlight=False)
        try:
            codes = district or districts_of_force(store, force)
            with terminal_progress("Fetching", console=console) as report:
                got = fetch_geography(
                    store,
                    codes,
                    target,
                    Path(data) if data else demo_data_dir(),
                    layers,
                    ArcGis(page_size=page_size, retries=retries),
                    report=report,
                )
        except BadInput as exc:
            raise CommandError(str(exc)) from exc
        for note in got.notes:
            self.stdout.write(note)
        self.stdout.write(
            "Boundaries fetched: "
            + ", ".join(f"{n:,} {kind}" for kind, n in got.features.items())
            + f" ({', '.join(str(f) for f in got.files)})"
        )
        self.stdout.write(
            "Geography lookups in the store: "
            + ", ".join(f"{n:,} {name}" for name, n in got.tables.items())
        )

    def police_uk(
        self, *, force, start, end, url_template, download_dir, min_interval, retries, **options
    ):
        from rich.console import Console

        target = Path(download_dir) if download_dir else Path(settings.DATA_DIR) / "downloads"
        fetcher = Fetcher(retries=retries, min_interval=min_interval)
        console = Console(file=self.stdout, width=140, highlight=False)
        try:
            with terminal_progress("Fetching", console=console) as report:
                results, notes = fetch_police_uk(
                    incident_store(), force, start, end, target, url_template, fetcher, report
                )
        except BadInput as exc:
            raise CommandError(str(exc)) from exc
        for note in notes:
            self.stdout.write(note)
        console.print(summary_table(results))
        failed = [r for r in results if r.status in ("failed", "refused")]
        for r in failed:
            self.stderr.write(r.message)
        if failed:
            raise CommandError(f"{len(failed)} of {len(results)} file(s) failed or refused")
