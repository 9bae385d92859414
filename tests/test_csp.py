"""Content-Security-Policy and the other security headers (issue 13, build item 4): every response
an administrator can reach carries them, the policy allows no inline script and no eval, the
browser enforces it, the API docs load nothing from elsewhere, and `cdrp check --deploy` is clean
with the production settings."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys

import pytest

from conftest import ROOT, user_with_role, watch_csp
from test_xss_browser import _routes

POLICY = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "manifest-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def policy_of(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value
    return directives


def _without_nonce(value: str) -> str:
    return re.sub(r"\s*'nonce-[^']+'", "", value)


def _real_objects(partnership) -> dict[str, str]:
    """A real object of each kind the URL conf names, so pages render rather than answer 404."""
    from cdrp.partnerships.models import Organisation, Person

    group = partnership.groups.order_by("pk").first()
    return {
        "partnership": partnership.slug,
        "group": group.slug,
        "person": Person.objects.order_by("pk").first().slug,
        "organisation": Organisation.objects.order_by("pk").first().slug,
        "seat": str(group.seats.order_by("pk").first().pk),
    }


def _path(route: str, objects: dict[str, str]) -> str:
    """The route with a real object for each parameter the registry fills (1 or x elsewhere)."""

    def sub(m):
        conv, name = m.group(1) or "str", m.group(2)
        return objects.get(name) or ("1" if conv == "int" else "x")

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", sub, route)


@pytest.mark.django_db
def test_every_response_to_an_administrator_carries_the_policy_and_the_security_headers(
    client, demo_registry, record_property
):
    client.force_login(user_with_role("root", superuser=True))
    objects = _real_objects(demo_registry)
    checked, html, ok = 0, 0, 0
    for route in _routes():
        path = _path(route, objects)
        response = client.get(path)
        directives = {k: _without_nonce(v) for k, v in policy_of(response).items()}
        assert directives == POLICY, path
        for name, value in HEADERS.items():
            assert response.headers.get(name) == value, (path, name)
        permissions = response.headers.get("Permissions-Policy", "")
        assert "camera=()" in permissions and "geolocation=()" in permissions, path
        checked += 1
        ok += response.status_code == 200
        if response.headers.get("Content-Type", "").startswith("text/html"):
            html += 1
    # The error pages too (Django's own handlers, not a view of ours).
    assert policy_of(client.get("/no/such/page/"))["script-src"] == "'self'"
    summary = f"CSP and headers: {checked} routes (GET), {html} HTML answers, {ok} answered 200"
    record_property("summary", summary)
    print(summary)
    assert checked > 150 and html > 100 and ok > 50


def test_the_policy_allows_no_inline_script_no_eval_and_no_framing():
    from django.conf import settings

    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    every_source = " ".join(str(s) for sources in directives.values() for s in sources)
    assert "unsafe-inline" not in every_source
    assert "unsafe-eval" not in every_source
    assert [str(s) for s in directives["script-src"]] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]


def test_a_configured_map_tile_server_is_the_one_other_origin_and_for_images_only(tmp_path):
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.CONTENT_SECURITY_POLICY['DIRECTIVES'], default=str))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cdrp.settings",
        "CDRP_DATA_DIR": str(tmp_path),
        "CDRP_MAP_TILE_URL": "https://tiles.example.org/{z}/{x}/{y}.png",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    directives = json.loads(out)
    assert directives["img-src"] == ["'self'", "data:", "https://tiles.example.org"]
    others = [v for k, values in directives.items() if k != "img-src" for v in values]
    assert not [v for v in others if "example.org" in v]


@pytest.mark.django_db
def test_the_minutes_page_stylesheet_carries_the_nonce_of_its_policy(client, demo_registry):
    import datetime as dt

    from cdrp.meetings.models import Meeting
    from cdrp.partnerships.models import Group

    rag = Group.objects.get(partnership=demo_registry, slug="rag")
    meeting = Meeting.objects.create(group=rag, date=dt.date(2026, 5, 12))
    client.force_login(user_with_role("m", demo_registry, "member"))
    response = client.get(f"/meetings/{demo_registry.slug}/meeting/{meeting.pk}/minutes")
    nonce = re.search(r"'nonce-([^']+)'", policy_of(response)["style-src"]).group(1)
    assert f'<style nonce="{nonce}">' in response.content.decode()
    # A fresh nonce for each response.
    again = client.get(f"/meetings/{demo_registry.slug}/meeting/{meeting.pk}/minutes")
    assert nonce not in policy_of(again)["style-src"]


def test_check_deploy_is_clean_with_the_production_settings(tmp_path):
    env = {
        **os.environ,
        "CDRP_DATA_DIR": str(tmp_path),
        "CDRP_HTTPS": "1",
        "CDRP_DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "csp.example.org",
    }
    # Not the deployment's: the database of this test run, and the browser tests' async switch.
    for name in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-m", "cdrp", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


# -- in the browser ---------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_browser_refuses_and_reports_an_inline_script(chromium, live_server):
    """The policy is enforced, and the listener every browser test uses does report breaches."""
    context = chromium.new_context(base_url=live_server.url)
    violations = watch_csp(context)
    page = context.new_page()
    page.goto("/partnerships/")
    page.evaluate(
        """() => {
          const s = document.createElement("script");
          s.textContent = "window.__ran = 'inline'";
          document.body.append(s);
          const img = document.createElement("img");
          img.setAttribute("onerror", "window.__ran = 'handler'");
          img.src = "/no-such-image.png";
          document.body.append(img);
        }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.__ran") is None
    context.close()
    assert any("script-src" in v for v in violations), violations


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_api_docs_load_swagger_ui_from_this_site_under_the_policy(page, live_server):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/docs", timeout=60000)  # the first request may import the whole site
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Community safety partnership API" in page.locator(".swagger-ui .info").inner_text()
    page.locator(".opblock-summary-path", has_text="/api/partnerships").first.wait_for()
    elsewhere = [url for url in requested if not url.startswith(live_server.url)]
    assert not elsewhere, elsewhere
    assert any("/static/ninja/swagger-ui-bundle.js" in url for url in requested)
