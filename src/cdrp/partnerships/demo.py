"""Demo records for the partnership registry: Lancashire South Strategic CDRP as proposed in the
Chorley report (27 March 2008), the three district partnerships it replaced (historical, with the
merger's six stages dated), the Lancashire county strategy group, and the demo accounts' roles.

Roles and bodies are the report's; every person's name is an invented placeholder, marked as
such, with example.org addresses and Ofcom drama-range phone numbers. Dates after the report
(application, consideration, recommendation, order) are illustrative.
"""

from __future__ import annotations

import datetime as dt
import itertools

import yaml

from cdrp.accounts.models import PartnershipRole
from cdrp.accounts.policy import SYSTEM
from cdrp.partnerships import services
from cdrp.partnerships.models import Area, MergerProposal, Organisation, Partnership
from cdrp.partnerships.structure import import_structure

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


def _lancashire_south(people: _People) -> dict:
    p, start = people, PILOT_FROM
    rag_seats = []
    for d, code in SOUTH.items():
        name, council = SOUTH_NAMES[d], COUNCIL[d]
        rag_seats += [
            _seat(
                "Chief Executive",
                council,
                code,
                statutory=True,
                members=[
                    _m(
                        p(f"{d}-chief-executive", "Chief Executive", council),
                        start=start,
                        senior=True,
                    )
                ],
            ),
            _seat(
                "Elected member",
                council,
                code,
                statutory=True,
                members=[
                    _m(
                        p(
                            f"{d}-portfolio-member",
                            f"Executive member for community safety, {name}",
                            council,
                        ),
                        start=start,
                        portfolio=True,
                    )
                ],
            ),
            _seat(
                "Director with the community safety portfolio",
                council,
                code,
                statutory=True,
                members=[
                    _m(
                        p(f"{d}-director", "Director (community safety)", council),
                        start=start,
                        senior=True,
                    )
                ],
            ),
        ]
    county = "lancashire-county-council"
    rag_seats += [
        _seat(
            "Chief Executive / Director",
            county,
            COUNTY[0],
            statutory=True,
            members=[
                _m(
                    p("county-director", "Director, Lancashire County Council", county),
                    start=start,
                    senior=True,
                )
            ],
        ),
        _seat(
            "Elected member",
            county,
            COUNTY[0],
            statutory=True,
            members=[
                _m(p("county-member", "County councillor (community safety)", county), start=start)
            ],
        ),
        _seat(
            "Community Safety Partnership Officer",
            county,
            COUNTY[0],
            statutory=True,
            members=[
                _m(
                    p("county-csp-officer", "Community Safety Partnership Officer", county),
                    start=start,
                )
            ],
        ),
        _seat(
            "Divisional Commander",
            "lancashire-constabulary",
            statutory=True,
            members=[
                _m(
                    p(
                        "divisional-commander",
                        "Chief Superintendent, Southern Division",
                        "lancashire-constabulary",
                    ),
                    role="chair",
                    start=start,
                    senior=True,
                )
            ],
        ),
        _seat(
            "Police Authority member",
            "lancashire-police-authority",
            statutory=True,
            members=[
                _m(
                    p(
                        "police-authority-member",
                        "Member of the Police Authority",
                        "lancashire-police-authority",
                    ),
                    start=start,
                    senior=True,
                )
            ],
        ),
        _seat(
            "Primary Care Trust Director",
            "central-lancashire-pct",
            statutory=True,
            members=[
                _m(
                    p("pct-director", "Director of Public Health", "central-lancashire-pct"),
                    start=start,
                    senior=True,
                )
            ],
        ),
        _seat(
            "Fire and Rescue Service Area Manager",
            "lancashire-fire-rescue",
            statutory=True,
            members=[
                _m(
                    p("fire-area-manager", "Area Manager", "lancashire-fire-rescue"),
                    start=start,
                    senior=True,
                )
            ],
        ),
        _seat(
            "Strategic Director, LDAT",
            "lancashire-dat",
            members=[
                _m(
                    p("ldat-director", "Strategic Director", "lancashire-dat"),
                    start=start,
                    senior=True,
                )
            ],
        ),
        _seat(
            "Probation District Manager",
            "lancashire-probation",
            statutory=True,
            members=[
                _m(
                    p("probation-manager", "District Manager", "lancashire-probation"),
                    start=start,
                    senior=True,
                )
            ],
        ),
        _seat(
            "Chair of the Officer Working Group",
            voting=False,
            members=[
                _m(p("chorley-csm", "Community Safety Manager", "chorley-council"), start=start)
            ],
        ),
        _seat(
            "Government Office North West representative",
            "gonw",
            voting=False,
            members=[_m(p("gonw-representative", "Crime reduction adviser", "gonw"), start=start)],
        ),
    ]
    rag_seats[3]["members"][0]["role"] = "vice_chair"  # South Ribble's chief executive
    groups = [
        _group(
            "rag",
            "Responsible Authorities Group",
            "strategy",
            "RAG",
            freq="quarterly",
            tor="The partnership's strategy group. Sets the strategic priorities for the three "
            "districts after considering the annual strategic assessment, approves the "
            "assessment and the partnership plan, and monitors performance against the plan "
            "and the use of funding. Each council area and each agency has one vote however "
            "many of its representatives attend.",
            seats=rag_seats,
        ),
    ]
    owg_seats = [
        _seat(
            "District Community Safety Manager",
            COUNCIL[d],
            code,
            members=[
                _m(
                    p(f"{d}-csm", "Community Safety Manager", COUNCIL[d]),
                    start=start,
                    role="chair" if d == "chorley" else "member",
                )
            ],
        )
        for d, code in SOUTH.items()
    ]
    owg_seats += [
        _seat(
            "Community Safety Partnership Officer",
            county,
            COUNTY[0],
            members=[_m("county-csp-officer", start=start)],
        ),
        _seat(
            "Partnerships Chief Inspector",
            "lancashire-constabulary",
            members=[
                _m(
                    p(
                        "partnerships-chief-inspector",
                        "Chief Inspector (partnerships)",
                        "lancashire-constabulary",
                    ),
                    start=start,
                )
            ],
        ),
        _seat(
            "PCT Public Health",
            "central-lancashire-pct",
            members=[
                _m(
                    p("pct-public-health", "Public health lead", "central-lancashire-pct"),
                    start=start,
                )
            ],
        ),
        _seat(
            "PCT Operational Services",
            "central-lancashire-pct",
            members=[
                _m(
                    p("pct-operations", "Operational services manager", "central-lancashire-pct"),
                    start=start,
                )
            ],
        ),
        _seat(
            "Fire and Rescue Service Group Manager",
            "lancashire-fire-rescue",
            members=[
                _m(p("fire-group-manager", "Group Manager", "lancashire-fire-rescue"), start=start)
            ],
        ),
        _seat(
            "LDAT",
            "lancashire-dat",
            members=[_m(p("ldat-officer", "Partnership officer", "lancashire-dat"), start=start)],
        ),
        _seat(
            "Youth Offending Team",
            "lancashire-yot",
            members=[_m(p("yot-manager", "Team Manager", "lancashire-yot"), start=start)],
        ),
        _seat(
            "Probation",
            "lancashire-probation",
            members=[
                _m(
                    p("probation-officer", "Senior Probation Officer", "lancashire-probation"),
                    start=start,
                )
            ],
        ),
        _seat(
            "Integrated Youth Support Services",
            county,
            members=[
                _m(
                    p("iyss-manager", "Integrated Youth Support Services manager", county),
                    start=start,
                )
            ],
        ),
    ]
    themes = [
        ("young-persons", "Young Persons group", "thematic", "lancashire-yot", "iyss-manager"),
        (
            "alcohol",
            "Alcohol Harm Reduction group",
            "thematic",
            "central-lancashire-pct",
            "pct-public-health",
        ),
        (
            "drugs-jcg",
            "Drugs Joint Commissioning Group",
            "thematic",
            "lancashire-dat",
            "ldat-officer",
        ),
        (
            "vulnerable-households",
            "Vulnerable Households group",
            "thematic",
            "lancashire-fire-rescue",
            "fire-group-manager",
        ),
        (
            "domestic-abuse",
            "Domestic Abuse group",
            "domestic_abuse",
            "lancashire-constabulary",
            "partnerships-chief-inspector",
        ),
    ]
    thematic_groups = []
    for slug, name, kind, lead_org, _lead in themes:
        chair = p(f"{slug}-chair", f"Chair, {name}", lead_org)
        owg_seats.append(
            _seat(f"Chair of the {name}", voting=False, members=[_m(chair, start=start)])
        )
        seats = [
            _seat(
                "Lead agency specialist", lead_org, members=[_m(chair, role="chair", start=start)]
            )
        ]
        for d, code in SOUTH.items():
            seats.append(
                _seat(
                    "Senior practitioner",
                    COUNCIL[d],
                    code,
                    members=[
                        _m(
                            p(
                                f"{slug}-{d}-practitioner",
                                f"Senior practitioner ({name.lower()})",
                                COUNCIL[d],
                            ),
                            start=start,
                        )
                    ],
                )
            )
        thematic_groups.append(
            _group(
                slug,
                name,
                kind,
                reports_to="owg",
                freq="bimonthly",
                tor="A joint thematic group of senior practitioners from each district. "
                "Co-ordinates "
                "the work on this priority from the strategic assessment, reports to the Officer "
                "Working Group and takes on strategic issues raised by the local MATAC and PPO "
                "meetings.",
                seats=seats,
            )
        )
    groups.append(
        _group(
            "owg",
            "Officer Working Group",
            "officer",
            "OWG",
            reports_to="rag",
            freq="monthly",
            tor="Reports to the Responsible Authorities Group. Makes sure the thematic groups and "
            "the "
            "district MATACs deliver against the current priorities and the partnership plan, and "
            "commissions tactical assessments from the partnership analyst.",
            seats=owg_seats,
        )
    )
    groups += thematic_groups
    for d, code in SOUTH.items():
        name, council = SOUTH_NAMES[d], COUNCIL[d]
        groups.append(
            _group(
                f"matac-{d}",
                f"MATAC, {name}",
                "tasking",
                "MATAC",
                reports_to="owg",
                district=code,
                freq="monthly",
                hours=1.5,
                tor=f"Multi-agency tasking and co-ordination for {name}: applies problem-solving "
                "to "
                ""
                "current crime and disorder issues and tasks resources from every agency to "
                "priority places, using the analyst's tactical assessment.",
                seats=[
                    _seat(
                        "Community Safety Manager",
                        council,
                        code,
                        members=[_m(f"{d}-csm", role="chair", start=start)],
                    ),
                    _seat(
                        "Neighbourhood Policing Inspector",
                        "lancashire-constabulary",
                        members=[
                            _m(
                                p(
                                    f"{d}-inspector",
                                    f"Inspector, {name} neighbourhood policing",
                                    "lancashire-constabulary",
                                ),
                                start=start,
                            )
                        ],
                    ),
                    _seat(
                        "Multi-Agency Partnership team leader",
                        council,
                        code,
                        members=[
                            _m(p(f"{d}-map-lead", f"MAP team leader, {name}", council), start=start)
                        ],
                    ),
                    _seat(
                        "Station Manager",
                        "lancashire-fire-rescue",
                        members=[
                            _m(
                                p(
                                    f"{d}-station-manager",
                                    f"Station Manager, {name}",
                                    "lancashire-fire-rescue",
                                ),
                                start=start,
                            )
                        ],
                    ),
                ],
            )
        )
        groups.append(
            _group(
                f"ppo-catch-convict-{d}",
                f"PPO Catch and Convict, {name}",
                "ppo",
                reports_to=f"matac-{d}",
                district=code,
                freq="monthly",
                hours=1.5,
                tor="Prolific and priority offenders scheme, Catch and Convict strand: agrees the "
                "local "
                "cohort and co-ordinates enforcement. Named offenders are restricted to the group.",
                seats=[
                    _seat(
                        "PPO co-ordinator",
                        "lancashire-constabulary",
                        members=[
                            _m(
                                p(
                                    f"{d}-ppo-coordinator",
                                    f"PPO co-ordinator, {name}",
                                    "lancashire-constabulary",
                                ),
                                role="chair",
                                start=start,
                            )
                        ],
                    ),
                    _seat(
                        "Offender manager",
                        "lancashire-probation",
                        members=[
                            _m(
                                p(
                                    f"{d}-offender-manager",
                                    f"Offender manager, {name}",
                                    "lancashire-probation",
                                ),
                                start=start,
                            )
                        ],
                    ),
                    _seat(
                        "Community Safety Manager",
                        council,
                        code,
                        members=[_m(f"{d}-csm", start=start)],
                    ),
                ],
            )
        )
        groups.append(
            _group(
                f"ppo-prevent-deter-{d}",
                f"PPO Prevent and Deter / Young People, {name}",
                "ppo",
                reports_to=f"matac-{d}",
                district=code,
                freq="monthly",
                hours=1.5,
                tor="Prolific and priority offenders scheme, Prevent and Deter strand: young "
                "people "
                "at "
                "risk of becoming prolific offenders, with the youth offending team.",
                seats=[
                    _seat(
                        "Youth Offending Team",
                        "lancashire-yot",
                        members=[
                            _m(
                                p(f"{d}-yot-worker", f"YOT case manager, {name}", "lancashire-yot"),
                                role="chair",
                                start=start,
                            )
                        ],
                    ),
                    _seat(
                        "PPO co-ordinator",
                        "lancashire-constabulary",
                        members=[_m(f"{d}-ppo-coordinator", start=start)],
                    ),
                    _seat(
                        "Integrated Youth Support Services",
                        county,
                        members=[
                            _m(
                                p(f"{d}-youth-worker", f"Youth support worker, {name}", county),
                                start=start,
                            )
                        ],
                    ),
                ],
            )
        )
        groups.append(
            _group(
                f"engagement-{d}",
                f"Community engagement, {name}",
                "engagement",
                reports_to="owg",
                district=code,
                freq="quarterly",
                hours=2.0,
                tor="How the partnership hears and answers local people in "
                f"{name}: Partnerships and Communities Together (PACT) meetings and panels, area "
                "committees, community forums and the Local Strategic Partnership's engagement.",
                seats=[
                    _seat(
                        "Neighbourhood manager",
                        council,
                        code,
                        members=[
                            _m(
                                p(
                                    f"{d}-neighbourhood-manager",
                                    f"Neighbourhood manager, {name}",
                                    council,
                                ),
                                role="chair",
                                start=start,
                            )
                        ],
                    ),
                    _seat(
                        "Neighbourhood Policing Inspector",
                        "lancashire-constabulary",
                        members=[_m(f"{d}-inspector", start=start)],
                    ),
                    _seat(
                        "PACT panel representative",
                        f"{d}-forums",
                        voting=False,
                        members=[
                            _m(
                                p(
                                    f"{d}-pact-representative",
                                    f"PACT panel representative, {name}",
                                    f"{d}-forums",
                                ),
                                start=start,
                            )
                        ],
                    ),
                ],
            )
        )
    partnership = {
        "slug": "lancashire-south",
        "name": "Lancashire South Strategic CDRP",
        "code": "",
        "level": "district",
        "status": "proposed",
        "valid_from": None,
        "valid_to": None,
        "county": COUNTY[0],
        "districts": sorted(SOUTH.values()),
        "merged_from": [],
        "responsible_authorities": sorted([*COUNCIL.values(), *RESPONSIBLE]),
        "description": "Chorley, South Ribble and West Lancashire, merged into one strategic "
        "partnership for the Southern Division of Lancashire Constabulary, as proposed to "
        "Chorley's "
        ""
        "Executive Cabinet on 27 March 2008. Dates after that report are illustrative; people's "
        "names are placeholders.",
    }
    return _document(partnership, people, groups)


