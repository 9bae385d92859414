"""Reference data production code reads: the ONS lookups and boundaries, populations, the
English Indices of Deprivation, and the district families built from them.

The files ship with cdrp (``data/demo``, beside the demo's police.uk files, see its
PROVENANCE.md); a deployment may keep its own copy and name it with the ``REFERENCE_DATA_DIR``
setting. Production code asks here, never the demo's helpers: the demo loads its police.uk files
from `cdrp.intelligence.services.demo_data_dir`, which is where the shipped reference data lives
too, and nothing else.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd

from cdrp.analysis.peers import features_from_dir
from cdrp.core.data import reference_data_dir, shipped_data_dir

__all__ = ["district_features", "reference_data_dir", "shipped_data_dir"]


@functools.lru_cache(maxsize=4)
def _features(data_dir: str) -> pd.DataFrame:
    return features_from_dir(data_dir)


def district_features(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Every English district's family features (`cdrp.analysis.peers.features_from_dir`) from
    the reference data, read once per directory."""
    return _features(str(data_dir or reference_data_dir()))
