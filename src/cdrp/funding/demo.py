"""Demo funding and commissioning: the county's Safer and Stronger Communities Fund split between
the 12 current partnerships that cover Lancashire's 14 districts by a population-and-crime
formula (real ONS populations and police.uk crime), and Lancashire South's projects with spend,
milestones, a variation and an evaluation computed from the real burglary records.

Amounts, dates, decisions and projects are illustrative and say so; the formula's inputs are
real. `load(stdout)` is idempotent: a second run finds everything and changes nothing.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db import transaction
from pyproj import Transformer

from cdrp.funding import evaluation as funding_evaluation
from cdrp.funding import services as funding
from cdrp.funding.models import Allocation, FundingStream, Project
from cdrp.funding.store import district_populations
from cdrp.intelligence.services import incident_store
from cdrp.meetings.demo import decision_of as _decision
from cdrp.partnerships.demo import COUNTY, DISTRICTS, SOUTH
from cdrp.partnerships.models import Area, Organisation, Partnership
from cdrp.plans.models import Plan
from cdrp.plans.money import format_pence
from cdrp.store import counts
from cdrp.store.geography import has_table, read_table

SSCF = "Safer and Stronger Communities Fund"
SSCF_YEAR = "2023/24"
SSCF_PENCE = 1_250_000_00
CRIME_PERIOD = ["2021-12", "2022-11"]
GRANT = "Community safety grant"
GRANT_YEAR = "2022/23"
GRANT_PENCE = 60_000_00

# Burglary pilot, April to November 2022, approved with the plan on 30 March 2022: the LSOAs of
# South Ribble with most burglaries in the year before it started; judged on the same eight
# months a year earlier (so the seasons match), the last months the bundled data covers.
PILOT_DISTRICT = SOUTH["south-ribble"]
PILOT_TARGETS = 4
PILOT_BUFFER_METRES = 1000
PILOT_CHOSEN_ON = ("2021-04", "2022-03")
BEFORE = ("2021-04", "2021-11")
AFTER = ("2022-04", "2022-11")
PILOT_APPROVED = dt.date(2022, 3, 30)

ILLUSTRATIVE = "(illustrative decision recorded for the demo)"


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-") + "-csp"


def _district_partnerships(store, stdout) -> list:
    """A current district partnership for each Lancashire district outside Lancashire South."""

    county, _ = Area.objects.get_or_create(
        code=COUNTY[0], defaults={"name": COUNTY[1], "level": Area.Level.COUNTY}
    )
    codes = {}
    if has_table(store, "districts"):
        table = read_table(store, "districts", ["district_code", "csp_code"])
        codes = dict(zip(table["district_code"], table["csp_code"], strict=True))
    made = 0
    for code, name in DISTRICTS.items():
        if code in SOUTH.values():
            continue
        slug = _slug(name)
        if Partnership.objects.filter(slug=slug).exists():
            continue
        area, _ = Area.objects.get_or_create(
            code=code, defaults={"name": name, "level": Area.Level.DISTRICT}
        )
        partnership = Partnership(
            slug=slug,
            name=f"{name} Community Safety Partnership",
            code=codes.get(code) or "",
            level=Partnership.Level.DISTRICT,
            status=Partnership.Status.CURRENT,
            county=county if code.startswith("E07") else None,
            description=f"The community safety partnership for {name}. Only its name and "
            "district are recorded in the demo, so that the county fund can be split between "
            "every partnership in Lancashire.",
        )
        partnership.save()
        partnership.districts.set([area])
        made += 1
    if made:
        stdout.write(f"Funding: {made} other Lancashire district partnerships created.")
    slugs = ["lancashire-south"] + [
        _slug(n) for c, n in DISTRICTS.items() if c not in SOUTH.values()
    ]
    return list(Partnership.objects.filter(slug__in=slugs).order_by("name"))


def _latest_population_year(store, codes) -> int | None:
    _, pops = district_populations(store)
    years = set.intersection(*(set(pops.get(c, {})) for c in codes)) if codes else set()
    return max(years) if years else None


def _pilot_areas(store) -> tuple[list[str], list[str], list[str]]:
    """Target: the South Ribble LSOAs with most burglaries in the year before the pilot (ties
    by code); buffer: the other LSOAs whose centroid is within 1 km of a target's; control: the
    rest of South Ribble."""

    lsoa = read_table(store, "lsoa", ["lsoa_code", "district_code", "lon", "lat"])
    lsoa = lsoa[lsoa.district_code == PILOT_DISTRICT].sort_values("lsoa_code").reset_index()
    before = counts(
        store,
        ["lsoa"],
        start=PILOT_CHOSEN_ON[0],
        end=PILOT_CHOSEN_ON[1],
        categories=["burglary"],
        areas={"district": [PILOT_DISTRICT]},
        output="pandas",
    ).set_index("lsoa")["count"]
    lsoa["before"] = lsoa.lsoa_code.map(before).fillna(0)
    ranked = lsoa.sort_values(["before", "lsoa_code"], ascending=[False, True])
    target = sorted(ranked.lsoa_code.head(PILOT_TARGETS))
    to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    x, y = to_bng.transform(lsoa.lon.to_numpy(), lsoa.lat.to_numpy())
    is_target = lsoa.lsoa_code.isin(target).to_numpy()
    distance = np.hypot(x[:, None] - x[is_target][None, :], y[:, None] - y[is_target][None, :]).min(
        axis=1
    )
    is_buffer = (distance <= PILOT_BUFFER_METRES) & ~is_target
    buffer = sorted(lsoa.lsoa_code[is_buffer])
    control = sorted(lsoa.lsoa_code[~is_target & ~is_buffer])
    return target, buffer, control


def _priority(south, words: tuple[str, ...], categories: tuple[str, ...]):
    plan = Plan.objects.filter(partnership=south).order_by("-revision").first()
    if plan is None:
        return None
    priorities = list(plan.priorities.all())
    for p in priorities:
        if set(categories) & set(p.categories or []):
            return p
    for p in priorities:
        if any(w in p.name.lower() for w in words):
            return p
    return None


def _project(south, title: str, build) -> bool:
    if Project.objects.filter(partnership=south, title=title).exists():
        return False
    build()
    return True


def load(stdout, users: dict | None = None) -> None:
    south = Partnership.objects.filter(slug="lancashire-south").first()
    county = Partnership.objects.filter(slug="lancashire-county").first()
    if south is None or county is None:
        stdout.write("Funding: the demo registry is not loaded; skipped.")
        return
    store = incident_store()
    try:
        has_data = has_table(store, "districts") and bool(
            [f for f in store.state()["files"] if f["table"] == ""]
        )
    except Exception:
        has_data = False
    if not has_data:
        stdout.write("Funding: the incident store holds no police.uk data; skipped.")
        return
    with transaction.atomic():
        _load(stdout, store, south, county, Organisation)


def _load(stdout, store, south, county, Organisation) -> None:
    partnerships = _district_partnerships(store, stdout)
    codes = sorted(a.code for p in partnerships for a in p.districts.all())

    # The county fund, split by formula.
    stream = FundingStream.objects.filter(
        partnership=county, name=SSCF, financial_year=SSCF_YEAR
    ).first()
    if stream is None:
        stream = funding.create_stream(
            county,
            name=SSCF,
            source="Home Office via Lancashire County Council",
            financial_year=SSCF_YEAR,
            amount_pence=SSCF_PENCE,
            conditions=(
                "The amount is illustrative, not the real grant. For crime and disorder "
                "reduction against each partnership's plan priorities; every project approved "
                "by the partnership's strategy group; spend reported quarterly to the county "
                "strategy group; money unspent at 31 March returned to the county (illustrative "
                "conditions). Split between the 12 partnerships covering Lancashire's 14 "
                "districts, half by population and half by recorded crime."
            ),
        )
    if not stream.allocations.exists():
        county_group = county.strategy_group()
        decision = (
            _decision(
                county_group,
                dt.date(2023, 2, 14),
                f"Agree the split of the {SSCF_YEAR} {SSCF} between the 12 partnerships "
                "covering Lancashire's 14 districts: half by population (ONS mid-year "
                "estimates) and half by police.uk recorded crime, December 2021 to November "
                f"2022 {ILLUSTRATIVE}",
            )
            if county_group
            else None
        )
        formula = {
            "method": "weighted shares",
            "weights": {"population": "0.5", "crime": "0.5"},
            "population_year": _latest_population_year(store, codes),
            "crime_period": CRIME_PERIOD,
            "crime_categories": None,
        }
        made = funding.allocate_by_formula(stream, partnerships, formula, store, decision=decision)
        south_share = next(a for a in made if a.partnership_id == south.pk)
        stdout.write(
            f"Funding: {SSCF} {SSCF_YEAR} split between {len(made)} partnerships "
            f"(Lancashire South {format_pence(south_share.amount_pence)})."
        )
    else:
        stdout.write(f"Funding: {SSCF} {SSCF_YEAR} already split.")
    if not stream.published:
        funding.publish_stream(stream)
    sscf = Allocation.objects.get(stream=stream, partnership=south)

    # Lancashire South's own grant, which paid for the burglary pilot.
    grant = FundingStream.objects.filter(
        partnership=south, name=GRANT, financial_year=GRANT_YEAR
    ).first()
    if grant is None:
        grant = funding.create_stream(
            south,
            name=GRANT,
            source="Lancashire Police and Crime Commissioner",
            financial_year=GRANT_YEAR,
            amount_pence=GRANT_PENCE,
            conditions="The amount is illustrative. Held and spent by the partnership itself on "
            "its plan priorities, with the strategy group's approval.",
        )
        funding.allocate(grant, south, GRANT_PENCE, note="Held and spent by the partnership")
        funding.publish_stream(grant)
    grant_allocation = Allocation.objects.get(stream=grant, partnership=south)

    rag = south.strategy_group()
    org = {o.slug: o for o in Organisation.objects.all()}
    titles_made: list[str] = []

    def pilot():
        decision = _decision(
            rag,
            PILOT_APPROVED,
            "Approve the South Ribble burglary target-hardening pilot, £38,000 from the "
            f"{GRANT_YEAR} community safety grant {ILLUSTRATIVE}",
        )
        project = funding.create_project(
            south,
            title="Burglary target hardening in South Ribble",
            description="Free locks, door and window security and advice for households in the "
            "four South Ribble neighbourhoods (LSOAs) with most burglaries in the year to "
            "March 2022, delivered with the police's crime prevention officers.",
            lead_organisation=org["south-ribble-council"],
            budget_pence=38_000_00,
            priority=_priority(south, ("burglary", "acquisitive"), ("burglary",)),
            allocation=grant_allocation,
            start=dt.date(2022, 4, 1),
            end=dt.date(2022, 11, 30),
        )
        funding.approve_project(project, decision)
        for date, pence, what in [
            (
                dt.date(2022, 4, 29),
                9_500_00,
                "Locks, door chains and window alarms (first 120 homes)",
            ),
            (dt.date(2022, 6, 30), 12_000_00, "Fitting and materials, May and June"),
            (dt.date(2022, 9, 30), 10_800_00, "Fitting and materials, July to September"),
            (dt.date(2022, 11, 30), 5_200_00, "Final visits and leaflets"),
        ]:
            funding.record_spend(project, date, pence, what)
        for title, due, done in [
            ("First 100 homes visited", dt.date(2022, 5, 31), dt.date(2022, 5, 24)),
            ("Every eligible home offered a visit", dt.date(2022, 9, 30), dt.date(2022, 10, 7)),
            (
                "Evaluation reported to the strategy group",
                dt.date(2023, 3, 31),
                dt.date(2023, 3, 21),
            ),
        ]:
            funding.complete_milestone(funding.add_milestone(project, title, due), done)
        target, buffer, control = _pilot_areas(store)
        evaluation = funding_evaluation.set_evaluation(
            project,
            method="Before and after, April to November 2022 against the same months of 2021 "
            "(so the seasons match), with a comparison area: police.uk burglaries in the four "
            "target LSOAs, a buffer of the LSOAs within 1 km (where "
            "burglary could be displaced to) and the rest of South Ribble as the comparison. "
            "The target's change net of the comparison's is tested exactly; the weighted "
            "displacement quotient and difference measure displacement. The targets were chosen "
            "for their high counts, so some fall was expected anyway (regression to the mean).",
            categories=["burglary"],
            target_areas=target,
            buffer_areas=buffer,
            control_areas=control,
            before_start=BEFORE[0],
            before_end=BEFORE[1],
            after_start=AFTER[0],
            after_end=AFTER[1],
        )
        funding_evaluation.evaluate(evaluation, store)
        funding.complete_project(project)
        funding.publish_project(project)

    def approve_2023():
        return _decision(
            rag,
            dt.date(2023, 3, 21),
            f"Approve the {SSCF_YEAR} projects funded from Lancashire South's share of the "
            f"{SSCF}: youth diversion in Chorley (£42,000) and, jointly with Preston, "
            f"night-time economy safety (£30,000) {ILLUSTRATIVE}",
        )

    def youth():
        decision = approve_2023()
        hot_spots = _top_lsoas(store, SOUTH["chorley"], "anti-social-behaviour", 3)
        project = funding.create_project(
            south,
            title="Youth diversion in Chorley's anti-social behaviour hot-spots",
            description="Detached youth work and Friday and Saturday evening sessions for young "
            "people in the three Chorley neighbourhoods (LSOAs) with most anti-social behaviour "
            "reports in the year to November 2022.",
            lead_organisation=org["chorley-council"],
            budget_pence=42_000_00,
            priority=_priority(south, ("anti-social", "asb", "youth"), ("anti-social-behaviour",)),
            allocation=sscf,
            start=dt.date(2023, 4, 1),
            end=dt.date(2024, 3, 31),
        )
        funding.approve_project(project, decision)
        for date, pence, what in [
            (dt.date(2023, 5, 31), 10_500_00, "Youth workers, April and May"),
            (dt.date(2023, 8, 31), 10_500_00, "Youth workers and venue hire, June to August"),
            (
                dt.date(2023, 11, 30),
                10_500_00,
                "Youth workers and venue hire, September to November",
            ),
        ]:
            funding.record_spend(project, date, pence, what)
        funding.complete_milestone(
            funding.add_milestone(project, "Sessions running every weekend", dt.date(2023, 6, 30)),
            dt.date(2023, 6, 16),
        )
        funding.complete_milestone(
            funding.add_milestone(
                project, "Year-end report to the strategy group", dt.date(2024, 4, 30)
            ),
            dt.date(2024, 4, 16),
        )
        funding_evaluation.set_evaluation(
            project,
            method="Before and after, twelve months each: anti-social behaviour reports in the "
            "three target LSOAs against the rest of Chorley. To be computed when police.uk "
            "publishes April 2023 to March 2024.",
            categories=["anti-social-behaviour"],
            target_areas=hot_spots,
            control_areas=_district_lsoas(store, [SOUTH["chorley"]], set(hot_spots)),
            before_start="2022-04",
            before_end="2023-03",
            after_start="2023-04",
            after_end="2024-03",
        )
        funding.publish_project(project)

    def joint():
        decision = approve_2023()
        preston = Partnership.objects.filter(slug="preston-csp").first()
        project = funding.create_project(
            south,
            title="Night-time economy safety, Preston and South Ribble",
            description="Street pastors, taxi marshals and welfare points on Friday and Saturday "
            "nights, commissioned jointly with Preston Community Safety Partnership for the "
            "shared night-time economy along the A6 corridor.",
            lead_organisation=org["lancashire-constabulary"],
            budget_pence=30_000_00,
            priority=_priority(south, ("violence", "night"), ("violent-crime", "public-order")),
            allocation=sscf,
            joint_with=[preston] if preston else [],
            start=dt.date(2023, 4, 1),
            end=dt.date(2024, 3, 31),
        )
        funding.approve_project(project, decision)
        funding.record_spend(
            project, dt.date(2023, 6, 30), 14_000_00, "Welfare points and marshals, April to June"
        )
        funding.record_spend(
            project,
            dt.date(2023, 9, 29),
            16_000_00,
            "Welfare points and marshals, July to September",
        )
        variation = funding.add_variation(
            project, 2_500_00, "Extra Saturday cover for the Christmas period"
        )
        funding.approve_variation(
            variation,
            _decision(
                rag,
                dt.date(2023, 10, 17),
                "Approve a £2,500 variation to the night-time economy safety project for "
                f"Christmas cover {ILLUSTRATIVE}",
            ),
        )
        funding.record_spend(project, dt.date(2023, 12, 29), 2_500_00, "Christmas Saturday cover")
        funding.complete_milestone(
            funding.add_milestone(project, "Welfare points open", dt.date(2023, 5, 31)),
            dt.date(2023, 5, 26),
        )
        funding.complete_milestone(
            funding.add_milestone(project, "Joint review with Preston", dt.date(2024, 4, 30)),
            dt.date(2024, 4, 23),
        )
        centre = _top_lsoas(store, "E07000123", "violent-crime", 3)
        funding_evaluation.set_evaluation(
            project,
            method="Before and after, twelve months each: violence and public order records in "
            "the three Preston city-centre LSOAs with most violence, against the rest of Preston "
            "and South Ribble. To be computed when police.uk publishes April 2023 to March 2024.",
            categories=["violent-crime", "public-order"],
            target_areas=centre,
            control_areas=_district_lsoas(store, ["E07000123", PILOT_DISTRICT], set(centre)),
            before_start="2022-04",
            before_end="2023-03",
            after_start="2023-04",
            after_end="2024-03",
        )
        funding.publish_project(project)

    for title, build in [
        ("Burglary target hardening in South Ribble", pilot),
        ("Youth diversion in Chorley's anti-social behaviour hot-spots", youth),
        ("Night-time economy safety, Preston and South Ribble", joint),
    ]:
        if _project(south, title, build):
            titles_made.append(title)
    if titles_made:
        stdout.write(f"Funding: Lancashire South projects created: {', '.join(titles_made)}.")
    else:
        stdout.write(
            f"Funding: Lancashire South's {Project.objects.filter(partnership=south).count()} "
            "projects already loaded."
        )


def _district_lsoas(store, districts: list[str], exclude: set[str]) -> list[str]:
    table = read_table(store, "lsoa", ["lsoa_code", "district_code"])
    return sorted(
        c
        for c, d in zip(table["lsoa_code"], table["district_code"], strict=True)
        if d in districts and c not in exclude
    )


def _top_lsoas(store, district: str, category: str, n: int) -> list[str]:
    """The `n` LSOAs of `district` with most records of `category` in the formula's crime period
    (ties by code)."""

    frame = counts(
        store,
        ["lsoa"],
        start=CRIME_PERIOD[0],
        end=CRIME_PERIOD[1],
        categories=[category],
        areas={"district": [district]},
        output="pandas",
    )
    frame = frame.dropna(subset=["lsoa"]).sort_values(["count", "lsoa"], ascending=[False, True])
    return sorted(frame.lsoa.head(n))
