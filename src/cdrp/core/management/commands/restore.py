"""cdrp restore SRC: bring a backup written by `cdrp backup` back onto this site."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from cdrp.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup written by `cdrp backup`: every checksum is checked first, then the "
        "database, the incident store and the uploaded papers are restored. A site that already "
        "holds records is refused unless --replace is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("src", help="the backup's folder")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace the records and store this site holds now",
        )

    def handle(self, *args, src, replace, **options):
        try:
            summary = restore(src, replace=replace, report=lambda line: self.stdout.write(line))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        records = sum(summary.counts.values())
        self.stdout.write(
            f"Restored {summary.path}: {summary.database} database ({records:,} records), "
            f"store version {summary.store_version}, {summary.uploads} uploaded papers."
        )
