"""The demo registry's shared pieces: the county, its districts and organisations, invented
placeholder people, and the builders of a structure document's groups, seats and members."""

from __future__ import annotations

import datetime as dt
import itertools

COUNTY = ("E10000017", "Lancashire")
DISTRICTS = {
    "E06000008": "Blackburn with Darwen",
    "E06000009": "Blackpool",
    "E07000117": "Burnley",
    "E07000118": "Chorley",
    "E07000119": "Fylde",
    "E07000120": "Hyndburn",
    "E07000121": "Lancaster",
    "E07000122": "Pendle",
    "E07000123": "Preston",
    "E07000124": "Ribble Valley",
    "E07000125": "Rossendale",
    "E07000126": "South Ribble",
    "E07000127": "West Lancashire",
    "E07000128": "Wyre",
}
SOUTH = {"chorley": "E07000118", "south-ribble": "E07000126", "west-lancashire": "E07000127"}
SOUTH_NAMES = {
    "chorley": "Chorley",
    "south-ribble": "South Ribble",
    "west-lancashire": "West Lancashire",
}

ORGANISATIONS = [
    # slug, name, kind, area code
    ("chorley-council", "Chorley Borough Council", "district_council", SOUTH["chorley"]),
    (
        "south-ribble-council",
        "South Ribble Borough Council",
        "district_council",
        SOUTH["south-ribble"],
    ),
    (
        "west-lancashire-council",
        "West Lancashire Borough Council",
        "district_council",
        SOUTH["west-lancashire"],
    ),
    ("lancashire-county-council", "Lancashire County Council", "county_council", COUNTY[0]),
    ("lancashire-constabulary", "Lancashire Constabulary (Southern Division)", "police", None),
    ("lancashire-police-authority", "Lancashire Police Authority", "police_authority", None),
    ("lancashire-fire-rescue", "Lancashire Fire and Rescue Service", "fire_authority", None),
    ("central-lancashire-pct", "Central Lancashire Primary Care Trust", "health", None),
    ("lancashire-probation", "Lancashire Probation Area", "probation", None),
    ("lancashire-dat", "Lancashire Drug and Alcohol Action Team (LDAT)", "co_operating", None),
    ("lancashire-yot", "Lancashire Youth Offending Team", "co_operating", None),
    ("gonw", "Government Office North West", "government", None),
    ("chorley-forums", "Chorley community forums and PACT panels", "voluntary", SOUTH["chorley"]),
    (
        "south-ribble-forums",
        "South Ribble community forums and PACT panels",
        "voluntary",
        SOUTH["south-ribble"],
    ),
    (
        "west-lancashire-forums",
        "West Lancashire community forums and PACT panels",
        "voluntary",
        SOUTH["west-lancashire"],
    ),
]
# The bodies that took over from those of 2008, for the years after (see LIFE).
ORGANISATIONS += [
    ("lancashire-pcc", "Police and Crime Commissioner for Lancashire", "pcc", None),
    (
        "chorley-south-ribble-ccg",
        "NHS Chorley and South Ribble Clinical Commissioning Group",
        "ccg",
        None,
    ),
    ("west-lancashire-ccg", "NHS West Lancashire Clinical Commissioning Group", "ccg", None),
    (
        "lancashire-south-cumbria-icb",
        "NHS Lancashire and South Cumbria Integrated Care Board",
        "icb",
        None,
    ),
    ("lancashire-probation-trust", "Lancashire Probation Trust", "probation", None),
    (
        "probation-service-lancashire",
        "The Probation Service, Lancashire (National Probation Service until 26 June 2021)",
        "probation",
        None,
    ),
]
# The dates the law fixed (see cdrp.partnerships.law): police authorities abolished and
# commissioners in office on 22 November 2012; primary care trusts replaced by clinical
# commissioning groups on 1 April 2013, and those by integrated care boards on 1 July 2022; the
# Government Offices for the Regions closed on 31 March 2011.
PCC_FROM = dt.date(2012, 11, 22)
CCG_FROM = dt.date(2013, 4, 1)
ICB_FROM = dt.date(2022, 7, 1)
GO_CLOSED = dt.date(2011, 3, 31)
# Lancashire's probation board gave way to the Lancashire Probation Trust on 1 April 2009
# (SI 2009/547); the trust's work passed to the National Probation Service on 1 June 2014 and the
# trust was dissolved on 31 October 2014 (SI 2014/2704). (The community rehabilitation company of
# 2014-21, whose contract may also have made it a responsible authority, is left out.)
TRUST_FROM = dt.date(2009, 4, 1)
NPS_FROM = dt.date(2014, 6, 1)
_DAY = dt.timedelta(days=1)
CCGS = ["chorley-south-ribble-ccg", "west-lancashire-ccg"]
LIFE = {
    # slug: (valid_from, valid_to, successors)
    "lancashire-police-authority": (None, PCC_FROM - _DAY, ["lancashire-pcc"]),
    "lancashire-pcc": (PCC_FROM, None, []),
    "central-lancashire-pct": (None, CCG_FROM - _DAY, CCGS),
    "chorley-south-ribble-ccg": (CCG_FROM, ICB_FROM - _DAY, ["lancashire-south-cumbria-icb"]),
    "west-lancashire-ccg": (CCG_FROM, ICB_FROM - _DAY, ["lancashire-south-cumbria-icb"]),
    "lancashire-south-cumbria-icb": (ICB_FROM, None, []),
    "gonw": (None, GO_CLOSED, []),
    "lancashire-probation": (None, TRUST_FROM - _DAY, ["lancashire-probation-trust"]),
    # Its life as a provider of probation services (it was dissolved, emptied, in October).
    "lancashire-probation-trust": (TRUST_FROM, NPS_FROM - _DAY, ["probation-service-lancashire"]),
    "probation-service-lancashire": (NPS_FROM, None, []),
}
COUNCIL = {d: f"{d}-council" for d in SOUTH}
# The responsible authorities of 2008 (the district partnerships closed before any changed).
RESPONSIBLE_2008 = [
    "lancashire-county-council",
    "lancashire-constabulary",
    "lancashire-police-authority",
    "lancashire-fire-rescue",
    "central-lancashire-pct",
    "lancashire-probation",
]
# Those of the partnerships that run on: with the health bodies that succeeded the trust (the
# police and crime commissioner is a co-operating body, not a responsible authority).
RESPONSIBLE = [
    *RESPONSIBLE_2008,
    *CCGS,
    "lancashire-south-cumbria-icb",
    "lancashire-probation-trust",
    "probation-service-lancashire",
]

