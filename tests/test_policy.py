"""The policy module decides every permission: roles per partnership, anonymous is public."""

import pytest
from django.contrib.auth.models import AnonymousUser

from cdrp.accounts.policy import GRANTS, Permission, Role, allows, roles_of

pytestmark = pytest.mark.django_db


def test_anonymous_is_public_and_may_only_view_public(partnership):
    anon = AnonymousUser()
    assert roles_of(anon, partnership) == {Role.PUBLIC}
    assert allows(anon, Permission.VIEW_PUBLIC, partnership)
    for action in set(Permission) - {Permission.VIEW_PUBLIC}:
        assert not allows(anon, action, partnership), action


def test_each_role_gets_exactly_its_grants(partnership, make_user):
    for role in set(Role) - {Role.PUBLIC}:
        user = make_user(f"u-{role}", role.value)
        for action in Permission:
            assert allows(user, action, partnership) == (role in GRANTS[action]), (role, action)


def test_a_role_in_one_partnership_gives_nothing_in_another(
    partnership, outsider, other_partnership
):
    assert allows(outsider, Permission.ADMINISTER, other_partnership)
    assert not allows(outsider, Permission.VIEW_MEMBER, partnership)
    assert allows(outsider, Permission.ADMINISTER)  # "any partnership" for site-wide pages


def test_superuser_is_administrator_everywhere(superuser, partnership, other_partnership):
    assert allows(superuser, Permission.ADMINISTER, partnership)
    assert allows(superuser, Permission.APPROVE, other_partnership)


def test_an_inactive_user_is_public(member, partnership):
    member.is_active = False
    member.save()
    assert roles_of(member, partnership) == {Role.PUBLIC}


def test_chair_approves_but_does_not_edit_and_analyst_analyses_but_does_not_approve(
    chair, analyst, partnership
):
    assert allows(chair, Permission.APPROVE, partnership) and not allows(
        chair, Permission.EDIT, partnership
    )
    assert allows(analyst, Permission.ANALYSE, partnership)
    assert not allows(analyst, Permission.APPROVE, partnership)


# Records are reached only through a partnership that holds them ---------------------------------


@pytest.fixture
def two(db):
    """Partnerships A and B, each with its council, a group, a seat and a person in it."""
    from types import SimpleNamespace

    from cdrp.partnerships.models import Group, Membership, Organisation, Partnership, Person, Seat

    out = {}
    for side in ("a", "b"):
        p = Partnership.objects.create(slug=side, name=f"{side.upper()} CSP")
        council = Organisation(
            slug=f"{side}-council", name=f"{side.upper()} Council", kind="police"
        )
        council.save()
        p.responsible_authorities.add(council)
        group = Group(partnership=p, slug="rag", name=f"{side.upper()} RAG", kind="strategy")
        group.save()
        seat = Seat(group=group, label="Chief Executive", organisation=council)
        seat.save()
        person = Person(slug=f"{side}-person", name=f"{side.upper()} Person")
        person.email, person.phone = f"{side}@example.org", f"0700 00{side}"
        person.save()
        Membership(seat=seat, person=person).save()
        out[side] = SimpleNamespace(p=p, council=council, group=group, seat=seat, person=person)
    return SimpleNamespace(**out)


def test_a_record_is_held_by_its_own_partnership_and_a_shared_one_by_each_it_sits_in(two):
    from cdrp.accounts.policy import held_by
    from cdrp.partnerships.models import Membership, Person

    assert held_by(two.a.group, two.a.p) and not held_by(two.a.group, two.b.p)
    assert held_by(two.a.seat, two.a.p) and not held_by(two.a.seat, two.b.p)
    assert held_by(two.a.person, two.a.p) and not held_by(two.a.person, two.b.p)
    assert held_by(two.a.council, two.a.p) and not held_by(two.a.council, two.b.p)
    Membership(seat=two.b.seat, person=two.a.person).save()
    assert held_by(two.a.person, two.a.p) and held_by(two.a.person, two.b.p)
    newcomer = Person(slug="new", name="Sits nowhere yet")
    newcomer.save()
    assert held_by(newcomer, two.a.p) and held_by(newcomer, two.b.p)


