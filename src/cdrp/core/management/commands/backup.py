"""cdrp backup DEST: a consistent copy of the database, the incident store and uploaded papers."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from cdrp.core.backup import BackupError, backup


def _size(n: int) -> str:
    return f"{n / 1e6:,.1f} MB" if n >= 1e5 else f"{n / 1e3:,.1f} kB"


class Command(BaseCommand):
    help = (
        "Write a backup of this site to a new folder: the database (SQLite online backup or "
        "pg_dump), the incident store's committed files and the uploaded papers, with a manifest "
        "of checksums. Never the secret key."
    )

    def add_arguments(self, parser):
        parser.add_argument("dest", help="a folder that does not exist yet")

    def handle(self, *args, dest, **options):
        try:
            summary = backup(dest, report=lambda line: self.stdout.write(line))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        records = sum(summary.counts.values())
        self.stdout.write(
            f"Backed up to {summary.path}: {summary.database} database ({records:,} records), "
            f"store version {summary.store_version} ({summary.store_files} files), "
            f"{summary.uploads} uploaded papers; {_size(summary.bytes)} in all."
        )
