"""cdrp merger: show a merger's stages, or apply orders whose date has come (run daily)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from cdrp.accounts.audit import acting_as
from cdrp.partnerships import services
from cdrp.partnerships.models import MergerProposal


class Command(BaseCommand):
    help = "Show a merger's six stages, or make merged partnerships current on their order date"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="print a merger's stages and agreements")
        show.add_argument("partnership", help="the merged partnership's slug")
        due = sub.add_parser("apply-due", help="apply every order dated on or before today")
        due.add_argument("--on", type=dt.date.fromisoformat, help="as on this date (YYYY-MM-DD)")

    def handle(self, *args, action, **options):
        if action == "apply-due":
            with acting_as(None, "cdrp merger apply-due"):
                n = services.apply_due_merger_orders(options["on"])
            self.stdout.write(f"Applied {n} merger order{'s' if n != 1 else ''}.")
            return
        proposal = MergerProposal.objects.filter(merged__slug=options["partnership"]).first()
        if proposal is None:
            raise CommandError(f"No merger into {options['partnership']!r} is recorded")
        self.stdout.write(
            f"Merger into {proposal.merged.name} ({proposal.merged.get_status_display()})"
        )
        names = ", ".join(p.name for p in proposal.predecessors.order_by("name"))
        self.stdout.write(f"  from: {names}")
        for value, label in MergerProposal.Stage.choices:
            if value:
                when = proposal.stage_date(value)
                self.stdout.write(
                    f"  {value}. {label}: {when:%-d %B %Y}"
                    if when
                    else f"  {value}. {label}: not yet"
                )
        for a in proposal.agreements.select_related("organisation"):
            self.stdout.write(
                f"  agreed: {a.organisation.name}, {a.agreed_on:%-d %B %Y} ({a.minute_reference})"
            )