# The district partnerships before the merger (the comparison table in the proposal).
PREDECESSORS = {
    "chorley": {
        "main": (
            "Partnership Group",
            "quarterly",
            f"{'chorley'}-portfolio-member",
            "Statutory agencies and the full wider partnership.",
        ),
        "steering": (
            "CDRP Steering Group",
            "quarterly",
            "chorley-portfolio-member",
            "Representatives of the statutory agencies: a smaller, focused group.",
        ),
        "tasking": "MATAC",
        "ppo": ["PPO Catch and Convict", "PPO Prevent and Deter / Young People"],
    },
    "south-ribble": {
        "main": (
            "Strategic Group",
            "bimonthly",
            "divisional-commander",
            "Representatives of the statutory agencies and the main partners.",
        ),
        "steering": (
            "Planning and Performance group",
            "monthly",
            "fire-group-manager",
            "Representatives of the statutory agencies.",
        ),
        "tasking": "MATAC",
        "ppo": ["PPO Catch and Convict", "PPO Prevent and Deter / Young People"],
    },
    "west-lancashire": {
        "main": (
            "Partnership Group",
            "quarterly",
            "west-lancashire-chief-executive",
            "Statutory agencies and the full wider partnership.",
        ),
        "steering": (
            "Strategic Review Group",
            "quarterly",
            "west-lancashire-strategy-manager",
            "Representatives of the statutory agencies: a smaller, focused group.",
        ),
        "tasking": "PSA1 meeting",
        "ppo": ["PPO Young Persons group", "PPO Adult group"],
    },
}


