"""Benchmark: a national-scale store: ten years of every police force of England and Wales.

Generates police.uk-like street records for the 43 territorial forces of England and Wales
(≈ 65 million rows for ten years) and writes them in cdrp's store layout
(``source=police-uk/force=<slug>/month=YYYY-MM/part-<ingest>.parquet``, the incident schema,
zstd, each file listed with its checksum in one committed store state), so the store's own
queries read them as they read an import.

The records follow real distributions, taken from the shared police.uk files of four forces
(Lancashire, Essex, Hampshire, Cambridgeshire) and the national ONS files:

- volume: each LSOA's records per resident per year (Census 2011 population) is its real rate
  where one of the four forces covers it, else a draw from the empirical distribution of those
  rates; the total is scaled to ``--rows``. District and force shares follow from it (real for
  the four forces' districts, population-weighted elsewhere);
- category mix: the pooled shares of the four forces' records;
- seasonality: the month-of-year index of the four forces' monthly totals;
- coordinates: per LSOA a fixed set of anonymised map points (as police.uk snaps records),
  around the LSOA's centroid within its bounding box (national LSOA 2011 boundaries); about
  6 % of records have no location, as in the real files;
- ids: every crime a unique Crime ID, anti-social behaviour none (no repeated IDs: the
  distinct index is built and empty).

Then, in a fresh process (its peak memory is its own), it measures with the store's and the
analysis' entry points (``cdrp.store.counts``, ``cdrp.intelligence.assessments.build``,
``cdrp.analysis.weights.polygon_queen`` and ``cdrp.analysis.hotspots.gi_star``):

- counts district × month × category for one force (the largest) < 1 s, and for the country
  < 5 s (cold: the first query of the process; warm: the median of the next three);
- a partnership's strategic assessment (the partnership with most districts) < 5 s;
- Gi* over the largest force's LSOAs (12 months' counts, queen contiguity, 999 permutations
  with the default refinement) < 2 s, from the store query to the result;
- peak memory (getrusage maximum resident set of the measuring process) < 4 GB;
- store size per 10 million rows.

Prints one JSON object. The store goes to ``--out`` (default ``/tmp/cdrp-national``; never the
repository) and is reused when it already holds the same parameters (``--fresh`` to rebuild).
Run: ``.venv/bin/python bench/national.py`` (full size, a few minutes of generation), or small:
``.venv/bin/python bench/national.py --forces 3 --years 1 --out /tmp/cdrp-national-small``.
This machine may be shared: times are wall-clock, and processor times are given beside them.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from scipy import special

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
SHARED = Path(os.environ.get("CDRP_SHARED_DATA", ROOT.parent / "shared" / "data"))
LSOAS = SHARED / "uk-geojson-lsoa2011-national"
REAL = ["lancashire", "essex", "hampshire", "cambridgeshire"]
TARGETS = {
    "counts_force_s": 1.0,
    "counts_country_s": 5.0,
    "assessment_s": 5.0,
    "gi_star_force_s": 2.0,
    "peak_memory_mb": 4096.0,
}
POINTS_PER_LSOA = 40
NO_LOCATION = 0.06
SEED = 20261207
OUTCOMES = [
    "Investigation complete; no suspect identified",
    "Unable to prosecute suspect",
    "Under investigation",
    "Status update unavailable",
    "Awaiting court outcome",
    "Local resolution",
    "Offender given a caution",
    "Court result unavailable",
]
OUTCOME_P = [0.34, 0.3, 0.1, 0.08, 0.06, 0.05, 0.04, 0.03]


def _peak_mb() -> float:
    """This process's peak resident memory: VmHWM (reset by exec, unlike getrusage's maximum,
    which Linux carries over from the parent), else getrusage."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# ------------------------------------------------------------------------------------------
# Real distributions.


def _real_records() -> pd.DataFrame:
    """Month, LSOA and category of every record in the shared police.uk files of four forces."""
    frames = []
    options = pacsv.ConvertOptions(
        include_columns=["Month", "LSOA code", "Crime type"],
        column_types={"Month": pa.string(), "LSOA code": pa.string(), "Crime type": pa.string()},
    )
    for force in REAL:
        for path in sorted((SHARED / f"police-uk-street-{force}").glob("*/*.csv.gz")):
            with gzip.open(path, "rb") as handle:
                table = pacsv.read_csv(handle, convert_options=options)
            frame = table.to_pandas()
            frame["force"] = force
            frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out.columns = ["month", "lsoa_code", "category", "force"]
    return out


