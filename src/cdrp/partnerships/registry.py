"""The national registry to start from: every community safety partnership of England and Wales
from the ONS lookup of local authority districts to community safety partnerships to police force
areas, each with its districts, its police force area and the force's region.

The lookup files ship with cdrp (``data/demo/ons-lookups``, see ``data/demo/PROVENANCE.md``):
the January 2017 edition (comma-separated, with a byte-order mark) and the December 2019 edition
(semicolon-separated). Columns are recognised by what they hold (``LAD17CD``, ``lad-code``,
``CSP17NM``, ``PFA21CD`` …), not by the file's name. The default is the 2017 edition, whose
district codes are those of the 2011 LSOAs that police.uk files and the boundary files use, so a
seeded partnership's districts are the ones its incidents are counted in.

Regions come from the national LSOA 2011 lookup (``ons-lsoa2011-national``: each English
district's region); a district missing there takes the region of the other districts of its
police force area (force areas lie within one region); Welsh districts are in the country of
their code, named from ``ons-lookups/countries.csv``.

Seeding is idempotent and never overwrites an edit: a partnership is matched by its ONS code;
a lookup partnership none of whose code matches but whose districts a current district
partnership already covers (a merged partnership, made by hand or by the demo) is not created
beside it, and is reported;
one created by the seed remembers what the seed wrote (`Partnership.seeded`) and is brought up
to date only while it still matches that; any other record (edited since, made by hand, from a
structure file or the demo) is left as it is and reported. Areas are created when missing and
never changed.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from cdrp.analysis.errors import RefusedInput
from cdrp.core.data import reference_data_dir
from cdrp.partnerships.models import RESERVED_SLUGS, Area, Partnership

__all__ = [
    "LOOKUP_2017",
    "LOOKUP_2019",
    "Lookup",
    "SeedReport",
    "default_lookup",
    "read_lookup",
    "read_regions",
    "seed",
]

LOOKUP_2017 = (
    "ons-lookups/Local_Authority_District_to_Community_Safety_Partnerships_to_Police_Force_"
    "Areas__January_2017__Lookup_in_England_and_Wales_Version_2.csv"
)
LOOKUP_2019 = "ons-lookups/lad_to_csp_dec2019.csv"
LSOA_LOOKUP = "ons-lsoa2011-national/lsoa2011_msoa_lad_force_lookup.csv.gz"
COUNTRIES = "ons-lookups/countries.csv"


class LookupError_(RefusedInput):
    """A lookup file that cannot be read as LAD → CSP → PFA (named by the `field` it concerns)."""


def data_dir() -> Path:
    """Where the shipped reference data lives (`cdrp.core.data.reference_data_dir`)."""
    return reference_data_dir()


def default_lookup() -> Path:
    return data_dir() / LOOKUP_2017


@dataclass(frozen=True)
class Row:
    lad_code: str
    lad_name: str
    csp_code: str
    csp_name: str
    force_code: str
    force_name: str


@dataclass
class Lookup:
    """The rows of one lookup file, and where they came from."""

    path: Path
    rows: list[Row]

    @property
    def partnerships(self) -> dict[str, list[Row]]:
        out: dict[str, list[Row]] = defaultdict(list)
        for r in self.rows:
            out[r.csp_code].append(r)
        return dict(out)


# Column → the pattern its header matches (any edition: LAD17CD, lad-code, PFA21NM …).
_COLUMNS = {
    "lad_code": r"lad\d*[-_ ]?(cd|code)",
    "lad_name": r"lad\d*[-_ ]?(nm|name)",
    "csp_code": r"csp\d*[-_ ]?(cd|code)",
    "csp_name": r"csp\d*[-_ ]?(nm|name)",
    "force_code": r"pfa\d*[-_ ]?(cd|code)",
    "force_name": r"pfa\d*[-_ ]?(nm|name)",
}
_GSS = re.compile(r"[EW]\d{8}")


def read_lookup(path: Path) -> Lookup:
    """Read a LAD → CSP → PFA lookup (comma- or semicolon-separated, with or without a BOM).

    Raises `LookupError_` naming the file and what is wrong: a missing column, a code that is not
    an ONS code, a district listed twice for one partnership, a partnership in two force areas."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise LookupError_("lookup", f"{path}: cannot read the file ({exc.strerror})") from None
    first = text.splitlines()[0] if text else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    headers = reader.fieldnames or []
    where = {}
    for column, pattern in _COLUMNS.items():
        found = [h for h in headers if re.fullmatch(pattern, h.strip(), re.IGNORECASE)]
        if len(found) != 1:
            raise LookupError_(
                "lookup",
                f"{path.name}: expected one {column.replace('_', ' ')} column "
                f"(like {pattern}), found {found or 'none'} among {headers}",
            )
        where[column] = found[0]
    rows, seen = [], set()
    for n, raw in enumerate(reader, start=2):
        row = Row(**{c: (raw.get(h) or "").strip() for c, h in where.items()})
        for column in ("lad_code", "csp_code", "force_code"):
            if not _GSS.fullmatch(getattr(row, column)):
                raise LookupError_(
                    "lookup",
                    f"{path.name} line {n}: {where[column]} {getattr(row, column)!r} is not an "
                    "ONS code (a letter E or W and eight digits)",
                )
        # A district may lie in several partnerships (a unitary council formed from districts
        # whose partnerships carried on), but not in the same one twice.
        if (row.lad_code, row.csp_code) in seen:
            raise LookupError_(
                "lookup",
                f"{path.name} line {n}: district {row.lad_code} in partnership {row.csp_code} "
                "twice",
            )
        seen.add((row.lad_code, row.csp_code))
        rows.append(row)
    if not rows:
        raise LookupError_("lookup", f"{path.name}: no rows")
    lookup = Lookup(path, rows)
    for code, members in lookup.partnerships.items():
        forces = {r.force_code for r in members}
        if len(forces) > 1:
            raise LookupError_(
                "lookup", f"{path.name}: partnership {code} lies in {len(forces)} force areas"
            )
    return lookup


