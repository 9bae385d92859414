"""`{{ url|absolute:site }}`: a page's address as a full URL when `site` (the service's address)
is given, for the PDF reports, whose links must open the record from a file; unchanged on the
site's own pages, where `site` is empty."""

from __future__ import annotations

from urllib.parse import urljoin

from django import template

register = template.Library()


@register.filter
def absolute(url: str, site: str = "") -> str:
    if not site or not url:
        return url
    return urljoin(site if site.endswith("/") else site + "/", str(url))
