"""cdrp subject-access PERSON: every record naming a person, with the reads of them, as JSON
and PDF (UK GDPR Article 15)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cdrp.accounts.audit import acting_as
from cdrp.partnerships.models import Partnership
from cdrp.sharing.subject_access import export, export_pdf


class Command(BaseCommand):
    help = "Export every record naming a person, and the reads of them, as JSON and PDF"

    def add_arguments(self, parser):
        parser.add_argument("person", help="the person's name")
        parser.add_argument("--partnership", help="only this partnership's records (slug)")
        parser.add_argument("--out", type=Path, default=Path("."), help="folder for the files")

    def handle(self, *args, person, partnership, out, **options):
        p = None
        if partnership:
            p = Partnership.objects.filter(slug=partnership).first()
            if p is None:
                raise CommandError(f"No partnership {partnership!r}")
        try:
            with acting_as(None, "cdrp subject-access"):
                data = export(person, p)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        out.mkdir(parents=True, exist_ok=True)
        stem = "subject-access-" + "-".join(person.lower().split())
        (out / f"{stem}.json").write_text(json.dumps(data, indent=1, default=str) + "\n")
        (out / f"{stem}.pdf").write_bytes(export_pdf(data))
        self.stdout.write(
            f"{len(data['records'])} records and {len(data['reads'])} reads: "
            f"{out / stem}.json and .pdf"
        )
