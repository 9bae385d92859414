"""cdrp structure: import a partnership structure from YAML, or export it as YAML, Popolo or CSV."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cdrp.accounts.audit import acting_as
from cdrp.partnerships.exports import csv_export, popolo_export, validate_popolo
from cdrp.partnerships.models import Partnership
from cdrp.partnerships.structure import StructureError, export_structure, import_structure


class Command(BaseCommand):
    help = "Import a partnership structure from YAML, or export it as YAML, Popolo JSON or CSV"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="load a structure YAML file (all or nothing)")
        imp.add_argument("file", type=Path)
        for name, text in [("export", "structure YAML"), ("popolo", "Popolo JSON"), ("csv", "CSV")]:
            p = sub.add_parser(name, help=f"write a partnership's {text}")
            p.add_argument("partnership", help="the partnership's slug")
            p.add_argument("-o", "--output", type=Path, help="write to this file, not the screen")
            if name == "export":
                p.add_argument(
                    "--with-predecessors",
                    action="store_true",
                    help="include the partnerships it was merged from, first",
                )
            else:
                p.add_argument(
                    "--contacts",
                    action="store_true",
                    help="include people's email and phone (personal data)",
                )

    def handle(self, *args, action, **options):
        if action == "import":
            path = options["file"]
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"{path}: cannot read the file ({exc.strerror})") from None
            try:
                with acting_as(None, "cdrp structure import"):
                    written = import_structure(text, str(path))
            except StructureError as exc:
                raise CommandError(
                    f"{len(exc.problems)} problem(s), nothing was imported:\n"
                    + "\n".join(exc.problems)
                ) from None
            for p in written:
                joint = p.joint_groups.count()
                served = (
                    f", served by {joint} joint group{'s' if joint != 1 else ''}" if joint else ""
                )
                self.stdout.write(
                    f"Imported {p.name} ({p.slug}): {p.groups.count()} groups{served}."
                )
            return
        p = Partnership.objects.filter(slug=options["partnership"]).first()
        if p is None:
            raise CommandError(f"No partnership {options['partnership']!r}")
        if action == "export":
            parts = [*p.merged_from.order_by("slug"), p] if options["with_predecessors"] else [p]
            text = export_structure(*parts)
        elif action == "popolo":
            doc = popolo_export(p, include_contacts=options["contacts"])
            validate_popolo(doc)
            text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
        else:
            text = csv_export(p, include_contacts=options["contacts"])
        if options["output"]:
            options["output"].write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {options['output']}.")
        else:
            self.stdout.write(text, ending="")