def _predecessor(d: str, people: _People) -> dict:
    spec, code, council, name = PREDECESSORS[d], SOUTH[d], COUNCIL[d], SOUTH_NAMES[d]
    p = people
    p(
        "west-lancashire-strategy-manager",
        "Strategy and Project Development Manager",
        "west-lancashire-council",
    )
    end = CLOSED_ON

    def statutory_seats(chair_slug: str) -> list:
        holders = [
            ("Chief Executive", council, code, f"{d}-chief-executive", True),
            ("Elected member", council, code, f"{d}-portfolio-member", False),
            ("Police", "lancashire-constabulary", None, "divisional-commander", True),
            (
                "Police Authority",
                "lancashire-police-authority",
                None,
                "police-authority-member",
                True,
            ),
            ("Fire and Rescue Service", "lancashire-fire-rescue", None, "fire-group-manager", True),
            ("Primary Care Trust", "central-lancashire-pct", None, "pct-director", True),
            ("County Council", "lancashire-county-council", COUNTY[0], "county-director", True),
            ("Probation", "lancashire-probation", None, "probation-manager", True),
        ]
        seats = []
        for label, org, area, holder, senior in holders:
            seats.append(
                _seat(
                    label,
                    org,
                    area,
                    statutory=True,
                    members=[
                        _m(
                            holder,
                            role="chair" if holder == chair_slug else "member",
                            end=end,
                            senior=senior,
                            portfolio=label == "Elected member",
                        )
                    ],
                )
            )
        if not any(s["members"][0]["person"] == chair_slug for s in seats):
            seats.insert(
                0,
                _seat(
                    "Chair",
                    council,
                    code,
                    voting=False,
                    members=[_m(chair_slug, role="chair", end=end)],
                ),
            )
        return seats

    main, freq, chair, membership = spec["main"]
    s_name, s_freq, s_chair, s_membership = spec["steering"]
    groups = [
        _group(
            "main",
            main,
            "strategy",
            freq=freq,
            tor=f"The partnership's main meeting. {membership}",
            seats=statutory_seats(chair),
        ),
        _group(
            "steering",
            s_name,
            "officer",
            reports_to="main",
            freq=s_freq,
            tor=f"Steering and planning. {s_membership}",
            seats=[
                _seat("Community Safety Manager", council, code, members=[_m(f"{d}-csm", end=end)]),
                _seat("Police", "lancashire-constabulary", members=[_m(f"{d}-inspector", end=end)]),
                _seat(
                    "Fire and Rescue Service",
                    "lancashire-fire-rescue",
                    members=[
                        _m(
                            "fire-group-manager",
                            role="chair" if s_chair == "fire-group-manager" else "member",
                            end=end,
                        )
                    ],
                ),
            ]
            + (
                []
                if s_chair == "fire-group-manager"
                else [
                    _seat(
                        "Chair",
                        council,
                        code,
                        voting=False,
                        members=[_m(s_chair, role="chair", end=end)],
                    )
                ]
            ),
        ),
        _group(
            "tasking",
            f"{spec['tasking']}, {name}",
            "tasking",
            reports_to="steering",
            district=code,
            freq="monthly",
            hours=1.5,
            tor="Monthly multi-agency response to current crime and disorder problems.",
            seats=[
                _seat(
                    "Community Safety Manager",
                    council,
                    code,
                    members=[_m(f"{d}-csm", role="chair", end=end)],
                ),
                _seat("Police", "lancashire-constabulary", members=[_m(f"{d}-inspector", end=end)]),
            ],
        ),
    ]
    for i, ppo in enumerate(spec["ppo"]):
        groups.append(
            _group(
                f"ppo-{i + 1}",
                f"{ppo}, {name}",
                "ppo",
                reports_to="tasking",
                district=code,
                freq="monthly",
                hours=1.5,
                tor="Prolific and priority offenders scheme.",
                seats=[
                    _seat(
                        "PPO co-ordinator",
                        "lancashire-constabulary",
                        members=[_m(f"{d}-ppo-coordinator", role="chair", end=end)],
                    )
                ],
            )
        )
    partnership = {
        "slug": f"{d}-csp",
        "name": f"{name} Community Safety Partnership",
        "code": "",
        "level": "district",
        "status": "current",
        "valid_from": None,
        "valid_to": None,
        "county": COUNTY[0],
        "districts": [code],
        "merged_from": [],
        "responsible_authorities": sorted([council, *RESPONSIBLE]),
        "description": f"The Crime and Disorder Reduction Partnership for {name} from the "
        "Crime and "
        ""
        "Disorder Act 1998 until the merger into Lancashire South.",
    }
    return _document(partnership, people, groups)


