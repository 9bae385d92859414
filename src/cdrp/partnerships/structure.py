"""Structure YAML: load a whole partnership structure from a file, and write one back out.

The schema is documented in STRUCTURE-YAML.md next to this module. A file holds one or more YAML
documents, each one partnership with the areas, organisations and people it refers to. Import
validates everything first and reports every problem with the file name and line; only then does
it write, in one transaction, saving a record only where something changed (so importing an
exported file changes nothing, and a fresh database gets an identical registry). Writing a file
lives in `cdrp.partnerships.structure_export` (`export_structure`, re-exported here).
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import models, transaction

from cdrp.partnerships.models import (
    RESERVED_SLUGS,
    Area,
    Group,
    Membership,
    Organisation,
    Partnership,
    Person,
    Seat,
)
from cdrp.partnerships.structure_export import SCHEMA_VERSION, export_structure

__all__ = [
    "SCHEMA_VERSION",
    "StructureError",
    "load_structure",
    "import_structure",
    "export_structure",
]


class StructureError(ValueError):
    """The file cannot be imported; `problems` lists every one found, each naming its line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


# Reading YAML with line numbers -----------------------------------------------------------------


class _Map(dict):
    line: int = 0
    key_lines: dict


class _List(list):
    line: int = 0
    item_lines: list


def _line(node) -> int:
    return node.start_mark.line + 1


def _convert(node, loader):
    if isinstance(node, yaml.MappingNode):
        out = _Map()
        out.line, out.key_lines = _line(node), {}
        for k, v in node.value:
            key = loader.construct_object(k, deep=True)
            out[key] = _convert(v, loader)
            out.key_lines[key] = _line(k)
        return out
    if isinstance(node, yaml.SequenceNode):
        out = _List(_convert(v, loader) for v in node.value)
        out.line, out.item_lines = _line(node), [_line(v) for v in node.value]
        return out
    return loader.construct_object(node, deep=True)


# libyaml's C parser when PyYAML was built with it (the wheels are); same results.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse(text: str, name: str) -> list[_Map]:
    loader = _Loader(text)
    docs = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                docs.append(_convert(node, loader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name} line {mark.line + 1}" if mark else name
        raise StructureError(
            [f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})"]
        ) from None
    finally:
        loader.dispose()
    return docs


# Field specifications ---------------------------------------------------------------------------


@dataclass(frozen=True)
class F:
    kind: str  # str, text, slug, bool, int, decimal, date, list, choice, map-list
    required: bool = False
    default: Any = None
    choices: tuple = ()


def _kind(field) -> str:
    if field.choices:
        return "choice"
    if field.many_to_many:
        return "list"
    if field.is_relation:
        return "str"  # a reference by key: a slug or an ONS code
    for cls, kind in (
        (models.SlugField, "slug"),
        (models.TextField, "text"),
        (models.BooleanField, "bool"),
        (models.DecimalField, "decimal"),
        (models.IntegerField, "int"),
        (models.DateField, "date"),
        (models.CharField, "str"),
    ):
        if isinstance(field, cls):
            return kind
    raise TypeError(f"{field} has no structure-file type")


def _field(model, name: str) -> F:
    """The file's specification of a model field: its type, whether it must be given, its
    default (a blank text field defaults to empty text, a many-to-many field to no entries)
    and its choices, all read from the model."""
    field = model._meta.get_field(name)
    kind = _kind(field)
    if field.many_to_many:
        default: Any = []
    elif field.has_default():
        default = field.get_default()
        if isinstance(default, models.Choices):
            default = default.value
        if kind == "decimal":
            default = decimal.Decimal(default).quantize(
                decimal.Decimal(1).scaleb(-field.decimal_places)
            )
    elif field.blank and not field.null and kind in ("str", "text", "slug"):
        default = ""
    else:
        default = None
    required = not (field.blank or field.null or field.has_default())
    choices = tuple(v for v, _ in field.choices) if field.choices else ()
    return F(kind, required, default, choices)


def _fields(model, *names: str, **special: F) -> dict[str, F]:
    """The specifications of `model`'s fields `names`, then the `special` entries (nested lists,
    or a field the file treats differently from the model)."""
    return {name: _field(model, name) for name in names} | special


