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
COUNCIL = {d: f"{d}-council" for d in SOUTH}
RESPONSIBLE = [
    "lancashire-county-council",
    "lancashire-constabulary",
    "lancashire-police-authority",
    "lancashire-fire-rescue",
    "central-lancashire-pct",
    "lancashire-probation",
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


def _seat(label, org=None, area=None, voting=True, statutory=False, members=()):
    return {
        "label": label,
        "organisation": org,
        "council_area": area,
        "voting": voting,
        "statutory": statutory,
        "members": list(members),
    }


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
