"""cdrp import police-uk | geography | partner | postcodes: load data into the incident store.

An import that would leave a force-month with fewer rows, or with a column emptied, is refused
with the figures; `--replace --reason "…"` confirms it, and the replacement is recorded in the
store's manifest with who, when, the rows before and after, and the reason.
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console

from cdrp.core.progress import terminal_progress
from cdrp.intelligence.reference import reference_data_dir
from cdrp.intelligence.services import incident_store, load_areas
from cdrp.intelligence.summaries import summary_table
from cdrp.store import BadInput, ImportResult, build_geography, import_police_uk, load_geography


class Command(BaseCommand):
    help = "Import police.uk files, partner data or the geography lookups into the incident store"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(
            dest="what", required=True, metavar="{police-uk,geography,partner,postcodes}"
        )
        police = sub.add_parser(
            "police-uk", help="street/outcomes/stop-and-search CSV, CSV.gz or zip"
        )
        police.add_argument("paths", nargs="+", help="files, folders or police.uk zip archives")
        police.add_argument(
            "--mapping",
            default=None,
            help="YAML naming the file's own columns: columns: {Longitude: Lon, Latitude: Lat}",
        )
        police.add_argument(
            "--published",
            default=None,
            help="the data's publication month, YYYY-MM (default: the archive's month, or the "
            "latest month among the files' names)",
        )
        geography = sub.add_parser("geography", help="LSOA/ward/district/partnership lookups")
        geography.add_argument(
            "paths",
            nargs="*",
            help="boundary files or folders: GeoJSON(.gz) or GeoPackage, "
            "recognised by their code columns (LSOAnnCD, WDnnCD, LADnnCD); default: every "
            "boundary file under --data",
        )
        geography.add_argument("--data", default=None, help="folder of the ONS files (data/demo)")
        geography.add_argument("--no-areas", action="store_true", help="do not load Area rows")
        partner = sub.add_parser("partner", help="partner data (CSV/XLSX) with a YAML mapping")
        partner.add_argument("path", help="the CSV or XLSX file")
        partner.add_argument("--mapping", required=True, help="the YAML column mapping")
        partner.add_argument("--published", default=None, help="publication month, YYYY-MM")
        postcodes = sub.add_parser(
            "postcodes",
            help="an ONS Postcode Directory extract (CSV, CSV.gz or the ONS zip), for finding "
            "an area by postcode without leaving the machine",
        )
        postcodes.add_argument("path", help="the ONSPD file")
        for command in (police, partner):
            command.add_argument(
                "--replace",
                action="store_true",
                help="confirm replacing a month with fewer rows or with a column now empty",
            )
            command.add_argument(
                "--reason", default="", help="why (required with --replace; recorded)"
            )

    def console(self) -> Console:
        return Console(file=cast(TextIO, self.stdout), width=140, highlight=False)

    def handle(self, *args, what, **options):
        if what == "geography":
            self.geography(options["data"], not options["no_areas"], options["paths"] or None)
            return
        if what == "postcodes":
            self.postcodes(options["path"])
            return
        if options["replace"] and not options["reason"].strip():
            raise CommandError('--replace needs --reason "why the month is replaced" (recorded)')
        confirm = {
            "replace": options["replace"],
            "reason": options["reason"].strip(),
            "by": f"{getpass.getuser()} (cdrp import {what})",
            "published": options["published"],
        }
        if what == "police-uk":
            self.police_uk(options["paths"], options["mapping"], confirm)
        else:
            self.partner(options["path"], options["mapping"], confirm)

    def geography(self, data: str | None, areas: bool, paths: list[str] | None = None) -> None:
        from cdrp.accounts.audit import acting_as

        store = incident_store()
        data_dir = Path(data) if data else reference_data_dir()
        notes: list[str] = []
        try:
            with terminal_progress("Geography", console=self.console()) as report:
                tables = build_geography(store, data_dir, report, boundaries=paths, notes=notes)
        except BadInput as exc:
            raise CommandError(str(exc)) from exc
        for note in notes:
            self.stdout.write(note)
        self.stdout.write(
            "Geography lookups in the store: "
            + ", ".join(f"{n:,} {name}" for name, n in tables.items())
        )
        if areas:
            with acting_as(None, "cdrp import geography"):
                made = load_areas(store, data_dir)
            self.stdout.write("Areas: " + ", ".join(f"{n:,} {level}" for level, n in made.items()))

    def postcodes(self, path: str) -> None:
        from cdrp.store.postcodes import import_postcodes

        try:
            made = import_postcodes(incident_store(), path)
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Postcodes: {made['postcodes']:,} imported ({made['terminated']:,} terminated "
            "postcodes left out)."
        )

    def ensure_geography(self) -> None:
        if load_geography(incident_store()) is None:
            self.stdout.write("No geography lookups in the store yet: building them first.")
            self.geography(None, areas=False)

    def police_uk(self, paths: list[str], mapping: str | None, confirm: dict) -> None:
        from cdrp.store.partner import load_columns

        self.ensure_geography()
        notes: list[str] = []
        try:
            columns = load_columns(mapping) if mapping else None
            with terminal_progress("Importing", console=self.console()) as report:
                results = import_police_uk(
                    incident_store(), paths, report, notes, columns=columns, **confirm
                )
        except BadInput as exc:
            raise CommandError(str(exc)) from exc
        self.report(results, notes)

    def partner(self, path: str, mapping: str, confirm: dict) -> None:
        from cdrp.analysis.errors import RefusedInput
        from cdrp.intelligence.hooks import check_partner_import
        from cdrp.store.partner import import_partner, load_mapping

        self.ensure_geography()
        try:
            loaded = load_mapping(mapping)
            # An information sharing agreement must cover the dataset (the sharing app's gate).
            check_partner_import(loaded)
            results = [import_partner(incident_store(), path, loaded, **confirm)]
        except RefusedInput as exc:
            raise CommandError(f"{path}: import refused: {exc.message}") from exc
        except BadInput as exc:
            raise CommandError(str(exc)) from exc
        self.report(results, [])

    def report(self, results: list[ImportResult], notes: list[str]) -> None:
        for note in notes:
            self.stdout.write(note)
        self.console().print(summary_table(results))
        for r in results:
            if r.status == "already imported":
                self.stdout.write(f"{r.file}: {r.message}")
            elif r.message and r.status == "imported":
                self.stdout.write(f"{r.file}: {r.message}")
            for replacement in r.replacements:
                self.stdout.write(f"{r.file}: {describe_replacement(replacement)}")
        failed = [r for r in results if r.status == "failed"]
        refused = [r for r in results if r.status == "refused"]
        for r in failed + refused:
            self.stderr.write(r.message)
        if failed or refused:
            parts = [f"{len(failed)} failed"] if failed else []
            if refused:
                parts.append(
                    f"{len(refused)} refused (it would replace data with less: check the file, "
                    'then confirm with --replace --reason "…")'
                )
            raise CommandError(
                f"{len(failed) + len(refused)} of {len(results)} file(s) not imported: "
                + ", ".join(parts)
                + ("; the others imported" if len(failed) + len(refused) < len(results) else "")
            )


def describe_replacement(r: Mapping[str, Any]) -> str:
    """'replaced <force>/2022-01: 16,268 rows → 6,369 rows, confirmed by … (reason)'."""
    text = f"replaced {r['partition']}: {r['rows_before']:,} rows → {r['rows_after']:,} rows"
    if r.get("emptied"):
        text += f", {', '.join(r['emptied'])} now empty"
    if r.get("confirmed"):
        text += f", confirmed by {r['by']} ({r['reason']})"
    return text
