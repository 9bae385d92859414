"""The normalised incident schema and the police.uk vocabularies it is validated against."""

from __future__ import annotations

import re

import pyarrow as pa

__all__ = [
    "INCIDENT_SCHEMA",
    "QUARANTINE_SCHEMA",
    "CATEGORIES",
    "CATEGORY_NAMES",
    "STREET_COLUMNS",
    "OUTCOME_COLUMNS",
    "STOP_SEARCH_COLUMNS",
    "UK_BOUNDS",
    "LSOA_PATTERN",
    "same_force",
    "slugify",
]

# One row per published record; `month` is the first day of the month the record belongs to.
INCIDENT_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("source_file", pa.string()),
        ("source_row", pa.int64()),
        ("record_id", pa.string()),
        ("month", pa.date32()),
        ("category", pa.string()),
        ("lon", pa.float64()),
        ("lat", pa.float64()),
        ("location_text", pa.string()),
        ("lsoa_code", pa.string()),
        ("district_code", pa.string()),
        ("ward_code", pa.string()),
        ("outcome", pa.string()),
        ("outcome_vintage", pa.date32()),
        ("reported_by", pa.string()),
        ("falls_within", pa.string()),
        ("ingest_id", pa.string()),
    ]
)

QUARANTINE_SCHEMA = pa.schema(
    [
        ("ingest_id", pa.string()),
        ("source_file", pa.string()),
        ("source_row", pa.int64()),
        ("field", pa.string()),
        ("reason", pa.string()),
        ("raw", pa.string()),
    ]
)

# police.uk `Crime type` → the slug its API uses. The last three are categories of earlier years.
CATEGORIES = {
    "Anti-social behaviour": "anti-social-behaviour",
    "Bicycle theft": "bicycle-theft",
    "Burglary": "burglary",
    "Criminal damage and arson": "criminal-damage-arson",
    "Drugs": "drugs",
    "Other crime": "other-crime",
    "Other theft": "other-theft",
    "Possession of weapons": "possession-of-weapons",
    "Public order": "public-order",
    "Robbery": "robbery",
    "Shoplifting": "shoplifting",
    "Theft from the person": "theft-from-the-person",
    "Vehicle crime": "vehicle-crime",
    "Violence and sexual offences": "violent-crime",
    "Violent crime": "violent-crime-pre-2013",
    "Public disorder and weapons": "public-disorder-weapons",
    "Burglary / other theft": "burglary-other-theft",
}
CATEGORY_NAMES = {slug: name for name, slug in CATEGORIES.items()}

STREET_COLUMNS = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
]
# A street file lacking any of these is refused: a renamed column (Lon for Longitude) would
# otherwise import as empty and could replace a good month. Only `Context` (always empty in
# police.uk files) may be absent.
STREET_REQUIRED = set(STREET_COLUMNS) - {"Context"}

OUTCOME_COLUMNS = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Outcome type",
]
STOP_SEARCH_COLUMNS = [
    "Type",
    "Date",
    "Part of a policing operation",
    "Policing operation",
    "Latitude",
    "Longitude",
    "Gender",
    "Age range",
    "Self-defined ethnicity",
    "Officer-defined ethnicity",
    "Legislation",
    "Object of search",
    "Outcome",
    "Outcome linked to object of search",
    "Removal of more than just outer clothing",
]

# A generous box round the UK including Northern Ireland, the Channel Islands and Shetland.
UK_BOUNDS = {"lon": (-8.7, 1.8), "lat": (49.8, 60.9)}
LSOA_PATTERN = r"^[EW]01[0-9]{6}$"


def slugify(text: str) -> str:
    """A lower-case, hyphenated name for paths: 'Lancashire Constabulary' → 'lancashire'."""
    text = re.sub(r"\b(constabulary|police service|police)\b", "", text, flags=re.I)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unknown"


# Words that name the kind of body rather than the force: police.uk file names drop them.
_FORCE_FILLER = {"and", "of", "the", "police", "constabulary", "service"}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("&", " and "))


def same_force(file_force: str, reported_by: str) -> bool:
    """Whether a police.uk file name's force names the force a row reports: 'x-and-y' for
    'X & Y Police', 'of-z' or 'z' for 'Police Service of Z', initials for a long name.

    The words must match once words such as 'police' and 'and' are dropped, or the file's name
    is the initials of the reported name.
    """
    a = [w for w in _words(file_force) if w not in _FORCE_FILLER]
    b = [w for w in _words(reported_by) if w not in _FORCE_FILLER]
    if a and a == b:
        return True
    initials = "".join(w[0] for w in _words(reported_by))
    return len(_words(file_force)) == 1 and len(initials) > 1 and file_force.lower() == initials
