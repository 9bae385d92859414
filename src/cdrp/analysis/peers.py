"""Peer "families": for each English district, the k most similar districts.

Home Office "most similar groups" are not published, so cdrp builds its own, documented and
reproducible by anyone from open data: each district is described by its English Indices of
Deprivation 2019 domain scores, its resident population and its population density; the features
are standardised (z-scores over all districts), and a district's family is its ``k`` nearest
districts by weighted Euclidean distance, ties broken by district code.

Geography rules (see ``data/lad_code_changes.csv``):

* Families are built on 2019 districts (the IoD 2019 geography, 317 districts), or on 2021
  districts (``vintage="2021"``: Buckinghamshire and North and West Northamptonshire replace the
  districts they merged).
* The Isles of Scilly are one unit with Cornwall, and the City of London with Hackney (code of
  the larger district), because the ONS mid-year estimates publish them combined.
* District areas are Census 2011 LSOA hectares summed to districts; the 2011 codes are carried
  to 2019 codes by the code-change table (merged districts are summed).
* Wherever units are merged, deprivation scores are averaged weighted by Census 2011 residents
  (an IoD district score is itself a population-weighted mean of its LSOAs' scores).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "METHOD",
    "REFERENCE_FILES",
    "CODE_CHANGES",
    "DEFAULT_K",
    "DOMAINS",
    "FEATURE_WEIGHTS",
    "VINTAGES",
    "census_districts",
    "code_changes",
    "district_features",
    "districts_with_data",
    "family",
    "family_members",
    "features_from_dir",
    "features_from_files",
    "feature_text",
    "force_slug",
    "forces_with_data",
    "peer_groups",
]

#: Family size.
DEFAULT_K = 15
#: IoD 2019 domains used. The Crime domain is left out on purpose: families are used to compare
#: crime, and a feature built from recorded crime would make that comparison circular.
DOMAINS = (
    "Income",
    "Employment",
    "Education, Skills and Training",
    "Health and Disability",
    "Barriers to Housing and Services",
    "Living Environment",
)
#: Weight of each feature group in the squared distance. Deprivation's weight is shared equally
#: by its domains, so deprivation, size and density count the same whatever the domain count.
FEATURE_WEIGHTS = {"deprivation": 1.0, "population": 1.0, "density": 1.0}
#: District geographies families can be built on.
VINTAGES = ("2019", "2021")
#: Shipped table of district code changes and combined units.
CODE_CHANGES = "lad_code_changes.csv"
#: Plain-English statement of the method, for the methods section of a published assessment.
METHOD = (
    "Each district's family is the 15 English districts most like it, found from open data: "
    "the six English Indices of Deprivation 2019 domain scores other than Crime (income, "
    "employment, education, health, barriers to housing and services, living environment), "
    "the resident population (ONS mid-year estimate) and residents per hectare (area from "
    "Census 2011). Population and density are taken as logarithms; every feature is "
    "standardised across all districts; deprivation, size and density weigh equally in the "
    "distance; ties go to the lower district code. The Isles of Scilly are grouped with "
    "Cornwall and the City of London with Hackney, as in the population estimates."
)


def code_changes() -> pd.DataFrame:
    """The table of district code changes (2011 to 2019, 2019 to 2021) and combined units.

    Returns
    -------
    pandas.DataFrame
        Columns ``old_code``, ``old_name``, ``new_code``, ``new_name``, ``vintage`` (``"2019"``,
        ``"2021"`` or ``"peer"`` for units combined because population estimates combine them)
        and ``change``.

    Examples
    --------
    >>> t = code_changes()
    >>> t.set_index("old_code").loc["E09000001", "new_code"]
    'E09000012'
    """
    ref = resources.files("cdrp.analysis") / "data" / CODE_CHANGES
    with ref.open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype=str)


def _unit_map(vintage: str) -> dict[str, str]:
    """Map any older code to the unit code used for ``vintage`` families."""
    if vintage not in VINTAGES:
        raise ValueError(f"vintage must be one of {VINTAGES}, not {vintage!r}")
    table = code_changes()
    steps = ["2019", "peer"] + (["2021"] if vintage == "2021" else [])
    mapping: dict[str, str] = {}
    for step in steps:
        rows = table[table["vintage"] == step]
        step_map = dict(zip(rows["old_code"], rows["new_code"], strict=True))
        mapping = {old: step_map.get(new, new) for old, new in mapping.items()}
        for old, new in step_map.items():
            mapping.setdefault(old, new)
    return mapping


def census_districts(census_csv: str | Path) -> pd.DataFrame:
    """Census 2011 residents and hectares per district (2011 codes) from the LSOA file.

    Parameters
    ----------
    census_csv : path
        ``data/demo/ons-lsoa2011-national/census2011_lsoa_population_households.csv.gz``:
        columns ``Local authority code``, ``Persons`` (all usual residents; the column name
        repeats) and ``Hectares``, numbers with thousands separators.

    Returns
    -------
    pandas.DataFrame
        Indexed by 2011 district code (England only): ``residents``, ``hectares``.

    Notes
    -----
    LSOA hectares are whole numbers in the source, so a district's area is exact to within
    half a hectare per LSOA, far below what matters for density at district scale.
    """
    frame = pd.read_csv(census_csv, dtype=str, keep_default_na=False)
    for column in ("Local authority code", "Persons", "Hectares"):
        if column not in frame.columns:
            raise ValueError(f"{census_csv}: no '{column}' column")
    frame = frame[frame["Local authority code"].str.startswith("E")]
    out = pd.DataFrame(
        {
            "code": frame["Local authority code"],
            # The first of the three "Persons" columns is all usual residents.
            "residents": pd.to_numeric(frame["Persons"].str.replace(",", ""), errors="coerce"),
            "hectares": pd.to_numeric(frame["Hectares"].str.replace(",", ""), errors="coerce"),
        }
    )
    bad = out[["residents", "hectares"]].isna().any(axis=1)
    if bad.any():
        row = int(out.index[bad][0]) + 2
        raise ValueError(f"{census_csv}, row {row}: Persons or Hectares is not a number")
    return out.groupby("code")[["residents", "hectares"]].sum()


def _to_units(values: pd.Series, mapping: Mapping[str, str]) -> pd.Series:
    """Sum values keyed by old codes into the units they belong to."""
    return values.groupby(values.index.map(lambda c: mapping.get(c, c))).sum()


def district_features(
    iod: pd.DataFrame,
    population: pd.Series,
    census: pd.DataFrame,
    *,
    vintage: str = "2019",
    domains: Sequence[str] = DOMAINS,
) -> pd.DataFrame:
    """One row of features per district unit: deprivation scores, population and density.

    Parameters
    ----------
    iod : pandas.DataFrame
        IoD 2019 district summaries in long form with ``lad19cd``, ``lad19nm``,
        ``index_domain`` and ``average_score`` (``data/demo/iod2019-lad/IoD2019_lad.csv``).
    population : pandas.Series
        Resident population indexed by district code (2019 codes for ``vintage="2019"``,
        2019 or 2021 codes for ``"2021"``); codes outside England are ignored.
    census : pandas.DataFrame
        :func:`census_districts` output: Census 2011 ``residents`` and ``hectares`` by 2011
        district code (weights for merging scores, and areas).
    vintage : {"2019", "2021"}
        District geography of the families.
    domains : sequence of str, default ``DOMAINS``
        IoD domains to use.

    Returns
    -------
    pandas.DataFrame
        Indexed by unit code, sorted: ``name``, one column per domain score, ``population``,
        ``hectares`` and ``density`` (residents per hectare).

    Raises
    ------
    ValueError
        If a unit has no population or no area (naming it), the population uses codes of a
        later vintage, or a domain is not in the IoD table.
    """
    mapping = _unit_map(vintage)
    for column in ("lad19cd", "lad19nm", "index_domain", "average_score"):
        if column not in iod.columns:
            raise ValueError(f"the IoD table has no '{column}' column")
    unknown = sorted(set(domains) - set(iod["index_domain"]))
    if unknown:
        raise ValueError(f"not IoD 2019 domains: {', '.join(unknown)}")
    scores = iod[iod["index_domain"].isin(domains)].pivot_table(
        index="lad19cd", columns="index_domain", values="average_score", aggfunc="first"
    )[list(domains)]
    scores.columns.name = None
    names = iod.drop_duplicates("lad19cd").set_index("lad19cd")["lad19nm"]

    # Census 2011 residents by 2019 district, the weights for merged units.
    to_2019 = _changes_2019()
    residents19 = census["residents"].groupby(census.index.map(lambda c: to_2019.get(c, c))).sum()
    missing_weights = sorted(set(scores.index) - set(residents19.index))
    if missing_weights:
        raise ValueError(f"no Census 2011 residents for district(s) {', '.join(missing_weights)}")
    weights = residents19.reindex(scores.index)
    units = scores.index.map(lambda c: mapping.get(c, c))
    weighted = scores.mul(weights, axis=0).groupby(units).sum()
    features = weighted.div(weights.groupby(units).sum(), axis=0)
    features.insert(0, "name", [_unit_name(u, names, mapping) for u in features.index])

    pop = pd.to_numeric(population, errors="coerce")
    pop = pop[[str(c).startswith("E") for c in pop.index]]
    later = sorted(c for c in pop.index if c not in mapping and c not in features.index)
    if later:
        raise ValueError(
            f"the population has district codes that are not {vintage} districts: "
            f"{', '.join(later[:8])}; use the population of the same vintage "
            f"(mid-2019 for 2019 districts, mid-2022 for 2021 districts)"
        )
    features["population"] = _to_units(pop, mapping).reindex(features.index)
    features["hectares"] = _to_units(census["hectares"], mapping).reindex(features.index)
    for column, what in (("population", "population"), ("hectares", "area")):
        bad = ~(features[column] > 0)
        if bad.any():
            listed = ", ".join(f"{c} {features.loc[c, 'name']}" for c in features.index[bad])
            raise ValueError(f"no {what} for district(s): {listed}")
    features["density"] = features["population"] / features["hectares"]
    return features.sort_index()


def _unit_name(unit: str, names: pd.Series, mapping: Mapping[str, str]) -> str:
    if unit not in names.index:
        table = code_changes()
        return str(table.set_index("new_code")["new_name"].groupby(level=0).first()[unit])
    merged = sorted(names[c] for c, u in mapping.items() if u == unit and c in names.index)
    return f"{names[unit]} (with {', '.join(merged)})" if merged else str(names[unit])


def _changes_2019() -> dict[str, str]:
    table = code_changes()
    rows = table[table["vintage"] == "2019"]
    return dict(zip(rows["old_code"], rows["new_code"], strict=True))


def features_from_files(
    iod_csv: str | Path,
    population_csv: str | Path,
    census_csv: str | Path,
    *,
    vintage: str = "2019",
    domains: Sequence[str] = DOMAINS,
) -> pd.DataFrame:
    """:func:`district_features` from the bundled files.

    Parameters
    ----------
    iod_csv : path
        ``data/demo/iod2019-lad/IoD2019_lad.csv``.
    population_csv : path
        An ``area_code,population`` file from ``data/demo/ons-population-la/`` (mid-2019 for
        2019 districts, mid-2022 for 2021 districts).
    census_csv : path
        ``data/demo/ons-lsoa2011-national/census2011_lsoa_population_households.csv.gz``.
    vintage : {"2019", "2021"}
        District geography.
    domains : sequence of str, default ``DOMAINS``
        IoD domains to use.

    Returns
    -------
    pandas.DataFrame
        As :func:`district_features`.
    """
    iod = pd.read_csv(iod_csv)
    pop_frame = pd.read_csv(population_csv, dtype={"area_code": str})
    for column in ("area_code", "population"):
        if column not in pop_frame.columns:
            raise ValueError(f"{population_csv}: no '{column}' column")
    population = pop_frame.set_index("area_code")["population"]
    return district_features(
        iod, population, census_districts(census_csv), vintage=vintage, domains=domains
    )


#: Where `features_from_dir` finds the three files under a reference-data directory.
REFERENCE_FILES = (
    "iod2019-lad/IoD2019_lad.csv",
    "ons-population-la/la_population_mid2019.csv",
    "ons-lsoa2011-national/census2011_lsoa_population_households.csv.gz",
)


def features_from_dir(data_dir: str | Path) -> pd.DataFrame:
    """:func:`features_from_files` (2019 districts) from a reference-data directory laid out as
    the shipped one (`REFERENCE_FILES`)."""
    base = Path(data_dir)
    iod, population, census = (base / name for name in REFERENCE_FILES)
    return features_from_files(iod, population, census)


def force_slug(name: str) -> str:
    """A police force's name as the store names forces: lower case, words joined by hyphens.

    >>> force_slug("Avon and Somerset Constabulary")
    'avon-and-somerset-constabulary'
    """
    return re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")


def feature_text(domains: Sequence[str] = DOMAINS) -> str:
    """The features a family is formed on, in words (for the documents that show a family).

    >>> feature_text(["Income", "Employment"])[:59]
    'IoD 2019 domain scores (Income; Employment), log10 resident'
    """
    return (
        f"IoD 2019 domain scores ({'; '.join(domains)}), log10 resident population (ONS "
        "mid-2019) and log10 residents per hectare (Census 2011 area), each standardised over "
        "every English district"
    )


def forces_with_data(coverage: pd.DataFrame, months: Sequence[str]) -> list[str]:
    """The forces (slugs) whose data holds every one of `months`, sorted.

    >>> cov = pd.DataFrame({"force": ["kent", "kent", "essex"],
    ...                     "month": ["2022-01", "2022-02", "2022-01"],
    ...                     "missing": [False, False, False]})
    >>> forces_with_data(cov, ["2022-01", "2022-02"]), forces_with_data(cov, ["2022-01"])
    (['kent'], ['essex', 'kent'])
    """
    wanted = set(months)
    forces: set[str] = set()
    if len(coverage):
        for force, rows in coverage.groupby("force"):
            held = set(rows.loc[~rows["missing"].astype(bool), "month"].astype(str))
            if wanted <= held:
                forces.add(str(force))
    return sorted(forces)


def districts_with_data(
    force_names: Mapping[str, object], coverage: pd.DataFrame, months: Sequence[str]
) -> list[str]:
    """The districts a family comparison may use for `months`: those whose police force's data
    holds every one of the months.

    Parameters
    ----------
    force_names : mapping
        District code → the name of its police force (missing names: the district has none).
    coverage : pandas.DataFrame
        ``force`` (slug), ``month`` (``YYYY-MM``) and ``missing`` (bool) of one source, as
        ``cdrp.store.coverage`` gives for police.uk.
    months : sequence of str
        The months compared.

    Returns
    -------
    list of str
        District codes, in the order of `force_names`. A force's slug matches a district whose
        force name's slug starts with it.

    Examples
    --------
    >>> cov = pd.DataFrame({"force": ["kent", "kent", "essex"],
    ...                     "month": ["2022-01", "2022-02", "2022-01"],
    ...                     "missing": [False, False, False]})
    >>> districts_with_data({"A": "Kent Police", "B": "Essex Police", "C": None}, cov,
    ...                     ["2022-01", "2022-02"])
    ['A']
    """
    forces = forces_with_data(coverage, months)
    return [
        code
        for code, name in force_names.items()
        if isinstance(name, str) and any(force_slug(name).startswith(f) for f in forces)
    ]


def family_members(
    peers: pd.DataFrame, districts: Sequence[str], *, available: Sequence[str] | None = None
) -> list[str]:
    """The family of a group of districts: the union of each one's :func:`family` (only the
    `available` members), less the districts themselves, most similar first.

    Raises
    ------
    ValueError
        A district has no family (see :func:`family`).

    Examples
    --------
    >>> p = pd.DataFrame({"district": ["A", "A", "B", "B"], "rank": [1, 2, 1, 2],
    ...                   "peer": ["B", "C", "D", "C"], "distance": [0.1, 0.2, 0.1, 0.3]})
    >>> family_members(p, ["A", "B"])
    ['C', 'D']
    """
    members: list[str] = []
    for code in districts:
        members += [
            m
            for m in family(peers, code, available=available)
            if m not in districts and m not in members
        ]
    return members


def _design(
    features: pd.DataFrame, domains: Sequence[str], weights: Mapping[str, float]
) -> tuple[np.ndarray, np.ndarray]:
    unknown = sorted(set(weights) - set(FEATURE_WEIGHTS))
    if unknown:
        raise ValueError(f"unknown feature groups {unknown}; expected {sorted(FEATURE_WEIGHTS)}")
    columns = list(domains)
    missing = [c for c in [*columns, "population", "density"] if c not in features.columns]
    if missing:
        raise ValueError(f"the features have no column(s) {missing}")
    x = np.column_stack(
        [
            features[columns].to_numpy(dtype=float),
            # Size and density are highly skewed (City of London to Birmingham), so logs.
            np.log10(features["population"].to_numpy(dtype=float)),
            np.log10(features["density"].to_numpy(dtype=float)),
        ]
    )
    if not np.all(np.isfinite(x)):
        bad = features.index[~np.all(np.isfinite(x), axis=1)]
        raise ValueError(f"missing or non-positive features for {', '.join(bad)}")
    w = np.array(
        [weights.get("deprivation", 0.0) / max(len(columns), 1)] * len(columns)
        + [weights.get("population", 0.0), weights.get("density", 0.0)]
    )
    if np.any(w < 0) or not np.any(w > 0):
        raise ValueError("feature weights must be zero or more, and not all zero")
    sd = x.std(axis=0)
    sd[sd == 0] = 1.0  # a constant feature separates nobody
    z = (x - x.mean(axis=0)) / sd
    return z, w


def peer_groups(
    features: pd.DataFrame,
    *,
    k: int = DEFAULT_K,
    domains: Sequence[str] = DOMAINS,
    weights: Mapping[str, float] | None = None,
    among: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The ``k`` most similar districts of every district.

    Parameters
    ----------
    features : pandas.DataFrame
        Indexed by district code, with the ``domains`` columns, ``population`` and ``density``
        (e.g. :func:`district_features`).
    k : int, default ``DEFAULT_K`` (15)
        Family size (not counting the district itself).
    domains : sequence of str, default ``DOMAINS``
        Deprivation columns to use.
    weights : mapping, optional
        Weight of each feature group in the squared distance; ``FEATURE_WEIGHTS`` by default.
    among : sequence of str, optional
        Draw every family from these districts only (e.g. the districts with data when several
        forces are loaded); the features are still standardised over all districts given, so a
        district's distances do not depend on which others have data. Families then have at
        most ``len(among) - 1`` members; codes not among the features are ignored.

    Returns
    -------
    pandas.DataFrame
        One row per (district, peer): ``district``, ``rank`` (1 = most similar), ``peer`` and
        ``distance``, ordered by district and rank.

    Notes
    -----
    Each feature (deprivation scores, log10 population, log10 residents per hectare) is
    standardised to mean 0 and standard deviation 1 over all districts given. The distance is
    ``sqrt(sum_j w_j (z_aj - z_bj)^2)``. Ties in distance (to 1e-12) go to the lower district
    code, so the result does not depend on row order.

    References
    ----------
    Home Office (2012). Most similar groups: methodology (the approach this follows in spirit;
    its variables and weights are not published).

    Examples
    --------
    >>> f = pd.DataFrame({"dep": [0.0, 1.0, 3.0, 3.0], "population": [1e4, 1e4, 1e4, 1e4],
    ...                   "density": [1.0, 1.0, 1.0, 1.0]}, index=["A", "B", "C", "D"])
    >>> peer_groups(f, k=2, domains=["dep"]).query("district == 'A'")[["peer", "rank"]]
      peer  rank
    0    B     1
    1    C     2
    >>> peer_groups(f, k=2, domains=["dep"], among=["C", "D"]).query("district == 'A'")["peer"]
    0    C
    1    D
    Name: peer, dtype: object
    """
    weights = dict(FEATURE_WEIGHTS if weights is None else weights)
    if not 1 <= k < len(features):
        raise ValueError(f"k must be between 1 and {len(features) - 1} (districts given), not {k}")
    if features.index.has_duplicates:
        dupes = sorted(set(features.index[features.index.duplicated()]))
        raise ValueError(f"district codes appear twice: {', '.join(dupes)}")
    features = features.sort_index()
    z, w = _design(features, domains, weights)
    diff = z[:, None, :] - z[None, :, :]
    dist = np.sqrt(np.einsum("ijk,k->ij", diff**2, w))
    codes = features.index.to_numpy()
    candidate = np.ones(len(codes), dtype=bool) if among is None else np.isin(codes, list(among))
    rows = []
    order_code = np.arange(len(codes))  # codes are sorted, so position orders codes
    for i, code in enumerate(codes):
        d = dist[i].copy()
        d[i] = np.inf
        d[~candidate] = np.inf
        size = min(k, int(np.isfinite(d).sum()))
        order = np.lexsort((order_code, np.round(d, 12)))[:size]
        for rank, j in enumerate(order, start=1):
            rows.append((code, rank, codes[j], float(d[j])))
    return pd.DataFrame(rows, columns=["district", "rank", "peer", "distance"])