def distributions(lsoa: pd.DataFrame) -> dict[str, Any]:
    """Category mix, month-of-year index and per-LSOA yearly rates per resident."""
    from cdrp.store.schema import CATEGORIES

    real = _real_records()
    mix = real.category.map(CATEGORIES).value_counts(normalize=True)
    monthly = real.groupby(["force", "month"]).size().rename("n").reset_index()
    monthly["index"] = monthly.n / monthly.groupby("force").n.transform("mean")
    monthly["moy"] = monthly.month.str[5:7].astype(int)
    season = monthly.groupby("moy")["index"].mean().reindex(range(1, 13)).to_numpy()
    season = season / season.mean()
    # Rates per LSOA over the months each force's files hold, scaled to a year.
    months = real.groupby("force").month.nunique()
    per = real.dropna(subset=["lsoa_code"]).groupby(["force", "lsoa_code"]).size()
    per = per.reset_index(name="n")
    per["yearly"] = per.n * 12 / per.force.map(months)
    per = per.groupby("lsoa_code").yearly.sum()
    pop = lsoa.set_index("lsoa_code").population
    rate = (per / pop.reindex(per.index)).replace([np.inf], np.nan).dropna()
    rate = rate[(rate > 0) & (rate < 50)]
    return {
        "mix": mix,
        "season": season,
        "rate": rate,
        "real_rows": len(real),
        "real_lsoas": len(rate),
    }


# ------------------------------------------------------------------------------------------
# Generation.


def _force_table(lsoa: pd.DataFrame, districts: pd.DataFrame) -> pd.DataFrame:
    """LSOAs with their district, force code and force name (the 43 territorial forces)."""
    from cdrp.store.schema import slugify

    forces = districts[["district_code", "force_code", "force_name"]].dropna()
    merged = lsoa.merge(forces, on="district_code", how="inner")
    # The territorial forces: E23… in England, W15… in Wales (not the British Transport Police).
    merged = merged[merged.force_code.str.match(r"^(E23|W15)")]
    merged["slug"] = merged.force_name.map(slugify)
    return merged


