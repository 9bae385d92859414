"""The three district partnerships Lancashire South replaced (historical)."""

from __future__ import annotations

from cdrp.partnerships.demo.common import (
    CLOSED_ON,
    COUNCIL,
    COUNTY,
    RESPONSIBLE_2008,
    SOUTH,
    SOUTH_NAMES,
    _document,
    _group,
    _m,
    _People,
    _seat,
)

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
        "responsible_authorities": sorted([council, *RESPONSIBLE_2008]),
        "description": f"The Crime and Disorder Reduction Partnership for {name} from the "
        "Crime and "
        ""
        "Disorder Act 1998 until the merger into Lancashire South.",
    }
    return _document(partnership, people, groups)
