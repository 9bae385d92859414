"""A control character in a query parameter, the path or a form field is a 400 that names the
parameter (JSON for the API), never a 500 and never saved; tabs and line breaks stay allowed in
form text. Every GET route of the URL conf is tried."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from cdrp.core.middleware import first_control

pytestmark = pytest.mark.django_db

_SAMPLE = {"int": "1", "slug": "lancashire-south", "str": "x", "path": "x"}
_SAMPLE["uuid"] = "00000000-0000-0000-0000-000000000000"


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p, namespace


def _get_routes() -> list[str]:
    """A concrete path for every page and every GET operation of the API in the URL conf."""
    out = []
    for route, pattern, namespace in _walk(get_resolver().url_patterns):
        path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: _SAMPLE[m.group(1) or "str"], route)
        path = "/" + path.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")
        operations = getattr(getattr(pattern.callback, "__self__", None), "operations", None)
        if namespace == "api" and operations is not None:
            if any("GET" in op.methods for op in operations):
                out.append(path)
        else:
            out.append(path)
    return sorted(set(out))


def test_a_nul_in_any_query_parameter_of_any_get_route_is_a_400_never_a_500(client, superuser):
    # Refused before any view runs: the walk needs no data behind the routes.
    client.force_login(superuser)
    routes = _get_routes()
    assert len(routes) > 100
    for path in routes:
        response = client.get(path, {"district": "E07000118\x00"})
        assert response.status_code == 400, (path, response.status_code)
        body = response.content.decode()
        if path.startswith("/api/"):
            detail = response.json()["detail"]
            assert detail == "district: the query parameter contains a control character (U+0000)"
        else:
            assert "There is a problem with the request" in body, path
            assert "in the query parameter ‘district’" in body, path
    print(f"{len(routes)} GET routes refused a NUL in a query parameter with a 400")


def test_a_nul_in_the_counts_district_is_a_json_400_naming_the_parameter(
    client, reference_store, settings
):
    settings.INCIDENT_STORE = reference_store[0]
    response = client.get("/api/counts?district=%00")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"].startswith("district: the query parameter contains")
    # The same request without the NUL is answered.
    assert client.get("/api/counts?district=E07000118").status_code == 200


@pytest.mark.parametrize(
    "value, code",
    [("\x00", "U+0000"), ("a\tb", "U+0009"), ("a\nb", "U+000A"), ("\x7f", "U+007F"),
     ("\x85", "U+0085"), ("\x1b[2J", "U+001B")],
)  # fmt: skip
def test_every_control_character_in_a_query_string_is_refused_and_named(client, value, code):
    response = client.get("/partnerships/", {"q": value})
    assert response.status_code == 400
    assert f"control character ({code}) in the query parameter ‘q’" in response.content.decode()


def test_a_control_character_in_a_parameter_name_is_refused_and_shown_safely(client):
    response = client.get("/api/counts?dis%00trict=1")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("disU+0000trict: the query parameter contains")


def test_text_that_is_merely_unusual_passes(client):
    # Quotes, accents, emoji and a right-to-left mark (a format character, not a control one).
    for value in ["O'Brien", "Penwortham – Hutton", "é", "🙂", "\u200f", "%00 as text"]:
        assert client.get("/partnerships/", {"q": value}).status_code == 200, value


def test_a_nul_in_the_path_is_a_400_not_a_lookup(client, south_registry):
    response = client.get("/partnerships/lancashire-south/groups/o%00wg/")
    assert response.status_code == 400
    assert "The web address contains a control character (U+0000)" in response.content.decode()
    api = client.get("/api/partnerships/lancashire%00-south")
    assert api.status_code == 400 and api.json()["detail"].startswith("path:")


def _group_form(group, terms):
    return {
        "name": group.name,
        "slug": group.slug,
        "kind": group.kind,
        "reports_to": group.reports_to_id or "",
        "meeting_frequency": group.meeting_frequency,
        "meeting_hours": "2",
        "version": group.version,
        "terms_of_reference": terms,
    }


def test_a_nul_in_a_form_field_is_a_400_naming_the_field_and_nothing_is_saved(
    client, south_registry, coordinator
):
    from cdrp.partnerships.models import Group

    client.force_login(coordinator)
    group = Group.objects.get(partnership=south_registry, slug="owg")
    before = group.terms_of_reference
    url = "/partnerships/lancashire-south/groups/owg/edit/"
    response = client.post(url, _group_form(group, "Meets monthly\x00"))
    assert response.status_code == 400
    assert "The field ‘terms_of_reference’ contains a control character (U+0000)" in (
        response.content.decode()
    )
    group.refresh_from_db()
    assert group.terms_of_reference == before


def test_tabs_and_line_breaks_in_a_form_field_are_kept(client, south_registry, coordinator):
    from cdrp.partnerships.models import Group

    client.force_login(coordinator)
    group = Group.objects.get(partnership=south_registry, slug="owg")
    text = "Purpose:\r\n\tto coordinate the officers\r\nQuorum: three"
    response = client.post(
        "/partnerships/lancashire-south/groups/owg/edit/", _group_form(group, text)
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.terms_of_reference.replace("\r\n", "\n") == text.replace("\r\n", "\n")


def test_first_control_finds_c0_del_and_c1_but_allows_what_it_is_told():
    assert first_control("plain text – é 🙂") is None
    assert first_control("a\x00b") == "\x00"
    assert first_control("a\tb") == "\t"
    assert first_control("a\tb\r\n", frozenset("\t\r\n")) is None
    assert first_control("\x9f") == "\x9f"
    assert first_control("\x7f") == "\x7f"