def _generate_force(job: dict[str, Any]) -> dict[str, Any]:
    """Write every month's file of one force; return the state entries (run in a worker)."""
    from cdrp.store import Store
    from cdrp.store.schema import INCIDENT_SCHEMA

    started = time.perf_counter()
    rng = np.random.default_rng([SEED, job["index"]])
    store = Store(job["root"])
    codes = pa.array(job["lsoa_codes"], pa.string())
    districts = pa.array(job["district_codes"], pa.string())
    lam = np.asarray(job["yearly"], dtype=np.float64) / 12
    n_lsoa = len(lam)
    px = np.asarray(job["px"]).reshape(n_lsoa, POINTS_PER_LSOA)
    py = np.asarray(job["py"]).reshape(n_lsoa, POINTS_PER_LSOA)
    cats = pa.array(job["categories"], pa.string())
    mix = np.asarray(job["mix"])
    asb = job["categories"].index("anti-social-behaviour")
    outcomes = pa.array(OUTCOMES, pa.string())
    slug, name = job["slug"], job["force_name"]
    ingest = f"national-{slug}"
    entries = []
    for month, factor in job["months"]:
        counts = rng.poisson(lam * factor)
        which = np.repeat(np.arange(n_lsoa, dtype=np.int32), counts)
        n = len(which)
        if n == 0:
            continue
        rng.shuffle(which)
        cat = rng.choice(len(mix), size=n, p=mix).astype(np.int32)
        point = rng.integers(0, POINTS_PER_LSOA, size=n)
        located = rng.random(n) >= NO_LOCATION
        lon = np.where(located, px[which, point], np.nan)
        lat = np.where(located, py[which, point], np.nan)
        is_crime = cat != asb
        row = np.arange(1, n + 1, dtype=np.int64)
        ids = pc.binary_join_element_wise(
            f"{slug}-{month}-", pc.cast(pa.array(row), pa.string()), ""
        )
        crime_mask = pa.array(~is_crime)
        first = pa.scalar(dt.date(int(month[:4]), int(month[5:]), 1), pa.date32())
        outcome_idx = rng.choice(len(OUTCOMES), size=n, p=OUTCOME_P).astype(np.int32)
        no_where = pa.array(~located)
        lsoa_col = pc.if_else(no_where, pa.scalar(None, pa.string()), codes.take(which))
        district_col = pc.if_else(no_where, pa.scalar(None, pa.string()), districts.take(which))
        table = pa.table(
            {
                "source": pa.repeat("police-uk", n),
                "source_file": pa.repeat(f"{month}-{slug}-street.csv", n),
                "source_row": pa.array(row),
                "record_id": pc.if_else(crime_mask, pa.scalar(None, pa.string()), ids),
                "month": pa.repeat(first, n),
                "category": cats.take(pa.array(cat)),
                "lon": pa.array(lon, from_pandas=True),
                "lat": pa.array(lat, from_pandas=True),
                "location_text": pc.if_else(no_where, "No Location", pa.repeat("On or near ", n)),
                "lsoa_code": lsoa_col,
                "district_code": district_col,
                "ward_code": pa.nulls(n, pa.string()),
                "outcome": pc.if_else(
                    crime_mask, pa.scalar(None, pa.string()), outcomes.take(pa.array(outcome_idx))
                ),
                "outcome_vintage": pa.repeat(first, n),
                "reported_by": pa.repeat(name, n),
                "falls_within": pa.repeat(name, n),
                "ingest_id": pa.repeat(ingest, n),
            }
        )
        table = table.cast(INCIDENT_SCHEMA).append_column("force", pa.repeat(slug, n))
        sink = io.BytesIO()
        pq.write_table(table, sink, compression="zstd")
        body = sink.getvalue()
        relative = f"source=police-uk/force={slug}/month={month}/part-{ingest}.parquet"
        store.makedirs(relative.rsplit("/", 1)[0])
        with store.fs.open_output_stream(store.path(relative)) as out:
            out.write(body)
        entries.append(
            {
                "table": "",
                "source": "police-uk",
                "force": slug,
                "month": month,
                "path": relative,
                "rows": n,
                "ingest_id": ingest,
                "sha256": hashlib.sha256(body).hexdigest(),
                "bytes": len(body),
                # As cdrp's import writes it: the districts the file's records lie in.
                "districts": sorted(
                    str(d) for d in pc.unique(district_col.drop_null()).to_pylist()
                ),
            }
        )
    return {
        "slug": slug,
        "entries": entries,
        "seconds": time.perf_counter() - started,
        "peak_mb": _peak_mb(),
    }


def _shared_normal(keys: pd.Series, rng: np.random.Generator) -> np.ndarray:
    """A standard normal draw per distinct key, repeated for each row holding it."""
    codes, uniques = pd.factorize(keys)
    return rng.standard_normal(len(uniques))[codes]


