"""Personal fields are encrypted at rest: the tables read with raw SQL hold no personal value
in plain text (nor does the audit trail), rotation keeps every record readable, and a missing or
wrong key is a clear error, never a plaintext or a blank."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection

from cdrp.accounts.models import AuditEvent
from cdrp.sharing import crypto
from cdrp.sharing.models import Case, CaseAction, CohortMember, PartnerOffence

pytestmark = pytest.mark.django_db

NAME = "Zebedee Quillfeather"  # fictional
DOB = dt.date(1991, 7, 23)
REFS = "PNC 91/123456Q"
SECRETS = [NAME, "Quillfeather", "1991-07-23", "123456Q", "Marigold Thistlewood", "CR/55/7781",
           "moved to Flat 9", "Check the garage"]  # fmt: skip


@pytest.fixture
def records(partnership):
    from cdrp.partnerships.models import Group

    group = Group(partnership=partnership, slug="ppo", name="PPO group", kind="ppo")
    group.save()
    marac = Group(partnership=partnership, slug="marac", name="MARAC", kind="domestic_abuse")
    marac.save()
    member = CohortMember(
        partnership=partnership, group=group, name=NAME, date_of_birth=DOB, references=REFS,
        strand="catch_convict", entered=dt.date(2022, 1, 1),
    )  # fmt: skip
    member.save()
    PartnerOffence(
        member=member, offence_date=dt.date(2022, 3, 1), category="burglary",
        reference="CR/55/7781",
    ).save()  # fmt: skip
    case = Case(
        partnership=partnership, group=marac, kind="marac", subject_name="Marigold Thistlewood",
        subject_date_of_birth=dt.date(1985, 2, 2), summary="moved to Flat 9",
        opened=dt.date(2022, 1, 5), review_date=dt.date(2022, 4, 5),
    )  # fmt: skip
    case.save()
    CaseAction(case=case, text="Check the garage", due=dt.date(2022, 2, 1)).save()
    return member, case


def _all_text() -> str:
    """Every row of every table, as the database holds it."""
    out = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608  (table names from the schema)
            out.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(out)


def test_no_personal_field_is_in_plain_text_anywhere_in_the_database(records):
    text = _all_text()
    for secret in SECRETS:
        assert secret not in text, secret
    # ...yet every value reads back through the models.
    member = CohortMember.objects.get()
    assert (member.name, member.date_of_birth, member.references) == (NAME, DOB, REFS)
    assert Case.objects.get().summary == "moved to Flat 9"
    # The audit trail recorded the creation, with a fingerprint in place of each value.
    event = AuditEvent.objects.get(model="sharing.CohortMember", action="create")
    assert event.changes["name"][1].startswith("(encrypted ")
    assert "sharing.CohortMember" in {e.model for e in AuditEvent.objects.all()}


def test_the_personal_columns_hold_fernet_tokens(records):
    with connection.cursor() as cursor:
        cursor.execute('SELECT name, date_of_birth, "references" FROM sharing_cohortmember')
        row = cursor.fetchone()
    assert all(value.startswith("gAAAAA") for value in row)


def test_rotation_re_encrypts_every_record_and_keeps_it_readable(records, settings):
    old = settings.CDRP_FIELD_KEYS[0]
    new = crypto.generate_key()
    settings.CDRP_FIELD_KEYS = [new, old]
    call_command("sharing", "rotate-key")
    settings.CDRP_FIELD_KEYS = [new]  # the old key removed: every record still opens
    member = CohortMember.objects.get()
    assert (member.name, member.date_of_birth, member.references) == (NAME, DOB, REFS)
    assert PartnerOffence.objects.get().reference == "CR/55/7781"
    assert CaseAction.objects.get().text == "Check the garage"
    assert Case.objects.get().subject_date_of_birth == dt.date(1985, 2, 2)
    for secret in SECRETS:
        assert secret not in _all_text()
    settings.CDRP_FIELD_KEYS = [old]  # and the old key alone no longer does
    with pytest.raises(crypto.FieldKeyError, match="CDRP_FIELD_KEYS"):
        CohortMember.objects.get()


def test_a_wrong_key_is_a_clear_error(records, settings):
    settings.CDRP_FIELD_KEYS = [crypto.generate_key()]
    with pytest.raises(crypto.FieldKeyError, match="none of the keys in CDRP_FIELD_KEYS"):
        CohortMember.objects.get()
    with pytest.raises(crypto.FieldKeyError, match="sharing.CohortMember.name"):
        list(CohortMember.objects.values_list("name", flat=True))


def test_a_missing_key_is_a_clear_error_for_reads_and_writes(records, settings):
    settings.CDRP_FIELD_KEYS = []
    with pytest.raises(crypto.FieldKeyError, match="CDRP_FIELD_KEYS is empty"):
        CohortMember.objects.get()
    member = CohortMember.objects.only("pk", "entered").get()  # plain fields still read
    with pytest.raises(crypto.FieldKeyError, match="CDRP_FIELD_KEYS is empty"):
        CohortMember.objects.filter(pk=member.pk).update(name="Somebody Else")


def test_a_malformed_key_names_the_setting(settings):
    settings.CDRP_FIELD_KEYS = ["not-a-key"]
    with pytest.raises(crypto.FieldKeyError, match="must be a Fernet key"):
        crypto.encrypt("x")


def test_plaintext_put_into_a_personal_column_is_refused_not_shown(records):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE sharing_cohortmember SET name = %s", ["Plain Text"])
    with pytest.raises(crypto.FieldKeyError):
        CohortMember.objects.get()