def family(
    peers: pd.DataFrame, district: str, *, available: Sequence[str] | None = None
) -> list[str]:
    """A district's family members in rank order, optionally only those with data.

    Parameters
    ----------
    peers : pandas.DataFrame
        :func:`peer_groups` output.
    district : str
        District code.
    available : sequence of str, optional
        Codes with data (e.g. the districts loaded in the store); others are left out.

    Returns
    -------
    list of str
        Peer codes, most similar first.

    Examples
    --------
    >>> p = pd.DataFrame({"district": ["A", "A"], "rank": [1, 2], "peer": ["C", "B"],
    ...                   "distance": [0.1, 0.2]})
    >>> family(p, "A", available=["B"])
    ['B']
    """
    rows = peers[peers["district"] == district].sort_values("rank")
    if rows.empty:
        table = code_changes().set_index("old_code")
        hint = ""
        if district in table.index:
            row = table.loc[district]
            hint = f"; its code is now {row['new_code']} ({row['change']})"
        elif district in set(table["new_code"][table["vintage"] == "2021"]):
            hint = "; it is a 2021 district: build the families with vintage='2021'"
        raise ValueError(
            f"no family for district {district} (not among the districts grouped){hint}"
        )
    members: list[str] = rows["peer"].tolist()
    if available is not None:
        keep = set(available)
        members = [m for m in members if m in keep]
    return members
