"""Structures that span partnerships (issue 16 part 5, the Rochford report): a joint Responsible
Authorities Group over Rochford and Castle Point with each district's CDRP reporting to it, joint
groups serving both, a chair rotating between three named seats, the PPO strands as sub-groups,
the county rule counting the joint chair once, the public-meeting rule, the chart, and access."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from cdrp.accounts.audit import acting_as
from cdrp.accounts.models import AuditEvent
from cdrp.partnerships.chart import structure_svg
from cdrp.partnerships.compliance import Status, evaluate
from cdrp.partnerships.models import Group, Partnership, Seat
from cdrp.partnerships.structure import StructureError, export_structure, import_structure
from conftest import user_with_role

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parent / "data" / "structures" / "rochford-castle-point-joint-rag.yaml"
FIRST_TERM = dt.date(2007, 6, 1)  # Rochford's chief executive chairs (turn 1)
THIRD_TERM = dt.date(2009, 6, 1)  # the divisional commander's turn: not on the county group


@pytest.fixture
def joint():
    with acting_as(None, "test"):
        import_structure(FIXTURE.read_text(encoding="utf-8"), FIXTURE.name)
    return {p.slug: p for p in Partnership.objects.all()}


def _by_id(findings):
    return {f.rule.id: f for f in findings}


def test_the_file_imports_a_joint_rag_serving_both_districts_and_their_cdrps_report_to_it(joint):
    rochford, castle_point = joint["rochford"], joint["castle-point"]
    rag = Group.objects.get(partnership=rochford, slug="rag")
    assert set(rag.serves.all()) == {castle_point}
    assert rag.partnership_ids() == {rochford.pk, castle_point.pk}
    assert rochford.strategy_group() == rag and castle_point.strategy_group() == rag
    reporting = {(g.partnership.slug, g.slug) for g in rag.reporting_groups.all()}
    assert reporting == {
        ("rochford", "cdrp"),
        ("castle-point", "cdrp"),
        ("rochford", "darg"),
        ("rochford", "dv-panel"),
    }
    # Castle Point's groups: its own CDRP and the three joint groups held by Rochford.
    assert sorted(g.slug for g in castle_point.all_groups()) == ["cdrp", "darg", "dv-panel", "rag"]


def test_importing_the_file_again_or_its_export_changes_nothing(joint):
    with acting_as(None, "test"):
        before = AuditEvent.objects.count()
        import_structure(FIXTURE.read_text(encoding="utf-8"), FIXTURE.name)
        text = export_structure(*(joint[s] for s in ("rochford", "castle-point", "essex-county")))
        import_structure(text, "exported.yaml")
        assert AuditEvent.objects.count() == before
        assert export_structure(
            joint["rochford"], joint["castle-point"], joint["essex-county"]
        ) == (text)
    assert "serves:\n  - castle-point" in text and "reports_to: rochford/rag" in text
    assert "chair_rotation_months: 12" in text and "chair_turn: 3" in text
    assert "strand: catch_convict" in text


def test_a_group_may_not_report_to_another_partnerships_group_that_does_not_serve_it(joint):
    castle_point_cdrp = Group.objects.get(partnership__slug="castle-point", slug="cdrp")
    castle_point_cdrp.reports_to = Group.objects.get(partnership__slug="rochford", slug="steering")
    with pytest.raises(ValidationError) as refused:
        castle_point_cdrp.full_clean()
    assert "joint group serving its partnership" in str(refused.value.message_dict["reports_to"])


def test_the_rotating_chair_goes_round_the_three_seats_a_year_each(joint):
    rag = Group.objects.get(partnership__slug="rochford", slug="rag")
    expected = [
        (dt.date(2007, 3, 31), None, None),  # before the first term: nobody recorded as chair
        (dt.date(2007, 4, 1), "rochford-ce", "Chief Executive"),
        (dt.date(2008, 3, 31), "rochford-ce", "Chief Executive"),
        (dt.date(2008, 4, 1), "castle-point-ce", "Chief Executive"),
        (dt.date(2009, 4, 1), "divisional-commander", "Divisional Commander"),
        (dt.date(2010, 3, 31), "divisional-commander", "Divisional Commander"),
        (dt.date(2010, 4, 1), "rochford-ce", "Chief Executive"),
        (dt.date(2011, 4, 1), "castle-point-ce", "Chief Executive"),  # term 5: turn 2
        (dt.date(2013, 5, 15), "rochford-ce", "Chief Executive"),  # term 7: turn 1 again
    ]
    for on, person, seat in expected:
        chair = rag.chair(on)
        assert (chair.slug if chair else None) == person, on
        assert (rag.chair_seat(on).label if rag.chair_seat(on) else None) == seat, on


def test_a_rotation_needs_two_numbered_seats_and_numbers_used_once(joint):
    rag = Group.objects.get(partnership__slug="rochford", slug="rag")
    seat = Seat.objects.get(group=rag, chair_turn=3)
    seat.chair_turn = 1
    with pytest.raises(ValidationError) as refused:
        seat.full_clean()
    assert "Turn 1 of the chair's rotation is already the seat" in str(refused.value)
    darg = Group.objects.get(partnership__slug="rochford", slug="darg")
    darg.chair_rotation_start, darg.chair_rotation_months = dt.date(2008, 1, 1), 12
    with pytest.raises(ValidationError) as refused:
        darg.full_clean()
    assert "at least two seats numbered in the rotation; 0 are" in str(refused.value)
    darg.chair_rotation_months = None
    with pytest.raises(ValidationError) as refused:
        darg.full_clean()
    assert "needs both the date the first term starts" in str(refused.value)


def test_the_ppo_strands_are_sub_groups_of_the_ppo_group(joint):
    ppo = Group.objects.get(partnership__slug="rochford", slug="ppo")
    assert ppo.ppo_strands() == [
        "Prevent and Deter",
        "Catch and Convict",
        "Rehabilitate and Resettle",
    ]
    assert Group.objects.get(partnership__slug="rochford", slug="ppo-catch").ppo_strands() == [
        "Catch and Convict"
    ]
    darg = Group.objects.get(partnership__slug="rochford", slug="darg")
    darg.strand = Group.Strand.CATCH_CONVICT
    with pytest.raises(ValidationError) as refused:
        darg.full_clean()
    assert "strand" in refused.value.message_dict


def test_the_county_rule_counts_the_joint_rags_chair_once(joint):
    for slug in ("rochford", "castle-point"):
        finding = _by_id(evaluate(joint[slug], FIRST_TERM))["COUNTY-CHAIRS"]
        assert finding.status == Status.MET, (slug, finding.problems)
        assert finding.evidence == [
            "Robin Example (placeholder) (chair of the Castle Point and Rochford Responsible "
            "Authorities Group, joint for Castle Point Crime and Disorder Reduction Partnership "
            "and Rochford District Crime and Disorder Reduction Partnership) sits on the Essex "
            "County Strategy Group as “Chair, Castle Point and Rochford RAG”."
        ]
    county = _by_id(evaluate(joint["essex-county"], FIRST_TERM))["COUNTY-CHAIRS"]
    assert county.status == Status.MET and len(county.evidence) == 1
    assert county.summary == (
        "The county strategy group includes the chair of the district strategy group, "
        "serving 2 partnerships."
    )
    # In the commander's year the chair is not on the county group: one problem, not two.
    county = _by_id(evaluate(joint["essex-county"], THIRD_TERM))["COUNTY-CHAIRS"]
    assert county.status == Status.NOT_MET and len(county.problems) == 1
    assert county.summary.startswith("Dana Example (placeholder), chair of the Castle Point")
    castle_point = _by_id(evaluate(joint["castle-point"], THIRD_TERM))["COUNTY-CHAIRS"]
    assert castle_point.status == Status.NOT_MET and "Dana Example" in castle_point.summary


def test_the_other_structural_rules_read_the_joint_rag_for_each_partnership(joint):
    for slug in ("rochford", "castle-point"):
        findings = _by_id(evaluate(joint[slug], FIRST_TERM))
        for rule_id in ("RA-SEATS", "RA-SENIOR", "PORTFOLIO-MEMBER"):
            assert findings[rule_id].status == Status.MET, (slug, rule_id, findings[rule_id])
        assert findings["RA-SEATS"].summary.endswith(
            "have a seat on the Castle Point and Rochford Responsible Authorities Group."
        )


def test_the_public_meeting_rule_reads_the_joint_rags_meetings_for_both(joint, frozen_today):
    from cdrp.meetings.models import Meeting

    today = dt.date.today()
    for slug in ("rochford", "castle-point"):
        finding = _by_id(evaluate(joint[slug], today))["PUBLIC-MEETING"]
        assert finding.status == Status.NO_EVIDENCE, slug
        assert "no meetings of the Castle Point and Rochford Responsible" in finding.summary
    rag = Group.objects.get(partnership__slug="rochford", slug="rag")
    with acting_as(None, "test"):
        Meeting(group=rag, date=today - dt.timedelta(days=40), public=False).save()
        # A public meeting of another group is no public meeting of the strategy group.
        darg = Group.objects.get(partnership__slug="rochford", slug="darg")
        Meeting(group=darg, date=today - dt.timedelta(days=20), public=True).save()
    for slug in ("rochford", "castle-point"):
        finding = _by_id(evaluate(joint[slug], today))["PUBLIC-MEETING"]
        assert finding.status == Status.NOT_MET, slug
        assert finding.summary == (
            "1 meeting of the Castle Point and Rochford Responsible Authorities Group is "
            "recorded, none of them public."
        )
    with acting_as(None, "test"):
        Meeting(group=rag, date=today - dt.timedelta(days=10), public=True).save()
    for slug in ("rochford", "castle-point"):
        finding = _by_id(evaluate(joint[slug], today))["PUBLIC-MEETING"]
        assert finding.status == Status.MET, slug


def test_the_chart_of_each_district_shows_the_joint_rag_over_both_cdrps(joint):
    for slug in ("rochford", "castle-point"):
        svg = str(structure_svg(joint[slug], FIRST_TERM))
        assert 'class="group joint" data-group="rag"' in svg
        assert "Castle Point and Rochford Responsible Authorities Group (RAG)" in svg
        assert "Rochford District CDRP" in svg and "Castle Point CDRP" in svg
        assert "Robin Example (placeholder) (in rotation)" in svg
    castle_point_svg = str(structure_svg(joint["castle-point"], FIRST_TERM))
    # Rochford's own CDRP, drawn in Castle Point's chart, names its partnership.
    assert "Rochford District Crime and Disorder Reduction Partnership · Other group" in (
        castle_point_svg
    )
    rochford_svg = str(structure_svg(joint["rochford"], FIRST_TERM))
    assert "strand: Catch and Convict" in rochford_svg
    # The RAG is drawn above both CDRPs: its box comes first, theirs indented below it.
    assert rochford_svg.index('data-group="rag"') < rochford_svg.index('data-group="cdrp"')


def test_the_joint_group_is_seen_through_each_partnership_it_serves_and_no_other(
    joint, client, other_partnership
):
    for slug in ("rochford", "castle-point"):
        page = client.get(f"/partnerships/{slug}/groups/rag/")
        assert page.status_code == 200, slug
        assert "Joint group serving" in page.content.decode()
    assert client.get(f"/partnerships/{other_partnership.slug}/groups/rag/").status_code == 404
    # Castle Point's page of the joint DV panel; its restricted records stay restricted.
    assert client.get("/partnerships/castle-point/groups/dv-panel/").status_code == 200
    # Rochford's steering group is not Castle Point's.
    assert client.get("/partnerships/castle-point/groups/steering/").status_code == 404


def test_the_joint_group_is_changed_only_by_someone_who_edits_for_every_partnership_it_serves(
    joint, client
):
    rochford, castle_point = joint["rochford"], joint["castle-point"]
    rag = Group.objects.get(partnership=rochford, slug="rag")
    one_side = user_with_role("cp-coordinator", castle_point, "coordinator")
    other_side = user_with_role("r-coordinator", rochford, "coordinator")
    both = user_with_role("both-coordinator", castle_point, "coordinator")
    both.cdrp_roles.create(partnership=rochford, role="coordinator")
    seat = Seat.objects.get(group=rag, chair_turn=3)
    urls = [
        "/partnerships/{p}/groups/rag/edit/",
        "/partnerships/{p}/groups/rag/seats/new/",
        f"/partnerships/{{p}}/groups/rag/seats/{seat.pk}/edit/",
        "/partnerships/{p}/groups/rag/members/new/",
    ]
    # Each coordinator of one side is refused on both addresses (403: the group is reachable
    # there, but not theirs alone to change); a coordinator of both may edit it.
    for user, expected in ((one_side, 403), (other_side, 403), (both, 200)):
        client.force_login(user)
        for p in ("rochford", "castle-point"):
            for url in urls:
                answer = client.get(url.format(p=p))
                assert answer.status_code == expected, (user.username, url.format(p=p))
    # Their own partnership's groups stay theirs to edit.
    client.force_login(one_side)
    assert client.get("/partnerships/castle-point/groups/cdrp/edit/").status_code == 200
    client.force_login(one_side)
    name = rag.name
    refused = client.post(
        "/partnerships/castle-point/groups/rag/edit/", {"name": "Renamed", "slug": "rag"}
    )
    assert refused.status_code == 403
    rag.refresh_from_db()
    assert rag.name == name
    answer = client.post(f"/partnerships/castle-point/groups/rag/seats/{seat.pk}/delete/")
    assert answer.status_code == 403 and Seat.objects.filter(pk=seat.pk).exists()


def test_bad_joint_structure_files_name_every_problem_by_line(db):
    text = """cdrp-structure: 1