def _county(people: _People) -> dict:
    p, county = people, "lancashire-county-council"
    seats = [
        _seat(
            "Chief Executive",
            county,
            COUNTY[0],
            statutory=True,
            members=[_m("county-director", start=COUNTY_FROM, senior=True)],
        ),
        _seat(
            "Elected member with the community safety portfolio",
            county,
            COUNTY[0],
            statutory=True,
            members=[_m("county-member", role="chair", start=COUNTY_FROM, portfolio=True)],
        ),
        _seat(
            "Assistant Chief Constable",
            "lancashire-constabulary",
            statutory=True,
            members=[
                _m(
                    p(
                        "assistant-chief-constable",
                        "Assistant Chief Constable",
                        "lancashire-constabulary",
                    ),
                    start=COUNTY_FROM,
                    senior=True,
                )
            ],
        ),
        _seat(
            "Police Authority",
            "lancashire-police-authority",
            statutory=True,
            members=[_m("police-authority-member", start=COUNTY_FROM, senior=True)],
        ),
        _seat(
            "Fire and Rescue Service",
            "lancashire-fire-rescue",
            statutory=True,
            members=[
                _m(
                    p(
                        "fire-assistant-chief",
                        "Assistant Chief Fire Officer",
                        "lancashire-fire-rescue",
                    ),
                    start=COUNTY_FROM,
                    senior=True,
                )
            ],
        ),
        _seat(
            "Primary Care Trust",
            "central-lancashire-pct",
            statutory=True,
            members=[_m("pct-director", start=COUNTY_FROM, senior=True)],
        ),
        _seat(
            "Probation",
            "lancashire-probation",
            statutory=True,
            members=[
                _m(
                    p("probation-chief", "Chief Officer", "lancashire-probation"),
                    start=COUNTY_FROM,
                    senior=True,
                )
            ],
        ),
        _seat(
            "Drug and Alcohol Action Team",
            "lancashire-dat",
            members=[_m("ldat-director", start=COUNTY_FROM)],
        ),
        _seat(
            "Chair, Lancashire South Strategic CDRP",
            voting=False,
            members=[_m("divisional-commander", start=ORDER_ON)],
        ),
    ]
    # Before the merger each district partnership's chair sat here in their own right.
    for d, chair in PREDECESSOR_CHAIRS.items():
        seats.append(
            _seat(
                f"Chair, {SOUTH_NAMES[d]} Community Safety Partnership",
                area=SOUTH[d],
                voting=False,
                members=[_m(chair, start=COUNTY_FROM, end=CLOSED_ON)],
            )
        )
    for code, name in DISTRICTS.items():
        if code.startswith("E07") and code not in SOUTH.values():
            slug = name.lower().replace(" ", "-")
            seats.append(
                _seat(
                    f"Chair, {name} community safety partnership",
                    area=code,
                    voting=False,
                    members=[
                        _m(
                            p(
                                f"{slug}-csp-chair",
                                f"Chair, {name} community safety partnership",
                                None,
                            ),
                            start=COUNTY_FROM,
                        )
                    ],
                )
            )
    groups = [
        _group(
            "county-strategy-group",
            "Lancashire County Strategy Group",
            "county_strategy",
            "CSG",
            freq="quarterly",
            tor="Co-ordinates the district strategy groups across the two-tier county and links "
            "their "
            "work to the Local Area Agreement. The chair of each district strategy group is a "
            "member.",
            seats=seats,
        )
    ]
    partnership = {
        "slug": "lancashire-county",
        "name": "Lancashire County Strategy Group",
        "code": "",
        "level": "county",
        "status": "current",
        "valid_from": COUNTY_FROM,
        "valid_to": None,
        "county": COUNTY[0],
        "districts": sorted(c for c in DISTRICTS if c.startswith("E07")),
        "merged_from": [],
        "responsible_authorities": sorted(RESPONSIBLE),
        "description": "The county-level strategy group for the districts of Lancashire's two-tier "
        "area.",
    }
    return _document(partnership, people, groups)