PARTNERSHIP = _fields(
    Partnership,
    *"slug name code level status valid_from valid_to county force districts merged_from".split(),
    *"responsible_authorities description".split(),
)
AREA = _fields(Area, *"code name level parent".split())
ORGANISATION = _fields(
    Organisation, *"slug name kind area website valid_from valid_to successors".split()
)
PERSON = _fields(Person, *"slug name job_title organisation email phone placeholder".split())
GROUP = _fields(
    Group,
    *"slug name short_name kind reports_to district meeting_frequency meeting_hours".split(),
    *"quorum chair_casting_vote terms_of_reference".split(),
    *"strand chair_rotation_start chair_rotation_months".split(),
    # Left out: true for the kinds that handle named offenders or victims (Group.RESTRICTED_KINDS).
    restricted=F("bool"),
    # A joint group: the other partnerships it serves (slugs, in the file or the registry).
    serves=F("list", default=[]),
    seats=F("map-list", default=[]),
)
SEAT = _fields(
    Seat,
    *"label organisation council_area voting statutory valid_from valid_to chair_turn".split(),
    members=F("map-list", default=[]),
)
MEMBER = _fields(Membership, *"person role start end senior portfolio_holder".split())
DOCUMENT = {
    "cdrp-structure": F("int", True),
    "partnership": F("map", True),
    "areas": F("map-list", default=[]),
    "organisations": F("map-list", default=[]),
    "people": F("map-list", default=[]),
    "groups": F("map-list", default=[]),
}

_TYPE_WORDS = {
    "str": "text",
    "text": "text",
    "slug": "a slug (lower-case letters, digits and hyphens)",
    "bool": "true or false",
    "int": "a whole number",
    "decimal": "a number",
    "date": "a date (YYYY-MM-DD)",
    "list": "a list",
    "map-list": "a list of mappings",
    "map": "a mapping",
}


class _Checker:
    def __init__(self, name: str):
        self.name = name
        self.problems: list[str] = []

    def fail(self, line: int, message: str) -> None:
        self.problems.append(f"{self.name} line {line}: {message}")

    def record(self, data, spec: dict, what: str, line: int) -> dict | None:
        """Check one mapping against its spec; return it with defaults filled, or None."""
        if not isinstance(data, dict):
            self.fail(line, f"{what} must be a mapping of keys to values, got {_show(data)}")
            return None
        lines = getattr(data, "key_lines", {})
        out = {}
        for key in data:
            if key not in spec:
                self.fail(
                    lines.get(key, line),
                    f"unknown key {key!r} in {what} (expected one of: {', '.join(spec)})",
                )
        for key, f in spec.items():
            at = lines.get(key, line)
            if key not in data or data[key] is None:
                if f.required:
                    self.fail(line, f"{what} needs {key!r}")
                out[key] = list(f.default) if isinstance(f.default, list) else f.default
                continue
            value = data[key]
            ok, value = _coerce(value, f)
            if not ok:
                expected = (
                    f"one of: {', '.join(f.choices)}" if f.kind == "choice" else _TYPE_WORDS[f.kind]
                )
                self.fail(at, f"{what}: {key!r} must be {expected}, got {_show(data[key])}")
                continue
            out[key] = value
        out["_line"] = line
        out["_lines"] = lines
        return out


def _show(value) -> str:
    text = repr(value) if not isinstance(value, dict | list) else type(value).__name__
    return text if len(text) < 60 else text[:57] + "..."


def _coerce(value, f: F):
    import re

    k = f.kind
    if k in {"str", "text"}:
        if isinstance(value, bool) or isinstance(value, dict | list):
            return False, value
        if isinstance(value, dt.date):
            return False, value
        return True, str(value)
    if k == "slug":
        return (isinstance(value, str) and re.fullmatch(r"[-a-z0-9_]+", value) is not None), value
    if k == "bool":
        return isinstance(value, bool), value
    if k == "int":
        return (isinstance(value, int) and not isinstance(value, bool) and value >= 0), value
    if k == "decimal":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False, value
        return True, decimal.Decimal(str(value)).quantize(decimal.Decimal("0.1"))
    if k == "date":
        return (isinstance(value, dt.date) and not isinstance(value, dt.datetime)), value
    if k == "list":
        return (isinstance(value, list) and all(isinstance(v, str) for v in value)), value
    if k == "map-list":
        return isinstance(value, list), value
    if k == "map":
        return isinstance(value, dict), value
    if k == "choice":
        return value in f.choices, value
    raise AssertionError(k)


