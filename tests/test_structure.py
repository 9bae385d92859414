"""Structure YAML: an exact round trip (export, import into an empty registry, export again), and
bad files refused with every problem named by file and line, and nothing written."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdrp.accounts.audit import acting_as
from cdrp.accounts.models import AuditEvent
from cdrp.partnerships import demo
from cdrp.partnerships.models import (
    Area,
    Group,
    Membership,
    MergerAgreement,
    MergerProposal,
    MergerTransition,
    Organisation,
    Partnership,
    Person,
    Seat,
)
from cdrp.partnerships.structure import StructureError, export_structure, import_structure

pytestmark = pytest.mark.django_db

SLUGS = [
    "chorley-csp",
    "south-ribble-csp",
    "west-lancashire-csp",
    "lancashire-south",
    "lancashire-county",
]


def _wipe():
    for model in (
        MergerTransition,
        MergerAgreement,
        MergerProposal,
        Membership,
        Seat,
        Group,
        Partnership,
        Person,
        Organisation,
    ):
        for obj in model.objects.all():
            obj.delete()
    Area.objects.all().delete()


def _export():
    return export_structure(*(Partnership.objects.get(slug=s) for s in SLUGS))


def test_export_then_import_into_an_empty_registry_gives_an_identical_registry(db):
    with acting_as(None, "test"):
        demo.load(io.StringIO(), {})
        first = _export()
        counts = [
            m.objects.count() for m in (Partnership, Group, Seat, Membership, Person, Organisation)
        ]
        _wipe()
        assert Partnership.objects.count() == 0 and Person.objects.count() == 0
        import_structure(first, "lancashire.yaml")
    assert _export() == first
    assert [
        m.objects.count() for m in (Partnership, Group, Seat, Membership, Person, Organisation)
    ] == counts
    south = Partnership.objects.get(slug="lancashire-south")
    assert south.groups.get(slug="owg").reports_to.slug == "rag"
    assert {p.slug for p in south.merged_from.all()} == set(SLUGS[:3])


def test_importing_an_exported_file_again_changes_nothing(db):
    with acting_as(None, "test"):
        demo.load(io.StringIO(), {})
        text = _export()
        before = AuditEvent.objects.count()
        import_structure(text, "again.yaml")
    assert AuditEvent.objects.count() == before


def test_a_changed_file_updates_only_what_changed(db):
    with acting_as(None, "test"):
        demo.load(io.StringIO(), {})
        text = export_structure(Partnership.objects.get(slug="lancashire-south"))
        before = AuditEvent.objects.count()
        import_structure(
            text.replace(
                "meeting_frequency: monthly\n  meeting_hours: 2.0\n  quorum: null\n"
                "  chair_casting_vote: true\n  terms_of_reference: Reports to",
                "meeting_frequency: bimonthly\n  meeting_hours: 2.0\n  quorum: null\n"
                "  chair_casting_vote: true\n  terms_of_reference: Reports to",
                1,
            )
        )
    events = list(AuditEvent.objects.filter(pk__gt=0).order_by("id"))[before:]
    assert [(e.model, e.changes) for e in events] == [
        ("partnerships.Group", {"meeting_frequency": ["monthly", "bimonthly"]})
    ]


MINIMAL = """\
cdrp-structure: 1
partnership:
  slug: wyre
  name: Wyre Community Safety Partnership
areas:
  - {code: E07000128, name: Wyre, level: district}
organisations:
  - {slug: wyre-council, name: Wyre Council, kind: district_council, area: E07000128}
  - {slug: police, name: Lancashire Constabulary, kind: police}
people:
  - {slug: pat, name: Pat Example (placeholder)}
groups:
  - slug: board
    name: Community Safety Board
    kind: strategy
    quorum: 2
    seats:
      - label: Chief Executive
        organisation: wyre-council
        members:
          - {person: pat, role: chair, start: 2024-01-01}
      - label: District Commander
        organisation: police
