"""Shared fixtures: a partnership, and users for each role plus an outsider and anonymous; the
demo registry and the reference incident store. Lancashire South comes in three forms, each
with its own name: `south_districts` (the partnership with its three districts and nothing else),
`south_registry` (the partnership as the registry demo fills it) and `south_with_incidents` (the
demo registry and meetings, reading the reference incident store)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
OUTPUT = ROOT / "test-output"


PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def partnership(db):
    from cdrp.partnerships.models import Partnership

    return Partnership.objects.create(
        slug="lancashire-south", name="Lancashire South Strategic CDRP"
    )


@pytest.fixture
def other_partnership(db):
    from cdrp.partnerships.models import Partnership

    return Partnership.objects.create(slug="preston", name="Preston Community Safety Partnership")


def user_with_role(username, partnership=None, role=None, superuser=False):
    """A user with the test password and, if given, a role in `partnership`."""
    from django.contrib.auth import get_user_model

    from cdrp.accounts.models import PartnershipRole

    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, is_superuser=superuser, is_staff=superuser
    )
    if role:
        PartnershipRole.objects.create(user=user, partnership=partnership, role=role)
    return user


@pytest.fixture
def fast_passwords(settings):
    """Hash with MD5 instead of Argon2 (about a second a hash on a busy CI machine), for tests that
    sign in through the form many times: throttling and sessions do not depend on the hasher, and
    test_pages checks that real passwords use Argon2. Use before the user fixtures."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db, partnership):
    def make(username, role=None, partnership_=None, superuser=False):
        return user_with_role(username, partnership_ or partnership, role, superuser)

    return make


@pytest.fixture
def member(make_user):
    return make_user("member", "member")


@pytest.fixture
def analyst(make_user):
    return make_user("analyst", "analyst")


@pytest.fixture
def coordinator(make_user):
    return make_user("coordinator", "coordinator")


@pytest.fixture
def chair(make_user):
    return make_user("chair", "chair")


@pytest.fixture
def administrator(make_user):
    return make_user("administrator", "administrator")


@pytest.fixture
def superuser(make_user):
    return make_user("root", superuser=True)


def verify_two_factor(client, user):
    """Pass the second factor honestly: give `user` a real TOTP authenticator and post the code it
    shows now to the verify page, as a person with the app would. A new authenticator each time,
    because a code is accepted once only (a second sign-in in the same 30 s would reuse it)."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="test authenticator", confirmed=True)
    code = f"{totp(device.bin_key):06d}"
    response = client.post("/accounts/two-factor/verify/", {"code": code})
    assert response.status_code == 302, response.content.decode()
    return device


class TwoFactorClient(Client):
    """Django's test client, except that `force_login` of a site administrator also passes the
    second factor (site administrators must: see cdrp.accounts.middleware)."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        if user.is_superuser or user.is_staff:
            verify_two_factor(self, user)


@pytest.fixture
def client():
    return TwoFactorClient()


@pytest.fixture
def outsider(make_user, other_partnership):
    """An administrator of another partnership: no role in Lancashire South."""
    return make_user("outsider", "administrator", partnership_=other_partnership)


# Browser tests: Playwright driving Debian's Chromium (never a downloaded browser).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    import os

    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test
    # body are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def pytest_terminal_summary(terminalreporter):
    """Show the counts that whole-site tests record with record_property("summary", ...) (under
    xdist too, where a test's own print is never shown)."""
    lines = [
        value
        for report in terminalreporter.stats.get("passed", [])
        for name, value in getattr(report, "user_properties", [])
        if name == "summary" and report.when == "call"
    ]
    if lines:
        terminalreporter.section("what the whole-site tests checked")
        for line in lines:
            terminalreporter.write_line(line)


