"""Boundaries from the ONS Open Geography Portal's ArcGIS REST query API, for chosen districts.

The portal serves every ONS boundary and lookup as an ArcGIS feature layer; a layer's ``query``
operation (documented by Esri: ``where``, ``outFields``, ``outSR``, ``f``, and paging with
``resultOffset`` / ``resultRecordCount`` while the answer says ``exceededTransferLimit``) returns
GeoJSON. `fetch_geography`:

1. asks the lookup layer (LSOA → ward → district) for the LSOA and ward codes of the districts;
2. asks the LSOA, ward and district boundary layers for those codes, page by page;
3. writes one GeoJSON file per layer and imports them with `build_geography` (so they are
   recognised by their code columns like any other boundary file).

Each layer's own field names (``LSOA21CD``, ``WD23CD``, ``LAD23CD``…) are read from its metadata,
so a newer vintage of a layer is a change of URL, not of code. Requests are retried (5xx, 429,
connection errors) with a growing wait; a machine that cannot reach the portal gets one clear
error saying how to import downloaded files instead.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from cdrp.store.files import Store
from cdrp.store.geography import build_geography, has_table, read_table
from cdrp.store.reader import BadInput

__all__ = ["ONS_LAYERS", "ArcGis", "FetchedGeography", "districts_of_force", "fetch_geography"]

_ONS = "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services"
#: Default feature layers (check the portal for newer vintages; each can be replaced by URL).
ONS_LAYERS: dict[str, str] = {
    "lookup": f"{_ONS}/LSOA21_WD23_LAD23_EW_LU/FeatureServer/0",
    "lsoa": f"{_ONS}/Lower_layer_Super_Output_Areas_December_2021_Boundaries_EW_BGC_V5"
    "/FeatureServer/0",
    "ward": f"{_ONS}/Wards_December_2023_Boundaries_UK_BGC/FeatureServer/0",
    "district": f"{_ONS}/Local_Authority_Districts_December_2023_Boundaries_UK_BGC/FeatureServer/0",
}
_FIELD = {
    "lsoa": re.compile(r"^LSOA\d\dCD$", re.IGNORECASE),
    "ward": re.compile(r"^WD\d\dCD$", re.IGNORECASE),
    "district": re.compile(r"^LAD\d\dCD$", re.IGNORECASE),
}
_DISTRICT = re.compile(r"^(E0[6789]|W06)\d{6}$")
_RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}


@dataclass
class ArcGis:
    """A small client for ArcGIS feature layers: metadata, and paged queries with retries.

    Parameters
    ----------
    page_size : int
        ``resultRecordCount`` of each page (the portal's maximum is usually 2,000).
    retries : int
        Attempts after the first for a connection error or a 408/429/5xx answer.
    backoff : float
        First wait before a retry, doubled each time (a Retry-After header wins).
    """

    client: httpx.Client = field(
        default_factory=lambda: httpx.Client(
            timeout=httpx.Timeout(60.0, connect=15.0),
            follow_redirects=True,
            headers={"User-Agent": "cdrp (community safety partnership platform)"},
        )
    )
    page_size: int = 1000
    retries: int = 4
    backoff: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    requests: int = 0

    def get(self, url: str, params: Mapping[str, str | int]) -> dict[str, Any]:
        """One JSON answer, retried; an ArcGIS error document is refused with its message."""
        delay = self.backoff
        for attempt in range(self.retries + 1):
            self.requests += 1
            try:
                response = self.client.get(url, params=dict(params))
                if response.status_code in _RETRY_STATUS:
                    after = response.headers.get("Retry-After", "")
                    raise _Retry(float(after) if after.isdigit() else None)
                if response.status_code >= 400:
                    raise BadInput(f"{url}: the server answered {response.status_code}")
                try:
                    doc = response.json()
                except ValueError as exc:
                    raise BadInput(f"{url}: the answer is not JSON") from exc
                if isinstance(doc, dict) and isinstance(doc.get("error"), dict):
                    error = doc["error"]
                    if error.get("code") in _RETRY_STATUS:
                        raise _Retry(None)
                    raise BadInput(
                        f"{url}: the server refused the query ({error.get('code')}: "
                        f"{error.get('message')})"
                    )
                if not isinstance(doc, dict):
                    raise BadInput(f"{url}: expected a JSON object")
                return doc
            except httpx.ConnectError as exc:
                if attempt == self.retries:
                    raise BadInput(
                        f"cannot reach {httpx.URL(url).host} after {attempt + 1} attempts "
                        f"({exc}): is this machine offline? Download the boundary files "
                        "elsewhere and load them with `cdrp import geography FILE…`"
                    ) from exc
                self._wait(delay)
            except (_Retry, httpx.TransportError) as exc:
                if attempt == self.retries:
                    raise BadInput(
                        f"{url}: no answer after {attempt + 1} attempts ({exc!r})"
                    ) from exc
                after = exc.after if isinstance(exc, _Retry) else None
                self._wait(delay if after is None else after)
            delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self.sleep(seconds)

    def fields(self, layer: str) -> list[str]:
        """The field names of a feature layer (from its metadata)."""
        doc = self.get(layer, {"f": "json"})
        return [str(f["name"]) for f in doc.get("fields") or [] if "name" in f]

    def query(
        self, layer: str, where: str, out_fields: str, geometry: bool, order_by: str
    ) -> list[dict[str, Any]]:
        """Every feature matching `where`, page by page in `order_by` order (a stable order is
        what makes offsets meaningful), as GeoJSON features in WGS84."""
        features: list[dict[str, Any]] = []
        offset = 0
        while True:
            doc = self.get(
                f"{layer}/query",
                {
                    "where": where,
                    "outFields": out_fields,
                    "returnGeometry": "true" if geometry else "false",
                    "outSR": 4326,
                    "f": "geojson",
                    "orderByFields": order_by,
                    "resultOffset": offset,
                    "resultRecordCount": self.page_size,
                },
            )
            page = doc.get("features")
            if not isinstance(page, list):
                raise BadInput(f"{layer}/query: expected GeoJSON features, got {sorted(doc)}")
            features.extend(page)
            more = doc.get("exceededTransferLimit") or (doc.get("properties") or {}).get(
                "exceededTransferLimit"
            )
            # A full page without the flag may still have a successor: ask once more.
            if not page or (not more and len(page) < self.page_size):
                return features
            offset += len(page)


class _Retry(Exception):
    def __init__(self, after: float | None):
        super().__init__("retry")
        self.after = after


@dataclass
class FetchedGeography:
    """What `fetch_geography` wrote and imported."""

    files: list[Path]
    features: dict[str, int]
    tables: dict[str, int]
    notes: list[str]


def districts_of_force(store: Store, force: str) -> list[str]:
    """The district codes of a police force area, by its name or code (the store's lookups)."""
    if not has_table(store, "districts"):
        raise BadInput("--force needs the ONS lookups in the store: run `cdrp import geography`")
    districts = read_table(store, "districts", ["district_code", "force_code", "force_name"])
    suffix = r"\s+(police( service)?|constabulary)$"  # "X Police", "X Constabulary" = "X"
    wanted = re.sub(suffix, "", force.strip().casefold())
    names = districts.force_name.fillna("").str.casefold().str.replace(suffix, "", regex=True)
    codes = districts.force_code.fillna("").str.casefold()
    hit = districts[(names == wanted) | (codes == wanted)]
    if hit.empty:
        known = ", ".join(sorted(districts.force_name.dropna().unique())[:5])
        raise BadInput(f"--force: no police force area named {force!r} (e.g. {known}…)")
    return sorted(hit.district_code.dropna().unique())


def _in(field_name: str, codes: Sequence[str]) -> str:
    # Codes are checked GSS codes (letters and digits only), so quoting them is safe.
    return f"{field_name} IN ({','.join(repr(str(c)) for c in codes)})"


def _field(fields: list[str], kind: str, layer: str) -> str:
    for name in fields:
        if _FIELD[kind].match(name):
            return name
    raise BadInput(f"{layer}: no {kind} code field among {', '.join(fields) or 'no fields'}")


def fetch_geography(
    store: Store | str,
    districts: Sequence[str],
    download_dir: str | Path,
    data_dir: str | Path,
    layers: Mapping[str, str] | None = None,
    api: ArcGis | None = None,
    chunk: int = 100,
    report: Callable[..., None] | None = None,
) -> FetchedGeography:
    """Download the LSOA, ward and district boundaries of `districts`, then import them.

    Parameters
    ----------
    districts : codes
        District (LAD) codes, E06…–E09… or W06….
    download_dir : path
        Where the GeoJSON files are written (kept: they can be imported again offline).
    data_dir : path
        The folder of the ONS lookup files, as for `build_geography`.
    layers : mapping, optional
        Feature layer URLs by role (``lookup``, ``lsoa``, ``ward``, ``district``) replacing the
        defaults of `ONS_LAYERS`.
    chunk : int
        Codes per ``IN (…)`` query.
    """
    store = store if isinstance(store, Store) else Store(store)
    given = [d.strip() for d in districts if d.strip()]
    bad = [d for d in given if not _DISTRICT.match(d.upper())]
    wanted = sorted({d.upper() for d in given})
    if not wanted or bad:
        raise BadInput(
            f"--district: {', '.join(bad) or 'none given'}: expected district codes, "
            "E06…–E09… or W06… (9 characters)"
        )
    urls = {**ONS_LAYERS, **(layers or {})}
    api = api or ArcGis()
    report = report or (lambda done, total, message="": None)
    notes: list[str] = []

    report(0, 4, "lookup")
    lookup = urls["lookup"]
    fields = api.fields(lookup)
    lad, lsoa, ward = (_field(fields, k, lookup) for k in ("district", "lsoa", "ward"))
    rows: list[dict[str, Any]] = []
    for i in range(0, len(wanted), chunk):
        found = api.query(
            lookup, _in(lad, wanted[i : i + chunk]), f"{lsoa},{ward},{lad}", False, lsoa
        )
        rows.extend(f.get("properties") or {} for f in found)
    seen = {r.get(lad) for r in rows}
    for code in wanted:
        if code not in seen:
            notes.append(
                f"{code}: not in the lookup layer {lookup} (a district code of that year?)"
            )
    codes = {
        "lsoa": sorted({str(r[lsoa]) for r in rows if r.get(lsoa)}),
        "ward": sorted({str(r[ward]) for r in rows if r.get(ward)}),
        "district": [c for c in wanted if c in seen],
    }

    target = Path(download_dir)
    target.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    counts: dict[str, int] = {}
    for step, kind in enumerate(("lsoa", "ward", "district"), start=1):
        report(step, 4, f"{kind} boundaries")
        if not codes[kind]:
            continue
        layer = urls[kind]
        code_field = _field(api.fields(layer), kind, layer)
        features: list[dict[str, Any]] = []
        for i in range(0, len(codes[kind]), chunk):
            part = codes[kind][i : i + chunk]
            features.extend(api.query(layer, _in(code_field, part), "*", True, code_field))
        got = {(f.get("properties") or {}).get(code_field) for f in features}
        missing = [c for c in codes[kind] if c not in got]
        if missing:
            notes.append(
                f"{kind}: {len(missing)} code(s) of the lookup have no boundary in {layer} "
                f"(e.g. {', '.join(missing[:3])})"
            )
        path = target / f"ons-{kind}-{wanted[0]}{'-etc' if len(wanted) > 1 else ''}.geojson"
        tmp = path.with_name(path.name + ".part")
        tmp.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
        tmp.replace(path)
        files.append(path)
        counts[kind] = len(features)
    if not files:
        raise BadInput(f"no boundaries found for {', '.join(wanted)}")
    report(4, 4, "import")
    tables = build_geography(store, data_dir, boundaries=files, notes=notes)
    return FetchedGeography(files, counts, tables, notes)