"""


EXTRA_SEAT = (
    "        organisation: police\n"
    "      - label: chief executive\n"
    "        organisation: wyre-council\n"
)


def test_a_minimal_file_imports_with_defaults(db):
    (p,) = import_structure(MINIMAL, "wyre.yaml")
    board = p.groups.get()
    assert (board.quorum, board.meeting_frequency, board.chair_casting_vote) == (
        2,
        "quarterly",
        True,
    )
    assert board.chair().name == "Pat Example (placeholder)"


def _problems(text):
    with pytest.raises(StructureError) as exc:
        import_structure(text, "wyre.yaml")
    assert Partnership.objects.count() == 0 and Person.objects.count() == 0
    return exc.value.problems


def test_unknown_keys_and_wrong_types_are_named_by_line(db):
    text = MINIMAL.replace("    kind: strategy\n", "    kind: strategy\n    chiar: pat\n").replace(
        "quorum: 2", "quorum: two"
    )
    assert _problems(text) == [
        "wyre.yaml line 16: unknown key 'chiar' in group (expected one of: slug, name, short_name, "
        "kind, reports_to, district, meeting_frequency, meeting_hours, quorum, chair_casting_vote, "
        "terms_of_reference, strand, chair_rotation_start, chair_rotation_months, restricted, "
        "serves, seats)",
        "wyre.yaml line 17: group: 'quorum' must be a whole number, got 'two'",
    ]


def test_bad_values_references_and_duplicates_are_all_reported(db):
    text = (
        MINIMAL.replace("kind: police}", "kind: constabulary}")
        .replace("{person: pat,", "{person: nobody,")
        .replace(
            "        organisation: police\n",
            EXTRA_SEAT,
        )
    )
    problems = _problems(text)
    assert (
        "wyre.yaml line 9: organisation: 'kind' must be one of: district_council, county_council"
        in problems[0]
    )
    text = MINIMAL.replace("{person: pat,", "{person: nobody,").replace(
        "        organisation: police\n",
        EXTRA_SEAT,
    )
    assert _problems(text) == [
        "wyre.yaml line 21: person 'nobody': no such person in the file or the registry",
        "wyre.yaml line 24: duplicate seat 'chief executive' on group 'board'",
    ]


def test_a_reserved_partnership_slug_is_refused_by_line(db):
    slug_line = next(n for n, line in enumerate(MINIMAL.splitlines(), 1) if "slug: wyre" in line)
    assert _problems(MINIMAL.replace("slug: wyre", "slug: funding", 1)) == [
        f"wyre.yaml line {slug_line}: slug 'funding': a word the site's addresses use; "
        "choose another"
    ]


def test_a_quorum_larger_than_the_group_is_refused(db):
    assert _problems(MINIMAL.replace("quorum: 2", "quorum: 3")) == [
        "wyre.yaml line 16: group 'board': a quorum of 3 is larger than the group (2 voting bodies)"
    ]


def test_a_membership_ending_before_it_starts_is_refused_by_line(db):
    text = MINIMAL.replace("start: 2024-01-01}", "start: 2024-01-01, end: 2023-01-01}")
    assert _problems(text) == [
        "wyre.yaml line 21: end: The membership ends (1 January 2023) before it starts "
        "(1 January 2024)."
    ]


def test_invalid_yaml_names_the_line(db):
    assert _problems("cdrp-structure: 1\npartnership: [unclosed\n")[0].startswith(
        "wyre.yaml line 3: not valid YAML"
    )


def test_a_later_bad_document_leaves_the_earlier_ones_unwritten(db):
    second = MINIMAL.replace("slug: wyre\n", "slug: wyre-two\n").replace(
        "start: 2024-01-01}", "start: 2024-01-01, end: 2023-01-01}"
    )
    problems = _problems(MINIMAL + "---\n" + second)
    assert problems and "end: The membership ends" in problems[0]


def test_the_command_imports_and_exports(tmp_path, db):
    path = tmp_path / "wyre.yaml"
    path.write_text(MINIMAL)
    out = io.StringIO()
    call_command("structure", "import", str(path), stdout=out)
    assert "Imported Wyre Community Safety Partnership (wyre): 1 groups." in out.getvalue()
    out = io.StringIO()
    call_command("structure", "export", "wyre", stdout=out)
    assert (
        out.getvalue().startswith("# cdrp partnership structure")
        and "slug: board" in out.getvalue()
    )
    path.write_text(MINIMAL.replace("quorum: 2", "quorum: lots"))
    with pytest.raises(CommandError, match="1 problem.s., nothing was imported:\n.*line 16"):
        call_command("structure", "import", str(path))


# Property: any valid structure survives import → export unchanged.

TEXT = (
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85\u2028\u2029"
        )
        | st.just("\n"),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)
DATES = st.one_of(
    st.none(), st.dates(min_value=dt.date(1998, 1, 1), max_value=dt.date(2030, 12, 31))
)
KINDS = ["strategy", "officer", "thematic", "tasking", "ppo", "engagement"]
FREQUENCIES = ["monthly", "bimonthly", "quarterly", "as_required"]


@st.composite
def structures(draw):
    people = [f"person-{i}" for i in range(4)]
    groups = []
    for gi in range(draw(st.integers(1, 3))):
        seats, used = [], set()
        for si in range(draw(st.integers(0, 3))):
            org = draw(st.sampled_from([None, "council", "police"]))
            area = draw(st.sampled_from([None, "E07000128"]))
            members = []
            for person in draw(st.lists(st.sampled_from(people), max_size=2, unique=True)):
                if person in used:
                    continue  # one seat per person per group keeps the file valid
                used.add(person)
                start = draw(DATES)
                end = draw(DATES)
                if start and end and end < start:
                    start, end = end, start
                members.append(
                    {
                        "person": person,
                        "role": draw(
                            st.sampled_from(["chair", "vice_chair", "member", "substitute"])
                        ),
                        "start": start,
                        "end": end,
                        "senior": draw(st.booleans()),
                        "portfolio_holder": draw(st.booleans()),
                    }
                )
            seats.append(
                {
                    "label": f"Seat {si} {draw(TEXT)}",
                    "organisation": org,
                    "council_area": area,
                    "voting": bool(org or area) and draw(st.booleans()),
                    "statutory": draw(st.booleans()),
                    "members": members,
                }
            )
        kind = draw(st.sampled_from(KINDS))
        groups.append(
            {
                "slug": f"group-{gi}",
                "name": draw(TEXT),
                "short_name": "",
                "kind": kind,
                "reports_to": "group-0" if gi else None,
                "district": None,
                "meeting_frequency": draw(st.sampled_from(FREQUENCIES)),
                "meeting_hours": draw(st.sampled_from([1.0, 1.5, 2.0, 3.5])),
                "quorum": None,
                "chair_casting_vote": draw(st.booleans()),
                "terms_of_reference": draw(st.one_of(st.just(""), TEXT)),
                # A strategy group answers to the public: it is never restricted.
                "restricted": draw(st.booleans()) and kind not in ("strategy", "county_strategy"),
                "seats": seats,
            }
        )
    return {
        "cdrp-structure": 1,
        "partnership": {
            "slug": "wyre",
            "name": draw(TEXT),
            "code": "",
            "level": "district",
            "status": "current",
            "valid_from": draw(DATES),
            "valid_to": None,
            "county": None,
            "districts": ["E07000128"],
            "merged_from": [],
            "responsible_authorities": ["council", "police"],
            "description": draw(TEXT),
        },
        "areas": [{"code": "E07000128", "name": "Wyre", "level": "district", "parent": None}],
        "organisations": [
            {
                "slug": "council",
                "name": "Wyre Council",
                "kind": "district_council",
                "area": "E07000128",
                "website": "",
            },
            {
                "slug": "police",
                "name": "Lancashire Constabulary",
                "kind": "police",
                "area": None,
                "website": "",
            },
        ],
        "people": [
            {
                "slug": p,
                "name": f"Person {p}",
                "job_title": "",
                "organisation": None,
                "email": "",
                "phone": "",
                "placeholder": True,
            }
            for p in people
        ],
        "groups": groups,
    }


@given(structures())
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_valid_structure_round_trips_exactly(db, doc):
    import yaml

    _wipe()
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    (p,) = import_structure(text, "random.yaml")
    exported = export_structure(p)
    back = yaml.safe_load(exported)
    doc["people"] = [
        x
        for x in doc["people"]
        if any(
            m["person"] == x["slug"]
            for g in doc["groups"]
            for s in g["seats"]
            for m in s["members"]
        )
    ]
    doc["partnership"]["responsible_authorities"] = sorted(
        doc["partnership"]["responsible_authorities"]
    )
    assert back == doc
    _wipe()
    import_structure(exported, "exported.yaml")
    assert export_structure(Partnership.objects.get(slug="wyre")) == exported


def test_a_file_may_lower_the_quorum_and_remove_voting_seats_together(db):
    import_structure(MINIMAL, "wyre.yaml")
    text = MINIMAL.replace("quorum: 2", "quorum: 1").replace(
        "        organisation: police\n", "        organisation: police\n        voting: false\n"
    )
    (p,) = import_structure(text, "wyre.yaml")
    board = p.groups.get()
    assert board.quorum == 1 and len(board.voting_bodies()) == 1
