"""The assessment JSON API: members read every assessment, the public only published ones."""

from __future__ import annotations

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db

DOCUMENT = {
    "sections": [
        {
            "tables": [
                {
                    "id": "fires",
                    "source": "fire-deliberate-fires",
                    "columns": [{"key": "count", "label": "Fires", "format": "int"}],
                    "rows": [{"count": 2, "_key": "a"}, {"count": 9, "_key": "b"}],
                }
            ]
        }
    ]
}


API = "/api/partnerships/lancashire-south/assessments"


def _make(partnership, status):
    from cdrp.intelligence.models import Assessment

    return Assessment.objects.create(
        partnership=partnership,
        title="Strategic assessment",
        period_start="2021-12",
        period_end="2022-11",
        status=status,
        document=DOCUMENT,
        fingerprint={"digest": "abc"},
        built_at=timezone.now(),
    )


def test_members_list_every_assessment_and_the_public_only_published_ones(
    client, partnership, member
):
    draft, published = _make(partnership, "draft"), _make(partnership, "published")
    assert [a["id"] for a in client.get(API).json()] == [published.pk]
    client.force_login(member)
    assert {a["id"] for a in client.get(API).json()} == {draft.pk, published.pk}


def test_the_document_is_returned_whole_and_suppressed_for_the_public(
    client, partnership, member, settings
):
    settings.CDRP_SUPPRESS_BELOW = 5
    draft, published = _make(partnership, "draft"), _make(partnership, "published")
    anonymous = client.get(f"{API}/{published.pk}").json()["document"]
    counts = [r["count"] for r in anonymous["sections"][0]["tables"][0]["rows"]]
    # The 9 is withheld too: beside the table's total (the partner's own annual figure, say)
    # it would give the 2 away.
    assert counts == ["[c]", "[c]"]
    assert client.get(f"{API}/{draft.pk}").status_code == 404
    client.force_login(member)
    rows = client.get(f"{API}/{published.pk}").json()["document"]
    assert [r["count"] for r in rows["sections"][0]["tables"][0]["rows"]] == [2, 9]
    assert client.get(f"{API}/{draft.pk}").status_code == 200


def test_an_unknown_partnership_is_not_found(client, partnership):
    published = _make(partnership, "published")
    assert client.get(f"{API}/{published.pk}").json()["fingerprint"] == "abc"
    assert client.get("/api/partnerships/nowhere/assessments").status_code == 404
