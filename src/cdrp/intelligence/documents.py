"""Rendering a stored assessment: HTML page, standalone HTML, PDF, annex CSV/XLSX.

Everything is drawn from the stored document (`Assessment.document`); nothing is recomputed.
Charts are Vega-Lite specifications made with Altair: interactive on the page (vega-embed, served
from /static/vendor/vega/) and rendered to SVG on the server (vl-convert) for the PDF. Maps are
SVG drawn from the boundary paths stored in the document (British National Grid, no tiles).
"""

from __future__ import annotations

import math
import re

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe

from cdrp.accounts.policy import public_document
from cdrp.core import documents as stored
from cdrp.core import tables

__all__ = [
    "annex_csv",
    "annex_xlsx",
    "chart_spec",
    "choropleth_svg",
    "context",
    "render_html",
    "render_pdf",
]

LICENCE = (
    "Contains public sector information licensed under the Open Government Licence v3.0 "
    "(https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/). Contains "
    "OS data © Crown copyright and database right. police.uk data: © Crown copyright, "
    "Open Government Licence v3.0."
)
#: GOV.UK-like palette (colour-blind safe sequence for categories).
BLUE, DARK, GREY = "#1d70b8", "#0b0c0c", "#b1b4b6"
SEQUENTIAL = ["#f3f8fc", "#c2dbef", "#86b5de", "#3d85c6", "#1d5f99", "#0b3661"]
# -- cells -------------------------------------------------------------------------------------


def _cell(value, fmt: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, str):
        return value
    if fmt == "int":
        return f"{round(value):,}"
    if fmt == "rate":
        return f"{value:,.1f}"
    if fmt == "ratio":
        return f"{value:.2f}"
    if fmt == "ratio3":
        return f"{value:.3f}"
    if fmt == "pct":
        return f"{value:.1%}"
    if fmt == "p":
        return "< 0.001" if value < 0.001 else f"{value:.3f}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def _numeric(fmt: str) -> bool:
    return fmt in ("int", "rate", "ratio", "ratio3", "pct", "p", "any")


def _table_view(table: dict) -> dict:
    columns = table["columns"]
    rows = []
    for row in table["rows"]:
        cells = []
        for c in columns:
            value = row.get(c["key"])
            text = _cell(value, c["format"])
            cls = "govuk-table__cell--numeric" if _numeric(c["format"]) else ""
            tag = ""
            if c["format"] == "verdict" and isinstance(value, str):
                tag = {
                    "significant increase": "govuk-tag--red",
                    "significant decrease": "govuk-tag--green",
                }.get(value, "govuk-tag--grey")
            ref = (row.get("_refs") or {}).get(_criterion(c["key"]))
            link = "#" + anchor_id(*ref.split("#", 1)) if ref else None
            cells.append({"text": text, "class": cls, "tag": tag, "ref": link, "title": ref})
        rows.append({"id": anchor_id(table["id"], row.get("_key", "")), "cells": cells})
    return {
        **table,
        "anchor": anchor_id(table["id"]),
        "head": [{"label": c["label"], "numeric": _numeric(c["format"])} for c in columns],
        "body": rows,
    }


def _criterion(key: str) -> str:
    return key.rsplit("_", 1)[0] if key.endswith("_score") else ""