_FIRST = [
    "Avery",
    "Blake",
    "Cameron",
    "Dana",
    "Ellis",
    "Frankie",
    "Gale",
    "Harper",
    "Indy",
    "Jules",
    "Kit",
    "Lee",
    "Marley",
    "Noel",
    "Oakley",
    "Parker",
    "Quinn",
    "Reese",
    "Sam",
    "Tatum",
    "Umber",
    "Val",
    "Wren",
    "Yael",
    "Zuri",
    "Arden",
    "Bryn",
    "Carey",
    "Devon",
    "Emery",
]
_LAST = [
    "Ashdown",
    "Birchall",
    "Calder",
    "Dunmore",
    "Eskdale",
    "Fairclough",
    "Garstang",
    "Holcombe",
    "Ingleby",
    "Jessop",
    "Kirkham",
    "Longridge",
    "Marsden",
    "Nateby",
    "Ormskirk",
    "Pilling",
    "Quernmore",
    "Rufford",
    "Scarth",
    "Tockholes",
    "Ulnes",
    "Wray",
    "Yealand",
]

# When the order was made the district partnerships closed; the merged one started.
PILOT_FROM = dt.date(2008, 4, 1)
ORDER_ON = dt.date(2009, 4, 1)
CLOSED_ON = ORDER_ON - dt.timedelta(days=1)
# The 2007 regulations' county strategy groups (illustrative start date).
COUNTY_FROM = dt.date(2007, 8, 1)
PREDECESSOR_CHAIRS = {
    "chorley": "chorley-portfolio-member",
    "south-ribble": "divisional-commander",
    "west-lancashire": "west-lancashire-chief-executive",
}


class _People:
    """Invented placeholder people, one per role, with example contact details."""

    def __init__(self):
        names = (f"{f} {last}" for last, f in itertools.product(_LAST, _FIRST))
        self._names = iter(sorted(set(names), key=lambda n: (hash_name(n), n)))
        self.records: dict[str, dict] = {}

    def __call__(self, slug: str, job_title: str, organisation: str | None) -> str:
        if slug not in self.records:
            n = len(self.records) + 1
            self.records[slug] = {
                "slug": slug,
                "name": f"{next(self._names)} (placeholder)",
                "job_title": job_title,
                "organisation": organisation,
                "email": f"{slug}@example.org",
                "phone": f"01632 960{n:03d}",
                "placeholder": True,
            }
        return slug


def hash_name(name: str) -> int:
    """A stable shuffle key (Python's hash() changes between runs)."""
    return sum((i + 1) * ord(ch) for i, ch in enumerate(name)) % 997


def _seat(
    label,
    org=None,
    area=None,
    voting=True,
    statutory=False,
    members=(),
    valid_from=None,
    valid_to=None,
):
    seat = {
        "label": label,
        "organisation": org,
        "council_area": area,
        "voting": voting,
        "statutory": statutory,
        "members": list(members),
    }
    # Only a seat opened or closed on a date says so (the structure file leaves them out).
    seat.update({k: v for k, v in (("valid_from", valid_from), ("valid_to", valid_to)) if v})
    return seat


