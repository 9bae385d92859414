"""The assessment JSON API: members read every assessment, the public only published ones."""

from __future__ import annotations

import pytest
from django.utils import timezone
from ninja.testing import TestClient

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


@pytest.fixture
def client():
    from cdrp.intelligence.assessment_api import router

    return TestClient(router)


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
    from django.contrib.auth.models import AnonymousUser

    draft, published = _make(partnership, "draft"), _make(partnership, "published")
    url = "/partnerships/lancashire-south/assessments"
    assert {a["id"] for a in client.get(url, user=member).json()} == {draft.pk, published.pk}
    assert [a["id"] for a in client.get(url, user=AnonymousUser()).json()] == [published.pk]


def test_the_document_is_returned_whole_and_suppressed_for_the_public(
    client, partnership, member, settings
):
    from django.contrib.auth.models import AnonymousUser

    settings.ASSESSMENT_SUPPRESS_BELOW = 5
    draft, published = _make(partnership, "draft"), _make(partnership, "published")
    base = "/partnerships/lancashire-south/assessments"
    rows = client.get(f"{base}/{published.pk}", user=member).json()["document"]
    assert [r["count"] for r in rows["sections"][0]["tables"][0]["rows"]] == [2, 9]
    anonymous = client.get(f"{base}/{published.pk}", user=AnonymousUser()).json()["document"]
    counts = [r["count"] for r in anonymous["sections"][0]["tables"][0]["rows"]]
    assert counts == ["fewer than 5", 9]
    assert client.get(f"{base}/{draft.pk}", user=AnonymousUser()).status_code == 404
