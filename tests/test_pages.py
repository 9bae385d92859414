"""The shell pages: home, sign in and out, account and tokens, error pages."""

import pytest

pytestmark = pytest.mark.django_db


def test_home_for_the_public_invites_sign_in(client, partnership):
    page = client.get("/").content.decode()
    assert "Community safety partnership" in page and "Sign in" in page
    assert "Lancashire South Strategic CDRP" in page
    assert 'href="#main-content"' in page and "govuk-phase-banner" in page


def test_sign_in_shows_gov_uk_errors_then_the_dashboard(client, member):
    page = client.post(
        "/accounts/sign-in/", {"username": "member", "password": "wrong"}
    ).content.decode()
    assert "There is a problem" in page and "Enter a correct user name and password" in page
    response = client.post(
        "/accounts/sign-in/", {"username": "member", "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "Your partnerships" in page and "Partner member" in page


def test_sign_out_is_a_post(client, member):
    client.force_login(member)
    assert client.post("/accounts/sign-out/").status_code == 302
    assert "Sign in" in client.get("/").content.decode()


def test_passwords_are_hashed_with_argon2(member):
    assert member.password.startswith("argon2")


def test_a_member_creates_and_revokes_an_api_token(client, member):
    client.force_login(member)
    assert "There is a problem" in client.post("/accounts/tokens/", {"name": ""}).content.decode()
    client.post("/accounts/tokens/", {"name": "spreadsheet"})
    page = client.get("/accounts/").content.decode()
    assert "Copy it now" in page and "cdrp_" in page
    token = member.api_tokens.get()
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked


def test_unknown_page_is_a_gov_uk_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "Page not found" in response.content.decode()


def test_unknown_partnership_is_404(client):
    assert client.get("/partnerships/nowhere/").status_code == 404