# Import ----------------------------------------------------------------------------------------


def load_structure(text: str, name: str = "structure.yaml") -> list[dict]:
    """Parse and check a structure file; return its documents with defaults filled.

    Raises StructureError listing every problem (unknown keys, wrong types, missing keys,
    references to things that exist neither in the file nor in the registry), each with its line.
    """
    docs = _parse(text, name)
    c = _Checker(name)
    if not docs:
        raise StructureError([f"{name}: the file is empty"])
    out = []
    known_partnerships = set(Partnership.objects.values_list("slug", flat=True))
    for doc in docs:
        d = c.record(doc, DOCUMENT, "the document", getattr(doc, "line", 1))
        if d is None:
            continue
        if d["cdrp-structure"] is not None and d["cdrp-structure"] != SCHEMA_VERSION:
            c.fail(
                d["_lines"].get("cdrp-structure", 1),
                f"unknown schema version {d['cdrp-structure']} (this is version {SCHEMA_VERSION})",
            )
        d["partnership"] = (
            c.record(
                doc.get("partnership"),
                PARTNERSHIP,
                "partnership",
                getattr(doc.get("partnership"), "line", d["_line"]),
            )
            if doc.get("partnership") is not None
            else None
        )
        for section, spec, what in (
            ("areas", AREA, "area"),
            ("organisations", ORGANISATION, "organisation"),
            ("people", PERSON, "person"),
            ("groups", GROUP, "group"),
        ):
            items = doc.get(section) or []
            lines = getattr(items, "item_lines", [d["_line"]] * len(items))
            d[section] = []
            if not isinstance(items, list):
                continue
            for item, line in zip(items, lines, strict=False):
                rec = c.record(item, spec, what, line)
                if rec is None:
                    continue
                if section == "groups":
                    rec["seats"] = _children(c, item.get("seats") or [], SEAT, "seat", line)
                    for seat, raw in zip(rec["seats"], item.get("seats") or [], strict=False):
                        if seat is not None:
                            seat["members"] = _children(
                                c, raw.get("members") or [], MEMBER, "member", seat["_line"]
                            )
                d[section].append(rec)
        out.append(d)
    if not c.problems:
        _check_references(c, out, known_partnerships)
    if c.problems:
        raise StructureError(c.problems)
    return out


def _children(c: _Checker, items, spec, what, line) -> list:
    if not isinstance(items, list):
        return []
    lines = getattr(items, "item_lines", [line] * len(items))
    return [
        r for r in (c.record(i, spec, what, ln) for i, ln in zip(items, lines, strict=False)) if r
    ]