# Every Content-Security-Policy violation a page reports, through the DOM event and the console.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cdrpCspViolation(
    `${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`
  );
});
"""


def watch_csp(context) -> list[str]:
    """Collect the CSP violations of every page opened in `context` (the list fills as they
    happen, across navigations)."""
    violations: list[str] = []

    def report(source, text):
        violations.append(f"{source['frame'].url}: {text}")

    context.expose_binding("__cdrpCspViolation", report)
    context.add_init_script(_CSP_LISTENER)

    def console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            violations.append(f"console: {message.text}")

    context.on("console", console)
    return violations


@pytest.fixture
def page(chromium, live_server):
    """A browser page on the live server. The test fails if any page it opens breaks the
    Content-Security-Policy (an inline script or style, an eval, a resource from elsewhere)."""
    from django.urls import get_resolver

    # Import the URL conf (the API pulls in pandas, statsmodels, …: seconds on a busy machine)
    # here, not in the live server's first request, where it would eat the page-load timeout.
    get_resolver().url_patterns
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15000)
    violations = watch_csp(context)
    page = context.new_page()
    yield page
    context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


_DB_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


def pytest_collection_modifyitems(config, items):
    """With CDRP_DB_TESTS_ONLY=1 (the PostgreSQL leg of `make test`), run only the tests that touch
    the database: pure-code tests give the same answer on any database and ran in the SQLite leg."""
    import os

    if os.environ.get("CDRP_DB_TESTS_ONLY") != "1":
        return
    keep, drop = [], []
    for item in items:
        uses_db = item.get_closest_marker("django_db") or _DB_FIXTURES & set(item.fixturenames)
        (keep if uses_db else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


# The incident store with every bundled police.uk street file imported once per test session.
DEMO_DATA = ROOT / "data" / "demo"


@pytest.fixture(scope="session")
def reference_store(tmp_path_factory):
    from cdrp.store import build_geography, import_police_uk

    root = str(tmp_path_factory.mktemp("incidents"))
    build_geography(root, DEMO_DATA)
    results = import_police_uk(root, [DEMO_DATA / "police-uk-street-lancashire"])
    return root, results


@pytest.fixture(scope="session")
def _geography_template(tmp_path_factory):
    from cdrp.store import build_geography

    root = tmp_path_factory.mktemp("geography") / "store"
    build_geography(str(root), DEMO_DATA)
    return root


@pytest.fixture
def fresh_store(_geography_template, tmp_path):
    """An empty incident store with the geography lookups built (a copy of a session template)."""
    import shutil

    root = tmp_path / "store"
    shutil.copytree(_geography_template, root, ignore=shutil.ignore_patterns("*.lock"))
    return str(root)


@pytest.fixture
def demo_registry(db):
    """The demo registry (Lancashire South, its predecessors, the county group) and its venues."""
    import io

    from cdrp.meetings import demo as meetings_demo
    from cdrp.partnerships import demo as registry_demo
    from cdrp.partnerships.models import Partnership

    out = io.StringIO()
    registry_demo.load(out, {})
    meetings_demo.load(out, {})
    return Partnership.objects.get(slug="lancashire-south")


# Lancashire South's three districts: Chorley, South Ribble, West Lancashire.
SOUTH_DISTRICTS = {
    "E07000118": "Chorley",
    "E07000126": "South Ribble",
    "E07000127": "West Lancashire",
}


@pytest.fixture
def south_districts(partnership):
    """The conftest partnership with its three districts (areas) and nothing else."""
    from cdrp.partnerships.models import Area

    for code, name in SOUTH_DISTRICTS.items():
        partnership.districts.add(Area.objects.create(code=code, name=name, level="district"))
    return partnership


@pytest.fixture
def south_registry(partnership):
    """The conftest partnership (so the role fixtures apply to it) as the registry demo fills it:
    groups, seats, members, its predecessors and the county group."""
    import io

    from cdrp.accounts.audit import acting_as
    from cdrp.partnerships import demo
    from cdrp.partnerships.models import Partnership

    with acting_as(None, "test"):
        demo.load(io.StringIO(), {})
    return Partnership.objects.get(slug="lancashire-south")


@pytest.fixture
def south_with_incidents(demo_registry, reference_store, settings):
    """The demo registry and meetings, with the reference incident store as the site's store."""
    settings.INCIDENT_STORE = reference_store[0]
    return demo_registry


