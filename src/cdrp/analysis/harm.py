"""Harm: record counts weighted by a harm index per police.uk category, shown beside raw counts.

The shipped default table gives each police.uk category the mean ONS Crime Severity Score (CSS)
weight of the offences it contains, weighted by how often each offence was recorded by the police
in England and Wales in 2017/18 (see :func:`derive_severity_weights` and ``data/README.md``).
Anti-social behaviour is not a crime and has no CSS weight, so its weight is a parameter. A
partnership can supply its own table; a table that lacks a category in use is refused by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

__all__ = [
    "METHOD",
    "ASB",
    "DEFAULT_ASB_WEIGHT",
    "DEFAULT_TABLE",
    "JOIN_KEY",
    "POLICE_UK_CATEGORIES",
    "category_name",
    "check_weights",
    "default_weights",
    "derive_severity_weights",
    "harm_weighted",
    "read_weights",
]

#: The fourteen current police.uk ``Crime type`` values.
POLICE_UK_CATEGORIES = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
)
ASB = "Anti-social behaviour"
#: ASB carries no severity weight by default, so harm totals are of crime only; set a weight
#: (e.g. the Public order weight) to count it.
DEFAULT_ASB_WEIGHT = 0.0
#: File name of the shipped table in ``cdrp/analysis/data``.
DEFAULT_TABLE = "harm_weights_css_2017-18.csv"
#: Column of the CSS weight file matched to the Home Office offence code of the volumes.
JOIN_KEY = "ONS_SEVERITY_code"
#: Plain-English statement of the method, for the methods section of a published assessment.
METHOD = (
    "Harm-weighted totals multiply each record by a weight for its police.uk category: the "
    "average ONS Crime Severity Score of the offences in that category, weighted by how often "
    "each offence was recorded by the police in England and Wales in 2017/18. Anti-social "
    "behaviour is not a crime and has no severity score; its weight is set by the partnership."
)

# police.uk API slugs, so frames keyed by slug work too.
_SLUGS = {
    "anti-social-behaviour": "Anti-social behaviour",
    "bicycle-theft": "Bicycle theft",
    "burglary": "Burglary",
    "criminal-damage-arson": "Criminal damage and arson",
    "drugs": "Drugs",
    "other-crime": "Other crime",
    "other-theft": "Other theft",
    "possession-of-weapons": "Possession of weapons",
    "public-order": "Public order",
    "robbery": "Robbery",
    "shoplifting": "Shoplifting",
    "theft-from-the-person": "Theft from the person",
    "vehicle-crime": "Vehicle crime",
    "violent-crime": "Violence and sexual offences",
}
_BY_LOWER = {name.lower(): name for name in POLICE_UK_CATEGORIES}


def category_name(value: object) -> str | None:
    """The police.uk category name for a name in any case or an API slug; None if neither.

    Examples
    --------
    >>> category_name("violent-crime"), category_name("BURGLARY"), category_name("Speeding")
    ('Violence and sexual offences', 'Burglary', None)
    """
    text = str(value).strip()
    return _BY_LOWER.get(text.lower()) or _SLUGS.get(text.lower())


_category_name = category_name


def derive_severity_weights(
    weights_csv: str | Path,
    volumes_csv: str | Path,
    *,
    key: str = JOIN_KEY,
) -> pd.DataFrame:
    """Mean CSS weight per police.uk category, weighted by recorded-crime volumes.

    Parameters
    ----------
    weights_csv : path
        ONS Crime Severity Score weights per Home Office offence code with the column ``key``
        and ``ONS_SEVERITY_weight`` (``data/demo/harm-weights/ons_crime_severity_weights_by_
        offence_code.csv``).
    volumes_csv : path
        Police recorded crime by force, quarter and offence code with ``Offence_Code``,
        ``Number_of_Offences`` and the police.uk category ``Policeuk_Cat``
        (``data/demo/harm-weights/police_recorded_crime_by_force_offence_code_2017-18.csv.gz``).
    key : str, default ``JOIN_KEY`` (``"ONS_SEVERITY_code"``)
        Column of the weight file that is matched to ``Offence_Code``.

    Returns
    -------
    pandas.DataFrame
        One row per police.uk crime category: ``category``, ``weight`` (volume-weighted mean
        CSS weight), ``offences`` (all recorded offences in the category), ``matched_offences``
        (those with a CSS weight) and ``matched_share``.

    Notes
    -----
    ``weight = sum(n_o * w_o) / sum(n_o)`` over the offence codes ``o`` of the category that
    have a CSS weight, with ``n_o`` the offences recorded in 2017/18 by all forces. With the
    default key 88.4% of offences are matched (fraud reported to Action Fraud, CIFAS and UK
    Finance has no CSS weight, nor does the combined homicide code ``1/4.1/4.10/4.2``, whose
    weight row is coded ``1, 4.1/2/10``). Matching on ``ONS_COUNTS_code`` instead includes
    homicide and gives Violence and sexual offences 279.2 rather than 275.6.

    References
    ----------
    Office for National Statistics (2016). Research outputs: developing a Crime Severity Score
    for England and Wales using data on crimes recorded by the police.

    Home Office (2018). Police recorded crime open data tables, year ending March 2018.

    Examples
    --------
    >>> root = Path("data/demo/harm-weights")
    >>> table = derive_severity_weights(
    ...     root / "ons_crime_severity_weights_by_offence_code.csv",
    ...     root / "police_recorded_crime_by_force_offence_code_2017-18.csv.gz")  # doctest: +SKIP
    >>> table.set_index("category")["weight"].round(1)["Robbery"]  # doctest: +SKIP
    799.6
    """
    weights = pd.read_csv(weights_csv, dtype=str, keep_default_na=False)
    for column in (key, "ONS_SEVERITY_weight"):
        if column not in weights.columns:
            raise ValueError(f"{weights_csv}: no '{column}' column")
    weights["weight"] = pd.to_numeric(weights["ONS_SEVERITY_weight"], errors="coerce")
    if weights["weight"].isna().any():
        row = int(weights.index[weights["weight"].isna()][0]) + 2
        raise ValueError(f"{weights_csv}, row {row}: ONS_SEVERITY_weight is not a number")
    codes = weights[[key, "weight"]].rename(columns={key: "code"})
    conflicting = codes.groupby("code")["weight"].nunique()
    if (conflicting > 1).any():
        raise ValueError(
            f"{weights_csv}: offence code(s) {', '.join(conflicting.index[conflicting > 1])} "
            "have different weights"
        )
    codes = codes.drop_duplicates("code")

    volumes = pd.read_csv(volumes_csv, dtype=str, keep_default_na=False)
    for column in ("Offence_Code", "Number_of_Offences", "Policeuk_Cat"):
        if column not in volumes.columns:
            raise ValueError(f"{volumes_csv}: no '{column}' column")
    volumes["n"] = pd.to_numeric(volumes["Number_of_Offences"], errors="coerce")
    if volumes["n"].isna().any():
        row = int(volumes.index[volumes["n"].isna()][0]) + 2
        raise ValueError(f"{volumes_csv}, row {row}: Number_of_Offences is not a number")
    volumes["category"] = volumes["Policeuk_Cat"].map(_category_name)
    if volumes["category"].isna().any():
        bad = sorted(set(volumes.loc[volumes["category"].isna(), "Policeuk_Cat"]))
        raise ValueError(f"{volumes_csv}: unknown police.uk categories {bad}")
    joined = volumes.merge(codes, left_on="Offence_Code", right_on="code", how="left")
    joined["matched"] = joined["weight"].notna()
    joined["weighted"] = joined["n"] * joined["weight"].fillna(0)
    joined["n_matched"] = joined["n"].where(joined["matched"], 0)
    table = joined.groupby("category").agg(
        offences=("n", "sum"), matched_offences=("n_matched", "sum"), weighted=("weighted", "sum")
    )
    table["weight"] = table["weighted"] / table["matched_offences"]
    table["matched_share"] = table["matched_offences"] / table["offences"]
    table = table.reset_index()[
        ["category", "weight", "offences", "matched_offences", "matched_share"]
    ]
    table[["offences", "matched_offences"]] = table[["offences", "matched_offences"]].astype(
        np.int64
    )
    return table


def check_weights(
    weights: Mapping[str, float] | pd.Series,
    categories: Iterable[str] = POLICE_UK_CATEGORIES,
    *,
    source: str = "the harm weight table",
) -> pd.Series:
    """Validate a weight table and return it as a Series indexed by police.uk category name.

    Parameters
    ----------
    weights : mapping or pandas.Series
        Weight per category (names as police.uk ``Crime type`` in any case, or API slugs).
    categories : iterable of str, default ``POLICE_UK_CATEGORIES``
        Categories that must have a weight.
    source : str
        How to name the table in messages (e.g. its file name).

    Returns
    -------
    pandas.Series
        Weights indexed by the canonical category name.

    Raises
    ------
    ValueError
        Naming each required category the table lacks, any entry that is not a police.uk
        category, and any weight that is missing or negative.

    Examples
    --------
    >>> check_weights({"Burglary": 380.2}, ["burglary"])
    Burglary    380.2
    dtype: float64
    >>> check_weights({"Burglary": 380.2}, ["Burglary", "Robbery"])
    Traceback (most recent call last):
    ...
    ValueError: the harm weight table has no weight for: Robbery
    """
    series = pd.Series(weights, dtype=object)
    canonical = {}
    unknown = []
    for label, value in series.items():
        name = _category_name(label)
        if name is None:
            unknown.append(str(label))
            continue
        number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
        if pd.isna(number) or number < 0:
            raise ValueError(
                f"{source}: the weight for {name} must be a number zero or more, got {value!r}"
            )
        canonical[name] = float(number)
    if unknown:
        raise ValueError(
            f"{source}: {', '.join(unknown)} is not a police.uk category "
            f"(expected one of: {', '.join(POLICE_UK_CATEGORIES)})"
        )
    required = []
    for category in categories:
        name = _category_name(category)
        if name is None:
            raise ValueError(f"'{category}' is not a police.uk category")
        required.append(name)
    missing = [name for name in dict.fromkeys(required) if name not in canonical]
    if missing:
        raise ValueError(f"{source} has no weight for: {', '.join(missing)}")
    return pd.Series(canonical, dtype=float).sort_index()


def read_weights(
    path: str | Path | IO[str],
    *,
    asb_weight: float | None = None,
    categories: Iterable[str] = POLICE_UK_CATEGORIES,
) -> pd.Series:
    """Read a harm weight table from a CSV with columns ``category`` and ``weight``.

    Parameters
    ----------
    path : path or text file
        The CSV file.
    asb_weight : float, optional
        Weight for anti-social behaviour when the file has none.
    categories : iterable of str, default ``POLICE_UK_CATEGORIES``
        Categories that must have a weight.

    Returns
    -------
    pandas.Series
        Weights indexed by police.uk category name.

    Raises
    ------
    ValueError
        Naming the file, row and field for a bad value, and the categories it lacks.

    Examples
    --------
    >>> import io
    >>> read_weights(io.StringIO("category,weight\\nRobbery,799.6\\n"), categories=["Robbery"])
    Robbery    799.6
    dtype: float64
    """
    name = getattr(path, "name", str(path))
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ValueError(f"{name}: cannot read the harm weight table ({exc})") from None
    for column in ("category", "weight"):
        if column not in table.columns:
            raise ValueError(
                f"{name}: expected columns 'category' and 'weight', found {list(table.columns)}"
            )
    values = {}
    for i, (_, row) in enumerate(table.iterrows()):  # read_csv numbers the rows from 0
        number = pd.to_numeric(pd.Series([row["weight"]]), errors="coerce").iloc[0]
        if pd.isna(number) or number < 0:
            raise ValueError(
                f"{name}, row {i + 2}, field 'weight': expected a number zero or more, "
                f"got {row['weight']!r}"
            )
        values[row["category"]] = float(number)
    if asb_weight is not None and not any(_category_name(k) == ASB for k in values):
        values[ASB] = asb_weight
    return check_weights(values, categories, source=name)


def default_weights(*, asb_weight: float = DEFAULT_ASB_WEIGHT) -> pd.Series:
    """The shipped CSS-based weight table (see :func:`derive_severity_weights`).

    Parameters
    ----------
    asb_weight : float, default ``DEFAULT_ASB_WEIGHT`` (0)
        Weight for anti-social behaviour, which has no CSS weight.

    Returns
    -------
    pandas.Series
        Weights for all fourteen police.uk categories.

    Examples
    --------
    >>> w = default_weights(asb_weight=18.8)
    >>> float(w["Robbery"].round(1)), float(w["Anti-social behaviour"])
    (799.6, 18.8)
    """
    ref = resources.files("cdrp.analysis") / "data" / DEFAULT_TABLE
    with ref.open("r", encoding="utf-8") as handle:
        return read_weights(handle, asb_weight=asb_weight)


def harm_weighted(
    frame: pd.DataFrame,
    weights: Mapping[str, float] | pd.Series,
    *,
    category: str = "category",
    count: str = "count",
) -> pd.DataFrame:
    """Add each row's harm weight and harm (count times weight) beside its count.

    Parameters
    ----------
    frame : pandas.DataFrame
        Counts with a category column (police.uk names or slugs).
    weights : mapping or pandas.Series
        Weight per category, e.g. :func:`default_weights`.
    category, count : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame`` with ``harm_weight`` and ``harm``.

    Raises
    ------
    ValueError
        If the table lacks a weight for a category present in ``frame`` (naming it).

    Examples
    --------
    >>> df = pd.DataFrame({"category": ["Robbery", "Shoplifting"], "count": [2, 10]})
    >>> harm_weighted(df, {"Robbery": 799.6, "Shoplifting": 11.9})["harm"].tolist()
    [1599.2, 119.0]
    """
    for column in (category, count):
        if column not in frame.columns:
            raise ValueError(f"the frame has no '{column}' column (columns: {list(frame.columns)})")
    present = frame[category].dropna().unique()
    unknown = [str(c) for c in present if _category_name(c) is None]
    if unknown:
        raise ValueError(f"not police.uk categories: {', '.join(unknown)}")
    table = check_weights(weights, present)
    out = frame.copy()
    lookup = {
        value: table[name] for value in present if (name := _category_name(value)) is not None
    }  # every one named: the unknown were refused above
    out["harm_weight"] = frame[category].map(lookup)
    out["harm"] = pd.to_numeric(frame[count]) * out["harm_weight"]
    return out
