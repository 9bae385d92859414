"""cdrp sharing rotate-key | new-key | remind | retention: restricted information's upkeep."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from cdrp.accounts.audit import acting_as
from cdrp.sharing import crypto


class Command(BaseCommand):
    help = "Encryption keys, agreement reminders and retention of restricted information"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "rotate-key",
            help="re-encrypt every personal field with the newest key (the first of "
            "CDRP_FIELD_KEYS); the older keys may be removed afterwards",
        )
        sub.add_parser("new-key", help="print a new key to put first in CDRP_FIELD_KEYS")
        remind = sub.add_parser("remind", help="email reminders of agreements' reviews and expiry")
        remind.add_argument("--schedule", action="store_true", help="also queue the daily task")
        retention = sub.add_parser(
            "retention", help="delete or anonymise restricted records past their retention date"
        )
        retention.add_argument("--schedule", action="store_true", help="also queue the daily task")

    def handle(self, *args, action, **options):
        if action == "new-key":
            self.stdout.write(crypto.generate_key())
            return
        if action == "rotate-key":
            try:
                counts = crypto.rotate()
            except crypto.FieldKeyError as exc:
                raise CommandError(str(exc)) from None
            for label, n in counts.items():
                self.stdout.write(f"{label}: {n} records re-encrypted")
            self.stdout.write(
                f"Re-encrypted {sum(counts.values())} records with the newest key: the older "
                "keys may now be removed from CDRP_FIELD_KEYS."
            )
            return
        if action == "remind":
            from cdrp.sharing.agreements import daily_agreement_reminders, send_agreement_reminders

            sent = send_agreement_reminders(dt.date.today())
            self.stdout.write(f"Agreement reminders: {len(sent)} agreements.")
            if options["schedule"]:
                daily_agreement_reminders.enqueue()
            return
        if action == "retention":
            from cdrp.sharing.retention import apply_retention, daily_retention

            with acting_as(None, "cdrp sharing retention"):
                done = apply_retention(dt.date.today())
            self.stdout.write(f"Retention: {len(done)} records deleted or anonymised.")
            if options["schedule"]:
                daily_retention.enqueue()
