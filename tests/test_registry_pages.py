"""Registry pages: overview with the compliance task list, structure chart, group, person,
comparison, merger and exports; coordinators edit, others read; contact details only for
partner members; a stale edit gets a conflict message and keeps what was typed."""

import json
import xml.etree.ElementTree as ET

import pytest

from cdrp.partnerships.models import Group, Membership, Organisation, Partnership, Person

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def _get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def test_the_overview_shows_the_compliance_task_list(client, south_registry):
    page = _get(client, "/partnerships/lancashire-south/")
    assert 'class="govuk-task-list"' in page
    assert "Every responsible authority has a seat on the strategy group" in page
    assert page.count("No evidence recorded") >= 3 and "Responsible Authorities Group" in page
    assert "Add a group" not in page  # the public reads only


def test_the_compliance_page_lists_each_rule_with_source_and_evidence(client, south_registry):
    page = _get(client, "/partnerships/lancashire-south/compliance/")
    assert 'id="RA-SEATS"' in page and "Formulation and Implementation of Strategy" in page
    assert "Lancashire Fire and Rescue Service: Fire and Rescue Service Area Manager" in page


def test_the_structure_chart_is_svg_with_every_group_and_its_reporting_lines(
    client, south_registry
):
    response = client.get("/partnerships/lancashire-south/structure.svg")
    assert response["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)
    boxes = root.findall(f".//{SVG}g[@class='group']")
    assert len(boxes) == south_registry.groups.count() == 19
    assert len(root.findall(f".//{SVG}path")) == 18  # one line per group below the RAG
    assert float(root.get("width")) <= 720  # fits an A4 page at full size
    sizes = {float(t.get("font-size")) for t in root.iter(f"{SVG}text")}
    assert min(sizes) >= 11
    assert "Structure chart" in _get(client, "/partnerships/lancashire-south/structure/")


def test_the_group_page_shows_seats_members_and_terms_of_reference(client, south_registry):
    page = _get(client, "/partnerships/lancashire-south/groups/rag/")
    assert "Terms of reference" in page and "one vote however" in page
    assert "Fire and Rescue Service Area Manager" in page and "Quorum: 6 of them" in page
    assert "Chorley, Lancashire" in page or "Chorley" in page
    _get(client, "/partnerships/lancashire-south/groups/nothing/", 404)


def test_the_person_page_shows_seats_and_meeting_load_but_contacts_only_to_members(
    client, south_registry, member
):
    page = _get(client, "/partnerships/people/chorley-csm/")
    # Chorley's community safety manager sits on the RAG (quarterly, 2 h), chairs the OWG (monthly,
    # 2 h) and Chorley's MATAC (monthly, 1.5 h) and sits on its PPO Catch and Convict group
    # (monthly, 1.5 h): 4 + 12 + 12 + 12 = 40 meetings and 8 + 24 + 18 + 18 = 68 hours a year.
    assert "Officer Working Group" in page and "MATAC, Chorley" in page
    assert 'id="total-meetings">40<' in page and 'id="total-hours">68<' in page
    assert "Chorley Community Safety Partnership" in page  # the former seats, kept
    assert "chorley-csm@example.org" not in page and "01632" not in page
    client.force_login(member)
    page = _get(client, "/partnerships/people/chorley-csm/")
    assert "chorley-csm@example.org" in page


def test_the_comparison_shows_the_three_districts_and_the_merged_structure(client, south_registry):
    page = _get(client, "/partnerships/lancashire-south/compare/")
    for name in [
        "Chorley Community Safety Partnership",
        "South Ribble Community Safety Partnership",
        "West Lancashire Community Safety Partnership",
        "Lancashire South Strategic CDRP",
    ]:
        assert name in page
    assert "Planning and Performance group" in page and "Strategic Review Group" in page
    page = _get(client, "/partnerships/lancashire-south/compare/?with=lancashire-county")
    table = page.split('id="comparison"')[1]
    assert "Lancashire County Strategy Group" in table and "Chorley Community Safety" not in table


def test_the_merger_page_shows_six_dated_stages(client, south_registry):
    page = _get(client, "/partnerships/lancashire-south/merger/")
    assert (
        "20 February 2009" in page
        and "1 April 2009" in page
        and "Executive Cabinet, 27 March 2008" in page
    )


def test_exports_leave_out_contact_details_for_the_public(client, south_registry, member):
    doc = json.loads(_get(client, "/partnerships/lancashire-south/export/popolo.json"))
    assert not any("email" in p for p in doc["persons"])
    assert "@example.org" not in _get(client, "/partnerships/lancashire-south/export/structure.csv")
    assert "@example.org" not in _get(
        client, "/partnerships/lancashire-south/export/structure.yaml"
    )
    client.force_login(member)
    assert "@example.org" in _get(client, "/partnerships/lancashire-south/export/structure.yaml")


def test_members_read_but_only_coordinators_edit(client, south_registry, member, coordinator):
    client.force_login(member)
    assert client.get("/partnerships/lancashire-south/groups/rag/edit/").status_code == 403
    assert "Add a member" not in _get(client, "/partnerships/lancashire-south/groups/rag/")
    client.force_login(coordinator)
    assert "Add a member" in _get(client, "/partnerships/lancashire-south/groups/rag/")
    for url in [
        "groups/rag/edit/",
        "groups/rag/members/new/",
        "groups/rag/seats/new/",
        "edit/",
        "people/new/",
        "organisations/new/",
        "groups/new/",
        "merger/",
    ]:
        _get(client, f"/partnerships/lancashire-south/{url}")


def test_a_coordinator_adds_a_member_and_the_chart_updates(client, south_registry, coordinator):
    client.force_login(coordinator)
    before = _get(client, "/partnerships/lancashire-south/structure.svg")
    assert "Vulnerable Households group" in before
    response = client.post(
        "/partnerships/lancashire-south/people/new/",
        {
            "name": "Robin Newcomer (placeholder)",
            "slug": "robin-newcomer",
            "job_title": "Housing officer",
            "email": "robin@example.org",
            "phone": "01632 960999",
            "placeholder": "on",
        },
    )
    assert response.status_code == 302
    group = Group.objects.get(partnership=south_registry, slug="vulnerable-households")
    seat = group.seats.get(label="Lead agency specialist")
    response = client.post(
        "/partnerships/lancashire-south/groups/vulnerable-households/members/new/",
        {
            "seat": seat.pk,
            "person": Person.objects.get(slug="robin-newcomer").pk,
            "role": "member",
            "start": "2024-01-01",
        },
    )
    assert response.status_code == 302
    assert Membership.objects.filter(person__slug="robin-newcomer", seat=seat).exists()
    svg = _get(client, "/partnerships/lancashire-south/structure.svg")
    box = ET.fromstring(svg).find(f".//{SVG}g[@data-group='vulnerable-households']")
    assert "5 members" in "".join(box.itertext())
    assert "Vulnerable Households group" in _get(client, "/partnerships/people/robin-newcomer/")


def test_form_errors_are_shown_in_gov_uk_style_and_nothing_is_saved(
    client, south_registry, coordinator
):
    client.force_login(coordinator)
    group = Group.objects.get(partnership=south_registry, slug="rag")
    seat = group.seats.first()
    holder = seat.memberships.first().person
    page = client.post(
        "/partnerships/lancashire-south/groups/rag/members/new/",
        {
            "seat": seat.pk,
            "person": holder.pk,
            "role": "member",
            "start": "2024-03-01",
            "end": "2024-01-01",
        },
    ).content.decode()
    assert "There is a problem" in page and "before it starts" in page
    page = client.post(
        "/partnerships/lancashire-south/groups/rag/edit/",
        {
            "name": "RAG",
            "slug": "rag",
            "kind": "strategy",
            "meeting_frequency": "quarterly",
            "meeting_hours": "2",
            "quorum": "40",
            "version": group.version,
        },
    ).content.decode()
    assert "A quorum of 40 is larger than the group: it has 10 voting bodies" in page
    group.refresh_from_db()
    assert group.quorum is None and group.name == "Responsible Authorities Group"


def test_two_coordinators_editing_one_group_the_second_is_told_and_keeps_their_text(
    client, south_registry, coordinator
):
    client.force_login(coordinator)
    group = Group.objects.get(partnership=south_registry, slug="owg")
    form = {
        "name": "Officer Working Group",
        "slug": "owg",
        "kind": "officer",
        "reports_to": group.reports_to_id,
        "meeting_frequency": "monthly",
        "meeting_hours": "2",
        "version": group.version,
    }
    first = client.post(
        "/partnerships/lancashire-south/groups/owg/edit/",
        {**form, "terms_of_reference": "First coordinator's text"},
    )
    assert first.status_code == 302
    second = client.post(
        "/partnerships/lancashire-south/groups/owg/edit/",
        {**form, "terms_of_reference": "Second coordinator's text"},
    )
    page = second.content.decode()
    assert second.status_code == 200 and "changed by someone else since you opened it" in page
    assert "Second coordinator&#x27;s text" in page or "Second coordinator's text" in page
    group.refresh_from_db()
    assert group.terms_of_reference == "First coordinator's text"


def test_a_coordinator_advances_a_merger_one_stage_at_a_time(
    client, coordinator, partnership, other_partnership
):
    from cdrp.accounts.models import PartnershipRole

    third = Partnership.objects.create(slug="third", name="Third CSP")
    # A merger changes every partnership in it: the coordinator needs a role in each.
    for p in (other_partnership, third):
        PartnershipRole.objects.create(user=coordinator, partnership=p, role="coordinator")
    client.force_login(coordinator)
    client.post(
        "/partnerships/lancashire-south/merger/propose/",
        {"predecessors": [other_partnership.pk, third.pk]},
    )
    page = _get(client, "/partnerships/lancashire-south/merger/")
    assert "Move to stage 1" in page
    # No responsible authorities are listed, so stage 1 can be recorded straight away.
    client.post("/partnerships/lancashire-south/merger/advance/", {"on": "2008-04-01"})
    response = client.post(
        "/partnerships/lancashire-south/merger/advance/", {"on": "2008-01-01"}, follow=True
    )
    assert "cannot be dated 1 January 2008" in response.content.decode()
    assert "Move to stage 2" in _get(client, "/partnerships/lancashire-south/merger/")


def test_a_site_administrator_adds_a_partnership_and_a_partnerships_administrator_cannot(
    client, partnership, administrator, superuser
):
    client.force_login(administrator)
    assert client.get("/partnerships/new/").status_code == 403
    client.force_login(superuser)
    assert "Add a partnership" in _get(client, "/partnerships/")
    response = client.post(
        "/partnerships/new/",
        {
            "name": "Wyre Community Safety Partnership",
            "slug": "wyre",
            "status": "current",
            "level": "district",
        },
    )
    assert response.status_code == 302 and Partnership.objects.filter(slug="wyre").exists()
    page = client.post(
        "/partnerships/new/",
        {"name": "Again", "slug": "wyre", "status": "current", "level": "district"},
    ).content.decode()
    assert "There is a problem" in page and "A partnership already uses “wyre”" in page
    # A word the site's addresses use would shadow a page (/plans/performance/…).
    page = client.post(
        "/partnerships/new/",
        {
            "name": "Performance CSP",
            "slug": "performance",
            "status": "current",
            "level": "district",
        },
    ).content.decode()
    assert "“performance” is a word the site&#x27;s addresses use" in page
    assert not Partnership.objects.filter(slug="performance").exists()


def test_a_coordinator_edits_an_organisation_from_the_overview(client, south_registry, coordinator):
    # Chorley Council is held by Lancashire South and by the historical Chorley CSP merged into
    # it: a historical holder does not stand in the way, so the coordinator may edit it.
    client.force_login(coordinator)
    page = _get(client, "/partnerships/lancashire-south/")
    assert "Chorley Borough Council" in page.split('id="organisations"')[1]
    response = client.post(
        "/partnerships/lancashire-south/organisations/chorley-council/edit/",
        {
            "name": "Chorley Borough Council",
            "slug": "chorley-council",
            "kind": "district_council",
            "website": "www.chorley.gov.uk",
            "version": 1,
        },
    )
    assert response.status_code == 302
    assert Organisation.objects.get(slug="chorley-council").website == "https://www.chorley.gov.uk"


def test_an_organisation_the_county_also_holds_is_not_the_district_coordinators_to_change(
    client, south_registry, coordinator
):
    # The fire authority also sits on the county strategy group, where this coordinator has no
    # role: the page says who may change it, and the record is untouched.
    client.force_login(coordinator)
    url = "/partnerships/lancashire-south/organisations/lancashire-fire-rescue/edit/"
    before = Organisation.objects.get(slug="lancashire-fire-rescue")
    response = client.post(
        url,
        {
            "name": "Renamed by a district",
            "slug": "lancashire-fire-rescue",
            "kind": "fire_authority",
            "website": "www.example.org",
            "version": before.version,
        },
    )
    assert response.status_code == 403
    after = Organisation.objects.get(slug="lancashire-fire-rescue")
    assert (after.name, after.website, after.version) == (
        before.name,
        before.website,
        before.version,
    )


def test_a_coordinator_records_a_decision_and_the_group_page_shows_who_voted_for_whom(
    client, south_registry, coordinator
):
    client.force_login(coordinator)
    url = "/partnerships/lancashire-south/groups/rag/decisions/new/"
    assert "Attendance and votes" in _get(client, url)
    voting = (
        Membership.objects.current()
        .filter(seat__group__partnership=south_registry, seat__group__slug="rag", seat__voting=True)
        .select_related("person", "seat")
    )
    form = {"date": "2026-06-01", "motion": "Adopt the partnership plan", "casting_vote": ""}
    for m in voting:
        body = m.seat.body_label
        form[f"vote_{m.pk}"] = {"Chorley": "for", "South Ribble": "against"}.get(body, "present")
        if body == "West Lancashire":
            form[f"vote_{m.pk}"] = "absent"
    response = client.post(url, form, follow=True)
    page = response.content.decode()
    assert "Decision recorded: Lost (1 for, 1 against, 0 abstaining; one vote per body)" in page
    chorley = [m.person.name for m in voting if m.seat.body_label == "Chorley"]
    assert f"For (cast by {', '.join(sorted(chorley))})" in page or all(n in page for n in chorley)
    assert "9 bodies present (quorum 6)" in page
    # Chorley's representatives split: refused with the reason, nothing recorded.
    split = dict(form, date="2026-07-01")
    first = next(m for m in voting if m.seat.body_label == "Chorley")
    split[f"vote_{first.pk}"] = "against"
    page = client.post(url, split).content.decode()
    assert (
        "There is a problem" in page
        and "Chorley has one vote but its representatives disagree" in page
    )
    from cdrp.meetings.models import Decision

    assert Decision.objects.count() == 1


def test_a_coordinator_imports_a_structure_file_and_errors_name_the_line(
    client, south_registry, coordinator
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cdrp.partnerships.structure import export_structure

    client.force_login(coordinator)
    url = "/partnerships/lancashire-south/import/"
    text = export_structure(south_registry)
    bad = text.replace("meeting_frequency: monthly", "meeting_frequency: daily", 1)
    line = bad.splitlines().index("  meeting_frequency: daily") + 1
    page = client.post(
        url, {"file": SimpleUploadedFile("south.yaml", bad.encode())}
    ).content.decode()
    assert (
        "There is a problem" in page
        and f"south.yaml line {line}: group: &#x27;meeting_frequency&#x27;" in page
    )
    other = text.replace("slug: lancashire-south", "slug: somewhere-else")
    page = client.post(url, {"file": SimpleUploadedFile("x.yaml", other.encode())}).content.decode()
    assert "The file may only describe Lancashire South Strategic CDRP" in page
    assert not Partnership.objects.filter(slug="somewhere-else").exists()
    good = text.replace("meeting_frequency: monthly", "meeting_frequency: fortnightly", 1)
    response = client.post(url, {"file": SimpleUploadedFile("south.yaml", good.encode())})
    assert response.status_code == 302
    assert south_registry.groups.filter(meeting_frequency="fortnightly").count() == 1