def _check_references(c: _Checker, docs: list[dict], known_partnerships: set[str]) -> None:
    in_file = {d["partnership"]["slug"] for d in docs if d["partnership"] is not None}
    areas = set(Area.objects.values_list("code", flat=True))
    orgs = set(Organisation.objects.values_list("slug", flat=True))
    people = set(Person.objects.values_list("slug", flat=True))
    partnerships = set(known_partnerships)
    for d in docs:
        p = d["partnership"]
        if p is None:
            continue
        areas |= {a["code"] for a in d["areas"]}
        orgs |= {o["slug"] for o in d["organisations"]}
        people |= {x["slug"] for x in d["people"]}

        def need(value, pool, what, rec, key, c=c):
            if value is not None and value not in pool:
                c.fail(
                    rec["_lines"].get(key, rec["_line"]),
                    f"{key} {value!r}: no such {what} in the file or the registry",
                )

        for a in d["areas"]:
            need(a["parent"], areas, "area", a, "parent")
        for o in d["organisations"]:
            need(o["area"], areas, "area", o, "area")
            for slug in o["successors"]:
                need(slug, orgs, "organisation", o, "successors")
        for x in d["people"]:
            need(x["organisation"], orgs, "organisation", x, "organisation")
        need(p["county"], areas, "area", p, "county")
        need(p["force"], areas, "area", p, "force")
        if p["slug"] in RESERVED_SLUGS:
            c.fail(
                p["_lines"].get("slug", p["_line"]),
                f"slug {p['slug']!r}: a word the site's addresses use; choose another",
            )
        for code in p["districts"]:
            need(code, areas, "area", p, "districts")
        for slug in p["merged_from"]:
            need(slug, partnerships, "partnership", p, "merged_from")
        for slug in p["responsible_authorities"]:
            need(slug, orgs, "organisation", p, "responsible_authorities")
        group_slugs = [g["slug"] for g in d["groups"]]
        seen = set()
        for g in d["groups"]:
            if g["slug"] in seen:
                c.fail(g["_line"], f"group {g['slug']!r} appears twice")
            seen.add(g["slug"])
            if (
                g["reports_to"] is not None
                and g["reports_to"] not in group_slugs
                and "/" not in g["reports_to"]
            ):
                c.fail(
                    g["_lines"].get("reports_to", g["_line"]),
                    f"reports_to {g['reports_to']!r}: no group with that slug in this partnership",
                )
            need(g["district"], areas, "area", g, "district")
            for slug in g["serves"]:
                need(slug, known_partnerships | in_file, "partnership", g, "serves")
                if slug == p["slug"]:
                    c.fail(
                        g["_lines"].get("serves", g["_line"]),
                        f"group {g['slug']!r}: serves {slug!r}, the partnership holding it; "
                        "list only the other partnerships a joint group serves",
                    )
            _check_rotation(c, g)
            voting_bodies = set()
            seat_keys = set()
            for s in g["seats"]:
                need(s["organisation"], orgs, "organisation", s, "organisation")
                need(s["council_area"], areas, "area", s, "council_area")
                key = (s["label"].lower(), s["organisation"], s["council_area"])
                if key in seat_keys:
                    c.fail(s["_line"], f"duplicate seat {s['label']!r} on group {g['slug']!r}")
                seat_keys.add(key)
                if s["voting"]:
                    voting_bodies.add(s["council_area"] or s["organisation"] or s["label"])
                for m in s["members"]:
                    need(m["person"], people, "person", m, "person")
            if g["quorum"] is not None and g["quorum"] > len(voting_bodies):
                c.fail(
                    g["_lines"].get("quorum", g["_line"]),
                    f"group {g['slug']!r}: a quorum of {g['quorum']} is larger than the group "
                    f"({len(voting_bodies)} voting bodies)",
                )
        partnerships.add(p["slug"])


def _check_rotation(c: _Checker, g: dict) -> None:
    """A rotating chair: a start date and a term length together, and at least two seats
    numbered in the rotation, no number twice."""
    at = g["_lines"].get("chair_rotation_start", g["_line"])
    start, months = g["chair_rotation_start"], g["chair_rotation_months"]
    turns = [s["chair_turn"] for s in g["seats"] if s["chair_turn"] is not None]
    for s in g["seats"]:
        turn = s["chair_turn"]
        if turn is not None and (turn == 0 or turns.count(turn) > 1):
            c.fail(
                s["_lines"].get("chair_turn", s["_line"]),
                f"group {g['slug']!r}: chair_turn {s['chair_turn']} must be 1 or more and "
                "appear on one seat only",
            )
    if (start is None) != (months is None):
        c.fail(
            at,
            f"group {g['slug']!r}: a rotating chair needs both 'chair_rotation_start' and "
            "'chair_rotation_months'",
        )
    elif start is not None and months == 0:
        c.fail(at, f"group {g['slug']!r}: 'chair_rotation_months' must be 1 or more")
    elif start is not None and len(turns) < 2:
        c.fail(
            at,
            f"group {g['slug']!r}: a rotating chair needs at least two seats with a "
            f"'chair_turn', found {len(turns)}",
        )
    elif start is None and turns:
        c.fail(
            at,
            f"group {g['slug']!r}: seats have a 'chair_turn' but the group has no "
            "'chair_rotation_start' and 'chair_rotation_months'",
        )


def _set(obj, values: dict) -> bool:
    changed = False
    for k, v in values.items():
        if getattr(obj, k) != v:
            setattr(obj, k, v)
            changed = True
    return changed


def _save(obj, values: dict, problems: list[str], where: str) -> None:
    # The import resolved every reference itself, so the foreign keys need no re-checking.
    obj._trusted_fields = [
        f.name for f in obj._meta.concrete_fields if f.is_relation and f.name != "reports_to"
    ]
    changed = _set(obj, values)
    if changed or obj.pk is None or not values:
        try:
            obj.save()
        except ValidationError as exc:
            messages: list[str] = []
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            for field, errs in detail.items():
                messages.extend(f"{field}: {e}" if field != "__all__" else e for e in errs)
            problems.append(f"{where}: {'; '.join(messages)}")
            raise _Abort from None


