"""The structure chart: a partnership's groups and reporting lines drawn as SVG on the server.

Groups are laid out as an indented tree (each group below the one it reports to), which stays
readable on an A4 page however many local groups there are: the drawing is 720 units wide and
text is never scaled below 11 units.

A joint group serving several partnerships (a joint Responsible Authorities Group) is drawn in the
chart of each of them, with the groups of every partnership that report to it, each box naming
the partnership of a group that is not the chart's own.

Every text from the registry is escaped with `html.escape`, quotes included, because it lands in
attributes (the links' aria-label) as well as in text: the drawing is inserted into pages as is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape
from typing import TypeVar

from django.db.models import Count, Q
from django.utils.safestring import SafeString, mark_safe

from cdrp.partnerships.models import Group, Membership, Partnership

WIDTH = 720
ROW = 66
BOX_H = 56
INDENT = 34
LEFT = 12
TOP = 56

_COLOURS: dict[str, str] = {
    Group.Kind.STRATEGY: "#1d70b8",
    Group.Kind.COUNTY_STRATEGY: "#1d70b8",
    Group.Kind.OFFICER: "#4c2c92",
    Group.Kind.THEMATIC: "#00703c",
    Group.Kind.DOMESTIC_ABUSE: "#00703c",
    Group.Kind.TASKING: "#d4351c",
    Group.Kind.PPO: "#6f777b",
    Group.Kind.ENGAGEMENT: "#f47738",
}


G = TypeVar("G", bound=Group)


def _ordered(groups: Sequence[G]) -> list[tuple[G, int]]:
    """Depth-first order, children after their parent, with depths."""
    ids = {g.pk for g in groups}
    children: dict[int | None, list[G]] = {}
    for g in groups:
        parent = g.reports_to_id if g.reports_to_id in ids else None
        children.setdefault(parent, []).append(g)
    out, seen = [], set()

    def walk(parent, depth):
        for g in children.get(parent, []):
            if g.pk in seen:
                continue
            seen.add(g.pk)
            out.append((g, depth))
            walk(g.pk, depth + 1)

    walk(None, 0)
    return out


def _served_names(joint: set[int]) -> dict[int, set[str]]:
    """Joint group id → names of every partnership it serves (the one holding it included)."""
    names: dict[int, set[str]] = {}
    for g in Group.objects.filter(pk__in=joint).select_related("partnership"):
        names.setdefault(g.pk, set()).add(g.partnership.name)
    for g_pk, name in Group.serves.through.objects.filter(group_id__in=joint).values_list(
        "group_id", "partnership__name"
    ):
        names.setdefault(g_pk, set()).add(name)
    return names


def _fit(text: str, width: float, size: float) -> str:
    """Shorten text to fit `width` at font `size` (an average glyph is about 0.52 em)."""
    limit = max(8, int(width / (size * 0.52)))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def structure_svg(partnership: Partnership, on: dt.date | None = None, link=None) -> SafeString:
    """The SVG document for the partnership's structure on date `on` (safe to insert in a page:
    every text in it is escaped).

    `link(group)` gives each box's address (None: no links).
    """
    on = on or dt.date.today()
    current = Q(seats__memberships__start__isnull=True) | Q(seats__memberships__start__lte=on)
    current &= Q(seats__memberships__end__isnull=True) | Q(seats__memberships__end__gte=on)
    own = set(partnership.all_groups().values_list("pk", flat=True))
    joint = set(Group.objects.filter(pk__in=own, serves__isnull=False).values_list("pk", flat=True))
    # Other partnerships' groups reporting to a joint group: both district CDRPs under their RAG.
    foreign = set(
        Group.objects.filter(reports_to__in=joint).exclude(pk__in=own).values_list("pk", flat=True)
    )
    served = {g: sorted(names) for g, names in _served_names(joint).items()}
    groups = list(
        Group.objects.filter(pk__in=own | foreign)
        .select_related("reports_to", "partnership")
        .annotate(
            n_seats=Count("seats", distinct=True),
            n_members=Count("seats__memberships", filter=current, distinct=True),
        )
        .order_by("position", "name")
    )
    chairs = {
        m.seat.group_id: m.person.name
        for m in Membership.objects.current(on)
        .filter(seat__group__in=own | foreign, role=Membership.Role.CHAIR)
        .select_related("person", "seat")
    }
    for rotating in groups:
        if rotating.chair_rotation_start is not None:  # a rotating chair: whoever's turn it is
            chair = rotating.chair(on)
            if chair is None:
                chairs.pop(rotating.pk, None)
            else:
                chairs[rotating.pk] = f"{chair.name} (in rotation)"
    rows = _ordered(groups)
    height = TOP + ROW * len(rows) + 12
    title = f"Structure of {partnership.name}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="{"group" if link else "img"}" '
        'aria-labelledby="chart-title chart-desc" '
        'font-family="Arial, Helvetica, sans-serif" class="cdrp-structure-chart">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{len(rows)} groups and their reporting lines on '
        f"{on:%-d %B %Y}. Each group is drawn below the group it reports to.</desc>",
        f'<text x="{LEFT}" y="24" font-size="18" font-weight="bold" fill="#0b0c0c">'
        f"{escape(_fit(title, WIDTH - 2 * LEFT, 18))}</text>",
        f'<text x="{LEFT}" y="44" font-size="12" fill="#505a5f">On {on:%-d %B %Y} · '
        f"{len(rows)} groups · lines show who reports to whom</text>",
    ]
    position = {}
    for i, (g, depth) in enumerate(rows):
        x = LEFT + depth * INDENT
        y = TOP + i * ROW
        position[g.pk] = (x, y)
        if g.reports_to_id in position:
            px, py = position[g.reports_to_id]
            lx = px + 14
            parts.append(
                f'<path d="M{lx} {py + BOX_H} V{y + BOX_H / 2} H{x}" fill="none" '
                'stroke="#505a5f" stroke-width="1.5"/>'
            )
    for g, _depth in rows:
        x, y = position[g.pk]
        w = WIDTH - x - LEFT
        colour = _COLOURS.get(g.kind, "#505a5f")
        name = g.name + (
            f" ({g.short_name})" if g.short_name and g.short_name not in g.name else ""
        )
        kind = f"{g.get_kind_display()} · {g.get_meeting_frequency_display()}"
        if g.strand:
            kind = f"{kind} · strand: {g.get_strand_display()}"
        if g.pk in served:
            kind = f"{kind} · joint for {' and '.join(served[g.pk])}"
        elif g.pk in foreign:
            kind = f"{g.partnership.name} · {kind}"
        seats = f"{g.n_seats} seat{'s' if g.n_seats != 1 else ''}"
        people = f"{seats} · {g.n_members} member{'s' if g.n_members != 1 else ''}"
        chair = chairs.get(g.pk)
        detail = f"{people} · Chair: {chair}" if chair else f"{people} · no chair recorded"
        box = [
            f'<g class="group{" joint" if g.pk in served else ""}" data-group="{escape(g.slug)}">',
            f'<rect x="{x}" y="{y}" width="{w}" height="{BOX_H}" rx="3" fill="#ffffff" '
            f'stroke="{colour}" stroke-width="2"/>',
            f'<rect x="{x}" y="{y}" width="6" height="{BOX_H}" fill="{colour}"/>',
            f'<text x="{x + 14}" y="{y + 19}" font-size="14" font-weight="bold" fill="#0b0c0c">'
            f"{escape(_fit(name, w - 20, 14))}</text>",
            f'<text x="{x + 14}" y="{y + 35}" font-size="11.5" fill="#505a5f">'
            f"{escape(_fit(kind, w - 20, 11.5))}</text>",
            f'<text x="{x + 14}" y="{y + 50}" font-size="11.5" fill="#0b0c0c" class="members">'
            f"{escape(_fit(detail, w - 20, 11.5))}</text>",
            "</g>",
        ]
        if link:
            # Links inside the drawing: the SVG is a group of links, not a single image.
            box = [f'<a href="{escape(link(g))}" aria-label="{escape(g.name)}">', *box, "</a>"]
        parts.extend(box)
    parts.append("</svg>")
    return mark_safe("\n".join(parts))  # noqa: S308  # nosec B308 B703: every text above is escaped, quotes too