def generate(args: argparse.Namespace) -> dict[str, Any]:
    import shapely

    from cdrp.store import Store, build_geography
    from cdrp.store.geography import read_table
    from cdrp.store.query import build_distinct_index

    root = Path(args.out)
    if root.exists():
        shutil.rmtree(root)
    store = Store(str(root))
    t0 = time.perf_counter()
    build_geography(store, SHARED, boundaries=[LSOAS])
    geography_s = time.perf_counter() - t0

    t1 = time.perf_counter()
    lsoa = read_table(store, "lsoa")
    districts = read_table(store, "districts")
    shapes = read_table(store, "lsoa_shapes")
    dist = distributions(lsoa)
    table = _force_table(lsoa, districts)
    table = table.merge(shapes, on="lsoa_code", how="inner")
    table = table.dropna(subset=["population", "lon", "lat"])
    rng = np.random.default_rng(SEED)
    rate = dist["rate"]
    # Elsewhere a quantile of the real rates, clustered as crime is: shared by the LSOAs of a
    # district and of an MSOA (the LSOA's name without its last letter), plus the LSOA's own.
    msoa = table.lsoa_name.fillna(table.lsoa_code).str[:-1]
    z = (
        0.5 * _shared_normal(table.district_code, rng)
        + 0.7 * _shared_normal(msoa, rng)
        + 0.5 * rng.standard_normal(len(table))
    ) / np.sqrt(0.5**2 + 0.7**2 + 0.5**2)
    drawn = np.quantile(rate.to_numpy(), special.ndtr(z))
    table["rate"] = table.lsoa_code.map(rate).fillna(pd.Series(drawn, index=table.index))
    table["expected"] = table.population * table.rate
    all_forces = sorted(table.force_code.unique())
    chosen = all_forces[: args.forces] if args.forces else all_forces
    national_total = table.expected.sum()
    table = table[table.force_code.isin(chosen)].copy()
    # --rows is the size of the whole country over ten years (it sets the yearly rate); a
    # subset of forces or years keeps its share.
    scale = args.rows / (national_total * 10)
    table["yearly"] = table.expected * scale
    bounds = shapely.bounds(shapely.from_wkb(table.geometry.to_numpy()))
    half_w = (bounds[:, 2] - bounds[:, 0]) / 2
    half_h = (bounds[:, 3] - bounds[:, 1]) / 2
    u = rng.standard_normal((len(table), POINTS_PER_LSOA, 2)) * 0.35
    u = np.clip(u, -0.9, 0.9)
    px = np.round(table.lon.to_numpy()[:, None] + u[:, :, 0] * half_w[:, None], 6)
    py = np.round(table.lat.to_numpy()[:, None] + u[:, :, 1] * half_h[:, None], 6)
    table["_i"] = np.arange(len(table))
    last_year = args.end_year
    months = [
        (f"{y}-{m:02d}", float(dist["season"][m - 1]))
        for y in range(last_year - args.years + 1, last_year + 1)
        for m in range(1, 13)
    ]
    categories = list(dist["mix"].index)
    jobs = []
    for index, (code, group) in enumerate(table.groupby("force_code", sort=True)):
        i = group._i.to_numpy()
        jobs.append(
            {
                "index": index,
                "root": str(root),
                "slug": group.slug.iloc[0],
                "force_name": group.force_name.iloc[0],
                "force_code": code,
                "lsoa_codes": group.lsoa_code.tolist(),
                "district_codes": group.district_code.tolist(),
                "yearly": group.yearly.to_numpy(),
                "px": px[i].ravel(),
                "py": py[i].ravel(),
                "categories": categories,
                "mix": dist["mix"].to_numpy(),
                "months": months,
            }
        )
    # Largest first so the two workers finish together.
    jobs.sort(key=lambda j: -float(np.sum(j["yearly"])))
    prepare_s = time.perf_counter() - t1
    t2 = time.perf_counter()
    entries: list[dict[str, Any]] = []
    worker_peak = 0.0
    with concurrent.futures.ProcessPoolExecutor(max_workers=args.workers) as pool:
        for done in pool.map(_generate_force, jobs):
            entries.extend(done["entries"])
            worker_peak = max(worker_peak, done["peak_mb"])
    write_s = time.perf_counter() - t2
    t3 = time.perf_counter()
    with store.lock():
        state = store.state()
        state["files"] = sorted(entries, key=lambda e: e["path"])
        state["imports"].append(
            {
                "file": "bench/national.py",
                "kind": "street",
                "status": "imported",
                "ingest_id": "national",
                "sha256": hashlib.sha256(
                    json.dumps(vars(args), sort_keys=True).encode()
                ).hexdigest(),
                "imported": int(sum(e["rows"] for e in entries)),
                "notes": ["generated by bench/national.py from real distributions"],
            }
        )
        store.commit(state)
        index = build_distinct_index(store)
        state = store.state()
        state["distinct_index"] = index
        store.commit(state)
    commit_s = time.perf_counter() - t3
    rows = int(sum(e["rows"] for e in entries))
    size = int(sum(e["bytes"] for e in entries))
    info = {
        "params": vars(args),
        "forces": len(jobs),
        "files": len(entries),
        "rows": rows,
        "months": [months[0][0], months[-1][0]],
        "store_bytes": size,
        "store_mb_per_10m_rows": round(size / rows * 1e7 / 2**20, 1) if rows else None,
        "distinct_index_ids": (index or {}).get("ids"),
        "real_distributions": {
            "police_uk_rows_read": dist["real_rows"],
            "lsoas_with_a_real_rate": dist["real_lsoas"],
            "lsoas_generated": len(table),
            "category_mix": {k: round(float(v), 4) for k, v in dist["mix"].items()},
            "month_of_year_index": [round(float(s), 3) for s in dist["season"]],
        },
        "generation_s": {
            "geography": round(geography_s, 1),
            "distributions": round(prepare_s, 1),
            "write_parquet": round(write_s, 1),
            "commit_and_distinct_index": round(commit_s, 1),
            "rows_per_s": round(rows / write_s) if write_s else None,
        },
        "generation_peak_mb": {"main": _peak_mb(), "worker": worker_peak},
    }
    (root / "_bench_national.json").write_text(json.dumps(info, indent=1))
    return info