def _areas_and_organisations() -> None:
    county, _ = Area.objects.get_or_create(
        code=COUNTY[0], defaults={"name": COUNTY[1], "level": Area.Level.COUNTY}
    )
    for code, name in DISTRICTS.items():
        area, created = Area.objects.get_or_create(
            code=code, defaults={"name": name, "level": Area.Level.DISTRICT}
        )
        if code.startswith("E07") and area.parent_id is None:
            area.parent = county
            area.save()
    for slug, name, kind, area in ORGANISATIONS:
        if not Organisation.objects.filter(slug=slug).exists():
            Organisation(
                slug=slug,
                name=name,
                kind=kind,
                area=Area.objects.get(code=area) if area else None,
            ).save()


def _dump(doc: dict) -> str:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(doc, Dumper=dumper, sort_keys=False, allow_unicode=True)


MERGER_AGREEMENTS = {
    # Dates of the cabinets in the proposal's key dates; the others are illustrative.
    "chorley-council": (dt.date(2008, 3, 27), "Executive Cabinet, 27 March 2008"),
    "south-ribble-council": (dt.date(2008, 3, 19), "Cabinet, 19 March 2008"),
    "west-lancashire-council": (dt.date(2008, 4, 1), "Cabinet, 1 April 2008"),
}


def _merge(south: Partnership) -> MergerProposal:
    predecessors = [Partnership.objects.get(slug=f"{d}-csp") for d in SOUTH]
    proposal = services.propose_merger(south, predecessors, user=SYSTEM)
    for org in services.required_agreements(proposal):
        on, minute = MERGER_AGREEMENTS.get(
            org.slug, (dt.date(2008, 3, 31), "Minute reference to be confirmed (illustrative)")
        )
        services.record_agreement(proposal, org, on, minute, user=SYSTEM)
    Stage = MergerProposal.Stage
    services.advance_merger(proposal, Stage.AGREED, dt.date(2008, 4, 1), user=SYSTEM)
    services.advance_merger(
        proposal,
        Stage.PILOT,
        PILOT_FROM,
        pilot_to=dt.date(2008, 10, 31),
        note="Pilot merged partnership; review in October 2008.",
        user=SYSTEM,
    )
    services.advance_merger(
        proposal, Stage.APPLICATION, dt.date(2008, 11, 14), note="Illustrative date.", user=SYSTEM
    )
    services.advance_merger(
        proposal, Stage.CONSIDERATION, dt.date(2009, 1, 16), note="Illustrative date.", user=SYSTEM
    )
    services.advance_merger(
        proposal, Stage.RECOMMENDATION, dt.date(2009, 2, 20), note="Illustrative date.", user=SYSTEM
    )
    services.advance_merger(
        proposal,
        Stage.ORDER,
        ORDER_ON,
        order_reference="Illustrative order",
        note="Illustrative date.",
        user=SYSTEM,
    )
    return proposal