# A frozen clock for tests whose result depends on today's date (compliance judged "now", the
# planner keeping past meetings, refusals of future dates, dates a page says it was computed on).
FROZEN_TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def frozen_today():
    """The clock at 10:00 in London on FROZEN_TODAY (the same date in UTC), running on from there
    (so timeouts and throttles still see time pass). Request it before the data fixtures
    (`pytestmark = pytest.mark.usefixtures("frozen_today")`) so records are made on that day."""
    from zoneinfo import ZoneInfo

    import time_machine

    start = dt.datetime.combine(FROZEN_TODAY, dt.time(10), tzinfo=ZoneInfo("Europe/London"))
    with time_machine.travel(start, tick=True) as traveller:
        yield traveller


# The seed partnerships (issue 16): each on its own force's police.uk files (shared/data) and the
# national boundary files of its own districts only (importing every district would take minutes).
SEEDS_DIR = ROOT / "data" / "seeds"
SEED_FORCES = {
    "essex": ["E07000075", "E07000069"],  # Rochford, Castle Point
    "hampshire": ["E07000093"],  # Test Valley
    "cambridgeshire": ["E07000012"],  # South Cambridgeshire
}


#: slug → (structure file, force folder, district code, district name, records 2022-01..2022-11
#: as shared/data/README.md gives them: "Reference figures", districts via the row's LSOA code).
SEEDS = {
    "rochford-csp": ("rochford-castle-point.yaml", "essex", "E07000075", "Rochford", 4_999),
    "castle-point-csp": ("rochford-castle-point.yaml", "essex", "E07000069", "Castle Point", 6_574),
    "test-valley-csp": ("test-valley.yaml", "hampshire", "E07000093", "Test Valley", 9_443),
    "south-cambridgeshire-csp": (
        "south-cambridgeshire.yaml",
        "cambridgeshire",
        "E07000012",
        "South Cambridgeshire",
        8_209,
    ),
}


def load_seed(slug):
    """Import the seed's structure file; the seed partnership from the registry."""
    from cdrp.accounts.audit import acting_as
    from cdrp.partnerships.models import Partnership
    from cdrp.partnerships.structure import import_structure

    path = SEEDS_DIR / SEEDS[slug][0]
    with acting_as(None, "test"):
        import_structure(path.read_text(encoding="utf-8"), path.name)
    return Partnership.objects.get(slug=slug)


def seed_boundaries(codes):
    """The national LSOA 2011 and 2013 ward boundary files of the district `codes`."""
    return [
        SHARED_DATA / folder / f"{code}.json.gz"
        for folder in ("uk-geojson-lsoa2011-national", "uk-geojson-wards2013-national")
        for code in codes
    ]


def _seed_store(root, forces):
    from cdrp.store import build_geography, import_police_uk

    codes = [code for force in forces for code in SEED_FORCES[force]]
    build_geography(str(root), DEMO_DATA, boundaries=seed_boundaries(codes))
    for force in forces:
        import_police_uk(str(root), [SHARED_DATA / f"police-uk-street-{force}"])
    return str(root)


@pytest.fixture(scope="session")
def seed_stores(tmp_path_factory):
    """One incident store per seed force: its police.uk files and its seed districts' boundaries."""
    return {
        force: _seed_store(tmp_path_factory.mktemp(f"seed-{force}") / "store", [force])
        for force in SEED_FORCES
    }


@pytest.fixture(scope="session")
def seed_store_all_forces(tmp_path_factory):
    """One incident store holding the three seed forces together (a regional deployment)."""
    return _seed_store(tmp_path_factory.mktemp("seed-all") / "store", list(SEED_FORCES))


# An assessment of the three south districts to 2022-11, built once per module from the reference
# store (`built`, not saved), and a saved copy of it for Lancashire South's districts (`saved`).
@pytest.fixture(scope="module")
def built(reference_store):
    from cdrp.intelligence.assessments import build
    from cdrp.store import Store

    root, _ = reference_store
    return build(districts=sorted(SOUTH_DISTRICTS), end="2022-11", store=Store(root), save=False)


@pytest.fixture
def saved(built, south_districts, reference_store, settings):
    import copy

    settings.INCIDENT_STORE = reference_store[0]
    record = copy.copy(built)
    record.document = copy.deepcopy(built.document)
    record.fingerprint = copy.deepcopy(built.fingerprint)
    record.pk = None
    record.partnership = south_districts
    record.save()
    return record
