"""Postcodes → LSOA, ward and district, from an ONS Postcode Directory (ONSPD) extract, kept in
the store so that a lookup never leaves the machine.

`import_postcodes` reads the ONSPD CSV (plain, ``.gz`` or the ONS ``.zip``; any extract with a
postcode column and at least a district, ward or LSOA column: older files name them ``pcds``,
``oslaua``, ``osward``, ``lsoa11``; newer ones ``PCDS``, ``LAD25CD``, ``WD25CD``, ``LSOA21CD``),
drops terminated postcodes, and writes ``_geography/postcodes.parquet``. `find_postcode` looks one
up, in any spacing or case.

>>> normalise("pr7 1dp "), normalise("PR71DP"), normalise("not a postcode")
('PR71DP', 'PR71DP', None)
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cdrp.store.files import Store

__all__ = ["POSTCODES", "find_postcode", "import_postcodes", "normalise"]

POSTCODES = "_geography/postcodes.parquet"
_SHAPE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$")
_COLUMNS = {
    "postcode": re.compile(r"^(pcds|pcd|pcd2|pcd7|pcd8|postcode)$", re.IGNORECASE),
    "district_code": re.compile(r"^(oslaua|laua|lad\d\dcd)$", re.IGNORECASE),
    "ward_code": re.compile(r"^(osward|wd\d\dcd)$", re.IGNORECASE),
    "lsoa_code": re.compile(r"^(lsoa11|lsoa11cd|lsoa21|lsoa21cd|lsoa01)$", re.IGNORECASE),
    "terminated": re.compile(r"^doterm$", re.IGNORECASE),
}


def normalise(text: str) -> str | None:
    """A postcode in upper case without spaces, or None when it is not shaped like one."""
    value = re.sub(r"\s+", "", str(text or "")).upper()
    return value if _SHAPE.match(value) else None


def _open(path: Path) -> io.BytesIO | Path:
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
            if not names:
                raise ValueError(f"{path.name}: no CSV file in the archive")
            biggest = max(names, key=lambda n: archive.getinfo(n).file_size)
            return io.BytesIO(archive.read(biggest))
    return path


def import_postcodes(store: Store | str, path: str | Path) -> dict[str, int]:
    """Read an ONSPD extract into the store; returns ``{"postcodes": kept, "terminated": left
    out}``.

    Raises
    ------
    ValueError
        When the file has no postcode column, or none of district, ward and LSOA.
    """
    store = store if isinstance(store, Store) else Store(store)
    path = Path(path)
    source = _open(path)
    header = pd.read_csv(source, nrows=0, dtype=str)
    if isinstance(source, io.BytesIO):
        source.seek(0)
    found: dict[str, str] = {}
    for column in header.columns:
        for key, pattern in _COLUMNS.items():
            if key not in found and pattern.match(str(column).strip()):
                found[key] = column
    if "postcode" not in found:
        raise ValueError(f"{path.name}: no postcode column (pcds, pcd or PCDS)")
    if not {"district_code", "ward_code", "lsoa_code"} & set(found):
        raise ValueError(f"{path.name}: no district, ward or LSOA column (oslaua, osward, lsoa11)")
    frame = pd.read_csv(source, usecols=list(found.values()), dtype=str, keep_default_na=False)
    frame = frame.rename(columns={v: k for k, v in found.items()})
    terminated = (
        frame["terminated"].str.strip() != ""
        if "terminated" in frame
        else pd.Series(False, index=frame.index)
    )
    live = frame[~terminated].copy()
    live["postcode"] = live["postcode"].str.replace(r"\s+", "", regex=True).str.upper()
    live = live[live["postcode"].str.match(_SHAPE.pattern)]
    out = pd.DataFrame({"postcode": live["postcode"]})
    for key in ("district_code", "ward_code", "lsoa_code"):
        out[key] = live[key].str.strip() if key in live else ""
    out = out.drop_duplicates("postcode").sort_values("postcode")
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pandas(out, preserve_index=False), sink)
    store.write_bytes(POSTCODES, sink.getvalue().to_pybytes())
    return {"postcodes": len(out), "terminated": int(terminated.sum())}


def find_postcode(store: Store | str, text: str) -> dict[str, str] | None:
    """The district, ward and LSOA codes of a postcode (keys ``postcode``, ``district_code``,
    ``ward_code``, ``lsoa_code``), or None when it is not in the imported directory (or none
    was imported)."""
    store = store if isinstance(store, Store) else Store(store)
    code = normalise(text)
    if code is None or not store.exists(POSTCODES):
        return None
    with store.fs.open_input_file(store.path(POSTCODES)) as handle:
        table = pq.read_table(handle, filters=[("postcode", "=", code)])
    rows = table.to_pylist()
    return {k: str(v or "") for k, v in rows[0].items()} if rows else None
