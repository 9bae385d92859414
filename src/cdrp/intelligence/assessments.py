"""Building, storing and moving strategic assessments through their lifecycle.

`gather` reads everything a build needs — counts from the incident store, populations and
geography from the store's ONS tables, district features for the families, the harm weight table,
and the optional plan (YAML) and survey (CSV) — and records the fingerprint of each input.
`build` calls the pure builder (`cdrp.analysis.assessment.build_assessment`) and saves one
`Assessment` only when the whole document was built. `staleness` recomputes the fingerprint of
the inputs as they are now and names what changed: re-rendering never recomputes silently.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cdrp.accounts.notifications import Kind, notify
from cdrp.analysis.assessment import AssessmentError, AssessmentInputs, Report, build_assessment
from cdrp.analysis.concern import read_survey
from cdrp.analysis.harm import DEFAULT_TABLE, default_weights, read_weights
from cdrp.analysis.months import Month, MonthError, shift, window
from cdrp.analysis.peers import districts_with_data, force_slug
from cdrp.intelligence import hooks
from cdrp.intelligence.models import Assessment
from cdrp.intelligence.reference import district_features
from cdrp.intelligence.services import incident_store
from cdrp.meetings.services import approver_accounts
from cdrp.store import Store, counts, coverage
from cdrp.store.geography import has_table, read_table

__all__ = [
    "AssessmentError",
    "Timings",
    "advance",
    "build",
    "covered_months",
    "fingerprint",
    "gather",
    "latest_month",
    "staleness",
]

#: Months of history read before the end month (3-year trend, seasonality, baselines).
HISTORY = 36
#: ONS mid-year population years bundled (districts table columns population_<year>).
_POP = re.compile(r"population_(\d{4})$")


@dataclass
class Timings:
    """Where a build spent its time: DuckDB queries versus Python (pandas, statistics)."""

    duckdb: float = 0.0
    total: float = 0.0

    def as_dict(self) -> dict:
        python = max(self.total - self.duckdb, 0.0)
        share = self.duckdb / self.total if self.total else 0.0
        return {
            "seconds": round(self.total, 3),
            "duckdb_seconds": round(self.duckdb, 3),
            "python_seconds": round(python, 3),
            "duckdb_share": round(share, 3),
        }


def _sha(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode()
    return hashlib.sha256(data).hexdigest()[:16]


def latest_month(store: Store) -> str | None:
    """The last month with police.uk data in the store."""
    cov = coverage(store)
    if cov is None or len(cov) == 0:
        return None
    held = cov[(~cov["missing"]) & (cov["source"] == "police-uk")]
    return str(held["month"].max()) if len(held) else None


def _their_forces(store: Store, districts: list[str] | None) -> Callable[[str], bool] | None:
    """Whether a store force (its slug) is the force of one of `districts` (None: no districts
    given, or no geography to tell: every force counts)."""
    if districts is None or not has_table(store, "districts"):
        return None
    names = read_table(store, "districts").set_index("district_code")["force_name"]
    theirs = {force_slug(str(names[c])) for c in districts if pd.notna(names.get(c))}
    return lambda force: any(t.startswith(str(force)) for t in theirs)


def covered_months(store: Store, districts: list[str] | None = None) -> list[str]:
    """The police.uk months every force held has (a force missing a month makes it a gap).

    With `districts`, only the forces of those districts count (from the store's districts
    table): in a store holding several forces, another force's shorter span is not a gap in
    these districts' data.
    """
    cov = coverage(store)
    if cov is None or len(cov) == 0:
        return []
    cov = cov[cov["source"] == "police-uk"]
    theirs = _their_forces(store, districts)
    if theirs is not None:
        cov = cov[[theirs(f) for f in cov["force"]]]
    # A month counts as covered when every force held has it (a force missing it is a gap).
    ok = cov.groupby("month")["missing"].apply(lambda s: not s.any())
    return sorted(ok[ok].index.astype(str))


def _population_years(districts: pd.DataFrame) -> list[int]:
    return sorted(int(m.group(1)) for c in districts.columns if (m := _POP.match(c)))


def _pick_year(years: list[int], wanted: int) -> int | None:
    earlier = [y for y in years if y <= wanted]
    return max(earlier) if earlier else (min(years) if years else None)


def _partitions(
    store: Store, first: str, last: str, districts: list[str] | None = None
) -> list[dict]:
    """The store's files of the months `first`..`last` (of the forces of `districts`, when
    given: another force's import does not touch these districts' assessment)."""
    state = store.state()
    theirs = _their_forces(store, districts)
    out = []
    for e in state["files"]:
        if e["table"] != "" or not (first <= str(e["month"])[:7] <= last):
            continue
        if theirs is not None and not theirs(e["force"]):
            continue
        out.append(
            {
                "source": e["source"],
                "force": e["force"],
                "month": str(e["month"])[:7],
                "path": e["path"],
                "rows": e["rows"],
                "ingest_id": e["ingest_id"],
            }
        )
    return sorted(out, key=lambda p: (p["source"], p["force"], p["month"], p["path"]))


def fingerprint(
    store: Store,
    parameters: dict,
    populations: dict,
    population_year: int,
    weights: pd.Series,
    files: dict[str, str | None],
) -> dict:
    """The fingerprint of every input of a build (stored with the assessment).

    Partitions are those of every month read (the history window); the populations, weight
    table and files are hashed by content, so a re-imported month, a revised population or an
    edited survey each change it.
    """
    end = parameters["end"]
    first = shift(end, -(HISTORY - 1))
    parts = _partitions(store, first, end, parameters.get("districts"))
    geo = store.state().get("geography") or {}
    out = {
        "partitions": parts,
        "partitions_sha": _sha(json.dumps(parts, sort_keys=True)),
        "geography": geo,
        "population_year": population_year,
        "populations_sha": _sha(json.dumps(populations, sort_keys=True)),
        "weights_sha": _sha(weights.round(9).to_json()),
        "files": {
            k: (_sha(Path(v).read_bytes()) if v and Path(v).exists() else None)
            for k, v in files.items()
        },
        "parameters": parameters,
    }
    out["digest"] = _sha(json.dumps({k: out[k] for k in sorted(out) if k != "digest"}, default=str))
    return out


@dataclass
class _Reading:
    """One build's reading, filled by the named steps of `gather` in the order they run."""

    store: Store
    timings: Timings
    codes: list[str]
    district_names: dict[str, str]  # code -> name, the districts assessed
    geo_districts: pd.DataFrame  # the store's districts table (every district)
    names: dict[str, str]  # code -> name, every district
    covered: list[str] = field(default_factory=list)
    end: str = ""  # last month assessed
    months: int = 12
    window: list[str] = field(default_factory=list)  # the months assessed
    first: str = ""  # first month read (the history before the window too)

    def timed(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call a store query, counting its time as DuckDB's."""
        started = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            self.timings.duckdb += time.perf_counter() - started

    def counts(self, by: list[str], start: str, **kwargs: Any) -> pd.DataFrame:
        """Store counts of the assessed districts by `by` from `start` to the end month."""
        kwargs.setdefault("areas", {"district": self.codes})
        return self.timed(
            counts, self.store, by, start=start, end=self.end, output="pandas", **kwargs
        )


def _districts(
    store: Store, districts: dict[str, str | None] | list[str], timings: Timings
) -> _Reading:
    """Step 1: the districts assessed, checked against the store's geography."""
    if not has_table(store, "districts"):
        raise AssessmentError(
            "the incident store has no geography tables: run `cdrp import geography` first"
        )
    geo_districts = read_table(store, "districts")
    names = dict(zip(geo_districts["district_code"], geo_districts["district_name"], strict=True))
    codes = list(districts)
    unknown = [c for c in codes if c not in names]
    if unknown:
        raise AssessmentError(f"unknown district code(s): {', '.join(unknown)}")
    given = districts if isinstance(districts, dict) else {}
    return _Reading(
        store=store,
        timings=timings,
        codes=codes,
        district_names={c: given.get(c) or names[c] for c in codes},
        geo_districts=geo_districts,
        names=names,
    )


def _period(reading: _Reading, end: str | None, months: int) -> None:
    """Step 2: the months assessed (default: to the latest month held), and that data covers
    some of them."""
    reading.covered = reading.timed(covered_months, reading.store, reading.codes)
    if end is None:
        end = latest_month(reading.store)
        if end is None:
            raise AssessmentError("the incident store holds no police.uk data: import some first")
    try:
        last = Month.parse(end)
    except MonthError:
        raise AssessmentError(f"--to: expected a month YYYY-MM, got {end!r}") from None
    if months < 1 or months > 24:
        raise AssessmentError(f"--months: expected 1 to 24 months, got {months}")
    reading.end, reading.months = str(last), months
    reading.first = shift(last, -(HISTORY - 1))
    reading.window = window(last, months)
    covered = reading.covered
    if not set(reading.window) & set(covered):
        span = f"{covered[0]} to {covered[-1]}" if covered else "no months at all"
        raise AssessmentError(
            f"no incident data for the period {reading.window[0]}..{reading.window[-1]}: "
            f"the store holds {span}"
        )


def _plan_file(reading: _Reading, plan_path: str) -> dict[str, Any]:
    """Step 3a: last year's plan from a YAML file; reads back far enough for its baseline."""
    try:
        plan = yaml.safe_load(Path(plan_path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise AssessmentError(f"{plan_path}: cannot read the plan ({exc})") from None
    if not isinstance(plan, dict):
        raise AssessmentError(f"{plan_path}: expected a mapping with plan, period, priorities")
    start = (plan.get("period") or {}).get("start")
    if start:
        try:
            first, last = Month.parse(start), Month.parse(plan["period"]["end"])
            reading.first = min(reading.first, str(first - (last.index - first.index + 1)))
        except (ValueError, KeyError, TypeError):
            pass  # the builder names the bad field
    return plan


def _populations(
    reading: _Reading,
) -> tuple[dict[str, float], dict[str, float] | None, int | None, int | None]:
    """Step 4: every district's population from the latest mid-year estimate not after the
    period's end, and the assessed districts' from the estimate before (for the rate split).
    Returns (populations, baseline populations, year, baseline year)."""
    years = _population_years(reading.geo_districts)
    end_year = Month.parse(reading.end).year
    year = _pick_year(years, end_year)
    base_year = _pick_year([y for y in years if y < (year or 0)], end_year - 1)
    by_code = reading.geo_districts.set_index("district_code")
    pop = {
        c: float(by_code.loc[c, f"population_{year}"])
        for c in by_code.index
        if year and pd.notna(by_code.loc[c, f"population_{year}"])
    }
    base = by_code[f"population_{base_year}"] if base_year else None
    pop_base = (
        {c: float(base[c]) for c in reading.codes if pd.notna(base[c])}
        if base is not None
        else None
    )
    return pop, pop_base, year, base_year


@dataclass
class _SmallAreas:
    lsoa: pd.DataFrame
    lsoa_monthly: pd.DataFrame
    wards: pd.DataFrame
    shapes: dict[str, dict[str, Any]]


def _small_areas(reading: _Reading) -> _SmallAreas:
    """Step 5: every LSOA and ward of the districts with its records in the window (zeros
    included), the LSOAs' monthly counts, and the boundaries of both."""
    start = reading.window[0]
    lsoa = read_table(
        reading.store,
        "lsoa",
        ["lsoa_code", "lsoa_name", "district_code", "ward_code", "ward_name", "population"],
    )
    lsoa = lsoa[lsoa["district_code"].isin(reading.codes)].rename(
        columns={"lsoa_code": "lsoa", "district_code": "district", "ward_code": "ward"}
    )
    by_lsoa = reading.counts(["lsoa"], start)
    lsoa["count"] = lsoa["lsoa"].map(by_lsoa.set_index("lsoa")["count"]).fillna(0).astype(int)
    lsoa_monthly = reading.counts(["month", "lsoa"], start)
    lsoa["district_name"] = lsoa["district"].map(reading.district_names)
    wards = read_table(reading.store, "wards")
    wards = wards[wards["district_code"].isin(reading.codes)].rename(
        columns={"ward_code": "ward", "district_code": "district"}
    )
    by_ward = reading.counts(["ward"], start)
    wards["count"] = wards["ward"].map(by_ward.set_index("ward")["count"]).fillna(0).astype(int)
    wards["population"] = wards["ward"].map(lsoa.groupby("ward")["population"].sum())
    wards["district_name"] = wards["district"].map(reading.district_names)
    shapes_lsoa = read_table(reading.store, "lsoa_shapes")
    lsoa_shapes = (
        dict(zip(shapes_lsoa["lsoa_code"], shapes_lsoa["geometry"], strict=True))
        if len(shapes_lsoa)
        else {}
    )
    shapes = {
        "lsoa": {c: lsoa_shapes[c] for c in lsoa["lsoa"] if c in lsoa_shapes},
        "ward": dict(zip(wards["ward"], wards["geometry"], strict=True)),
    }
    return _SmallAreas(lsoa, lsoa_monthly, wards.drop(columns=["geometry"]), shapes)


def _peer_counts(reading: _Reading) -> tuple[pd.DataFrame, list[str]]:
    """Step 6: counts by district and category in the window for the family comparison: the
    districts whose force's data covers the whole window (`districts_with_data`), and ours;
    and the names of the forces whose data covers it."""
    found = reading.counts(["district", "category"], reading.window[0], areas=None)
    cov = coverage(reading.store)
    police = (
        cov[cov["source"] == "police-uk"]
        if cov is not None and len(cov)
        else pd.DataFrame(columns=["force", "month", "missing"])
    )
    geo = reading.geo_districts
    forces = dict(zip(geo["district_code"], geo["force_name"], strict=True))
    held = districts_with_data(forces, police, reading.window)
    force_names = sorted({str(forces[c]) for c in held})
    with_data = set(held) | set(reading.codes)
    return found[found["district"].isin(with_data)], force_names


def _weights(weights_path: str | None, asb_weight: float) -> tuple[pd.Series, str]:
    """Step 7: the harm weights (a table given, else the ONS CSS weights) and their source."""
    if weights_path:
        try:
            weights = read_weights(weights_path, asb_weight=asb_weight, categories=[])
        except ValueError as exc:
            raise AssessmentError(str(exc)) from None
        return weights, Path(weights_path).name
    return default_weights(asb_weight=asb_weight), (
        f"ONS Crime Severity Score weights, 2017/18 mix ({DEFAULT_TABLE}); anti-social "
        f"behaviour weighted {asb_weight:g}"
    )


def _survey(survey_path: str | None) -> pd.DataFrame | None:
    """Step 8: the community survey, when one was given."""
    if not survey_path:
        return None
    try:
        return read_survey(survey_path)
    except (OSError, ValueError) as exc:
        raise AssessmentError(f"{Path(survey_path).name}: {exc}") from None


def _sources(
    reading: _Reading,
    year: int | None,
    weights_source: str,
    survey_path: str | None,
    survey_source: str | None = None,
) -> list[dict[str, str]]:
    """Step 9: the data sources the document names, with their licences."""
    ogl = "Open Government Licence v3.0"
    sources = [
        {
            "name": "police.uk street-level crime and anti-social behaviour",
            "detail": f"months {reading.first}..{reading.end} as held in the incident store",
            "licence": ogl,
        },
        {
            "name": f"ONS mid-{year} population estimates (local authority districts)",
            "detail": "rates per 1,000 residents",
            "licence": ogl,
        },
        {
            "name": "ONS Census 2011 LSOA populations and LSOA/ward boundaries",
            "detail": "small-area rates and maps; contains OS data © Crown copyright",
            "licence": ogl,
        },
        {
            "name": "English Indices of Deprivation 2019 (MHCLG)",
            "detail": "district families",
            "licence": ogl,
        },
        {"name": "ONS Crime Severity Score weights", "detail": weights_source, "licence": ogl},
    ]
    if survey_path or survey_source:
        sources.append(
            {
                "name": "Community survey",
                "detail": Path(survey_path).name if survey_path else str(survey_source),
                "licence": "",
            }
        )
    return sources


def gather(
    *,
    districts: dict[str, str | None] | list[str],
    partnership: dict[str, str],
    end: str | None = None,
    months: int = 12,
    kind: str = "strategic",
    weights_path: str | None = None,
    asb_weight: float = 0.0,
    survey_path: str | None = None,
    plan_path: str | None = None,
    priority_weights: dict[str, float] | None = None,
    annual: dict[str, Any] | None = None,
    k: int = 15,
    store: Store | None = None,
    data_dir: Path | None = None,
    timings: Timings | None = None,
    plan_review: Callable[[Store, str, str], dict[str, Any] | None] | None = None,
    survey_provider: Callable[[str, str], tuple[Any, str, str] | None] | None = None,
) -> tuple[AssessmentInputs, dict[str, Any]]:
    """Read every input of a build; returns the builder's inputs and their fingerprint.

    Last year's plan comes from `plan_path` (YAML) when given, else from `plan_review` (the
    plan records' targets over the assessment's months, registered in
    `cdrp.intelligence.hooks` by the plans app). Community views come from `survey_path` (a
    CSV of a survey run elsewhere) when given, else from `survey_provider` (the partnership's
    closed survey in cdrp, registered in `cdrp.intelligence.hooks` by the community app).

    Raises
    ------
    AssessmentError
        For a period with no data, an unknown district, a bad weight table, plan or survey.
    """
    store = store or incident_store()
    reading = _districts(store, districts, timings if timings is not None else Timings())
    _period(reading, end, months)

    plan = _plan_file(reading, plan_path) if plan_path else None
    plan_source = Path(plan_path).name if plan_path else None
    plan_record = None
    if plan is None and plan_review is not None:
        plan = plan_review(store, reading.window[0], reading.end)
        if plan is not None:
            plan_source, plan_record = plan["source"], plan["record"]

    monthly = reading.counts(["month", "district", "category"], reading.first)
    pop, pop_base, year, base_year = _populations(reading)
    small = _small_areas(reading)
    peer_counts, peer_forces = _peer_counts(reading)
    weights, weights_source = _weights(weights_path, asb_weight)
    survey = _survey(survey_path)
    survey_source = Path(survey_path).name if survey_path else None
    survey_record = None
    if survey is None and survey_provider is not None:
        found = survey_provider(reading.window[0], reading.end)
        if found is not None:
            survey, survey_source, survey_record = found
    features = district_features(data_dir)
    codes = reading.codes
    inputs = AssessmentInputs(
        partnership=partnership,
        districts=reading.district_names,
        end=reading.end,
        months=months,
        monthly=monthly,
        covered_months=reading.covered,
        # a district without a population is refused by build_assessment, which names it
        populations={c: p for c in codes if (p := pop.get(c)) is not None},
        population_year=year or 0,
        populations_baseline=pop_base,
        population_baseline_year=base_year,
        lsoa=small.lsoa,
        lsoa_monthly=small.lsoa_monthly,
        wards=small.wards,
        shapes=small.shapes,
        weights=weights,
        weights_source=weights_source,
        peer_counts=peer_counts,
        peer_populations=pop,
        peer_names=reading.names,
        features=features,
        peer_forces=peer_forces,
        k=k,
        survey=survey,
        survey_source=survey_source,
        plan=plan,
        plan_source=plan_source,
        priority_weights=priority_weights,
        kind=kind,
        annual=annual,
        sources=_sources(reading, year, weights_source, survey_path, survey_source),
    )
    parameters = {
        "kind": kind,
        "districts": codes,
        "partnership": partnership,
        "end": reading.end,
        "months": months,
        "weights_path": str(weights_path) if weights_path else None,
        "asb_weight": asb_weight,
        "survey_path": str(survey_path) if survey_path else None,
        "survey_record": survey_record,
        "plan_path": str(plan_path) if plan_path else None,
        "plan_record": plan_record,
        "priority_weights": priority_weights,
        "k": k,
    }
    fp = fingerprint(
        store,
        parameters,
        {c: pop.get(c) for c in codes},
        year or 0,
        weights,
        {"weights": weights_path, "survey": survey_path, "plan": plan_path},
    )
    return inputs, fp


def _plan_review(partnership: Any) -> Callable[[Store, str, str], dict[str, Any] | None] | None:
    """Last year's plan from the partnership's plan records, through the registered review
    (`cdrp.intelligence.hooks`), when it has a partnership."""
    if partnership is None:
        return None
    return lambda store, start, end: hooks.plan_review(partnership, store, start, end)


def _survey_provider(partnership: Any) -> Callable[[str, str], tuple[Any, str, str] | None] | None:
    """The partnership's closed survey in cdrp, through the registered provider
    (`cdrp.intelligence.hooks`), when it has a partnership."""
    if partnership is None:
        return None
    return lambda start, end: hooks.survey_results(partnership, start, end)


def _label(
    partnership: Any, districts: list[str] | None
) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """The district codes built for, the registry's names of them, and the document's
    partnership label (slug and name; empty for districts given by hand)."""
    if partnership is not None:
        area_codes = dict(partnership.districts.values_list("code", "name"))
        codes = districts or list(area_codes)
        label = {"slug": partnership.slug, "name": partnership.name}
    else:
        if not districts:
            raise AssessmentError("give a partnership or a list of district codes")
        codes, area_codes = list(districts), {}
        label = {"slug": "", "name": ""}
    if not codes:
        raise AssessmentError(
            f"partnership {label['slug']} has no districts in the registry: give --districts"
        )
    return codes, area_codes, label


def _named(label: dict[str, str], district_names: dict[str, str]) -> dict[str, str]:
    """The label, named after its districts when it has no name (districts given by hand)."""
    if label["name"]:
        return label
    names = list(district_names.values())
    name = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return {**label, "name": name}


def build(
    *,
    partnership: Any = None,
    districts: list[str] | None = None,
    end: str | None = None,
    months: int = 12,
    kind: str = "strategic",
    annual: Any = None,
    user: Any = None,
    report: Report | None = None,
    save: bool = True,
    store: Store | None = None,
    timings: Timings | None = None,
    **options: Any,
) -> Assessment:
    """Build an assessment for a partnership (or a list of district codes) and save it.

    Returns the saved `Assessment` (unsaved when ``save`` is false). Nothing is saved unless the
    whole document was built.
    """
    timings = timings if timings is not None else Timings()
    started = time.perf_counter()
    codes, area_codes, label = _label(partnership, districts)
    if annual is not None and kind != "refresh":
        kind = "refresh"
    inputs, fp = gather(
        districts={c: area_codes.get(c) for c in codes},
        partnership=label,
        end=end,
        months=months,
        kind=kind,
        annual=annual.document if annual is not None else None,
        store=store,
        timings=timings,
        plan_review=_plan_review(partnership),
        survey_provider=_survey_provider(partnership),
        **options,
    )
    if not label["name"]:
        label["name"] = _named(label, inputs.districts)["name"]
        inputs.partnership = label
    document = build_assessment(inputs, report)
    built_at = timezone.now()
    document["built_at"] = built_at.isoformat()
    timings.total = time.perf_counter() - started
    record = Assessment(
        partnership=partnership,
        kind=kind,
        title=document["title"],
        period_start=document["period"]["start"],
        period_end=document["period"]["end"],
        months=months,
        document=json.loads(json.dumps(document, allow_nan=False)),
        fingerprint=fp,
        parameters=fp["parameters"],
        annual=annual,
        built_at=built_at,
        built_by=user if getattr(user, "is_authenticated", False) else None,
        build_seconds=round(timings.total, 3),
    )
    if save:
        with transaction.atomic():
            record.save()
    return record


def staleness(assessment, store: Store | None = None) -> list[str]:
    """What changed in the inputs since the assessment was built (empty: still current)."""
    store = store or incident_store()
    old = assessment.fingerprint or {}
    params = old.get("parameters") or assessment.parameters
    try:
        end = params["end"]
        first = shift(end, -(HISTORY - 1))
        parts = _partitions(store, first, end, params.get("districts"))
    except Exception as exc:  # an unreadable store is itself a reason to distrust the document
        return [f"the incident store cannot be read ({exc})"]
    reasons = []
    before = {(p["source"], p["force"], p["month"]): p for p in old.get("partitions", [])}
    after = {(p["source"], p["force"], p["month"]): p for p in parts}
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        if a is None:
            reasons.append(f"{key[1]} {key[2]}: a month imported since the build")
        elif b is None:
            reasons.append(f"{key[1]} {key[2]}: a month removed since the build")
        elif (a["path"], a["rows"], a["ingest_id"]) != (b["path"], b["rows"], b["ingest_id"]):
            reasons.append(
                f"{key[1]} {key[2]}: re-imported ({a['rows']:,} rows then, {b['rows']:,} now)"
            )
    if (store.state().get("geography") or {}) != old.get("geography", {}):
        reasons.append("the geography tables were rebuilt")
    if not params.get("plan_path") and assessment.partnership_id:
        start = shift(end, -(int(params.get("months") or 12) - 1))
        record = hooks.plan_review_record(assessment.partnership, start, end)
        if record != params.get("plan_record"):
            reasons.append("the partnership plan it reviews has been approved or revised")
    if not params.get("survey_path") and assessment.partnership_id:
        start = shift(end, -(int(params.get("months") or 12) - 1))
        found = hooks.survey_results(assessment.partnership, start, end)
        if (found[2] if found else None) != params.get("survey_record"):
            reasons.append("the community survey it reads has new or moderated responses")
    try:
        districts = read_table(store, "districts")
        year = old.get("population_year")
        col = f"population_{year}"
        if col in districts:
            by = districts.set_index("district_code")[col]
            pops = {c: (float(by[c]) if pd.notna(by.get(c)) else None) for c in params["districts"]}
            if _sha(json.dumps(pops, sort_keys=True)) != old.get("populations_sha"):
                reasons.append(f"the mid-{year} populations changed")
        else:
            reasons.append(f"the mid-{year} populations are no longer loaded")
    except Exception as exc:
        reasons.append(f"the populations cannot be read ({exc})")
    for name, path in (
        ("weights", params.get("weights_path")),
        ("survey", params.get("survey_path")),
        ("plan", params.get("plan_path")),
    ):
        sha = _sha(Path(path).read_bytes()) if path and Path(path).exists() else None
        if sha != (old.get("files") or {}).get(name):
            reasons.append(f"the {name} file {Path(path).name if path else ''} changed".strip())
    return reasons


@transaction.atomic
def advance(assessment, user, expected_version: int | None = None):
    """Move an assessment to its next status (draft → reviewed → approved → published)."""
    nxt = assessment.next_status
    if nxt is None:
        raise AssessmentError("a published assessment has no further step")
    now = timezone.now()
    field = {
        Assessment.Status.REVIEWED: "reviewed",
        Assessment.Status.APPROVED: "approved",
        Assessment.Status.PUBLISHED: "published",
    }[nxt]
    assessment.status = nxt
    setattr(assessment, f"{field}_at", now)
    setattr(assessment, f"{field}_by", user if getattr(user, "is_authenticated", False) else None)
    assessment.save_checked(assessment.version if expected_version is None else expected_version)
    if nxt == Assessment.Status.REVIEWED and assessment.partnership is not None:
        _ask_approval(assessment)
    return assessment


def _ask_approval(assessment) -> None:
    """Reviewed by the officers, the assessment awaits the strategy group's approval: its
    members and the partnership's chairs are told."""
    p = assessment.partnership
    notify(
        approver_accounts(p),
        Kind.APPROVAL,
        f"Approval requested: {assessment.title}",
        reverse(
            "intelligence:assessment-detail", kwargs={"partnership": p.slug, "pk": assessment.pk}
        ),
        partnership=p,
        key=f"approve-assessment:{assessment.pk}:{assessment.version}",
    )