def test_editing_a_shared_record_needs_the_edit_right_where_it_is_held(two):
    from cdrp.accounts.policy import may_access
    from conftest import user_with_role

    b_coordinator = user_with_role("b-coordinator", two.b.p, "coordinator")
    assert not may_access(b_coordinator, Permission.EDIT, two.a.person)
    assert not may_access(b_coordinator, Permission.EDIT, two.a.council, two.b.p)
    assert may_access(b_coordinator, Permission.EDIT, two.b.person)
    assert may_access(b_coordinator, Permission.EDIT, two.b.council, two.b.p)
    # Giving A's council a seat in B makes B a partnership that holds it.
    two.b.group.seats.create(label="Police", organisation=two.a.council)
    assert may_access(b_coordinator, Permission.EDIT, two.a.council, two.b.p)


def test_another_partnerships_person_is_not_found_for_editing_and_their_contacts_stay_hidden(
    client, two
):
    from conftest import user_with_role

    client.force_login(user_with_role("b-coordinator", two.b.p, "coordinator"))
    url = "/partnerships/b/people/a-person/edit/"
    response = client.get(url)
    assert response.status_code == 404 and b"a@example.org" not in response.content
    form = {"name": "A Person", "slug": "a-person", "email": "attacker@example.org"}
    assert client.post(url, {**form, "version": two.a.person.version}).status_code == 404
    two.a.person.refresh_from_db()
    assert two.a.person.email == "a@example.org"
    assert client.get("/partnerships/b/people/b-person/edit/").status_code == 200


def test_another_partnerships_council_cannot_be_renamed(client, two):
    from conftest import user_with_role

    client.force_login(user_with_role("b-coordinator", two.b.p, "coordinator"))
    form = {"name": "Renamed", "slug": "a-council", "kind": "police", "version": 1}
    assert client.get("/partnerships/b/organisations/a-council/edit/").status_code == 404
    assert client.post("/partnerships/b/organisations/a-council/edit/", form).status_code == 404
    two.a.council.refresh_from_db()
    assert two.a.council.name == "A Council"
    assert client.get("/partnerships/a/").content.decode().count("Renamed") == 0


def test_seating_another_partnerships_person_does_not_let_a_coordinator_rewrite_them(client, two):
    """B may seat A's officer (a county-wide officer sits on several partnerships), but that
    gives B no right to change their e-mail for A: a shared record needs the edit right in every
    partnership that holds it."""
    from cdrp.partnerships.models import Membership
    from conftest import user_with_role

    Membership(seat=two.b.seat, person=two.a.person).save()
    client.force_login(user_with_role("b-coordinator", two.b.p, "coordinator"))
    url = "/partnerships/b/people/a-person/edit/"
    form = {"name": "A Person", "slug": "a-person", "email": "attacker@example.org", "version": 1}
    refused = client.get(url)
    assert refused.status_code == 403
    assert "A CSP" in refused.content.decode() and "B CSP" in refused.content.decode()
    assert client.post(url, form).status_code == 403
    two.a.person.refresh_from_db()
    assert two.a.person.email == "a@example.org"
    # Nor may A's coordinator alone, now that B holds the person too; a coordinator of both may.
    client.force_login(user_with_role("a-coordinator", two.a.p, "coordinator"))
    assert client.post("/partnerships/a/people/a-person/edit/", form).status_code == 403
    both = user_with_role("both", two.a.p, "coordinator")
    both.cdrp_roles.create(partnership=two.b.p, role="coordinator")
    client.force_login(both)
    done = client.post(url, {**form, "email": "new@example.org"})
    assert done.status_code == 302
    two.a.person.refresh_from_db()
    assert two.a.person.email == "new@example.org"


def test_a_shared_person_may_edit_their_own_record_and_a_shared_council_needs_every_holder(two):
    from cdrp.accounts.policy import may_edit_shared
    from cdrp.partnerships.models import Membership
    from conftest import user_with_role

    Membership(seat=two.b.seat, person=two.a.person).save()
    own = user_with_role("a-person-account")
    two.a.person.account = own
    two.a.person.save()
    assert may_edit_shared(own, two.a.person)
    assert not may_edit_shared(own, two.b.person)
    b_coordinator = user_with_role("b-coordinator", two.b.p, "coordinator")
    assert may_edit_shared(b_coordinator, two.b.council)  # held by B alone
    two.b.group.seats.create(label="Police", organisation=two.a.council)
    assert not may_edit_shared(b_coordinator, two.a.council)  # held by A and B now
    assert may_edit_shared(user_with_role("root", superuser=True), two.a.council)


def _structure(email: str, council_name: str, merged_from: str = "[]") -> bytes:
    return f"""cdrp-structure: 1
partnership:
  slug: b
  name: B CSP
  merged_from: {merged_from}
organisations:
  - slug: a-council
    name: {council_name}
    kind: police
people:
  - slug: a-person
    name: A Person
    email: {email}
    phone: 0700 00a
groups:
  - slug: rag
    name: B RAG
    kind: strategy
    seats:
      - label: Police
        organisation: a-council
        members:
          - person: a-person
""".encode()


