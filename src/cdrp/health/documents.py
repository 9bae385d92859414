"""The hallmarks self-assessment and the closer-working appraisal as committee documents: one
template each for print, rendered by WeasyPrint in the A4 frame of core/print_base.html and
stored once per version of what they show (`cdrp.core.documents`)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from cdrp.core import documents as stored

__all__ = ["site_url", "hallmarks_html", "hallmarks_pdf", "appraisal_html", "appraisal_pdf"]


def _pdf(html: str) -> bytes:
    from weasyprint import HTML  # a second to import: only when a PDF is asked for

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def site_url(request=None) -> str:
    """The service's address for links in a PDF: CDRP_SITE_URL when it is set to something
    other than its local default, else the address the request came to."""
    configured = getattr(settings, "CDRP_SITE_URL", "") or ""
    local = configured.rstrip("/") in ("", "http://localhost:8000")
    if configured and (not local or request is None):
        return configured if configured.endswith("/") else configured + "/"
    return request.build_absolute_uri("/") if request is not None else ""


def hallmarks_html(report: dict, site: str = "") -> str:
    return render_to_string("health/hallmarks_print.html", {**report, "site": site})


def hallmarks_pdf(report: dict, site: str = ""):
    """The report as a PDF whose evidence items link to their records at `site`."""
    p, year = report["partnership"], report["year"]
    html = hallmarks_html(report, site)
    return stored.cached(
        "hallmarks-pdf", f"{p.pk}-{year.start_year}", [html], lambda: _pdf(html), "application/pdf"
    )


def appraisal_html(context: dict, site: str = "") -> str:
    return render_to_string("health/appraisal_print.html", {**context, "site": site})


def appraisal_pdf(context: dict, site: str = ""):
    """The committee report as a PDF whose links open their records at `site`."""
    html = appraisal_html(context, site)
    key = "-".join(str(p.pk) for p in context["partnerships"])
    return stored.cached("appraisal-pdf", key, [html], lambda: _pdf(html), "application/pdf")
