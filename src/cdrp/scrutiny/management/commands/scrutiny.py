"""cdrp scrutiny remind: e-mail the reminders of Community Calls for Action whose response is
due soon or overdue; with --schedule, queue the daily task that does it every morning."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from cdrp.scrutiny.reminders import daily_call_reminders, send_call_reminders


class Command(BaseCommand):
    help = "Community Call for Action deadline reminders"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        remind = sub.add_parser("remind", help="send the reminders due today")
        remind.add_argument(
            "--schedule", action="store_true", help="also queue the daily reminder task"
        )

    def handle(self, *args, action, schedule=False, **options):
        sent = send_call_reminders(timezone.localdate())
        for reference, key in sent:
            when = "overdue" if key < 0 else f"{key} day{'s' if key != 1 else ''} before"
            self.stdout.write(f"{reference}: reminder ({when}) sent.")
        self.stdout.write(f"{len(sent)} reminder{'s' if len(sent) != 1 else ''} sent.")
        if schedule:
            daily_call_reminders.enqueue()
            self.stdout.write("Queued the daily task: `cdrp worker` runs it every morning.")
