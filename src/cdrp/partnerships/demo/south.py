"""Lancashire South Strategic CDRP as proposed in the Chorley report (27 March 2008)."""

from __future__ import annotations

import datetime as dt

from cdrp.partnerships.demo.common import (
    CCG_FROM,
    COUNCIL,
    COUNTY,
    GO_CLOSED,
    ICB_FROM,
    PILOT_FROM,
    RESPONSIBLE,
    SOUTH,
    SOUTH_NAMES,
    _document,
    _group,
    _m,
    _People,
    _seat,
    police_and_health_seats,
    probation_seats,
)

PCT_END = CCG_FROM - dt.timedelta(days=1)


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
        *police_and_health_seats(
            p, start, "Police Authority member", "Primary Care Trust Director"
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
        *probation_seats(
            "Probation District Manager",
            p("probation-manager", "District Manager (probation)", "lancashire-probation"),
            start,
            statutory=True,
            senior=True,
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
            valid_to=GO_CLOSED,
            members=[
                _m(
                    p("gonw-representative", "Crime reduction adviser", "gonw"),
                    start=start,
                    end=GO_CLOSED,
                )
            ],
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
            valid_to=PCT_END,
            members=[
                _m(
                    p("pct-public-health", "Public health lead", "central-lancashire-pct"),
                    start=start,
                    end=PCT_END,
                )
            ],
        ),
        _seat(
            "PCT Operational Services",
            "central-lancashire-pct",
            valid_to=PCT_END,
            members=[
                _m(
                    p("pct-operations", "Operational services manager", "central-lancashire-pct"),
                    start=start,
                    end=PCT_END,
                )
            ],
        ),
        # Public health moved to the county council when the trust was abolished.
        _seat(
            "Public health",
            county,
            valid_from=CCG_FROM,
            members=[_m("pct-public-health", start=CCG_FROM)],
        ),
        _seat(
            "Integrated Care Board place team",
            "lancashire-south-cumbria-icb",
            valid_from=ICB_FROM,
            members=[
                _m(
                    p(
                        "icb-place-lead",
                        "Place lead, Integrated Care Board",
                        "lancashire-south-cumbria-icb",
                    ),
                    start=ICB_FROM,
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
        *probation_seats(
            "Probation",
            p("probation-officer", "Senior Probation Officer", "lancashire-probation"),
            start,
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
        if lead_org == "central-lancashire-pct":
            # The trust's lead moved to the county council's public health team in 2013.
            seats = [
                _seat(
                    "Lead agency specialist",
                    lead_org,
                    valid_to=PCT_END,
                    members=[_m(chair, role="chair", start=start, end=PCT_END)],
                ),
                _seat(
                    "Lead agency specialist (public health)",
                    county,
                    valid_from=CCG_FROM,
                    members=[_m(chair, role="chair", start=CCG_FROM)],
                ),
            ]
        else:
            seats = [
                _seat(
                    "Lead agency specialist",
                    lead_org,
                    members=[_m(chair, role="chair", start=start)],
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
                    *probation_seats(
                        "Offender manager",
                        p(
                            f"{d}-offender-manager",
                            f"Offender manager, {name}",
                            "lancashire-probation",
                        ),
                        start,
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
