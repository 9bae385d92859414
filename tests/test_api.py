"""The JSON API: OpenAPI schema, token authentication, the same policy as the pages."""

import pytest

from cdrp.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_openapi_schema_lists_the_endpoints(client):
    schema = client.get("/api/openapi.json").json()
    assert schema["info"]["title"] == "Community safety partnership API"
    assert {"/api/partnerships", "/api/me", "/api/audit"} <= set(schema["paths"])


def test_public_endpoint_needs_no_authentication(client, partnership):
    assert client.get("/api/partnerships").json()[0]["slug"] == "lancashire-south"


def test_bearer_token_identifies_the_user_and_their_roles(client, analyst):
    _, key = ApiToken.issue(analyst, "spreadsheet")
    response = client.get("/api/me", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert response.json() == {"username": "analyst", "roles": {"lancashire-south": ["analyst"]}}
    assert ApiToken.objects.get(user=analyst).last_used_at is not None


def test_a_wrong_or_revoked_token_is_401(client, analyst):
    token, key = ApiToken.issue(analyst, "old")
    assert (
        client.get("/api/me", headers={"Authorization": "Bearer cdrp_nonsense"}).status_code == 401
    )
    token.revoked = True
    token.save()
    assert client.get("/api/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_only_the_digest_of_a_token_is_stored(analyst):
    token, key = ApiToken.issue(analyst, "x")
    assert key not in (token.digest, token.prefix) and token.digest != key


def test_audit_endpoint_refuses_members_and_serves_administrators(
    client, member, administrator, partnership
):
    _, member_key = ApiToken.issue(member, "m")
    _, admin_key = ApiToken.issue(administrator, "a")
    assert (
        client.get("/api/audit", headers={"Authorization": f"Bearer {member_key}"}).status_code
        == 403
    )
    response = client.get("/api/audit", headers={"Authorization": f"Bearer {admin_key}"})
    assert response.status_code == 200
    assert any(e["object_repr"] == "Lancashire South Strategic CDRP" for e in response.json())
