"""The store's Parquet read by Apache Spark (local mode), as a force's Spark platform reads it.

Spark follows the recipe of docs/SPARK.md without cdrp's code: the highest-numbered state file
under ``_state/`` names the live files; those files (never a directory glob) are read, and the
district × month × category counts must be exactly cdrp's. Needs Java (present in CI); the
module is skipped, saying so, only where no ``java`` is on the PATH.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

if shutil.which("java") is None:
    pytest.skip("no `java` on the PATH: PySpark needs a Java runtime", allow_module_level=True)


@pytest.fixture(scope="module")
def spark():
    # Loopback only, no UI, one core, few shuffle partitions: a small, quiet local session.
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("cdrp-test")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _manifest(root: str) -> dict:
    """The committed state, read as any reader would: the highest-numbered _state file."""
    states = sorted(Path(root, "_state").glob("[0-9]*.json"))
    return json.loads(states[-1].read_text())


@pytest.fixture(scope="module")
def incidents(spark, reference_store):
    root, _ = reference_store
    state = _manifest(root)
    paths = [str(Path(root, e["path"])) for e in state["files"] if e["table"] == ""]
    return spark.read.parquet(*paths), state, root


def test_spark_counts_equal_cdrp_counts(incidents):
    from pyspark.sql import functions as F

    from cdrp.store import counts

    frame, _, root = incidents
    grouped = (
        frame.where(F.col("source") == "police-uk")
        .groupBy("district_code", F.date_format("month", "yyyy-MM").alias("month"), "category")
        .count()
        .collect()
    )
    theirs = {(r["district_code"], r["month"], r["category"]): r["count"] for r in grouped}
    table = counts(root, ["district", "month", "category"]).to_pylist()
    ours = {(r["district"], r["month"], r["category"]): r["count"] for r in table}
    assert len(ours) > 1000
    assert theirs == ours
    # Every bundled record, including those with no location (no district).
    assert sum(theirs.values()) == 578766
    assert any(key[0] is None for key in theirs)


def test_spark_reads_the_schema_and_the_manifest_rows(incidents):
    from pyspark.sql import functions as F

    frame, state, _ = incidents
    types = dict(frame.dtypes)
    assert types["month"] == "date"
    assert types["source_row"] == "bigint"
    assert types["lon"] == "double"
    assert types["force"] == "string"
    rows = {
        (r["force"], r["m"]): r["count"]
        for r in frame.groupBy("force", F.date_format("month", "yyyy-MM").alias("m"))
        .count()
        .collect()
    }
    listed = {(e["force"], e["month"]): e["rows"] for e in state["files"] if e["table"] == ""}
    assert rows == listed