def test_a_structure_import_may_not_change_another_partnerships_person_or_council(client, two):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cdrp.partnerships.models import Seat
    from conftest import user_with_role

    client.force_login(user_with_role("b-coordinator", two.b.p, "coordinator"))
    url = "/partnerships/b/import/"
    upload = SimpleUploadedFile("b.yaml", _structure("attacker@example.org", "Renamed", "[a]"))
    page = client.post(url, {"file": upload}).content.decode()
    assert "organisation “a-council” (A Council) belongs to partnerships where you" in page
    assert "person “a-person” sits in partnerships where you may not edit" in page
    assert "merged_from “a” (A CSP): only a coordinator or administrator of that" in page
    two.a.person.refresh_from_db()
    two.a.council.refresh_from_db()
    assert (two.a.person.email, two.a.council.name) == ("a@example.org", "A Council")
    assert not two.a.p.merged_into.exists()
    # Naming them unchanged gives A's council and person seats in B, as sharing allows.
    upload = SimpleUploadedFile("b.yaml", _structure("a@example.org", "A Council"))
    assert client.post(url, {"file": upload}).status_code == 302
    assert Seat.objects.filter(group__partnership=two.b.p, organisation=two.a.council).exists()


def test_a_task_is_shown_to_its_requester_and_site_administrators_only(client, two, superuser):
    from cdrp.core.models import TaskProgress
    from conftest import user_with_role

    analyst = user_with_role("a-analyst", two.a.p, "analyst")
    TaskProgress.objects.create(task_id="t-a", label="Import", requested_by=analyst)
    client.force_login(user_with_role("b-administrator", two.b.p, "administrator"))
    assert client.get("/tasks/t-a/").status_code == 403
    assert client.get("/tasks/t-a/progress").status_code == 403
    for user in (analyst, superuser):
        client.force_login(user)
        assert client.get("/tasks/t-a/").status_code == 200


def test_only_site_administrators_add_partnerships(client, administrator, superuser):
    from cdrp.accounts.policy import may_create_partnership
    from cdrp.partnerships.models import Partnership

    form = {"name": "Wyre CSP", "slug": "wyre", "status": "current", "level": "district"}
    client.force_login(administrator)
    assert not may_create_partnership(administrator)
    assert "Add a partnership" not in client.get("/partnerships/").content.decode()
    assert client.get("/partnerships/new/").status_code == 403
    assert client.post("/partnerships/new/", form).status_code == 403
    assert not Partnership.objects.filter(slug="wyre").exists()
    client.force_login(superuser)
    assert "Add a partnership" in client.get("/partnerships/").content.decode()
    assert client.post("/partnerships/new/", form).status_code == 302
    assert Partnership.objects.filter(slug="wyre").exists()


def test_a_project_is_commissioned_jointly_only_with_partnerships_the_user_may_edit(
    client, coordinator, partnership, other_partnership
):
    from cdrp.accounts.models import PartnershipRole
    from cdrp.funding.models import Project
    from cdrp.partnerships.models import Organisation

    lead = Organisation(slug="lead", name="Lead Council", kind="district_council")
    lead.save()
    client.force_login(coordinator)
    url = "/plans/funding/lancashire-south/projects/new/"
    assert other_partnership.name not in client.get(url).content.decode()
    form = {"title": "Joint", "lead_organisation": lead.pk, "budget": "100"}
    response = client.post(url, {**form, "joint_with": [other_partnership.pk]})
    assert response.status_code == 200 and not Project.objects.exists()
    PartnershipRole.objects.create(
        user=coordinator, partnership=other_partnership, role="coordinator"
    )
    response = client.post(url, {**form, "joint_with": [other_partnership.pk]})
    assert response.status_code == 302
    assert list(Project.objects.get().joint_with.all()) == [other_partnership]


def test_the_overview_offers_edit_only_for_organisations_the_coordinator_may_change(two, client):
    from conftest import user_with_role

    two.b.group.seats.create(label="Police", organisation=two.a.council)  # A's council in B too
    client.force_login(user_with_role("b-coord", two.b.p, "coordinator"))
    html = client.get("/partnerships/b/").content.decode()
    assert 'href="/partnerships/b/organisations/b-council/edit/"' in html
    assert "/organisations/a-council/edit/" not in html
    assert "Shared with other partnerships" in html