class _Abort(Exception):
    pass


def import_structure(text: str, name: str = "structure.yaml") -> list[Partnership]:
    """Check then import a structure file in one transaction; return the partnerships written.

    The partnerships a joint group serves, and reporting lines to another partnership's group,
    are set once every document's groups exist, so two district partnerships and their joint
    group can come in one file in any order."""
    docs = load_structure(text, name)
    problems: list[str] = []
    deferred: list[tuple[Group, dict]] = []
    try:
        with transaction.atomic():
            written = [_import_doc(d, name, problems, deferred) for d in docs]
            _link_groups(deferred, name, problems)
            return written
    except _Abort:
        raise StructureError(problems) from None


def _link_groups(deferred: list[tuple[Group, dict]], name: str, problems: list[str]) -> None:
    def at(rec):
        return f"{name} line {rec['_line']}"

    for group, g in deferred:
        wanted = set(Partnership.objects.filter(slug__in=g["serves"]).values_list("pk", flat=True))
        _set_m2m(group.serves, sorted(wanted))
    for group, g in deferred:
        ref = g["reports_to"]
        if not ref or "/" not in ref:
            continue
        ps, gs = ref.split("/", 1)
        target = Group.objects.filter(partnership__slug=ps, slug=gs).first()
        if target is None:
            problems.append(f"{at(g)}: reports_to {ref!r}: no such group")
            raise _Abort
        if group.reports_to_id != target.pk:
            group.reports_to = target
            _save(group, {}, problems, at(g))


def _import_doc(
    d: dict, name: str, problems: list[str], deferred: list[tuple[Group, dict]]
) -> Partnership:
    def at(rec):
        return f"{name} line {rec['_line']}"

    for a in d["areas"]:
        area = Area.objects.filter(code=a["code"]).first() or Area(code=a["code"])
        if _set(area, {"name": a["name"], "level": a["level"]}) or area.pk is None:
            area.save()
    for a in d["areas"]:
        area = Area.objects.get(code=a["code"])
        parent_id = Area.objects.get(code=a["parent"]).pk if a["parent"] else None
        if area.parent_id != parent_id:
            area.parent_id = parent_id
            area.save()
    area_id = {}

    def area_pk(code):
        if code is None:
            return None
        if code not in area_id:
            area_id[code] = Area.objects.get(code=code).pk
        return area_id[code]

    for o in d["organisations"]:
        org = Organisation.objects.filter(slug=o["slug"]).first() or Organisation(slug=o["slug"])
        _save(
            org,
            {
                "name": o["name"],
                "kind": o["kind"],
                "area_id": area_pk(o["area"]),
                "website": o["website"],
                "valid_from": o["valid_from"],
                "valid_to": o["valid_to"],
            },
            problems,
            at(o),
        )
    org_id = dict(Organisation.objects.values_list("slug", "pk"))
    for o in d["organisations"]:
        _set_m2m(
            Organisation.objects.get(pk=org_id[o["slug"]]).successors,
            [org_id[s] for s in o["successors"]],
        )
    for x in d["people"]:
        person = Person.objects.filter(slug=x["slug"]).first() or Person(slug=x["slug"])
        values = {k: x[k] for k in ("name", "job_title", "email", "phone", "placeholder")}
        values["organisation_id"] = org_id.get(x["organisation"]) if x["organisation"] else None
        _save(person, values, problems, at(x))
    person_id = dict(Person.objects.values_list("slug", "pk"))

    p = d["partnership"]
    partnership = Partnership.objects.filter(slug=p["slug"]).first() or Partnership(slug=p["slug"])
    _save(
        partnership,
        {
            "name": p["name"],
            "code": p["code"],
            "level": p["level"],
            "status": p["status"],
            "valid_from": p["valid_from"],
            "valid_to": p["valid_to"],
            "county_id": area_pk(p["county"]),
            "force_id": area_pk(p["force"]),
            "description": p["description"],
        },
        problems,
        at(p),
    )
    _set_m2m(partnership.districts, [area_pk(c) for c in p["districts"]])
    _set_m2m(
        partnership.merged_from,
        list(Partnership.objects.filter(slug__in=p["merged_from"]).values_list("pk", flat=True)),
    )
    _set_m2m(partnership.responsible_authorities, [org_id[s] for s in p["responsible_authorities"]])

    existing = {g.slug: g for g in partnership.groups.all()}
    wanted = {g["slug"] for g in d["groups"]}
    for slug, group in existing.items():
        if slug not in wanted:
            if group.meetings.exists():
                problems.append(
                    f"{name}: group {slug!r} is not in the file but has meetings; it was kept"
                )
                raise _Abort
            for seat in group.seats.all():
                seat.memberships.all().delete()
            group.delete()
    groups = {}
    for i, g in enumerate(d["groups"]):
        group = existing.get(g["slug"]) or Group(partnership=partnership, slug=g["slug"])
        values = {
            k: g[k]
            for k in (
                "name",
                "short_name",
                "kind",
                "terms_of_reference",
                "meeting_frequency",
                "meeting_hours",
                "chair_casting_vote",
            )
        }
        restricted = g["restricted"]
        if restricted is None:
            restricted = g["kind"] in Group.RESTRICTED_KINDS
        values.update(
            position=i,
            district_id=area_pk(g["district"]),
            restricted=restricted,
            strand=g["strand"] or "",
        )
        if group.pk is None:
            values["quorum"] = None  # set once the seats exist
            values["chair_rotation_start"] = values["chair_rotation_months"] = None
        _save(group, values, problems, at(g))
        groups[g["slug"]] = group
    for g in d["groups"]:
        group = groups[g["slug"]]
        deferred.append((group, g))
        ref = g["reports_to"]
        if ref is None or "/" not in ref:  # another partnership's group: linked at the end
            target = groups[ref] if ref else None
            if group.reports_to_id != (target.pk if target else None):
                group.reports_to = target
                _save(group, {}, problems, at(g))
        elif group.reports_to_id is not None:
            # Its line to another partnership's group is set again once every group exists.
            current = group.reports_to
            if current is not None and f"{current.partnership.slug}/{current.slug}" != ref:
                group.reports_to = None
                _save(group, {}, problems, at(g))
        _import_seats(group, g, org_id, person_id, area_pk, problems, at)
        after = {
            "quorum": g["quorum"],
            "chair_rotation_start": g["chair_rotation_start"],
            "chair_rotation_months": g["chair_rotation_months"],
        }
        if any(getattr(group, k) != v for k, v in after.items()):
            _save(group, after, problems, at(g))
    return partnership