def _title(upper: str) -> str:
    """A region name as the LSOA lookup writes it (capitals) in ordinary case."""
    small = {"and", "of", "the", "upon", "on"}
    words = upper.strip().lower().split()
    return " ".join(w if i and w in small else w.capitalize() for i, w in enumerate(words))


def read_regions(root: Path | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """(district code → region code, region code → name) from the national LSOA 2011 lookup,
    and country code → name from countries.csv."""
    root = root or data_dir()
    district_region: dict[str, str] = {}
    names: dict[str, str] = {}
    path = root / LSOA_LOOKUP
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                district_region[r["Local authority code"]] = r["Region code"]
                names[r["Region code"]] = _title(r["Region name"])
    except (OSError, KeyError) as exc:
        raise LookupError_("regions", f"{path}: cannot read the regions ({exc})") from None
    countries = root / COUNTRIES
    try:
        with countries.open(encoding="utf-8") as f:
            for r in csv.DictReader(f):
                names[r["CTRY11CD"]] = r["CTRY11NM"]
    except (OSError, KeyError) as exc:
        raise LookupError_("regions", f"{countries}: cannot read the countries ({exc})") from None
    return district_region, names


def _country(names: dict[str, str], letter: str) -> str | None:
    return next((code for code in names if code.startswith(f"{letter}92")), None)


def force_regions(
    lookup: Lookup,
    district_region: dict[str, str],
    names: dict[str, str],
    also: Iterable[Row] = (),
):
    """Force code → region code: the region of its districts (one for every English force; the
    country for a Welsh one), reading `also` (another edition's rows) for a force whose districts
    all have codes newer than the LSOA lookup. Raises when a force's districts lie in two
    regions."""
    by_force: dict[str, Counter] = defaultdict(Counter)
    for r in [*lookup.rows, *also]:
        region = district_region.get(r.lad_code)
        if region is None and r.lad_code.startswith("W"):
            region = _country(names, "W")
        if region is not None:
            by_force[r.force_code][region] += 1
    out = {}
    for force in {r.force_code for r in lookup.rows}:
        regions = by_force.get(force)
        if not regions:
            raise LookupError_("regions", f"no district of force area {force} has a region")
        if len(regions) > 1:
            raise LookupError_(
                "regions", f"force area {force} has districts in {len(regions)} regions"
            )
        out[force] = next(iter(regions))
    return out


@dataclass
class SeedReport:
    lookup: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)  # (slug, why)
    covered: list[tuple[str, str]] = field(default_factory=list)  # (lookup code, by whom)
    areas_created: Counter = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.areas_created)

    def lines(self) -> list[str]:
        areas = ", ".join(f"{n} {level}" for level, n in sorted(self.areas_created.items()))
        out = [
            f"Registry seed from {self.lookup}: {len(self.created)} partnerships created, "
            f"{len(self.updated)} updated, {len(self.unchanged)} unchanged, {len(self.kept)} "
            f"kept as edited; {len(self.covered)} not created, their districts being covered "
            f"already; areas created: {areas or 'none'}."
        ]
        out += [f"  kept {slug}: {why}" for slug, why in self.kept]
        out += [f"  not created {code}: {why}" for code, why in self.covered]
        return out


