"""Stored XSS, tried as an attacker would (issue 13, finding 3): a payload set goes into every text
field a role can write, then every page, SVG, export and PDF that shows those records is opened in
headless Chromium. No dialog may open, no payload may run, and no payload may add an element, an
event handler or a javascript: link; each payload must show as the text that was typed.

The browser context bypasses the Content-Security-Policy on purpose: the policy would stop an
inline script that escaping let through and so hide the bug. This test proves the encoding; the
policy is proved by test_csp.py and by every other browser test, which fail on a violation.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import re
import time
from collections import deque
from urllib.parse import urlsplit

import pytest
from django.db import models
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from playwright.sync_api import Error as PlaywrightError

from conftest import DEMO_DATA, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# {t} is the tag naming the field and the payload, so whatever runs or shows says where it came
# from. `__xss` is the sentinel a payload that ran would set; alert() opens a dialog.
PAYLOADS = {
    "a": '"><script>__xss=`{t}`</script>',  # out of a double-quoted attribute, into a script
    "b": "' autofocus onfocus='__xss=`{t}`' x='",  # a single-quoted attribute breakout
    "c": '" autofocus onfocus="__xss=`{t}`" x="',  # a double-quoted attribute breakout
    "d": "<img src=x onerror=alert(`{t}`)>",  # an element with an event handler
    "e": "<svg onload=__xss=`{t}`>",  # SVG
    "f": "</script><script>__xss=`{t}`</script>",  # out of JSON inside a script element
    "g": "javascript:__xss=`{t}`",  # a javascript: URL (URL fields start with it)
    "h": "{{{{7*191}}}}${{7*191}}{t}",  # template injection: 1337 would show it ran
    "i": 'X" onmouseover="alert(`{t}`)" x="',  # the issue's example
    "j": "<a href=javascript:__xss=`{t}`>{t}</a>",  # a link to run script
}
# Two or three digits: the project has more than 99 typed fields (a tag of two digits only
# missed every field from the hundredth on, which read as those fields never shown).
TAG = re.compile(r"x(\d{2,3})([a-j])")
EVALUATED = re.compile(r"1337x\d{2,3}[a-j]")

# Text fields no role types into, and why (every other CharField, TextField and URLField of the
# project's models is written with the payloads).
NOT_TYPED = {
    "core.TaskProgress": "written by background tasks",
    "core.RenderedDocument": "the document cache: kinds, ids, hashes and rendered bytes",
    "accounts.AuditEvent": "written by the audit trail (it repeats the names tried here)",
    "accounts.ApiToken.prefix": "generated",
    "accounts.ApiToken.digest": "generated",
    "partnerships.Area": "ONS names, codes and boundaries from the boundary files",
    "partnerships.Partnership.code": "an ONS code, validated",
    "meetings.Vote.body_key": "derived from the seat",
    "meetings.Decision.casting_vote": "a choice recorded by the service",
    "partnerships.MergerTransition.actor": "the signed-in user's name, recorded by the service",
    "meetings.Action.hotspot": "an LSOA code, validated",
    "meetings.Paper.kind": "the file type found by reading the upload",
    "meetings.Booking.plan_key": "made by the planner",
    "search.SearchEntry": "the search index, derived from the records it indexes (which are typed)",
    "core.WorkerHeartbeat": "written by the task workers",
    "accounts.Notification.key": "made by the service: one notification per event",
    "health.CriterionScore.criterion": "a criterion's id from the hallmarks' list",
    "health.SkillRating.competence": "a competence's id from the skills matrix",
    "health.TrainingItem.competence": "a competence's id from the skills matrix",
    "sharing.PrescribedReturn.quarter": "a quarter chosen from the tracker's list",
    "community.Response.ward": "a ward code chosen from the partnership's wards",
}
MONTH_FIELD = re.compile(r"^(month|financial_year|(period|baseline|before|after)_(start|end))$")

# Addresses not opened. (POST-only routes are opened and answer 405: they are counted, not failed.)
EXCLUDED_PREFIXES = (
    "/admin/",  # Django's own site administration
    "/static/",
    "/accounts/sign-out/",
    "/api/docs",  # Swagger UI shows the API's own description, no record (see test_csp.py)
)


# The public copy of an assessment's document files: the same templates and writers as the
# assessment's own files, which are checked (only small numbers differ).
SAME_AS_CHECKED = re.compile(r"/published/\d+/document\.")


def typed_fields():
    """[(model, [fields])] for every text field a role can write, in a fixed order."""
    from django.apps import apps
    from django.contrib.auth import get_user_model

    out = []
    for model in apps.get_models():
        label = model._meta.label
        if not model.__module__.startswith("cdrp.") or label in NOT_TYPED:
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            and not isinstance(f, models.SlugField | models.EmailField)
            and not f.choices
            and f"{label}.{f.name}" not in NOT_TYPED
            and not MONTH_FIELD.match(f.name)
        ]
        if fields:
            out.append((model, fields))
    user = get_user_model()
    out.append((user, [user._meta.get_field("first_name"), user._meta.get_field("last_name")]))
    return out


def payload(letter: str, field_no: int) -> str:
    return PAYLOADS[letter].format(t=f"x{field_no:02d}{letter}")


def value_for(field, field_no: int, record_no: int) -> str:
    """As many payloads as the field holds, starting at a different one for each record (URL
    fields always start with the javascript: one)."""
    letters = list(PAYLOADS)
    start = record_no % len(letters)
    order = letters[start:] + letters[:start]
    if isinstance(field, models.URLField):
        order = ["g"] + [x for x in order if x != "g"]
    limit = field.max_length or 10_000
    parts: list[str] = []
    for letter in order:
        text = payload(letter, field_no)
        if len(" ".join([*parts, text])) <= limit:
            parts.append(text)
    return " ".join(parts)


def write_payloads(fields) -> dict[int, str]:
    """Every record of every typed field gets payloads. Returns field number → 'app.Model.field'."""
    names = {}
    numbered = []
    for model, model_fields in fields:
        for field in model_fields:
            numbered.append((model, field, len(numbered) + 1))
    for model in {m for m, _ in fields}:
        mine = [(f, n) for m, f, n in numbered if m is model]
        for record_no, pk in enumerate(model.objects.order_by("pk").values_list("pk", flat=True)):
            changes = {f.name: value_for(f, n, record_no) for f, n in mine}
            model.objects.filter(pk=pk).update(**changes)
    for model, field, n in numbered:
        names[n] = f"{model._meta.label}.{field.name}"
    return names


def build_site(store_root):
    """The demo (registry, venues, assessment, plan, funding) plus what it leaves out (actions,
    minutes, papers, a draft revision, a token, audit entries), every text replaced with payloads:
    the registry's before the assessment is built (its document quotes the partnership), all of
    them at the end."""
    from django.core.exceptions import ValidationError
    from django.core.files.base import ContentFile

    from cdrp.accounts.models import ApiToken
    from cdrp.funding import demo as funding_demo
    from cdrp.intelligence import demo as intelligence_demo
    from cdrp.intelligence.assessments import advance
    from cdrp.intelligence.models import Assessment
    from cdrp.intelligence.services import load_areas
    from cdrp.meetings import demo as meetings_demo
    from cdrp.meetings.agenda import close_action, prepare_agenda, raise_action
    from cdrp.meetings.models import Action, Meeting, Minutes, Paper
    from cdrp.partnerships import demo as registry_demo
    from cdrp.partnerships.models import Group, Partnership, Person
    from cdrp.plans import demo as plans_demo
    from cdrp.plans import services as plan_services
    from cdrp.store import Store

    out = io.StringIO()
    registry_demo.load(out, {})
    load_areas(Store(store_root), DEMO_DATA)
    meetings_demo.load(out, {})
    fields = typed_fields()
    write_payloads(fields)
    draft = intelligence_demo.draft_assessment
    intelligence_demo.draft_assessment = lambda stdout: None  # one assessment is enough here
    try:
        plans_demo.load(out, {})
        funding_demo.load(out, {})
        # The apps of communities, accountability, health and restricted information.
        for app in ("community", "scrutiny", "health", "sharing"):
            importlib.import_module(f"cdrp.{app}.demo").load(out, {})
    finally:
        intelligence_demo.draft_assessment = draft
    south = Partnership.objects.get(slug="lancashire-south")
    admin = user_with_role("xss-admin", south, "administrator")
    ApiToken.issue(admin, "laptop")
    plan_services.revise(plan_services.current_plan(south), None, "Next year")
    rag = Group.objects.get(partnership=south, kind=Group.Kind.STRATEGY)
    meeting = Meeting.objects.filter(group=rag).order_by("date").first()
    items = prepare_agenda(meeting)
    owner = Person.objects.filter(memberships__seat__group=rag).first()
    # The administrator sits on the group, so its restricted agenda items are shown too.
    Person.objects.filter(pk=owner.pk).update(account=admin)
    for _ in range(2):
        raise_action(meeting, "Action", owner, meeting.date.replace(year=meeting.date.year + 1))
    close_action(Action.objects.filter(meeting=meeting).first(), "Done", meeting.date)
    Minutes.objects.create(meeting=meeting, text="Minutes")
    meeting.public = True
    meeting.save()
    open_item = next(i for i in items if not i.restricted)
    pdf = ContentFile(b"%PDF-1.4\n", "p.pdf")
    Paper.objects.create(item=open_item, title="Paper", kind="pdf", size=9, file=pdf)
    approved = Assessment.objects.get(partnership=south, status=Assessment.Status.APPROVED)
    advance(approved, None)  # published: the public assessment pages
    insider = _seat_insider(south)
    _records_the_demo_leaves_out(south, rag, admin)

    names = write_payloads(fields)
    Minutes.objects.filter(meeting=meeting).update(approved=True)
    for model, _ in fields:  # one audited save each: the audit trail shows the payloads too
        first = model.objects.order_by("pk").first()
        if first is not None and hasattr(first, "audit_partnership_id"):
            try:
                first.save()
            except ValidationError:  # a model that validates (a javascript: website) refuses
                pass
    return south, admin, names, insider


def _records_the_demo_leaves_out(south, group, admin):
    """A forward plan entry, a notification and an entry of the retention log, so the pages
    that show them have something to show."""
    import datetime as dt

    from django.utils import timezone

    from cdrp.accounts.models import Notification
    from cdrp.meetings.models import KeyDecision
    from cdrp.sharing.models import DeletionRecord

    KeyDecision.objects.create(
        partnership=south, group=group, title="Decision", summary="Summary", documents="Report",
        expected_on=dt.date.today() + dt.timedelta(days=60),
    )  # fmt: skip
    Notification.objects.create(
        user=admin, partnership=south, kind="papers", title="Papers", url="/meetings/"
    )
    DeletionRecord.objects.create(
        at=timezone.now(), model="sharing.Case", object_id="999", partnership_id=south.pk,
        action="deleted", rule="Six years after closing",
    )  # fmt: skip


def _seat_insider(south):
    """A partner member who sits on the restricted groups holding the demo's cohort and case
    (for an organisation party to the demo's agreement): the registers' pages, their records,
    their forms and the person-level API are shown to them alone."""
    from cdrp.partnerships.models import Membership, Person, Seat
    from cdrp.sharing.models import Agreement, Case, CohortMember

    insider = user_with_role("xss-insider", south, "member")
    person = Person(slug="xss-insider", name="Insider", account=insider)
    person.save()
    party = Agreement.objects.filter(partnership=south).first().parties.first()
    groups = {m.group for m in CohortMember.objects.filter(partnership=south)[:1]}
    groups |= {c.group for c in Case.objects.filter(partnership=south)[:1]}
    for group in groups:
        seat = Seat(group=group, label="Insider", organisation=party)
        seat.save()
        Membership(seat=seat, person=person, role="member").save()
    return insider


# -- walking the site -------------------------------------------------------------------------


def _routes(patterns=None, prefix=""):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def _objects(south) -> dict:
    """A real object for each parameter the URL conf names (pk by the segment before it)."""
    from cdrp.accounts.models import ApiToken, PartnershipRole
    from cdrp.funding.models import FundingStream, Milestone, Project, Variation
    from cdrp.intelligence.models import Assessment
    from cdrp.meetings.models import Action, Paper
    from cdrp.partnerships.models import Membership, Organisation, Person
    from cdrp.plans.models import Indicator, ManualSeries, Objective, Plan, Priority, Target

    def pks(queryset, field="pk"):
        return list(queryset.order_by("pk").values_list(field, flat=True)[:1])

    paper = Paper.objects.select_related("item__meeting").first()
    draft = Plan.objects.filter(partnership=south, status=Plan.Status.DRAFT).first()
    approved = Plan.objects.filter(partnership=south, status=Plan.Status.APPROVED).first()
    projects = Project.objects.filter(partnership=south).order_by("pk")
    project = projects.filter(variations__isnull=False).first() or projects.first()
    group = south.groups.get(kind="strategy")
    in_draft = {"objective__priority__plan": draft}
    published = Assessment.objects.filter(partnership=south, status="published")
    return {
        "partnership": [south.slug],
        "group": [group.slug],
        "person": pks(Person.objects.filter(memberships__seat__group=group), "slug"),
        "organisation": pks(Organisation.objects.all(), "slug"),
        "seat": pks(group.seats.all()),
        "membership": pks(Membership.objects.filter(seat__group=group)),
        "meeting_id": [paper.item.meeting_id],
        "item_id": [paper.item_id],
        "paper_id": [paper.pk],
        "action_id": pks(Action.objects.filter(meeting=paper.item.meeting)),
        "token_id": pks(ApiToken.objects.all()),
        "role_id": pks(PartnershipRole.objects.filter(partnership=south)),
        "revision": [draft.revision, approved.revision],
        "revision:published": [approved.revision],
        "other": [approved.revision],
        "series": pks(ManualSeries.objects.filter(partnership=south), "slug"),
        "variation": pks(Variation.objects.filter(project=project)),
        "milestone": pks(Milestone.objects.filter(project=project)),
        "priority": pks(Priority.objects.filter(plan=draft)),
        "objective": pks(Objective.objects.filter(priority__plan=draft)),
        "indicator": pks(Indicator.objects.filter(**in_draft)),
        "what": ["statuses", "indicators"],
        "action": ["agree"],
        "fmt:document": ["pdf", "json", "csv", "xlsx"],
        "fmt:pack": ["pdf", "json"],
        "fmt:plan": ["pdf", "json"],
        "fmt:spend": ["csv", "xlsx"],
        "fmt:download": ["csv", "xlsx"],
        "pk:assessments": [Assessment.objects.filter(partnership=south).latest("pk").pk],
        "pk:published": pks(published),
        "pk:streams": pks(FundingStream.objects.all()),
        "pk:projects": [project.pk],
        "pk:priorities": pks(Priority.objects.filter(plan=draft)),
        "pk:objectives": pks(Objective.objects.filter(priority__plan=draft)),
        "pk:targets": pks(Target.objects.filter(indicator__objective__priority__plan=draft)),
        "pk:indicators": pks(Indicator.objects.filter(**in_draft)),
    }


def walk_url_conf(objects) -> list[str]:
    """Every route of the URL conf with real objects in it (each value of a multi-valued
    parameter); routes with a parameter no object fills are left to the crawl."""
    paths = []
    for route in _routes():
        path = "/" + route
        params = re.findall(r"<(?:\w+:)?(\w+)>", path)
        choices = [[]]
        for name in params:
            # pk, fmt and revision are told apart by the last word before them:
            # streams/<int:pk>, document.<str:fmt>, published/<int:revision>.
            before = re.split(rf"<(?:\w+:)?{name}>", path)[0]
            word = re.findall(r"([A-Za-z_-]+)[/.]", before)[-1]
            key = f"{name}:{word}" if f"{name}:{word}" in objects else name
            values = objects.get(key, [])
            choices = [c + [v] for c in choices for v in values]
        for values in choices:
            if len(values) != len(params):
                continue
            concrete = path
            for v in values:
                concrete = re.sub(r"<(?:\w+:)?\w+>", str(v), concrete, count=1)
            paths.append(concrete)
    return paths


def _key(url: str):
    try:
        return resolve(urlsplit(url).path).route
    except Resolver404:
        return None


def _is_download(url: str) -> bool:
    parts = urlsplit(url)
    last = parts.path.rstrip("/").rsplit("/", 1)[-1]
    if parts.path.startswith("/api/") and parts.path != "/api/docs":
        return True
    return "format=pdf" in parts.query or bool(re.search(r"\.(pdf|csv|xlsx|json|yaml|ics)$", last))


CHECK_PAGE = """() => {
  const bad = [];
  const tag = /x\\d{2,3}[a-j]/;
  const found = [];
  for (const el of document.querySelectorAll("*")) {
    const name = el.localName.toLowerCase();
    if (["iframe", "object", "embed"].includes(name)) bad.push(`<${name}> element`);
    if (name === "script" && !el.getAttribute("src") && !/json/.test(el.type || "")) {
      bad.push("inline script: " + el.textContent.slice(0, 80));
    }
    for (const a of el.attributes) {
      const n = a.name.toLowerCase();
      if (n.startsWith("on")) bad.push(`<${name} ${n}="${a.value.slice(0, 60)}">`);
      if (/(^|:)(href|src|action|formaction|data)$/.test(n) && /^\\s*javascript:/i.test(a.value)) {
        bad.push(`<${name} ${n}="${a.value.slice(0, 60)}">`);
      }
      if (tag.test(a.value)) found.push(a.value);
    }
  }
  const walker = document.createTreeWalker(document, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.nodeValue;
    if (tag.test(text)) found.push(text);
  }
  if (tag.test(document.title)) found.push(document.title);
  return {ran: window.__xss ?? null, bad, found};
}"""


def shown(strings) -> set[tuple[int, str]]:
    """The (field, payload) pairs whose whole payload appears literally in these strings."""
    pairs = set()
    for s in strings:
        if EVALUATED.search(s):
            raise AssertionError(f"a template expression was evaluated: {s[:200]}")
        for m in TAG.finditer(s):
            field_no, letter = int(m.group(1)), m.group(2)
            if payload(letter, field_no) in s:
                pairs.add((field_no, letter))
    return pairs


def export_strings(body: bytes, content_type: str) -> list[str]:
    """Every text value of a CSV, XLSX, JSON, YAML or iCalendar export."""
    if "csv" in content_type:
        return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]
    if "spreadsheetml" in content_type:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        return [str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row if c]
    if "json" in content_type or "yaml" in content_type:
        import yaml

        data = json.loads(body) if "json" in content_type else yaml.safe_load(body)
        out, stack = [], [data]
        while stack:
            x = stack.pop()
            if isinstance(x, dict):
                stack.extend([*x.keys(), *x.values()])
            elif isinstance(x, list):
                stack.extend(x)
            elif isinstance(x, str):
                out.append(x)
        return out
    if "calendar" in content_type:
        from icalendar import Calendar

        return [str(v) for c in Calendar.from_ical(body).walk() for v in c.values()]
    return [body.decode("utf-8", "replace")]


MAP_FIELD = 99


def _speed_up_and_name_map_features(monkeypatch):
    """The tasking pack and the meeting plan are computed once for all the pages that show them
    (a page, its PDF, its JSON), and the map's features get payload names: area names come from
    the boundary files, not from a role, but the map's popups must still show them as text."""
    import copy

    from cdrp.intelligence import tactical_views
    from cdrp.meetings.views import planner_views as meeting_views

    packs = {}
    real_pack = tactical_views.tactical_assessment
    names = " ".join(payload(letter, MAP_FIELD) for letter in PAYLOADS)

    def pack(partnership, month=None, **kwargs):
        key = (partnership.pk, month)
        if key not in packs:
            packs[key] = real_pack(partnership, month, **kwargs)
            for collection in packs[key]["map"].values():
                for feature in collection["features"]:
                    feature["properties"]["name"] = names
        return copy.deepcopy(packs[key])

    monkeypatch.setattr(tactical_views, "tactical_assessment", pack)
    monkeypatch.setattr(meeting_views, "WEB_SEARCH_SECONDS", 1)  # any plan shows the names
    # The plan is solved once per version of its inputs and stored (cdrp.meetings.planner_store).


class _CapturedHTML:
    """Stands in for weasyprint.HTML: keeps the HTML a PDF would be made from."""

    documents: list[str] = []

    def __init__(self, string=None, **kwargs):
        self.documents.append(string)

    def write_pdf(self, *args, **kwargs):
        return b"%PDF-1.7\n% the HTML was checked instead\n"


def test_no_payload_in_any_text_field_runs_on_any_page_svg_export_or_pdf(
    chromium, live_server, reference_store, settings, monkeypatch, tmp_path, record_property
):
    import weasyprint

    started, cpu = time.monotonic(), time.process_time()
    settings.INCIDENT_STORE = reference_store[0]
    settings.MEDIA_ROOT = tmp_path / "uploads"
    south, admin, field_names, insider = build_site(reference_store[0])
    setup_seconds = time.monotonic() - started
    monkeypatch.setattr(weasyprint, "HTML", _CapturedHTML)
    _CapturedHTML.documents = []
    field_names[MAP_FIELD] = "map feature names (from the incident store)"
    _speed_up_and_name_map_features(monkeypatch)

    context = chromium.new_context(base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(30000)
    page = context.new_page()
    dialogs, errors, failures = [], [], []
    page.on("dialog", lambda d: (dialogs.append(f"{page.url}: {d.message}"), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    # Signed in as the partnership's administrator through a session made here, not the
    # sign-in form (whose steps are not what this test is about).
    client = Client()
    client.force_login(admin)
    cookie = settings.SESSION_COOKIE_NAME
    context.add_cookies(
        [{"name": cookie, "value": client.cookies[cookie].value, "url": live_server.url}]
    )

    seen_per_field: dict[int, set[str]] = {}
    triples = 0
    visited: dict[str, list[str]] = {}
    statuses: dict[str, int] = {}
    kinds = {"page": 0, "svg": 0, "export": 0, "pdf": 0, "popup": 0}

    def record(where: str, strings):
        nonlocal triples
        pairs = shown(strings)
        triples += len(pairs)
        for field_no, _letter in pairs:
            seen_per_field.setdefault(field_no, set()).add(where)
        return pairs

    def check_dom(where: str):
        result = page.evaluate(CHECK_PAGE)
        if result["ran"] is not None:
            failures.append(f"{where}: payload {result['ran']} ran")
        failures.extend(f"{where}: {b}" for b in result["bad"])
        record(where, result["found"])

    def open_map_popups(where: str):
        """Each layer's first shape clicked: Leaflet opens its popup, which must be text."""
        for layer in ("layer-hotspots", "layer-exceedances", "layer-lsoas"):
            shape = page.locator(f"#tactical-map path.{layer}").first
            if shape.count():
                shape.dispatch_event("click")
                page.locator(".leaflet-popup-content").last.wait_for()
                check_dom(f"{where} ({layer} popup)")
        kinds["popup"] += 1

    def check_pdfs(where: str):
        while _CapturedHTML.documents:
            html = _CapturedHTML.documents.pop()
            page.set_content(html, wait_until="load")
            check_dom(f"{where} (PDF's HTML)")
            kinds["pdf"] += 1

    objects = _objects(south)
    seeds = walk_url_conf(objects)
    seeds += [
        f"/meetings/{south.slug}/meeting/{objects['meeting_id'][0]}/minutes?format=pdf",
        f"/meetings/{south.slug}/actions/?show=all",
    ]
    timings = []

    def walk(seeds: list[str], statuses: dict[str, int], visited: dict, within: str = "/"):
        """Open every seed and, of the links found (under `within`), each route not yet seen."""
        queue = deque(seeds)
        while queue:
            url = queue.popleft()
            key = _key(url)
            if key is None or url in statuses or url.startswith(EXCLUDED_PREFIXES):
                continue
            if SAME_AS_CHECKED.search(url):
                continue
            # Every URL the walk made; of the links found, those to a route not yet seen.
            if url not in seeds and key in visited:
                continue
            visited.setdefault(key, []).append(url)
            timings.append((time.monotonic(), url))
            if _is_download(url):
                response = context.request.get(url)
                statuses[url] = response.status
                content_type = response.headers.get("content-type", "")
                if response.ok:
                    if content_type.startswith("text/html"):
                        failures.append(f"{url}: a download served as HTML")
                    if response.headers.get("x-content-type-options") != "nosniff":
                        failures.append(f"{url}: no X-Content-Type-Options: nosniff")
                    if "pdf" in content_type:
                        check_pdfs(url)
                    else:
                        record(url, export_strings(response.body(), content_type))
                        kinds["export"] += 1
                continue
            try:
                response = page.goto(url)
            except PlaywrightError:  # an empty answer (405 to a GET): nothing is shown
                statuses[url] = context.request.get(url).status
                continue
            statuses[url] = response.status if response else 0
            if response is None:
                continue
            check_dom(url)
            if page.locator("#tactical-map").count():
                open_map_popups(url)
            check_pdfs(url)
            kinds["svg" if "svg" in response.headers.get("content-type", "") else "page"] += 1
            if "html" in response.headers.get("content-type", ""):
                links = page.evaluate(
                    "() => [...document.querySelectorAll('a[href]')]"
                    ".map(a => new URL(a.getAttribute('href'), location.href).href.split('#')[0])"
                )
                for link in links:
                    if link.startswith(live_server.url + within):
                        queue.append(link[len(live_server.url) :])

    walk(seeds, statuses, visited)
    # Then as a member of the restricted groups (the cohort's, the MARAC's): the registers,
    # their records and forms, and the person-level API, which show to no one else.
    context.clear_cookies()
    insider_client = Client()
    insider_client.force_login(insider)
    insider_client.post(f"/sharing/{south.slug}/reason/", {"reason": "XSS crawl of the registers"})
    context.add_cookies(
        [{"name": cookie, "value": insider_client.cookies[cookie].value, "url": live_server.url}]
    )
    why = "?reason=XSS+crawl+of+the+registers"
    api = f"/api/partnerships/{south.slug}"
    from cdrp.sharing.models import Case, PartnerOffence

    offence = PartnerOffence.objects.filter(member__partnership=south).first()
    case = Case.objects.filter(partnership=south).first()
    insider_seeds = [u for u in seeds if u.startswith("/sharing/")] + [
        f"/sharing/{south.slug}/cohort/{offence.member_id}/",
        f"{api}/cohort/members/{offence.member_id}{why}", f"{api}/cases/{case.pk}{why}",
        f"{api}/cohort/members{why}", f"{api}/cases{why}", f"{api}/agreements",
        f"{api}/cohort/summary", f"{api}/cases/summary",
    ]  # fmt: skip
    insider_statuses: dict[str, int] = {}
    walk(insider_seeds, insider_statuses, {}, within="/sharing/")
    statuses.update({f"{u} (as a group member)": s for u, s in insider_statuses.items()})
    context.close()
    ends = [t for t, _ in timings[1:]] + [time.monotonic()]
    slow = sorted(((end - t, u) for (t, u), end in zip(timings, ends, strict=True)), reverse=True)
    print("slowest:", [f"{d:.1f}s {u}" for d, u in slow[:15]])

    ok = [u for u, s in statuses.items() if s == 200]
    fields_shown = len(seen_per_field)
    pages_checked = kinds["page"] + kinds["svg"] + kinds["export"] + kinds["pdf"]
    never = sorted(field_names[n] for n in field_names if n not in seen_per_field)
    not_ok = sorted(f"{s} {u}" for u, s in statuses.items() if s not in (200, 405))
    post_only = sum(s == 405 for s in statuses.values())
    summary = (
        f"XSS: {len(PAYLOADS)} payloads × {len(field_names)} fields × {pages_checked} documents "
        f"({kinds['page']} pages, {kinds['svg']} SVG, {kinds['export']} exports, "
        f"{kinds['pdf']} PDFs' HTML, {kinds['popup']} maps' popups; {len(ok)} answered 200): "
        f"{triples} payload-field-document showings checked, {fields_shown} fields shown "
        f"somewhere; {len(failures)} failures, {len(dialogs)} dialogs; "
        f"setup {setup_seconds:.0f} s, total {time.monotonic() - started:.0f} s "
        f"({time.process_time() - cpu:.0f} s CPU here)"
    )
    record_property("summary", summary)
    print(summary)
    print("fields shown nowhere:", never)
    print(f"{post_only} POST-only routes answered 405; other answers not 200:", not_ok)
    assert not dialogs, dialogs
    assert not failures, failures[:20]
    assert not errors, errors[:10]
    # The walk reached the site: most fields were shown, on many pages, as the text typed.
    # The restricted registers are walked as a member of their groups too, so the bar is back
    # at 80% (it was lowered to 55% while they were not, and while tags of three digits, the
    # fields from the hundredth on, were not recognised).
    assert len(ok) > 100 and fields_shown >= 0.8 * len(field_names), summary
