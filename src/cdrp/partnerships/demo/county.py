"""The Lancashire county strategy group."""

from __future__ import annotations

from cdrp.partnerships.demo.common import (
    CLOSED_ON,
    COUNTY,
    COUNTY_FROM,
    DISTRICTS,
    ORDER_ON,
    PREDECESSOR_CHAIRS,
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
        *police_and_health_seats(p, COUNTY_FROM, "Police Authority", "Primary Care Trust"),
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
        *probation_seats(
            "Probation",
            p("probation-chief", "Chief Officer (probation)", "lancashire-probation"),
            COUNTY_FROM,
            statutory=True,
            senior=True,
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
