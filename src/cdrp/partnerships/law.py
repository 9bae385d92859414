"""Who the law makes a responsible authority, or a co-operating body, of a partnership on a given
date: section 5 of the Crime and Disorder Act 1998 as it stood on that date, one dated provision
per kind of body, each with its citation and the legislation.gov.uk point-in-time version that
shows it.

The compliance engine (`cdrp.partnerships.compliance`) asks `in_force(on)` instead of keeping a
fixed list, so a partnership is judged by the law of the day it is judged on: in 2008 a police
authority must sit on the strategy group; in 2026 it no longer exists and the police and crime
commissioner, who replaced it, is a co-operating body, not a responsible authority.

Dates are inclusive: `start` is the first day a provision applied, `end` its last. Where a
change reached England and Wales on different days, `country` says which one a provision covers
("E" or "W"; "" for both).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Role", "Provision", "PROVISIONS", "in_force", "role_of", "provision_for", "country_of"]

ACT = "Crime and Disorder Act 1998"
S5 = "https://www.legislation.gov.uk/ukpga/1998/37/section/5"


class Role(StrEnum):
    RESPONSIBLE = "responsible"
    CO_OPERATING = "co_operating"

    @property
    def label(self) -> str:
        return "Responsible authority" if self is Role.RESPONSIBLE else "Co-operating body"


@dataclass(frozen=True)
class Provision:
    """One kind of body's place in the law between two dates."""

    kind: str  # an Organisation.Kind value
    role: Role
    start: dt.date
    end: dt.date | None
    citation: str
    url: str  # the point-in-time version of s.5 (or the amending Act) that shows it
    country: str = ""  # "E", "W", or "" for England and Wales

    def applies(self, on: dt.date, country: str = "E") -> bool:
        return (
            self.start <= on
            and (self.end is None or on <= self.end)
            and (not self.country or not country or self.country == country)
        )

    @property
    def period(self) -> str:
        start = f"{self.start:%-d %B %Y}"
        return f"{start} to {self.end:%-d %B %Y}" if self.end else f"from {start}"


D = dt.date
COMMENCED = D(1998, 9, 30)  # ss.5-7 in force: SI 1998/2327, art. 2(1)(a)
PRA_2002 = D(2003, 4, 1)  # s.97(2) for police, fire and Welsh health bodies (HC Deb 16.6.2004)
PCT_FROM = D(2004, 4, 30)  # s.97(2) for Primary Care Trusts in England (ibid.)
PROBATION_RA = D(2010, 4, 1)  # s.5(1)(aa): Policing and Crime Act 2009 s.108(2), SI 2010/507
PCC_FROM = D(2012, 11, 22)  # police authorities abolished, commissioners took office
CCG_FROM = D(2013, 4, 1)  # Health and Social Care Act 2012
ICB_FROM = D(2022, 7, 1)  # Health and Care Act 2022
_DAY = dt.timedelta(days=1)

