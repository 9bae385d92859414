"""When a meeting's agenda and papers must be published: a set number of clear working days
before the meeting (`MEETING_PAPERS_CLEAR_DAYS`, default 5).

The Local Government Act 1972, s100B(3), has the agenda and reports of a principal council's
meeting open to inspection "at least five clear days before the meeting" (three in the Act as
made; five in England since the Local Government (Access to Information) (Variation) Order
2002, SI 2002/715). "Clear days" are read, as councils and the courts read them (R v Swansea
City Council, ex p Elitestone Ltd (1993) 66 P & CR 422), to leave out both the day of
publication and the day of the meeting; and, as committee services count them, only working
days: weekends and the bank holidays of England and Wales (the `holidays` package, subdivision
ENG) are not counted. A community safety partnership is not a principal council, but it is
held to the same standard here so that its papers reach members in time.

Worked example: a meeting on Thursday 29 May 2025 (the bank holiday Monday is 26 May). Counting
back from the day before, the working days are Wed 28, Tue 27, Fri 23, Thu 22, Wed 21: five
clear working days need publication no later than Tuesday 20 May.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import holidays as _holidays
from django.conf import settings

__all__ = ["DEFAULT_CLEAR_DAYS", "PapersDeadline", "clear_days", "deadline", "papers_deadline"]

DEFAULT_CLEAR_DAYS = 5


@cache
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(_holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def clear_days(published: dt.date, meeting: dt.date) -> int:
    """Working days strictly between the day of publication and the day of the meeting."""
    count, day = 0, published + dt.timedelta(days=1)
    while day < meeting:
        count += is_working_day(day)
        day += dt.timedelta(days=1)
    return count


def required_clear_days() -> int:
    return int(getattr(settings, "MEETING_PAPERS_CLEAR_DAYS", DEFAULT_CLEAR_DAYS))


def deadline(meeting: dt.date, days: int | None = None) -> dt.date:
    """The last day on which publication still leaves `days` clear working days."""
    days = required_clear_days() if days is None else days
    found, day = 0, meeting
    while found < days:
        day -= dt.timedelta(days=1)
        found += is_working_day(day)
    return day - dt.timedelta(days=1)


@dataclass(frozen=True)
class PapersDeadline:
    """A meeting's papers deadline and what was published after it."""

    days: int
    deadline: dt.date
    published_on: dt.date | None
    late_agenda: bool
    late_papers: list  # the papers uploaded after the deadline that the reader may read
    overdue: bool  # past the deadline and the agenda is not yet published
    late_withheld: int = 0  # late papers the reader may not read (restricted): counted only

    @property
    def late(self) -> bool:
        return (
            self.late_agenda or bool(self.late_papers) or self.overdue or bool(self.late_withheld)
        )

    def warnings(self) -> list[str]:
        out = []
        due = f"{self.deadline:%-d %B %Y}"
        if self.overdue:
            out.append(
                f"The agenda is late: it had to be published by {due}, {self.days} clear "
                "working days before the meeting, and is not published yet"
            )
        if self.late_agenda and self.published_on is not None:
            out.append(
                f"The agenda was published late, on {self.published_on:%-d %B %Y}: the deadline "
                f"was {due} ({self.days} clear working days before the meeting)"
            )
        for paper in self.late_papers:
            out.append(
                f"“{paper.title}” was published late, on {paper.uploaded_on:%-d %B %Y} "
                f"(deadline {due})"
            )
        if self.late_withheld:
            out.append(
                f"{self.late_withheld} restricted paper{'s' if self.late_withheld > 1 else ''} "
                f"published after the deadline ({due})"
            )
        return out


def papers_deadline(meeting, today: dt.date | None = None, reader=None) -> PapersDeadline:
    """The deadline for `meeting` (a Meeting) and whether its agenda and papers missed it. With
    a `reader`, a late paper they may not read (restricted) is counted but not named."""
    from cdrp.meetings import restricted
    from cdrp.meetings.models import Paper

    today = today or dt.date.today()
    days = required_clear_days()
    last = deadline(meeting.date, days)
    published = meeting.agenda_published_on
    late = Paper.objects.filter(item__meeting=meeting, uploaded_on__gt=last)
    late_papers = list(late.select_related("item__meeting__group").order_by("uploaded_on"))
    readable = [x for x in late_papers if restricted.may_read(reader, x)]
    return PapersDeadline(
        days=days,
        deadline=last,
        published_on=published,
        late_agenda=published is not None and published > last,
        late_papers=readable,
        late_withheld=len(late_papers) - len(readable),
        overdue=published is None and last < today <= meeting.date,
    )
