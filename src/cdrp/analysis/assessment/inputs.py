"""What a build takes: the inputs dataclass, its error, and the document's constants."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

SCHEMA_VERSION = 1
#: How many recommended priorities the document names.
RECOMMENDED = 5
#: Simplification tolerance for map boundaries, in metres (British National Grid).
MAP_TOLERANCE = 25.0

PLAN_SCHEMA = """\
# A previous plan kept outside cdrp's plan records (cdrp assess … --plan plan.yaml).
plan: Lancashire South Partnership Plan 2021-22      # title (required)
period: {start: 2021-12, end: 2022-11}               # months the targets apply to (required)
priorities:                                          # one or more (required)
  - name: Reduce burglary                            # (required)
    indicators:                                      # one or more (required)
      - name: Recorded burglary                      # (required)
        categories: [burglary]                       # police.uk slugs or names (required)
        target:                                      # exactly one of:
          change_percent: -5      # change against as many months just before the period, or
          # at_most: 900          # a count not to exceed in the plan period, or
          # at_least: 100         # a count to reach (e.g. drug-possession detections)
"""

Report = Callable[[int, int, str], None]


class AssessmentError(ValueError):
    """The inputs cannot make an assessment; the message says which input and why."""


@dataclass
class AssessmentInputs:
    """Everything a build needs, already read from the store, registry and files.

    Category columns hold police.uk slugs or names (names are used in the document). Months are
    ``YYYY-MM`` strings. Every count frame holds *records*, never rates.
    """

    partnership: dict[str, str]  # {"slug": ..., "name": ...}
    districts: dict[str, str]  # code -> name, the partnership's districts
    end: str
    months: int
    monthly: pd.DataFrame  # month, district, category, count (partnership, as far back as held)
    covered_months: Sequence[str]
    populations: Mapping[str, float]  # district -> population (population_year)
    population_year: int
    lsoa: pd.DataFrame  # lsoa, lsoa_name, ward, district, population, count (current window)
    wards: pd.DataFrame  # ward, ward_name, district, population, count (current window)
    weights: pd.Series | Mapping[str, float]
    weights_source: str
    peer_counts: pd.DataFrame  # district, category, count (current window, districts with data)
    peer_populations: Mapping[str, float]
    peer_names: Mapping[str, str]
    features: pd.DataFrame | None = None  # cdrp.analysis.peers.district_features
    k: int = 15
    populations_baseline: Mapping[str, float] | None = None
    population_baseline_year: int | None = None
    shapes: Mapping[str, Mapping[str, object]] | None = None  # {"lsoa"|"ward": {code: geom}}
    survey: pd.DataFrame | None = None  # cdrp.analysis.concern.read_survey output
    survey_source: str | None = None
    plan: Mapping[str, Any] | None = None
    plan_source: str | None = None
    priority_weights: Mapping[str, float] | None = None
    kind: str = "strategic"
    annual: Mapping[str, Any] | None = None  # the annual assessment's object, for a refresh
    sources: list[dict[str, str]] = field(default_factory=list)
    lsoa_monthly: pd.DataFrame | None = None  # month, lsoa, count (the window's months with data)
    # Names of the police forces whose data covers the window (None: not known, families as
    # before); with two or more, families are drawn from the districts with data only.
    peer_forces: Sequence[str] | None = None


# -- small helpers ----------------------------------------------------------------------------