def _slug_for(name: str, code: str, taken: set[str]) -> str:
    slug = slugify(name)[:80] or code.lower()
    if slug in RESERVED_SLUGS or slug in taken:
        slug = f"{slug[:70]}-{code.lower()}"
    return slug


def seed(lookup_path: Path | None = None, data_root: Path | None = None) -> SeedReport:
    """Create or bring up to date every partnership of the lookup (see the module docstring).
    Runs in one transaction; audited as the caller's actor (`cdrp.accounts.audit.acting_as`)."""
    lookup = read_lookup(lookup_path or default_lookup())
    district_region, names = read_regions(data_root)
    shipped = data_dir() / LOOKUP_2017
    also = read_lookup(shipped).rows if shipped.exists() and shipped != lookup.path else []
    regions_of_force = force_regions(lookup, district_region, names, also)
    report = SeedReport(lookup=lookup.path.name)
    with transaction.atomic():
        areas = {a.code: a for a in Area.objects.all()}

        def area(code: str, name: str, level: str, parent: Area | None = None) -> Area:
            found = areas.get(code)
            if found is None:
                found = Area.objects.create(code=code, name=name, level=level, parent=parent)
                areas[code] = found
                report.areas_created[level] += 1
            return found

        for region in sorted(set(regions_of_force.values())):
            level = Area.Level.COUNTRY if region[1:3] == "92" else Area.Level.REGION
            area(region, names.get(region, region), level)
        for force_code, force_name in sorted({(r.force_code, r.force_name) for r in lookup.rows}):
            area(force_code, force_name, Area.Level.FORCE, areas[regions_of_force[force_code]])
        for row in lookup.rows:
            area(row.lad_code, row.lad_name, Area.Level.DISTRICT)

        existing = {p.code: p for p in Partnership.objects.exclude(code="")}
        slugs = set(Partnership.objects.values_list("slug", flat=True))
        # Districts already served by a current district partnership not from the lookup.
        served: dict[str, Partnership] = {}
        for other in Partnership.objects.filter(
            status=Partnership.Status.CURRENT, level=Partnership.Level.DISTRICT
        ).prefetch_related("districts"):
            if other.code not in lookup.partnerships:
                for d in other.districts.all():
                    served.setdefault(d.code, other)
        for code, members in sorted(lookup.partnerships.items()):
            wanted: dict[str, Any] = {
                "name": members[0].csp_name,
                "code": code,
                "districts": sorted(r.lad_code for r in members),
                "force": members[0].force_code,
            }
            p = existing.get(code)
            covering = sorted({served[d].name for d in wanted["districts"] if d in served})
            if p is None and covering:
                report.covered.append(
                    (code, f"{wanted['name']}: its districts are in {' and '.join(covering)}")
                )
                continue
            if p is None:
                slug = _slug_for(wanted["name"], code, slugs)
                slugs.add(slug)
                p = Partnership(slug=slug, force=areas[wanted["force"]])
                _write(p, wanted, areas)
                report.created.append(slug)
                continue
            now = _state(p)
            if now == wanted:
                if p.seeded != wanted and p.seeded:
                    Partnership.objects.filter(pk=p.pk).update(seeded=wanted)
                report.unchanged.append(p.slug)
            elif p.seeded and now == p.seeded:
                _write(p, wanted, areas)
                report.updated.append(p.slug)
            else:
                why = (
                    "edited since it was seeded"
                    if p.seeded
                    else "not made by the seed (by hand, a structure file or the demo)"
                )
                report.kept.append((p.slug, why))
    return report


def _state(p: Partnership) -> dict:
    return {
        "name": p.name,
        "code": p.code,
        "districts": sorted(p.districts.values_list("code", flat=True)),
        "force": p.force.code if p.force is not None else None,
    }


def _write(p: Partnership, wanted: dict, areas: dict[str, Area]) -> None:
    p.name, p.code = wanted["name"], wanted["code"]
    p.force = areas[wanted["force"]]
    p.seeded = wanted
    p.save()
    p.districts.set([areas[c] for c in wanted["districts"]])
