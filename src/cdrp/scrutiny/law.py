"""The law behind the Community Call for Action and the crime and disorder committee, with
citations, in the manner of `cdrp.partnerships.law`: each provision dated, with the
legislation.gov.uk page that shows it.

Checked against legislation.gov.uk (the Police and Justice Act 2006, s.19, its annotations and
the Explanatory Notes to the Act) and the Salford review of 29 January 2007 in shared/reports
("Introducing the Community Call for Action (CCfA) whereby through local councillors,
communities can bring the CDRP to account"):

- s.19(1): every local authority has a crime and disorder committee, with power to review or
  scrutinise the responsible authorities' crime and disorder functions and to make reports or
  recommendations; s.19(2): copies go to every responsible authority and co-operating body.
  In force 30 April 2009 in England (SI 2009/936, art. 2(a)) and 1 October 2009 in Wales
  (SI 2009/2540, art. 2(a)).
- s.19(3)-(8B), substituted by the Local Government and Public Involvement in Health Act 2007
  (c. 28), s.126(2) (commenced by s.245(5)): a member of the authority may refer a local crime
  and disorder matter to the committee. Substituted from 30 April 2009 in England
  (SI 2009/959, art. 2(a)) and 1 October 2009 in Wales (SI 2009/2539, art. 2(a)).
- Two-tier areas: a county councillor for an area with district councils is not under the
  duty, and the district council's committee considers the call (Explanatory Notes to the
  2006 Act, para. 192; HC Deb 26 October 2006, written answer on the Community Call for
  Action).

The deadline for the partnership's response is the partnership's own choice (the setting
`CDRP_CCFA_RESPONSE_DAYS`, default 28 days): this module does not claim a statutory period for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = ["Provision", "PROVISIONS", "CCFA", "COMMITTEE", "in_force", "CRITERIA"]

PJA = "Police and Justice Act 2006"
LGPIHA = "Local Government and Public Involvement in Health Act 2007"
S19 = "https://www.legislation.gov.uk/ukpga/2006/48/section/19"
NOTES = "https://www.legislation.gov.uk/ukpga/2006/48/notes/division/5/1/3/1"


@dataclass(frozen=True)
class Provision:
    key: str
    citation: str
    url: str
    england: dt.date
    wales: dt.date

    def in_force(self, on: dt.date, country: str = "E") -> bool:
        return on >= (self.wales if country == "W" else self.england)

    @property
    def commenced(self) -> str:
        return f"in force {self.england:%-d %B %Y} in England and {self.wales:%-d %B %Y} in Wales"


COMMITTEE = Provision(
    "committee",
    f"{PJA}, s.19(1)-(2): the council's crime and disorder committee "
    "(SI 2009/936, art. 2(a); SI 2009/2540, art. 2(a))",
    S19,
    dt.date(2009, 4, 30),
    dt.date(2009, 10, 1),
)
CCFA = Provision(
    "ccfa",
    f"{PJA}, s.19(3)-(8B), substituted by the {LGPIHA}, s.126(2): "
    "a councillor's referral of a local crime and disorder matter "
    "(SI 2009/959, art. 2(a); SI 2009/2539, art. 2(a))",
    S19,
    dt.date(2009, 4, 30),
    dt.date(2009, 10, 1),
)
TWO_TIER = (
    "In a two-tier area the district council's crime and disorder committee considers the call "
    f"({PJA}, Explanatory Notes, para. 192)"
)
PROVISIONS: tuple[Provision, ...] = (COMMITTEE, CCFA)

#: The published screening criteria, each asked of every call (key, question).
CRITERIA: tuple[tuple[str, str], ...] = (
    (
        "local_matter",
        "Is it a local crime and disorder matter (including anti-social behaviour "
        "and substance misuse) affecting the councillor's ward?",
    ),
    ("persistent", "Is the problem persistent, not a single incident?"),
    (
        "routes_tried",
        "Have the usual routes (reporting to the police, the council, the "
        "landlord; the neighbourhood team) been tried first?",
    ),
)


def in_force(on: dt.date, country: str = "E") -> tuple[Provision, ...]:
    return tuple(p for p in PROVISIONS if p.in_force(on, country))
