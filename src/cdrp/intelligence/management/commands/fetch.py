"""cdrp fetch police-uk: download a force's street files for a period, then import them."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cdrp.core.progress import terminal_progress
from cdrp.intelligence.services import incident_store
from cdrp.intelligence.summaries import summary_table
from cdrp.store import BadInput
from cdrp.store.fetch import ARCHIVE_URL, Fetcher, fetch_police_uk


class Command(BaseCommand):
    help = "Download police.uk street files for a force and period (retries, resumes), then import"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True, metavar="{police-uk}")
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

    def handle(
        self, *args, force, start, end, url_template, download_dir, min_interval, retries, **options
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