def _set_m2m(manager, pks: list[int]) -> None:
    current = set(manager.values_list("pk", flat=True))
    if current != set(pks):
        manager.set(pks)


def _import_seats(group, g, org_id, person_id, area_pk, problems, at) -> None:
    def key(label, org, area):
        return (label.lower(), org, area)

    existing = {key(s.label, s.organisation_id, s.council_area_id): s for s in group.seats.all()}
    wanted = []
    for i, s in enumerate(g["seats"]):
        k = key(
            s["label"],
            org_id.get(s["organisation"]) if s["organisation"] else None,
            area_pk(s["council_area"]),
        )
        wanted.append((k, i, s))
    keep = {k for k, _, _ in wanted}
    for k, old_seat in existing.items():
        if k not in keep:
            old_seat.memberships.all().delete()
            old_seat.delete()
    for k, i, s in wanted:
        seat: Seat = existing.get(k) or Seat(group=group)
        seat._quorum_checked = True
        _save(
            seat,
            {
                "label": s["label"],
                "organisation_id": k[1],
                "council_area_id": k[2],
                "voting": s["voting"],
                "statutory": s["statutory"],
                "valid_from": s["valid_from"],
                "valid_to": s["valid_to"],
                "position": i,
                "chair_turn": s["chair_turn"],
            },
            problems,
            at(s),
        )
        current_m = {(m.person_id, m.role, m.start): m for m in seat.memberships.order_by("pk")}
        wanted_m = [((person_id[m["person"]], m["role"], m["start"]), m) for m in s["members"]]
        keep_m = {k for k, _ in wanted_m}
        for mk, m in current_m.items():
            if mk not in keep_m:
                m.delete()
        for mk, m in wanted_m:
            membership = current_m.get(mk) or Membership(
                seat=seat, person_id=mk[0], role=mk[1], start=mk[2]
            )
            _save(
                membership,
                {"end": m["end"], "senior": m["senior"], "portfolio_holder": m["portfolio_holder"]},
                problems,
                at(m),
            )