PROVISIONS: tuple[Provision, ...] = (
    # As enacted: the councils and the chief officer of police are responsible authorities.
    Provision(
        "district_council",
        Role.RESPONSIBLE,
        COMMENCED,
        None,
        f"{ACT}, s.5(1)(a): the council for the area (in force 30 September 1998, SI 1998/2327)",
        f"{S5}/enacted",
    ),
    Provision(
        "county_council",
        Role.RESPONSIBLE,
        COMMENCED,
        None,
        f"{ACT}, s.5(1)(a): where the area is a district of a two-tier county, the county "
        "council too",
        f"{S5}/enacted",
    ),
    Provision(
        "police",
        Role.RESPONSIBLE,
        COMMENCED,
        None,
        f"{ACT}, s.5(1)(b): every chief officer of police any part of whose police area lies "
        "within the area",
        f"{S5}/enacted",
    ),
    # As enacted: police authority, probation committee and health authority co-operate.
    Provision(
        "police_authority",
        Role.CO_OPERATING,
        COMMENCED,
        PRA_2002 - _DAY,
        f"{ACT}, s.5(2)(a) as enacted: every police authority, a co-operating body",
        f"{S5}/enacted",
    ),
    Provision(
        "health_authority",
        Role.CO_OPERATING,
        COMMENCED,
        PRA_2002 - _DAY,
        f"{ACT}, s.5(2)(b) as enacted: every health authority, a co-operating body",
        f"{S5}/enacted",
    ),
    Provision(
        "probation",
        Role.CO_OPERATING,
        COMMENCED,
        PROBATION_RA - _DAY,
        f"{ACT}, s.5(2)(b): the probation committee as enacted; every local probation board "
        "from 1 April 2001 (Criminal Justice and Court Services Act 2000) and in the text "
        "substituted by the Police Reform Act 2002 s.97(4): a co-operating body",
        f"{S5}/2007-08-01",
    ),
    # Police Reform Act 2002 s.97(2): police, fire and health bodies made responsible.
    Provision(
        "police_authority",
        Role.RESPONSIBLE,
        PRA_2002,
        PCC_FROM - _DAY,
        f"{ACT}, s.5(1)(c), inserted by the Police Reform Act 2002 s.97(2) (in force 1 April "
        "2003): every police authority; repealed when police authorities were abolished on 22 "
        "November 2012 (Police Reform and Social Responsibility Act 2011, s.1(9))",
        f"{S5}/2012-01-16",
    ),
    Provision(
        "fire_authority",
        Role.RESPONSIBLE,
        PRA_2002,
        None,
        f"{ACT}, s.5(1)(d), inserted by the Police Reform Act 2002 s.97(2) (in force 1 April "
        "2003): every fire authority (fire and rescue authority since the Fire and Rescue "
        "Services Act 2004)",
        f"{S5}/2007-08-01",
    ),
    Provision(
        "local_health_board",
        Role.RESPONSIBLE,
        PRA_2002,
        None,
        f"{ACT}, s.5(1)(f), inserted by the Police Reform Act 2002 s.97(2) (in force 1 April "
        "2003): in Wales the health authority, since replaced by every Local Health Board",
        f"{S5}/2007-08-01",
        country="W",
    ),
    Provision(
        "health",
        Role.RESPONSIBLE,
        PCT_FROM,
        CCG_FROM - _DAY,
        f"{ACT}, s.5(1)(e), inserted by the Police Reform Act 2002 s.97(2) (in force for "
        "England 30 April 2004, HC Deb 16 June 2004 vol 422 cc981-2W): every Primary Care "
        "Trust",
        f"{S5}/2007-08-01",
        country="E",
    ),
    # Policing and Crime Act 2009 s.108(2): providers of probation services responsible.
    Provision(
        "probation",
        Role.RESPONSIBLE,
        PROBATION_RA,
        None,
        f"{ACT}, s.5(1)(aa), inserted by the Policing and Crime Act 2009 s.108(2) (in force 1 "
        "April 2010, SI 2010/507): every provider of probation services whose arrangements "
        "under the Offender Management Act 2007 s.3 make it a responsible authority",
        f"{S5}/2012-01-16",
    ),
    # Police Reform and Social Responsibility Act 2011: commissioners co-operate.
    Provision(
        "pcc",
        Role.CO_OPERATING,
        PCC_FROM,
        None,
        "Police Reform and Social Responsibility Act 2011, s.10(2): the police and crime "
        "commissioner and the responsible authorities must co-operate (commissioners took office "
        "22 November 2012); not a responsible authority under the Crime and Disorder Act 1998 "
        "s.5(1)",
        "https://www.legislation.gov.uk/ukpga/2011/13/section/10",
    ),
    # Health and Social Care Act 2012, then the Health and Care Act 2022.
    Provision(
        "ccg",
        Role.RESPONSIBLE,
        CCG_FROM,
        ICB_FROM - _DAY,
        f"{ACT}, s.5(1)(e) as amended by the Health and Social Care Act 2012 (in force 1 April "
        "2013): every clinical commissioning group",
        f"{S5}/2013-04-01",
        country="E",
    ),
    Provision(
        "icb",
        Role.RESPONSIBLE,
        ICB_FROM,
        None,
        f"{ACT}, s.5(1)(e) as amended by the Health and Care Act 2022 (in force 1 July 2022): "
        "every integrated care board",
        f"{S5}/2023-12-20",
        country="E",
    ),
)

#: Merged areas: the provision that lets several districts act as one partnership.
COMBINATION: tuple[Provision, ...] = (
    Provision(
        "combined_area",
        Role.RESPONSIBLE,
        PRA_2002,
        D(2012, 1, 15),
        f"{ACT}, s.5(1A)-(1B), inserted by the Police Reform Act 2002 s.97(3): an order of the "
        "Secretary of State combining two or more areas in England, whose responsible "
        "authorities are all those of the areas combined",
        f"{S5}/2007-08-01",
        country="E",
    ),
    Provision(
        "combined_area",
        Role.RESPONSIBLE,
        D(2012, 1, 16),
        None,
        f"{ACT}, s.5(1A)-(1BA) and s.5A, substituted by the Police Reform and Social "
        "Responsibility Act 2011 Sch. 11: a combination agreement made by the relevant local "
        "policing body with the responsible authorities of the combined area",
        f"{S5}/2012-01-16",
        country="E",
    ),
)


def country_of(district_codes) -> str:
    """ "E" or "W" from the partnership's districts' ONS codes ("E" when none are given)."""
    codes = [c for c in district_codes if c]
    return "W" if codes and all(c.startswith("W") for c in codes) else "E"


def in_force(on: dt.date, country: str = "E") -> list[Provision]:
    """Every provision in force on `on` in `country`, responsible authorities first."""
    found = [p for p in PROVISIONS if p.applies(on, country)]
    return sorted(found, key=lambda p: (p.role != Role.RESPONSIBLE, p.kind))


def provision_for(kind: str, on: dt.date, country: str = "E") -> Provision | None:
    """The provision that gives bodies of `kind` their place on `on`, if any."""
    return next((p for p in PROVISIONS if p.kind == kind and p.applies(on, country)), None)


def role_of(kind: str, on: dt.date, country: str = "E") -> Role | None:
    """Responsible, co-operating, or None (no statutory place) for a body of `kind` on `on`."""
    found = provision_for(kind, on, country)
    return found.role if found else None


def combination(on: dt.date, country: str = "E") -> Provision | None:
    """The provision for merged (combined) areas in force on `on`."""
    return next((p for p in COMBINATION if p.applies(on, country)), None)