def anchor_id(table: str, key: str = "") -> str:
    """An HTML id for a table (or one of its rows) that any key can safely produce."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", str(key)).strip("-")
    return f"t-{table}--{safe}" if key else f"t-{table}"


def _links(refs: list[str], numbers: dict[str, str]) -> list[dict]:
    out, seen = [], set()
    for ref in refs:
        table, _, key = ref.partition("#")
        text = f"Table {numbers[table]}" if table in numbers else table
        if text in seen:
            continue
        seen.add(text)
        out.append({"href": "#" + anchor_id(table, key), "text": text, "ref": ref})
    return out


# -- charts ------------------------------------------------------------------------------------


def chart_spec(figure: dict) -> dict | None:
    """The Vega-Lite specification (via Altair) of a document figure; None for maps."""
    import altair as alt
    import pandas as pd

    kind = figure["kind"]
    width = 560
    if kind == "stacked-area":
        data = pd.DataFrame(figure["data"])
        chart = (
            alt.Chart(data)
            .mark_bar()
            .encode(
                x=alt.X("month:O", title="Month", axis=alt.Axis(labelAngle=-45)),
                y=alt.Y("count:Q", title="Records", stack=True),
                color=alt.Color(
                    "category:N",
                    title="Category",
                    scale=alt.Scale(scheme="tableau20"),
                    legend=alt.Legend(labelLimit=260),
                ),
                tooltip=["month", "category", alt.Tooltip("count:Q", format=",")],
            )
            .properties(width=width, height=260)
        )
    elif kind == "harm-bars":
        data = pd.DataFrame(figure["data"]).melt(
            id_vars="category", value_vars=["share", "harm_share"], var_name="measure"
        )
        data["measure"] = data["measure"].map({"share": "Records", "harm_share": "Harm"})
        chart = (
            alt.Chart(data)
            .mark_bar()
            .encode(
                y=alt.Y("category:N", title=None, sort="-x"),
                x=alt.X("value:Q", title="Share", axis=alt.Axis(format="%")),
                yOffset="measure:N",
                color=alt.Color(
                    "measure:N",
                    title=None,
                    scale=alt.Scale(domain=["Records", "Harm"], range=[BLUE, "#d4351c"]),
                ),
                tooltip=["category", "measure", alt.Tooltip("value:Q", format=".1%")],
            )
            .properties(width=width - 180, height=alt.Step(8))
        )
    elif kind == "trend":
        data = pd.DataFrame(figure["data"])
        base = alt.Chart(data).encode(
            x=alt.X("month:O", title="Month", axis=alt.Axis(labelAngle=-45))
        )
        bars = base.mark_bar(color=GREY).encode(
            y=alt.Y("count:Q", title="Records per month"), tooltip=["month", "count"]
        )
        line = base.mark_line(color=BLUE, strokeWidth=2).encode(
            y=alt.Y("rolling:Q", title="12-month rolling total"), tooltip=["month", "rolling"]
        )
        chart = (
            alt.layer(bars, line).resolve_scale(y="independent").properties(width=width, height=240)
        )
    elif kind == "ratio-dots":
        data = pd.DataFrame(figure["data"]).dropna(subset=["rate_ratio"])
        low = min(data["ratio_lower"].min(), 1.0) * 0.95 if len(data) else 0.5
        high = max(data["ratio_upper"].max(), 1.0) * 1.05 if len(data) else 2.0
        base = alt.Chart(data).encode(y=alt.Y("category:N", title=None, sort="-x"))
        rules = base.mark_rule(color="#505a5f", strokeWidth=1.5).encode(
            x=alt.X(
                "ratio_lower:Q",
                title="Rate ratio (log scale)",
                scale=alt.Scale(type="log", domain=[low, high], nice=False),
            ),
            x2="ratio_upper:Q",
        )
        dots = base.mark_point(filled=True, size=60).encode(
            x="rate_ratio:Q",
            color=alt.Color(
                "verdict:N",
                title="Verdict",
                scale=alt.Scale(
                    domain=[
                        "significant increase",
                        "no significant change",
                        "significant decrease",
                    ],
                    range=["#d4351c", "#505a5f", "#00703c"],
                ),
            ),
            tooltip=["category", "rate_ratio", "ratio_lower", "ratio_upper", "verdict"],
        )
        one = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(strokeDash=[4, 4]).encode(x="x:Q")
        chart = alt.layer(rules, dots, one).properties(width=width - 200, height=alt.Step(18))
    elif kind == "funnel":
        data = pd.DataFrame(figure["data"])
        curve = pd.DataFrame(figure["curve"])
        lines = []
        for col, dash, label in (
            ("upper_95", [4, 3], "95% limits"),
            ("lower_95", [4, 3], "95% limits"),
            ("upper_99_8", [], "99.8% limits"),
            ("lower_99_8", [], "99.8% limits"),
        ):
            lines.append(
                alt.Chart(curve.assign(limit=label))
                .mark_line(color="#505a5f", strokeDash=dash or [1, 0], strokeWidth=1)
                .encode(x="population:Q", y=alt.Y(f"{col}:Q", scale=alt.Scale(zero=False)))
            )
        dots = (
            alt.Chart(data)
            .mark_point(filled=True, size=70)
            .encode(
                x=alt.X("population:Q", title="Residents", axis=alt.Axis(format="~s")),
                y=alt.Y("rate:Q", title="Records per 1,000 residents", scale=alt.Scale(zero=False)),
                color=alt.condition("datum.is_subject", alt.value("#d4351c"), alt.value(BLUE)),
                tooltip=["name", alt.Tooltip("rate:Q", format=".1f"), "population"],
            )
        )
        labels = dots.mark_text(align="left", dx=7, fontSize=10).encode(text="name:N")
        chart = alt.layer(*lines, dots, labels).properties(width=width - 80, height=260)
    else:
        return None
    spec = (
        chart.configure_view(stroke=None)
        .configure_axis(
            labelFont="Helvetica", titleFont="Helvetica", labelColor=DARK, titleColor=DARK
        )
        .configure_legend(labelFont="Helvetica", titleFont="Helvetica")
        .to_dict()
    )
    spec.pop("$schema", None)
    return spec


def chart_svg(spec: dict) -> str:
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(spec)
    # The XML prologue is not allowed inside HTML.
    return svg.split("?>", 1)[1] if svg.startswith("<?xml") else svg


def _breaks(values: list[float], classes: int = 5) -> list[float]:
    import numpy as np

    vals = np.array([v for v in values if v is not None], dtype=float)
    if vals.size == 0:
        return []
    qs = np.quantile(vals, np.linspace(0, 1, classes + 1))
    return sorted(set(float(q) for q in qs))


def choropleth_svg(figure: dict, width: int = 620) -> str:
    """An SVG choropleth (quantile classes) with a legend, from the figure's stored paths."""
    feats = figure["features"]
    breaks = _breaks([f["rate"] for f in feats])
    fw, fh = figure["width"], figure["height"]
    scale = width / fw if fw else 1
    height = int(fh * scale)
    legend_h = 24 + 18 * max(len(breaks) - 1, 1)

    def colour(rate):
        if rate is None or not breaks:
            return "#ffffff"
        for i in range(1, len(breaks)):
            if rate <= breaks[i] or i == len(breaks) - 1:
                return SEQUENTIAL[min(i, len(SEQUENTIAL) - 1)]
        return SEQUENTIAL[-1]

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cdrp-map" role="img" '
        f'aria-label="{escape(figure["title"])}" viewBox="0 0 {width} {height + legend_h}" '
        f'width="{width}" height="{height + legend_h}">',
        f'<g transform="scale({scale:.6f})" stroke="#505a5f" stroke-width="{0.6 / scale:.1f}" '
        'stroke-linejoin="round">',
    ]
    for f in feats:
        rate = f["rate"]
        label = f"{f['name']}: {f['count']:,} records" + (
            f", {rate:.1f} per 1,000" if rate is not None else ""
        )
        parts.append(
            f'<path d="{f["path"]}" fill="{colour(rate)}" fill-rule="evenodd">'
            f"<title>{escape(label)}</title></path>"
        )
    parts.append("</g>")
    y = height + 16
    parts.append(
        f'<text x="0" y="{y}" font-family="Helvetica, Arial, sans-serif" font-size="12" '
        f'fill="{DARK}">Rate per 1,000 residents (quantile classes)</text>'
    )
    for i in range(1, len(breaks)):
        yy = y + 6 + 18 * (i - 1)
        parts.append(
            f'<rect x="0" y="{yy}" width="22" height="14" fill="{SEQUENTIAL[min(i, 5)]}" '
            'stroke="#505a5f" stroke-width="0.5"/>'
            f'<text x="30" y="{yy + 11}" font-family="Helvetica, Arial, sans-serif" '
            f'font-size="11" fill="{DARK}">{breaks[i - 1]:,.1f} to {breaks[i]:,.1f}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


# -- context and rendering --------------------------------------------------------------------


def context(assessment, *, svg: bool, public: bool = False) -> dict:
    """Template context for a stored assessment (figures as SVG or as Vega-Lite specs)."""
    document = assessment.document
    if public:
        document = public_document(document)
    numbers = {
        t["id"]: f"{s['number']}.{i}"
        for s in document["sections"]
        for i, t in enumerate(s["tables"], start=1)
    }
    sections = []
    fig_no = 0
    for section in document["sections"]:
        tables = [{**_table_view(t), "number": numbers[t["id"]]} for t in section["tables"]]
        figures = []
        for f in section["figures"]:
            fig_no += 1
            item = {**f, "number": fig_no, "spec_id": f"spec-{f['id']}"}
            if f["kind"] == "choropleth":
                item["svg"] = mark_safe(choropleth_svg(f))  # noqa: S308  # nosec B308 B703: escaped inside
            else:
                spec = chart_spec(f)
                if spec is None:
                    continue
                item["spec"] = spec
                if svg:
                    item["svg"] = mark_safe(chart_svg(spec))  # noqa: S308  # nosec B308 B703: vl-convert output
            figures.append(item)
        # Charts before the tables, maps (a page each) after them.
        section_maps = [f for f in figures if f["kind"] == "choropleth"]
        figures = [f for f in figures if f["kind"] != "choropleth"]
        findings = [{**f, "links": _links(f["evidence"], numbers)} for f in section["findings"]]
        sections.append(
            {
                **section,
                "tables": tables,
                "figures": figures,
                "maps": section_maps,
                "findings": findings,
            }
        )
    summary = [{**f, "links": _links(f["evidence"], numbers)} for f in document["summary"]]
    return {
        "assessment": assessment,
        "doc": document,
        "sections": sections,
        "summary": summary,
        "licence": LICENCE,
        "public": public,
    }


def render_html(assessment, *, standalone: bool = True, public: bool = False) -> str:
    """The document as one HTML file (print styles; figures as inline SVG)."""
    ctx = context(assessment, svg=True, public=public)
    ctx["standalone"] = standalone
    return render_to_string("intelligence/assessment/print.html", ctx)


def render_pdf(assessment, *, public: bool = False) -> bytes:
    """The document as a PDF a committee could receive (WeasyPrint)."""
    from weasyprint import HTML  # heavy (Pango): loaded only when a PDF is asked for

    html = render_html(assessment, standalone=True, public=public)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


PDF = "application/pdf"


def assessment_version(assessment, *, public: bool = False) -> list:
    """What an assessment's PDF shows, as a version: the record's version and last save (its
    document, status and approval are all saved on it) and which copy (the public one leaves
    restricted rows out)."""
    return [
        assessment.version,
        assessment.updated_at,
        assessment.status,
        assessment.approval_decision_id,
        public,
    ]


def assessment_pdf(assessment, *, public: bool = False):
    """The assessment's PDF, rendered once per version of the record (a RenderedDocument)."""
    kind = "assessment-public-pdf" if public else "assessment-pdf"
    return stored.cached(
        kind,
        assessment.pk,
        assessment_version(assessment, public=public),
        lambda: render_pdf(assessment, public=public),
        PDF,
    )


def pdf_rendering(assessment, *, public: bool = False) -> bool:
    """Is this version's PDF not stored yet but being rendered by the worker (queued after a
    build or a status change)? Then a download waits for it rather than rendering it again."""
    from cdrp.intelligence.assessment_tasks import render_assessment_pdf_task

    kind = "assessment-public-pdf" if public else "assessment-pdf"
    if stored.is_cached(kind, assessment.pk, assessment_version(assessment, public=public)):
        return False
    return stored.pending(render_assessment_pdf_task, [assessment.pk, assessment.version])


def tactical_pdf(partnership, month: str, version: list, pack):
    """The tasking pack's PDF for one version of its inputs (`version`: the store's state,
    the month, the open actions the reader may see); `pack()` builds the pack when the PDF is
    not stored yet."""
    return stored.cached(
        "tactical-pdf",
        f"{partnership.pk}:{month}",
        version,
        lambda: render_tactical_pdf(pack(), partnership),
        PDF,
    )


def render_tactical_pdf(pack: dict, partnership) -> bytes:
    """The tactical pack (tasking pack) as a PDF (WeasyPrint): its map drawn as SVG, its
    tables, page numbers."""
    from weasyprint import HTML  # heavy (Pango): loaded only when a PDF is asked for

    from cdrp.intelligence.tactical_map import tactical_map_svg

    svg = tactical_map_svg(
        {**(pack.get("map") or {}), "legend": pack.get("map_legend", [])},
        title="Map of the tasking pack",
    )
    html = render_to_string(
        "intelligence/tactical/pdf.html",
        {
            "pack": pack,
            "partnership": partnership,
            "map_svg": mark_safe(svg),  # noqa: S308  # nosec B308 B703: escaped inside
        },
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def _annex_kinds(table) -> list[str | None]:
    """Each column's kind of figure for the table writer: the document's column formats
    (int, rate, pct, ratio, ratio3, p) are its kinds; text and verdicts have none."""
    return [c.get("format") if c.get("format") in tables.KINDS else None for c in table["columns"]]


def _annex_tables(assessment):
    for section in assessment.document["sections"]:
        for t in section["tables"]:
            title = f"{section['number']}. {section['title']}: {t['title']}"
            rows = [[row.get(c["key"]) for c in t["columns"]] for row in t["rows"]]
            yield t, [[title], [c["label"] for c in t["columns"]], *rows]


def annex_csv(assessment) -> str:
    """Every table of the document, one after another, as CSV; figures rounded as the XLSX
    shows them (whole numbers, rates to one place, proportions to 0.1%, ratios to three)."""
    return tables.csv_text(
        row
        for t, rows in _annex_tables(assessment)
        for row in tables.rounded_rows([*rows, []], _annex_kinds(t))
    )


def annex_xlsx(assessment) -> bytes:
    """Every table of the document, one worksheet each, figures rounded and formatted."""
    return tables.xlsx_bytes(
        tables.Sheet(t["id"], rows, kinds=_annex_kinds(t)) for t, rows in _annex_tables(assessment)
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def assessment_xlsx(assessment):
    """The annex as XLSX, rendered once per version of the record (a RenderedDocument), as the
    PDF is: the worker renders it beside the PDF after a build or a status change."""
    return stored.cached(
        "assessment-xlsx",
        assessment.pk,
        assessment_version(assessment),
        lambda: annex_xlsx(assessment),
        XLSX,
    )