def police_and_health_seats(p: _People, start, pa_label: str, pct_label: str) -> list:
    """A strategy group's seats for the police authority and the primary care trust from
    `start`, rolled forward through the bodies that took over: the police and crime
    commissioner (a co-operating body, given a seat and a vote by the partnership), the two
    clinical commissioning groups, then the integrated care board. Each seat closes on its
    body's last day, and the people move with the work."""
    pa_end, pct_end = PCC_FROM - _DAY, CCG_FROM - _DAY
    ccg_end = ICB_FROM - _DAY
    return [
        _seat(
            pa_label,
            "lancashire-police-authority",
            statutory=True,
            valid_to=pa_end,
            members=[
                _m(
                    p(
                        "police-authority-member",
                        "Member of the Police Authority",
                        "lancashire-police-authority",
                    ),
                    start=start,
                    end=pa_end,
                    senior=True,
                )
            ],
        ),
        _seat(
            "Police and Crime Commissioner (co-operating body)",
            "lancashire-pcc",
            valid_from=PCC_FROM,
            members=[
                _m(
                    p("pcc", "Police and Crime Commissioner", "lancashire-pcc"),
                    start=PCC_FROM,
                    senior=True,
                )
            ],
        ),
        _seat(
            pct_label,
            "central-lancashire-pct",
            statutory=True,
            valid_to=pct_end,
            members=[
                _m(
                    p("pct-director", "Director of Public Health", "central-lancashire-pct"),
                    start=start,
                    end=pct_end,
                    senior=True,
                )
            ],
        ),
        _seat(
            "Clinical Commissioning Group Chief Officer",
            "chorley-south-ribble-ccg",
            statutory=True,
            valid_from=CCG_FROM,
            valid_to=ccg_end,
            members=[_m("pct-director", start=CCG_FROM, end=ccg_end, senior=True)],
        ),
        _seat(
            "Clinical Commissioning Group Chief Officer",
            "west-lancashire-ccg",
            statutory=True,
            valid_from=CCG_FROM,
            valid_to=ccg_end,
            members=[
                _m(
                    p(
                        "west-lancashire-ccg-officer",
                        "Chief Officer, NHS West Lancashire CCG",
                        "west-lancashire-ccg",
                    ),
                    start=CCG_FROM,
                    end=ccg_end,
                    senior=True,
                )
            ],
        ),
        _seat(
            "Integrated Care Board place director",
            "lancashire-south-cumbria-icb",
            statutory=True,
            valid_from=ICB_FROM,
            members=[_m("pct-director", start=ICB_FROM, senior=True)],
        ),
    ]


def _m(person, role="member", start=None, end=None, senior=False, portfolio=False):
    return {
        "person": person,
        "role": role,
        "start": start,
        "end": end,
        "senior": senior,
        "portfolio_holder": portfolio,
    }


def _group(
    slug,
    name,
    kind,
    short="",
    reports_to=None,
    district=None,
    freq="quarterly",
    hours=2.0,
    tor="",
    seats=(),
    quorum=None,
    casting=True,
):
    return {
        "slug": slug,
        "name": name,
        "short_name": short,
        "kind": kind,
        "reports_to": reports_to,
        "district": district,
        "meeting_frequency": freq,
        "meeting_hours": hours,
        "quorum": quorum,
        "chair_casting_vote": casting,
        "terms_of_reference": tor,
        "seats": list(seats),
    }


def _document(partnership: dict, people: _People, groups: list) -> dict:
    return {
        "cdrp-structure": 1,
        "partnership": partnership,
        "areas": [],
        "organisations": [],
        "people": list(people.records.values()),
        "groups": groups,
    }


def probation_seats(label: str, person: str, start, statutory=False, senior=False) -> list:
    """A seat for probation from `start`, moved on with the service: the probation board's to
    31 March 2009, the Lancashire Probation Trust's to 31 May 2014, then the Probation Service's.
    `person` (already named with `_People`) holds each in turn."""
    board_end, trust_end = TRUST_FROM - _DAY, NPS_FROM - _DAY
    spans = [
        ("lancashire-probation", None, board_end),
        ("lancashire-probation-trust", TRUST_FROM, trust_end),
        ("probation-service-lancashire", NPS_FROM, None),
    ]
    seats = []
    for org, opened, closed in spans:
        begin = max(start, opened) if opened else start
        seats.append(
            _seat(
                label,
                org,
                statutory=statutory,
                valid_from=opened,
                valid_to=closed,
                members=[_m(person, start=begin, end=closed, senior=senior)],
            )
        )
    return seats
