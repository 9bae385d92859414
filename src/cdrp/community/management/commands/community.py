"""cdrp community retention [--schedule]: apply the retention rules of residents' data now."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand

from cdrp.community.tasks import apply_retention, daily_retention


class Command(BaseCommand):
    help = "Apply the retention rules to survey responses and e-mail subscriptions"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{retention}")
        retention = sub.add_parser(
            "retention",
            help="delete responses past their survey's retention date and unconfirmed "
            "subscriptions older than seven days; close surveys past their closing date",
        )
        retention.add_argument(
            "--schedule", action="store_true", help="also queue the nightly retention task"
        )

    def handle(self, *args, action, schedule=False, **options):
        done = apply_retention(dt.date.today())
        self.stdout.write(
            f"Retention: {done['responses']} responses deleted, {done['subscriptions']} "
            f"unconfirmed subscriptions forgotten, {done['surveys_closed']} surveys closed."
        )
        if schedule:
            daily_retention.enqueue()
            self.stdout.write("Queued the nightly retention task: `cdrp worker` runs it.")
