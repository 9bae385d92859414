"""Every URL pattern declares its policy action, and anonymous visitors and partner members are
refused every administrator page and endpoint. The list of URLs is computed from the URL conf."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from cdrp.accounts.policy import Permission

pytestmark = pytest.mark.django_db

_SAMPLE = {
    "int": "1",
    "slug": "lancashire-south",
    "str": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p, namespace


def _path_view(view):
    """The django-ninja PathView behind an API URL pattern (its operations), or None for the
    schema and docs pages. Ninja wraps the bound view in a closure, so look there too."""
    owner = getattr(view, "__self__", None)
    if owner is None:
        cells = getattr(view, "__closure__", None) or ()
        owner = next(
            (c.cell_contents for c in cells if hasattr(c.cell_contents, "operations")), None
        )
    return owner if hasattr(owner, "operations") else None


def _concrete(route: str) -> str:
    def sub(m):
        conv = m.group(1) or "str"
        return _SAMPLE[conv]

    path = re.sub(r"<(?:(\w+):)?(\w+)>", sub, route)
    path = path.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")
    return "/" + path


def _routes():
    """(path, declared action, methods) for every page and API operation in the URL conf."""
    out = []
    for route, pattern, namespace in _walk(get_resolver().url_patterns):
        if namespace == "admin":
            continue  # Django's site administration: covered by test_site_admin_is_staff_only
        view = pattern.callback
        if namespace == "api":
            path_view = _path_view(view)
            operations = getattr(path_view, "operations", None)
            if operations is None:  # the OpenAPI schema and docs are public by design
                out.append((_concrete(route), Permission.VIEW_PUBLIC, ["GET"]))
                continue
            for op in operations:
                action = getattr(op.view_func, "cdrp_permission", None)
                out.append((_concrete(route), action, op.methods))
            continue
        out.append((_concrete(route), getattr(view, "cdrp_permission", None), ["GET", "POST"]))
    return out


def test_every_view_declares_its_policy_action():
    undeclared = [path for path, action, _ in _routes() if action is None]
    assert not undeclared, f"views with no policy action: {undeclared}"


def test_the_url_conf_has_administrator_routes_to_check():
    assert any(action == Permission.ADMINISTER for _, action, _ in _routes())


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_anonymous_and_members_are_refused_every_administrator_route(
    client, partnership, member, who
):
    if who == "member":
        client.force_login(member)
    checked = 0
    for path, action, methods in _routes():
        if action != Permission.ADMINISTER:
            continue
        for method in methods:
            response = getattr(client, method.lower())(path)
            if who == "anonymous":
                allowed = {401, 403} | ({302} if not path.startswith("/api/") else set())
                if response.status_code == 302:
                    assert "/accounts/sign-in/" in response["Location"], path
            else:
                allowed = {403}
            assert response.status_code in allowed, (who, method, path, response.status_code)
            checked += 1
    assert checked > 0


@pytest.mark.parametrize("who", ["anonymous"])
def test_anonymous_is_refused_every_non_public_route(client, partnership, who):
    for path, action, methods in _routes():
        if action in (Permission.VIEW_PUBLIC, None):
            continue
        response = client.get(path)
        assert response.status_code in {302, 401, 403, 405}, (path, response.status_code)


def test_the_api_operations_are_walked_with_their_declared_actions():
    # django-ninja wraps each path's operations in a closure: a walker that missed them would
    # check every API route as a public GET and pass vacuously.
    api = [(path, action) for path, action, _ in _routes() if path.startswith("/api/")]
    assert ("/api/audit", Permission.ADMINISTER) in api
    assert sum(action == Permission.EDIT for _, action in api) >= 3


def test_partnership_administrators_are_refused_the_site_administrators_routes(
    client, administrator, superuser
):
    site = [
        "/" + route
        for route, pattern, _ in _walk(get_resolver().url_patterns)
        if getattr(pattern.callback, "cdrp_site", False)
    ]
    assert "/partnerships/new/" in site
    client.force_login(administrator)
    for path in site:
        assert client.get(path).status_code == 403, path
        assert client.post(path).status_code == 403, path
    client.force_login(superuser)
    assert all(client.get(path).status_code == 200 for path in site)


def test_site_admin_is_staff_only(client, member, superuser):
    assert client.get("/admin/").status_code == 302
    client.force_login(member)
    assert client.get("/admin/").status_code == 302
    client.force_login(superuser)
    assert client.get("/admin/").status_code == 200
