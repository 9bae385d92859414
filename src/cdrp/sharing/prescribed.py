"""The prescribed-information tracker: which responsible authority supplied which dataset for
which quarter, late or missing flagged; the compliance rule reads it through
`cdrp.partnerships.evidence` (kind PRESCRIBED_INFORMATION).

The Crime and Disorder (Prescribed Information) Regulations 2007 (SI 2007/1831), made under
section 17A of the Crime and Disorder Act 1998:

- reg. 2: the prescribed information is depersonalised information of the description in the
  Schedule, for each information period;
- reg. 1(2): an information period is each consecutive period of three months beginning on
  1 July 2007 (so the calendar quarters);
- reg. 3(1): it is disclosed by the end of the information period following the one it
  relates to (information for January to March is due by 30 June); reg. 3(2): the first period
  of disclosure began on 1 October 2007; reg. 4: disclosed electronically.

The Schedule, paragraphs 1 to 3, checked against the text as made
(https://www.legislation.gov.uk/uksi/2007/1831/schedule/made): 1. the police force's
anti-social behaviour, transport and public safety/welfare incidents (category, time, date and
location, by the National Incident Category List); 2. the police force's crimes by sub-category
(burglary, criminal damage, drug offences, fraud and forgery, robbery, sexual offences, theft and
handling stolen goods, violence against the person, other offences; time, date and location, by
the Home Office Notifiable Offences List); 3. the fire and rescue authority's deliberate primary
fires (in vehicles and others, separately), deliberate secondary fires (likewise), incidents of
violence against its employees, and dwelling fires with no smoke alarm fitted (time, date and
location, by Fire Statistics, United Kingdom).

UNVERIFIED: the Schedule's paragraphs 4 onward. The searchable copies of the regulation end
at paragraph 3. A secondary source (alcoholpolicy.net, "CDRP statutory instruments", July 2007)
summarises a duty on Primary Care Trusts: hospital admissions of residents (general postcode
address, date, and sub-category within assault X85-Y09, mental and behavioural disorders due to
psychoactive substance use F10-F19, toxic effect of alcohol T51, alcohol involvement Y90/Y91),
admissions in respect of domestic abuse, and ambulance calls to crime and disorder incidents
(location, time, date, category). Its paragraph numbers, and any local authority paragraphs
(reg. 1(2) defines "school"), were not seen in the regulation's own text, so `EXPECTED` lists
paragraphs 1 to 3 only; a partnership may track other datasets (such as the health returns) by
recording them, and the tracker shows them beside the expected ones.
"""

from __future__ import annotations

import datetime as dt

from cdrp.analysis.months import Month, quarter_label, quarter_months
from cdrp.partnerships import evidence
from cdrp.sharing.models import Dataset, PrescribedReturn

__all__ = ["EXPECTED", "due_date", "quarters_due", "tracker", "prescribed_evidence", "SOURCE"]

SOURCE = "Crime and Disorder (Prescribed Information) Regulations 2007 (SI 2007/1831)"
#: Organisation kind → the datasets the Schedule prescribes for it (paragraphs 1 to 3, checked;
#: the health paragraphs are unverified and not expected: see the module's docstring).
EXPECTED = {
    "police": [Dataset.POLICE_INCIDENTS, Dataset.POLICE_CRIME],  # Schedule paras 1 and 2
    "fire_authority": [Dataset.FIRE_INCIDENTS],  # Schedule para 3
}
FIRST_PERIOD = "2007-Q4"  # reg. 3(2): disclosure from the period beginning 1 October 2007


def _next_quarter(quarter: str) -> str:
    last = Month.parse(quarter_months(quarter)[1])
    return (last + 1).quarter


def due_date(quarter: str) -> dt.date:
    """The last day of the following information period (reg. 3(1)).

    >>> due_date("2024-Q1")
    datetime.date(2024, 6, 30)
    >>> due_date("2023-Q4")
    datetime.date(2024, 3, 31)
    """
    following = _next_quarter(quarter)
    return Month.parse(quarter_months(following)[1]).last_day


def quarters_due(on: dt.date, count: int = 4) -> list[str]:
    """The latest `count` quarters whose due date has passed on `on`, newest first."""
    quarter = Month(on.year, on.month).quarter
    out: list[str] = []
    while len(out) < count and quarter >= FIRST_PERIOD:
        if due_date(quarter) < on:
            out.append(quarter)
        quarter = (Month.parse(quarter_months(quarter)[0]) + (-1)).quarter
    return out


def _authorities(partnership):
    return [
        o for o in partnership.responsible_authorities.all().order_by("name") if o.kind in EXPECTED
    ]


def tracker(partnership, on: dt.date, count: int = 4) -> list[dict]:
    """One row per expected return (authority × dataset × quarter due): received on time,
    late, or missing; plus any other return recorded for those quarters."""
    quarters = quarters_due(on, count)
    got = {
        (r.organisation_id, r.dataset, r.quarter): r
        for r in PrescribedReturn.objects.filter(partnership=partnership, quarter__in=quarters)
    }
    labels = dict(Dataset.choices)
    rows = []
    for quarter in quarters:
        due = due_date(quarter)
        expected = [(o, d) for o in _authorities(partnership) for d in EXPECTED[o.kind]]
        seen = set()
        for organisation, dataset in expected:
            r = got.get((organisation.pk, dataset, quarter))
            seen.add((organisation.pk, dataset))
            rows.append(_row(organisation, dataset, quarter, due, r, labels))
        for (org_id, other, q), r in got.items():
            if q == quarter and (org_id, other) not in seen:
                rows.append(_row(r.organisation, other, quarter, due, r, labels))
    return rows


def _row(organisation, dataset, quarter, due, r, labels) -> dict:
    if r is None or r.received_on is None:
        status = "missing"
    elif r.received_on > due:
        status = "late"
    else:
        status = "received"
    return {
        "organisation": organisation,
        "dataset": dataset,
        "dataset_label": labels.get(dataset, dataset),
        "quarter": quarter,
        "quarter_label": quarter_label(quarter),
        "due": due,
        "received_on": r.received_on if r is not None else None,
        "status": status,
    }


def prescribed_evidence(partnership) -> list[evidence.Evidence]:
    """For the compliance rule: each expected return of the last eight quarters due, with its
    status (received, late or missing)."""
    out = []
    for row in tracker(partnership, dt.date.today(), count=8):
        start = Month.parse(quarter_months(row["quarter"])[0]).first_day
        out.append(
            evidence.Evidence(
                kind=evidence.PRESCRIBED_INFORMATION,
                date=row["received_on"] or row["due"],
                title=f"{row['organisation'].name}: {row['dataset_label']}, "
                f"{row['quarter_label']} ({row['status']})",
                url=f"/sharing/{partnership.slug}/prescribed/",
                period_start=start,
                period_end=row["due"],
                status=row["status"],
            )
        )
    return out
