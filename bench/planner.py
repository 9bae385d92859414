"""Benchmark: the meeting planner on Lancashire South's year and on all 14 Lancashire districts
plus the county strategy group. Prints JSON (targets: < 5 s and < 60 s).

The structures are built here from the roles in the Chorley report (strategy group, officer working
group, tasking, PPO, MATAC, thematic groups, PACT meetings per district); shared county-wide people
(police divisional commanders, county council, fire, health, probation) sit on several districts'
groups, which is what makes clashes possible.
"""

from __future__ import annotations

import datetime as dt
import json
import random

from cdrp.analysis.planner import Frequency, GroupSpec, Rules, Venue, plan

START, END = dt.date(2026, 4, 1), dt.date(2027, 4, 1)
LANCASHIRE = {
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
# Police divisions (Western, Southern, Eastern) and the county-wide bodies' officers by division.
DIVISION = {
    c: (
        "west"
        if c in {"E06000009", "E07000119", "E07000121", "E07000128"}
        else "south"
        if c in {"E07000118", "E07000123", "E07000126", "E07000127"}
        else "east"
    )
    for c in LANCASHIRE
}
MONTHLY_CUTOFFS = tuple(dt.date(2026 + (m > 12), (m - 1) % 12 + 1, 6) for m in range(4, 16))


def shared_people(division: str) -> dict[str, str]:
    return {
        "police": f"police-commander-{division}",
        "fire": f"fire-area-manager-{division}",
        "health": f"pct-director-{division}",
        "probation": f"probation-manager-{division}",
        "county": "county-community-safety-officer",
        "analyst": f"analyst-{division}",
    }


def partnership_groups(prefix: str, districts: list[str], rng: random.Random, merged: bool):
    """One partnership's groups; a merged partnership has PACT meetings in each district."""
    shared = shared_people(DIVISION[districts[0]])
    local = [f"{prefix}-officer-{i}" for i in range(12)]
    chiefs = [f"{d}-chief-executive" for d in districts]
    members = [f"{d}-portfolio-member" for d in districts]
    venues = tuple(f"{d}-civic" for d in districts) + tuple(f"{d}-police" for d in districts)
    civic = tuple(f"{d}-civic" for d in districts)

    def pick(k):
        return tuple(rng.sample(local, k))

    g = [
        GroupSpec(
            f"{prefix}-rag",
            f"{prefix} strategy group",
            Frequency.QUARTERLY,
            tuple(
                chiefs
                + members
                + [shared[k] for k in ("police", "fire", "health", "probation", "county")]
            ),
            civic,
            times=(dt.time(10), dt.time(14)),
        ),
        GroupSpec(
            f"{prefix}-owg",
            f"{prefix} officer working group",
            Frequency.MONTHLY if merged else Frequency.QUARTERLY,
            pick(5) + (shared["county"], shared["analyst"]),
            venues,
            prepares_for=f"{prefix}-rag",
        ),
        GroupSpec(
            f"{prefix}-tasking",
            f"{prefix} tasking group",
            Frequency.FORTNIGHTLY,
            pick(4) + (shared["analyst"],),
            venues,
            tasking=True,
            duration=90,
            times=(dt.time(9, 30), dt.time(11, 30), dt.time(14)),
        ),
        GroupSpec(
            f"{prefix}-ppo", f"{prefix} PPO group", Frequency.MONTHLY, pick(4), venues, duration=90
        ),
        GroupSpec(
            f"{prefix}-matac",
            f"{prefix} MATAC",
            Frequency.FORTNIGHTLY if merged else Frequency.MONTHLY,
            pick(4),
            venues,
            duration=90,
        ),
        GroupSpec(
            f"{prefix}-young", f"{prefix} young persons group", Frequency.BIMONTHLY, pick(4), venues
        ),
        GroupSpec(
            f"{prefix}-alcohol",
            f"{prefix} alcohol harm reduction group",
            Frequency.BIMONTHLY,
            pick(4),
            venues,
        ),
    ]
    if merged:
        g += [
            GroupSpec(
                f"{prefix}-drugs",
                f"{prefix} drugs joint commissioning group",
                Frequency.BIMONTHLY,
                pick(4),
                venues,
            ),
            GroupSpec(
                f"{prefix}-households",
                f"{prefix} vulnerable households group",
                Frequency.BIMONTHLY,
                pick(4),
                venues,
            ),
            GroupSpec(
                f"{prefix}-da", f"{prefix} domestic abuse forum", Frequency.MONTHLY, pick(5), venues
            ),
        ]
        for d in districts:
            g.append(
                GroupSpec(
                    f"{prefix}-pact-{d}",
                    f"PACT meeting {LANCASHIRE[d]}",
                    Frequency.MONTHLY,
                    pick(3),
                    (f"{d}-civic",),
                    times=(dt.time(18, 30),),
                    duration=90,
                    size=30,
                )
            )
    return g


def all_venues():
    out = []
    for d in LANCASHIRE:
        out.append(Venue(f"{d}-civic", f"{LANCASHIRE[d]} civic centre", 60, d))
        out.append(Venue(f"{d}-police", f"{LANCASHIRE[d]} police station", 16, d))
    out.append(Venue("county-hall", "County Hall, Preston", 80, "E10000017"))
    return out


def lancashire_south(rng):
    return partnership_groups("south", ["E07000118", "E07000126", "E07000127"], rng, merged=True)


def whole_county(rng):
    groups = []
    for code in LANCASHIRE:
        groups += partnership_groups(code, [code], rng, merged=False)
    chairs = tuple(f"{c}-chief-executive" for c in LANCASHIRE)
    groups.append(
        GroupSpec(
            "county",
            "Lancashire county strategy group",
            Frequency.QUARTERLY,
            chairs + ("county-community-safety-officer",),
            ("county-hall",),
            times=(dt.time(10),),
            duration=150,
        )
    )
    return groups


def run(name, groups, target, budget):
    """Time to the first clash-free calendar, and the calendar after `budget` seconds of search."""
    rules = Rules(
        data_cutoffs=MONTHLY_CUTOFFS,
        tasking_after_cutoff_working_days=3,
        tasking_min_gap_days=10,
        lead_days=(7, 42),
    )
    first = plan(groups, all_venues(), START, END, rules, time_limit=0.5)
    best = plan(groups, all_venues(), START, END, rules, time_limit=budget)
    return {
        "case": name,
        "groups": best.groups,
        "meetings": len(best.meetings),
        "people": best.people,
        "variables": best.variables,
        "constraints": best.constraints,
        "first_calendar_seconds": round(first.seconds, 2),
        "first_calendar_objective": first.objective,
        "target_seconds": target,
        "search_budget_seconds": budget,
        "best_calendar_seconds": round(best.seconds, 2),
        "best_calendar_status": best.status,
        "best_calendar_objective": best.objective,
        "objective_lower_bound": best.bound,
    }


if __name__ == "__main__":
    rng = random.Random(2026)
    out = [
        run("Lancashire South, one year", lancashire_south(rng), target=5, budget=20),
        run("14 Lancashire districts + county strategy group, one year", whole_county(rng), 60, 50),
    ]
    print(json.dumps({"benchmark": "planner", "results": out}, indent=2))
