"""cdrp meetings plan: a clash-free calendar for a partnership's municipal year."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from cdrp.analysis.planner import PlanInfeasible
from cdrp.meetings.reminders import daily_reminders, send_reminders
from cdrp.meetings.services import calendar_ics, plan_year
from cdrp.partnerships.models import Partnership


class Command(BaseCommand):
    help = "Plan a year of meetings with no one double-booked; email action reminders"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        plan = sub.add_parser("plan", help="plan a municipal year (April to March)")
        plan.add_argument("--partnership", required=True, help="partnership slug")
        plan.add_argument("--year", type=int, required=True, help="the April the year starts in")
        plan.add_argument("--ics", type=Path, help="write the calendar to this iCalendar file")
        plan.add_argument(
            "--seconds", type=float, default=10.0, help="search time for a better calendar"
        )
        remind = sub.add_parser("remind", help="email owners their overdue and soon-due actions")
        remind.add_argument(
            "--schedule", action="store_true", help="also queue the daily reminder task"
        )

    def handle(self, *args, action, **options):
        if action == "remind":
            return self.remind(options["schedule"])
        return self.plan(**options)

    def remind(self, schedule: bool) -> None:
        sent = send_reminders(dt.date.today())
        self.stdout.write(f"Reminders sent to {len(sent)} owners ({sum(sent.values())} actions).")
        if schedule:
            daily_reminders.enqueue()
            self.stdout.write(
                "Queued the daily reminder task: `cdrp worker` runs it every morning."
            )

    def plan(self, partnership, year, ics, seconds, **options):
        p = Partnership.objects.filter(slug=partnership).first()
        if p is None:
            raise CommandError(
                f"No partnership {partnership!r}: see `cdrp shell` or the partnerships page"
            )
        try:
            result, inputs = plan_year(p, year, time_limit=seconds)
        except PlanInfeasible as err:
            raise CommandError(
                "No calendar meets every rule:\n  - " + "\n  - ".join(err.reasons)
            ) from None
        except ValueError as err:
            raise CommandError(str(err)) from None
        table = Table(title=f"{p.name}: meetings {year}/{(year + 1) % 100:02d}")
        for column in ("date", "time", "group", "venue"):
            table.add_column(column)
        for m in result.meetings:
            table.add_row(
                m.date.strftime("%a %d %b %Y"),
                f"{m.start:%H:%M}–{m.end:%H:%M}",
                inputs.names.get(m.group, m.group),
                inputs.names.get(m.venue, m.venue),
            )
        Console(file=self.stdout._out, width=140).print(table)
        self.stdout.write(
            f"{len(result.meetings)} meetings, {result.groups} groups, {result.people} people, "
            f"{result.constraints:,} constraints; {result.status.lower()} "
            f"in {result.seconds:.1f} s."
        )
        if ics:
            ics.write_bytes(calendar_ics(p, result, inputs))
            self.stdout.write(f"Calendar written to {ics}")
