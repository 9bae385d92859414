"""cdrp workday digests: send the notification digests that are due now (after the morning
checks), or with --daily queue the task that does so every morning at 07:00 (a running task
worker, as `cdrp serve` starts, then sends them)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from cdrp.accounts.notifications import digest_task, run_checks, send_digests


class Command(BaseCommand):
    help = "Notification digests: send those due now, or queue the daily task (--daily)"

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["digests"])
        parser.add_argument(
            "--daily", action="store_true", help="queue the task that sends them each morning"
        )

    def handle(self, *args, what, daily, **options):
        if daily:
            digest_task.enqueue()
            self.stdout.write("Queued: the morning checks and digests, every day at 07:00.")
            return
        run_checks()
        sent = send_digests()
        self.stdout.write(f"Digests sent: {len(sent)} e-mails, {sum(sent.values())} notifications.")
