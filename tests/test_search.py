"""Search across a partnership's records: the words inside uploaded papers (PDF, Word) are found,
restricted records only by the restricted group's members, another partnership's never, and the
index follows every edit. The same tests run on SQLite (FTS5) and PostgreSQL (tsvector), by
DATABASE_URL."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from cdrp.accounts.audit import acting_as
from cdrp.accounts.models import AuditEvent
from cdrp.meetings.agenda import save_minutes
from cdrp.meetings.models import AgendaItem, Decision, Meeting, Paper
from cdrp.meetings.papers import add_paper
from cdrp.meetings.services import record_decision
from cdrp.partnerships.models import Group, Membership, Organisation, Person, Seat
from cdrp.search.models import SearchEntry
from cdrp.search.query import fts5_query, search
from conftest import FROZEN_TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

DAY = FROZEN_TODAY - dt.timedelta(days=7)
PDF_PHRASE = "shoplifting along the canal towpath"
DOCX_PHRASE = "night-time economy marshals"


def pdf_bytes(*paragraphs: str) -> bytes:
    import weasyprint

    html = "".join(f"<p>{p}</p>" for p in paragraphs)
    return weasyprint.HTML(string=f"<html><body>{html}</body></html>").write_pdf()


def docx_bytes(*paragraphs: str) -> bytes:
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    table = document.add_table(rows=1, cols=1)
    table.rows[0].cells[0].text = "Funding bid for the youth diversion scheme"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def run_tasks() -> None:
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)


def make_group(partnership, slug="sg", restricted=False, member_account=None, kind=None):
    with acting_as(None, "test"):
        police, _ = Organisation.objects.get_or_create(
            slug="police", defaults={"name": "Constabulary", "kind": "police"}
        )
        group = Group(
            partnership=partnership,
            slug=slug,
            name=f"Group {slug}",
            kind=kind or ("ppo" if restricted else "strategy"),
        )
        group.restricted = restricted
        group.save()
        if member_account is not None:
            seat = Seat(group=group, label="Police lead", organisation=police)
            seat.save()
            person = Person(slug=f"{slug}-lead", name="Lead", account=member_account)
            person.save()
            Membership(seat=seat, person=person, role="chair").save()
    return group


def make_item(group, title="Tackling shop theft", restricted=False, date=DAY) -> AgendaItem:
    with acting_as(None, "test"):
        meeting, _ = Meeting.objects.get_or_create(group=group, date=date)
        item = AgendaItem(
            meeting=meeting, position=meeting.agenda.count() + 1, title=title, restricted=restricted
        )
        item.save()
    return item


def upload(item, name: str, data: bytes, title: str) -> Paper:
    with acting_as(None, "test"):
        return add_paper(item, SimpleUploadedFile(name, data), title)


def titles(client, partnership, q: str, **extra) -> list[str]:
    response = client.get(f"/partnerships/{partnership.slug}/search/", {"q": q, **extra})
    assert response.status_code == 200
    html = response.content.decode()
    found = re.findall(
        r'<h3 class="govuk-heading-s[^"]*"><a class="govuk-link" href="[^"]*">(.*?)</a>', html
    )
    return [re.sub(r"<[^>]+>", "", t) for t in found]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def as_member(client, member):
    client.force_login(member)
    return client


# Words inside papers ----------------------------------------------------------------------------


# The worker closes its database connection: on PostgreSQL that needs a real transaction.
@pytest.mark.django_db(transaction=True)
def test_a_phrase_inside_an_uploaded_pdf_paper_is_found(
    partnership, media, as_member, django_capture_on_commit_callbacks
):
    item = make_item(make_group(partnership))
    with django_capture_on_commit_callbacks(execute=True):
        paper = upload(
            item,
            "report.pdf",
            pdf_bytes("Quarterly report.", f"Officers saw more {PDF_PHRASE} this winter."),
            "Quarterly community safety report",
        )
    # The text is read in the background: until the worker has run, only the title is found.
    assert titles(as_member, partnership, "towpath") == []
    run_tasks()
    entry = SearchEntry.objects.get(kind="paper", object_id=paper.pk)
    assert PDF_PHRASE in entry.extracted and entry.extracted_from == paper.file.name
    assert titles(as_member, partnership, f'"{PDF_PHRASE}"') == [
        "Quarterly community safety report"
    ]
    html = as_member.get(
        f"/partnerships/{partnership.slug}/search/", {"q": "canal towpath"}
    ).content.decode()
    assert '<mark class="cdrp-search-mark">canal</mark>' in html
    assert f'href="/meetings/{partnership.slug}/papers/{paper.pk}/"' in html
    # Stemmed: "shoplift" words match the query "shoplifting" either way round.
    assert titles(as_member, partnership, "towpaths") == ["Quarterly community safety report"]


# The worker closes its database connection: on PostgreSQL that needs a real transaction.
@pytest.mark.django_db(transaction=True)
def test_a_phrase_inside_an_uploaded_word_paper_is_found(
    partnership, media, as_member, django_capture_on_commit_callbacks
):
    item = make_item(make_group(partnership))
    with django_capture_on_commit_callbacks(execute=True):
        upload(
            item,
            "plan.docx",
            docx_bytes("Town centre plan.", f"Fund {DOCX_PHRASE} on Fridays."),
            "Town centre plan",
        )
    run_tasks()
    assert titles(as_member, partnership, "marshals fridays") == ["Town centre plan"]
    # Words in a table of the document count too.
    assert titles(as_member, partnership, '"youth diversion"') == ["Town centre plan"]
    assert titles(as_member, partnership, "marshals -fridays") == []
    assert titles(as_member, partnership, "marshals or zzzunknown") == ["Town centre plan"]


def test_an_unreadable_file_is_still_found_by_its_title(partnership, media, as_member):
    from cdrp.search.extract import extract

    assert extract("broken.pdf", b"%PDF-1.4 not really a pdf") == ""
    assert extract("broken.docx", b"PK\x03\x04 nonsense") == ""
    item = make_item(make_group(partnership))
    with acting_as(None, "test"):
        Paper.objects.create(
            item=item, title="Graffiti removal costs", kind="pdf", size=3, file="papers/none.pdf"
        )
    assert titles(as_member, partnership, "graffiti") == ["Graffiti removal costs"]


# Who sees what ----------------------------------------------------------------------------------


# The worker closes its database connection: on PostgreSQL that needs a real transaction.
@pytest.mark.django_db(transaction=True)
def test_a_restricted_paper_is_found_only_by_the_restricted_groups_members(
    partnership, media, client, member, make_user, django_capture_on_commit_callbacks
):
    insider = make_user("insider", "member")
    ppo = make_group(partnership, "ppo", restricted=True, member_account=insider)
    item = make_item(ppo, "Cohort review")
    with django_capture_on_commit_callbacks(execute=True):
        paper = upload(
            item, "cohort.pdf", pdf_bytes(f"Nominal seen at the {PDF_PHRASE}."), "Cohort risk paper"
        )
    run_tasks()
    with acting_as(None, "test"):
        record_decision(item.meeting, "Move the towpath nominal to the enforcement tier", [])
        save_minutes(item.meeting, "The towpath nominal was arrested on Tuesday", None)

    client.force_login(member)
    assert titles(client, partnership, "towpath") == []
    html = client.get(
        f"/partnerships/{partnership.slug}/search/", {"q": "towpath"}
    ).content.decode()
    assert "No results for “towpath”" in html
    for word in ("Cohort", "nominal", "arrested", "enforcement", "canal"):
        assert word not in html
    assert search(member, partnership, "towpath").counts == {}

    client.force_login(insider)
    found = titles(client, partnership, "towpath")
    assert sorted(found) == sorted(
        [
            "Cohort risk paper",
            "Move the towpath nominal to the enforcement tier",
            f"Minutes of {item.meeting}",
        ]
    )
    # Each restricted record whose words were shown is audited as a read by the insider.
    reads = set(
        AuditEvent.objects.filter(action="view", user=insider).values_list("model", "object_id")
    )
    assert ("meetings.Paper", str(paper.pk)) in reads


def test_a_restricted_item_in_an_ordinary_group_is_kept_from_members_outside_it(
    partnership, media, client, member, make_user
):
    insider = make_user("insider", "member")
    group = make_group(partnership, "sg", member_account=insider)
    make_item(group, "Named victim safeguarding plan", restricted=True)
    make_item(group, "Safeguarding training for licensees")
    client.force_login(member)
    assert titles(client, partnership, "safeguarding") == ["Safeguarding training for licensees"]
    client.force_login(insider)
    assert sorted(titles(client, partnership, "safeguarding")) == [
        "Named victim safeguarding plan",
        "Safeguarding training for licensees",
    ]


def test_a_restriction_set_by_a_bulk_write_is_honoured_before_any_reindex(
    partnership, media, client, member
):
    item = make_item(make_group(partnership), "Hate crime tension monitoring")
    client.force_login(member)
    assert titles(client, partnership, "tension") == ["Hate crime tension monitoring"]
    AgendaItem.objects.filter(pk=item.pk).update(restricted=True)  # no signal is sent
    assert titles(client, partnership, "tension") == []
    # …and the row was put right when it was checked.
    assert (
        SearchEntry.objects.get(kind="agenda", object_id=item.pk).restricted_group
        == item.meeting.group_id
    )


def test_another_partnerships_records_never_appear(
    partnership, other_partnership, media, client, member, make_user
):
    make_item(make_group(partnership, "ours"), "Knife crime surrender bins")
    make_item(make_group(other_partnership, "theirs"), "Knife crime education in schools")
    client.force_login(member)
    assert titles(client, partnership, "knife") == ["Knife crime surrender bins"]
    # A member of one partnership cannot search another's.
    response = client.get(f"/partnerships/{other_partnership.slug}/search/", {"q": "knife"})
    assert response.status_code == 403
    theirs = make_user("theirs", "member", partnership_=other_partnership)
    client.force_login(theirs)
    assert titles(client, other_partnership, "knife") == ["Knife crime education in schools"]


def test_anonymous_visitors_are_sent_to_sign_in(client, partnership):
    response = client.get(f"/partnerships/{partnership.slug}/search/", {"q": "knife"})
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]


# The index follows edits ------------------------------------------------------------------------


# The worker closes its database connection: on PostgreSQL that needs a real transaction.
@pytest.mark.django_db(transaction=True)
def test_edits_update_the_index(partnership, media, as_member, django_capture_on_commit_callbacks):
    group = make_group(partnership, kind="ppo")
    item = make_item(group, "Anti-social behaviour in the park")
    assert titles(as_member, partnership, "park") == ["Anti-social behaviour in the park"]
    with acting_as(None, "test"):
        item.title = "Anti-social behaviour at the marina"
        item.save()
    assert titles(as_member, partnership, "park") == []
    assert titles(as_member, partnership, "marina") == ["Anti-social behaviour at the marina"]

    with acting_as(None, "test"):
        save_minutes(item.meeting, "The marina lighting was agreed.", None)
    assert f"Minutes of {item.meeting}" in titles(as_member, partnership, "lighting")
    with acting_as(None, "test"):
        save_minutes(item.meeting, "The marina fencing was agreed.", 1)
    assert titles(as_member, partnership, "lighting") == []
    assert titles(as_member, partnership, "fencing") == [f"Minutes of {item.meeting}"]

    with django_capture_on_commit_callbacks(execute=True):
        paper = upload(item, "m.pdf", pdf_bytes("Marina mooring fees."), "Mooring paper")
    run_tasks()
    assert titles(as_member, partnership, "fees") == ["Mooring paper"]
    with acting_as(None, "test"):
        paper.delete()
    assert titles(as_member, partnership, "fees") == []

    # Making the group restricted takes its records from members outside it.
    with acting_as(None, "test"):
        group.restricted = True
        group.save()
    assert SearchEntry.objects.get(kind="agenda", object_id=item.pk).restricted_group == group.pk
    assert titles(as_member, partnership, "marina") == []

    with acting_as(None, "test"):
        item.meeting.delete()
    assert not SearchEntry.objects.filter(kind__in=["agenda", "minutes"]).exists()


def test_plans_and_assessments_are_searched(partnership, as_member):
    from cdrp.intelligence.models import Assessment
    from cdrp.plans.models import Plan, Priority

    with acting_as(None, "test"):
        plan = Plan.objects.create(
            partnership=partnership,
            revision=1,
            title="Partnership plan 2026 to 2029",
            period_start="2026-04",
            period_end="2029-03",
            summary="Safer streets for all.",
        )
        Priority.objects.create(
            plan=plan, name="Serious violence", rationale="Rising knife injuries"
        )
        Assessment.objects.create(
            partnership=partnership,
            title="Strategic assessment: test",
            period_start="2025-04",
            period_end="2026-03",
            built_at=dt.datetime(2026, 4, 2, tzinfo=dt.UTC),
            fingerprint={},
            document={
                "title": "Strategic assessment",
                "sections": [
                    {
                        "title": "Levels",
                        "text": "Vehicle crime fell in the harbour wards.",
                        "tables": [{"title": "Counts", "rows": [{"name": "secretfigure"}]}],
                    }
                ],
            },
        )
    assert titles(as_member, partnership, "knife injuries") == [
        "Partnership plan 2026 to 2029 (revision 1, draft)"
    ]
    assert titles(as_member, partnership, "harbour") == ["Strategic assessment: test (draft)"]
    assert titles(as_member, partnership, "secretfigure") == []  # tables' cells are not words


def test_reindex_rebuilds_the_index_with_the_papers_text(partnership, media, as_member):
    item = make_item(make_group(partnership), "Retail crime")
    upload(item, "r.docx", docx_bytes(f"Fund {DOCX_PHRASE}."), "Retail paper")  # no task run
    SearchEntry.objects.all().delete()
    assert titles(as_member, partnership, "marshals") == []
    out = io.StringIO()
    call_command("search", "reindex", "--partnership", partnership.slug, stdout=out)
    assert "Indexed 2 records: 1 paper, 1 agenda" in out.getvalue()
    assert titles(as_member, partnership, "marshals") == ["Retail paper"]
    with pytest.raises(Exception, match="No partnership"):
        call_command("search", "reindex", "--partnership", "nowhere")


# The page ---------------------------------------------------------------------------------------


def test_snippets_are_escaped_and_only_matches_are_marked(partnership, as_member):
    make_item(make_group(partnership), '<script>alert("x")</script> street drinking')
    html = as_member.get(
        f"/partnerships/{partnership.slug}/search/", {"q": "drinking"}
    ).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<mark class="cdrp-search-mark">drinking</mark>' in html


def test_results_are_grouped_by_kind_and_paged(partnership, media, as_member):
    group = make_group(partnership)
    for n in range(25):
        make_item(group, f"Burglary patrol {n}", date=DAY - dt.timedelta(days=n))
    with acting_as(None, "test"):
        Decision.objects.create(
            meeting=Meeting.objects.filter(group=group).first(),
            motion="Fund burglary target hardening",
            result="carried",
        )
    html = as_member.get(
        f"/partnerships/{partnership.slug}/search/", {"q": "burglary"}
    ).content.decode()
    assert "26 results" in html
    assert 'id="kind-agenda"' in html and 'id="kind-decision"' in html
    assert html.index('id="kind-agenda"') < html.index('id="kind-decision"')
    assert "See all 25 agenda items" in html
    first = titles(as_member, partnership, "burglary", kind="agenda")
    second = titles(as_member, partnership, "burglary", kind="agenda", page=2)
    assert len(first) == 20 and len(second) == 5 and not set(first) & set(second)
    # Many pages: the first and last, two either side of the current one, gaps as an ellipsis.
    from cdrp.search import views

    views.PER_PAGE = 2
    try:
        html = as_member.get(
            f"/partnerships/{partnership.slug}/search/",
            {"q": "burglary", "kind": "agenda", "page": 7},
        ).content.decode()
    finally:
        views.PER_PAGE = 20
    numbers = re.findall(r'aria-label="Page (\d+)"', html)
    assert numbers == ["1", "5", "6", "7", "8", "9", "13"]
    assert html.count("govuk-pagination__item--ellipses") == 2
    assert titles(as_member, partnership, "burglary", kind="decision") == [
        "Fund burglary target hardening"
    ]


HOSTILE = [
    '"',
    "'",
    '"; DROP TABLE search_searchentry; --',
    "NEAR(a b)",
    "a*",
    "^x",
    "-",
    "or",
    "()",
    "%",
    "\x00",
    "é 🙂",
    "a" * 500,
    "title:x",
    "AND OR NOT",
]


@pytest.mark.parametrize("q", HOSTILE)
def test_any_query_text_is_searched_for_never_obeyed(partnership, as_member, member, q):
    make_item(make_group(partnership), "Street lighting")
    response = as_member.get(f"/partnerships/{partnership.slug}/search/", {"q": q})
    # Control characters are refused for every page (cdrp.core.middleware), before any search.
    assert response.status_code == (400 if "\x00" in q else 200)
    assert search(member, partnership, q).hits == []
    assert SearchEntry.objects.count() == 1


def test_the_fts5_query_language():
    assert fts5_query('burglary "night time" or theft -cycle') == (
        '("burglary") AND ("night time" OR "theft") NOT "cycle"'
    )
    assert fts5_query("anti-social") == '("anti social")'
    assert fts5_query('"; DROP TABLE x; --') == '("DROP TABLE x")'
    assert fts5_query("-only") is None and fts5_query("") is None


def test_the_database_has_its_own_full_text_index():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'search_fts'")
        else:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE indexname = 'search_searchentry_fts'"
            )
        assert cursor.fetchall()


def test_the_api_gives_the_same_results_to_whoever_may_read_them(
    partnership, client, member, make_user
):
    insider = make_user("insider", "member")
    group = make_group(partnership, "sg", member_account=insider)
    make_item(group, "Named victim <b>safeguarding</b> plan", restricted=True)
    make_item(group, "Safeguarding training for licensees")
    url = f"/api/partnerships/{partnership.slug}/search"
    client.force_login(member)
    body = client.get(url, {"q": "safeguarding"}).json()
    assert body["total"] == 1 and body["counts"] == {"agenda": 1}
    (hit,) = body["results"]
    assert hit["title"] == "Safeguarding training for licensees" and hit["kind"] == "agenda"
    assert hit["restricted"] is False
    client.force_login(insider)
    body = client.get(url, {"q": "safeguarding", "kind": "agenda"}).json()
    assert body["total"] == 2
    restricted = next(h for h in body["results"] if h["restricted"])
    assert restricted["title"] == "Named victim <b>safeguarding</b> plan"
    client.logout()
    assert client.get(url, {"q": "safeguarding"}).status_code == 401


def test_the_section_menu_has_a_search_box_for_members_only(client, partnership, member):
    page = f"/partnerships/{partnership.slug}/"
    assert 'id="subnav-q"' not in client.get(page).content.decode()
    client.force_login(member)
    html = client.get(page).content.decode()
    assert f'action="/partnerships/{partnership.slug}/search/"' in html and 'id="subnav-q"' in html
    # The search page has its own box instead.
    search_page = client.get(f"/partnerships/{partnership.slug}/search/").content.decode()
    assert 'id="subnav-q"' not in search_page and 'id="search-q"' in search_page