def load(stdout, users: dict) -> None:
    south = Partnership.objects.filter(slug="lancashire-south").first()
    if south is not None and MergerProposal.objects.filter(merged=south).exists():
        stdout.write(f"Partnership: {south.name} (already loaded).")
    else:
        _areas_and_organisations()
        people = _People()
        docs = [_predecessor(d, people) for d in SOUTH]
        docs.append(_lancashire_south(people))
        docs.append(_county(people))
        # People are shared between the partnerships: each document lists those it seats.
        for doc in docs:
            seated = {m["person"] for g in doc["groups"] for s in g["seats"] for m in s["members"]}
            doc["people"] = [x for slug, x in people.records.items() if slug in seated]
        import_structure("\n".join(f"---\n{_dump(d)}" for d in docs[:3]), "demo predecessors")
        import_structure(_dump(docs[3]), "demo Lancashire South")
        south = Partnership.objects.get(slug="lancashire-south")
        _merge(south)
        import_structure(_dump(docs[4]), "demo county strategy group")
        stdout.write(
            f"Partnership: {south.name} (created: {south.groups.count()} groups, merged from "
            f"{south.merged_from.count()} district partnerships; Lancashire County Strategy Group)."
        )
    for user, role in users.values():
        if role:
            PartnershipRole.objects.get_or_create(user=user, partnership=south, role=role)