# ------------------------------------------------------------------------------------------
# Measurement (in its own process).


def _timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - wall, time.process_time() - cpu


def _cold_warm(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, dict[str, float]]:
    out, cold, cold_cpu = _timed(fn, *args, **kwargs)
    warm = []
    for _ in range(3):
        out, wall, _cpu = _timed(fn, *args, **kwargs)
        warm.append(wall)
    return out, {
        "cold_s": round(cold, 3),
        "cold_cpu_s": round(cold_cpu, 3),
        "warm_median_s": round(float(np.median(warm)), 3),
    }


def measure(root: str) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdrp.settings")
    os.environ.setdefault("CDRP_DATA_DIR", str(Path(root).parent / (Path(root).name + "-data")))
    os.environ["CDRP_INCIDENT_STORE"] = root
    import django

    django.setup()
    import shapely

    from cdrp.analysis.hotspots import gi_star
    from cdrp.analysis.weights import polygon_queen, project_to_bng
    from cdrp.intelligence.assessments import Timings, build
    from cdrp.store import Store, counts
    from cdrp.store.geography import read_table

    store = Store(root)
    state = store.state()
    files = [e for e in state["files"] if e["table"] == ""]
    months = sorted({e["month"] for e in files})
    end = months[-1]
    start12 = str(pd.Period(end, "M") - 11)
    districts = read_table(store, "districts")
    by_force = pd.DataFrame(files).groupby("force").rows.sum().sort_values(ascending=False)
    from cdrp.store.schema import slugify

    districts["slug"] = districts.force_name.fillna("").map(slugify)
    largest_slug = str(by_force.index[0])
    force_code = str(districts.loc[districts.slug == largest_slug, "force_code"].iloc[0])
    held = districts[districts.slug.isin(by_force.index)]
    by = ["district", "month", "category"]

    out: dict[str, Any] = {"store_rows": int(by_force.sum()), "end_month": end}
    force_counts, t = _cold_warm(counts, store, by, areas={"force": [force_code]})
    out["counts_force"] = t | {
        "force": largest_slug,
        "force_rows": int(by_force.iloc[0]),
        "groups": force_counts.num_rows,
        "total": int(pc.sum(force_counts.column("count")).as_py()),
    }
    country, t = _cold_warm(counts, store, by)
    out["counts_country"] = t | {
        "groups": country.num_rows,
        "total": int(pc.sum(country.column("count")).as_py()),
    }

    # The partnership (CSP) with most districts among the forces held.
    # (Only partnerships whose districts all have a mid-2022 population: an assessment gives
    # rates, and districts abolished before 2022 have none.)
    if "population_2022" in held:
        gaps = held.groupby("csp_code").population_2022.apply(lambda p: p.isna().any())
        held = held[~held.csp_code.map(gaps)]
    sizes = held.groupby("csp_code").district_code.nunique().sort_values(ascending=False)
    csp = str(sizes.index[0])
    members = sorted(held.loc[held.csp_code == csp, "district_code"])

    def assess() -> Any:
        timings = Timings()
        record = build(districts=members, end=end, store=store, save=False, timings=timings)
        return record, timings.as_dict()

    (_, first_timings), cold, _ = _timed(assess)
    (_, warm_timings), warm, warm_cpu = _timed(assess)
    out["assessment"] = {
        "partnership": csp,
        "districts": len(members),
        "cold_s": round(cold, 3),
        "warm_s": round(warm, 3),
        "warm_cpu_s": round(warm_cpu, 3),
        "warm_timings": warm_timings,
    }

    # Gi* over every LSOA of the largest force: 12 months' counts, queen contiguity.
    lsoa = read_table(store, "lsoa", columns=["lsoa_code", "district_code"])
    shapes = read_table(store, "lsoa_shapes")

    def hotspots() -> Any:
        steps = {}
        started = time.perf_counter()
        codes = districts.loc[districts.force_code == force_code, "district_code"]
        ours = lsoa[lsoa.district_code.isin(codes)]
        found = counts(
            store, ["lsoa"], start=start12, end=end, areas={"force": [force_code]}, output="pandas"
        )
        steps["counts_s"] = time.perf_counter() - started
        geo = shapes[shapes.lsoa_code.isin(ours.lsoa_code)].reset_index(drop=True)
        y = geo.lsoa_code.map(found.set_index("lsoa")["count"]).fillna(0).to_numpy()
        adj = polygon_queen(project_to_bng(shapely.from_wkb(geo.geometry.to_numpy())))
        steps["contiguity_s"] = time.perf_counter() - started - steps["counts_s"]
        result = gi_star(y, adj)
        steps["gi_star_s"] = time.perf_counter() - started - sum(steps.values())
        return result, len(geo), int(y.sum()), {k: round(v, 3) for k, v in steps.items()}

    (result, n_lsoa, n_records, _), cold, cold_cpu = _timed(hotspots)
    (_, _, _, steps), warm, warm_cpu = _timed(hotspots)
    out["gi_star_force"] = {
        "force": largest_slug,
        "lsoas": n_lsoa,
        "records": n_records,
        "classes": result.cls.astype(str).value_counts().to_dict(),
        "cold_s": round(cold, 3),
        "warm_s": round(warm, 3),
        "warm_cpu_s": round(warm_cpu, 3),
        "warm_steps": steps,
    }
    out["peak_memory_mb"] = _peak_mb()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", type=int, default=65_000_000, help="rows of the whole country in ten years"
    )
    parser.add_argument("--forces", type=int, default=0, help="first N forces by code (0: 43)")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--end-year", type=int, default=2022)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default="/tmp/cdrp-national")
    parser.add_argument("--fresh", action="store_true", help="rebuild even if the store matches")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_only:
        print(json.dumps(measure(args.out)))
        return
    out = Path(args.out).resolve()
    if out == ROOT or ROOT in out.parents:
        parser.error("the store goes outside the repository (e.g. under /tmp)")
    # DuckDB spills large aggregates (the distinct index) to ./.tmp: keep that out of the repo.
    out.parent.mkdir(parents=True, exist_ok=True)
    os.chdir(out.parent)
    params = {k: v for k, v in vars(args).items() if k not in ("fresh", "measure_only")}
    saved = out / "_bench_national.json"
    info = None
    if saved.exists() and not args.fresh:
        info = json.loads(saved.read_text())
        if {k: info["params"].get(k) for k in params} != params:
            info = None
    reused = info is not None
    if info is None:
        info = generate(args)
    child = subprocess.run(  # noqa: S603 - this same script
        [sys.executable, str(ROOT / "bench" / "national.py"), "--measure-only", "--out", str(out)],
        capture_output=True,
        text=True,
    )
    if child.returncode:
        sys.exit(f"measuring failed:\n{child.stderr[-3000:]}")
    measured = json.loads(child.stdout.strip().splitlines()[-1])
    figures = {
        "counts_force_s": measured["counts_force"]["warm_median_s"],
        "counts_country_s": measured["counts_country"]["warm_median_s"],
        "assessment_s": measured["assessment"]["warm_s"],
        "gi_star_force_s": measured["gi_star_force"]["warm_s"],
        "peak_memory_mb": measured["peak_memory_mb"],
    }
    result = {
        "bench": "national",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "note": "shared 2-core machine: wall-clock figures are noisy",
        },
        "store": str(out),
        "store_reused": reused,
        **{k: v for k, v in info.items() if k != "params"},
        "measured": measured,
        "targets": {
            name: {"value": figures[name], "target": limit, "pass": figures[name] < limit}
            for name, limit in TARGETS.items()
        },
        "cold_also_within_target": {
            "counts_force_s": measured["counts_force"]["cold_s"] < TARGETS["counts_force_s"],
            "counts_country_s": measured["counts_country"]["cold_s"] < TARGETS["counts_country_s"],
            "assessment_s": measured["assessment"]["cold_s"] < TARGETS["assessment_s"],
            "gi_star_force_s": measured["gi_star_force"]["cold_s"] < TARGETS["gi_star_force_s"],
        },
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