partnership: {slug: solo, name: Solo CSP}
groups:
  - slug: rag
    name: Board
    kind: strategy
    serves: [solo, nowhere]
    chair_rotation_start: 2008-01-01
    seats:
      - {label: One, voting: false, chair_turn: 1}
      - {label: Two, voting: false, chair_turn: 1}
  - {slug: cdrp, name: CDRP, kind: other, strand: catch_convict}
"""
    with pytest.raises(StructureError) as refused:
        import_structure(text, "bad.yaml")
    problems = refused.value.problems
    assert "bad.yaml line 7: serves 'nowhere': no such partnership in the file or the registry" in (
        problems
    )
    assert any(p.startswith("bad.yaml line 7: group 'rag': serves 'solo'") for p in problems)
    assert any(
        p.startswith("bad.yaml line 10: group 'rag': chair_turn 1 must be 1 or more and appear")
        for p in problems
    )
    assert any("bad.yaml line 8: group 'rag': a rotating chair needs both" in p for p in problems)
    assert Partnership.objects.count() == 0


def test_the_api_lists_the_joint_group_for_each_partnership_and_guards_its_members(joint, client):
    from cdrp.accounts.models import ApiToken

    data = client.get("/api/partnerships/castle-point/structure?on=2007-06-01").json()
    groups = {g["slug"]: g for g in data["groups"]}
    assert set(groups) == {"cdrp", "rag", "darg", "dv-panel"}
    assert groups["cdrp"]["reports_to"] == "rochford/rag"
    assert len(groups["rag"]["seats"]) == 9
    rochford_only = user_with_role("r-coordinator", joint["rochford"], "coordinator")
    _, key = ApiToken.issue(rochford_only, "test")
    seat = Seat.objects.get(group__slug="rag", chair_turn=3)
    body = {"seat": seat.pk, "person": "probation-manager", "role": "substitute"}
    answer = client.post(
        "/api/partnerships/rochford/groups/rag/memberships",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert answer.status_code == 403 and "serves several partnerships" in answer.json()["detail"]
    assert not seat.memberships.filter(person__slug="probation-manager").exists()
    rochford_only.cdrp_roles.create(partnership=joint["castle-point"], role="coordinator")
    answer = client.post(
        "/api/partnerships/rochford/groups/rag/memberships",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert answer.status_code == 201


def test_a_structure_upload_may_not_write_a_joint_group_for_a_partnership_the_user_cannot_edit(
    joint, client, other_partnership
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    rochford = joint["rochford"]
    coordinator = user_with_role("r-coordinator", rochford, "coordinator")
    client.force_login(coordinator)
    text = export_structure(rochford)
    # Renaming the joint RAG changes it for Castle Point too.
    renamed = text.replace(
        "name: Castle Point and Rochford Responsible Authorities Group", "name: Renamed RAG", 1
    )
    page = client.post(
        "/partnerships/rochford/import/", {"file": SimpleUploadedFile("r.yaml", renamed.encode())}
    ).content.decode()
    assert "group “rag” serves Castle Point Crime and Disorder Reduction Partnership too" in page
    assert Group.objects.get(partnership=rochford, slug="rag").name.startswith("Castle Point")
    # Nor may a group be made to serve another partnership (and so join its structure).
    grabbed = text.replace("serves:\n  - castle-point", f"serves:\n  - {other_partnership.slug}", 1)
    assert grabbed != text
    page = client.post(
        "/partnerships/rochford/import/", {"file": SimpleUploadedFile("r.yaml", grabbed.encode())}
    ).content.decode()
    assert f"serves {other_partnership.name} too" in page
    assert not other_partnership.joint_groups.exists()
    # With the edit right in Castle Point as well, the change goes through.
    coordinator.cdrp_roles.create(partnership=joint["castle-point"], role="coordinator")
    answer = client.post(
        "/partnerships/rochford/import/", {"file": SimpleUploadedFile("r.yaml", renamed.encode())}
    )
    assert answer.status_code == 302
    assert Group.objects.get(partnership=rochford, slug="rag").name == "Renamed RAG"


def test_the_command_says_which_partnerships_joint_groups_serve(db):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("structure", "import", str(FIXTURE), stdout=out)
    assert out.getvalue().splitlines() == [
        "Imported Rochford District Crime and Disorder Reduction Partnership (rochford): 9 groups.",
        "Imported Castle Point Crime and Disorder Reduction Partnership (castle-point): 1 groups, "
        "served by 3 joint groups.",
        "Imported Essex County Community Safety Strategy Group (essex-county): 1 groups.",
    ]
