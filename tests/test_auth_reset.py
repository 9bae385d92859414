"""Password reset by email (ASVS 2.5): Django's views on GOV.UK pages, the same answer whether or
not the address is known, and a link that works once."""

from __future__ import annotations

import re

import pytest

from conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]
RESET = "/accounts/reset-password/"
NEW = "a-long-new-passphrase-17"


@pytest.fixture
def member_with_email(member):
    member.email = "casey@example.org"
    member.save()
    return member


def _link(message) -> str:
    match = re.search(r"http://testserver(/accounts/set-password/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def _sign_in(client, username, password):
    return client.post("/accounts/sign-in/", {"username": username, "password": password})


def test_the_sign_in_page_links_to_password_reset(client):
    page = client.get("/accounts/sign-in/").content.decode()
    assert f'href="{RESET}"' in page and "Forgotten your password?" in page


def test_the_reset_page_is_a_gov_uk_form_with_errors_in_the_summary(client):
    page = client.get(RESET).content.decode()
    assert "Reset your password" in page and 'name="email"' in page
    response = client.post(RESET, {"email": "not an address"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "Enter an email address in the correct format" in page


def test_a_reset_link_sets_a_new_password_once(client, mailoutbox, member_with_email):
    response = client.post(RESET, {"email": "Casey@Example.org"})
    assert response.status_code == 302 and response["Location"] == f"{RESET}sent/"
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["casey@example.org"]
    assert message.subject == "Reset your password for Community safety partnership"
    assert "member" in message.body and "3 days" in message.body
    link = _link(message)

    form = client.get(link, follow=True)
    assert "Set your password" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/accounts/sign-in/"
    assert "Your password has been set" in client.get("/accounts/sign-in/").content.decode()

    assert mailoutbox[-1].subject.startswith("Your password was set")  # a notice, to the owner
    assert _sign_in(client, "member", PASSWORD).status_code == 200  # the old one is refused
    assert _sign_in(client, "member", NEW).status_code == 302
    client.post("/accounts/sign-out/")

    again = client.get(link, follow=True).content.decode()
    assert "This link has expired or has been used" in again and "Set your password" not in again


def test_the_answer_is_the_same_whether_or_not_the_address_is_known(
    client, mailoutbox, member_with_email
):
    known = client.post(RESET, {"email": "casey@example.org"})
    unknown = client.post(RESET, {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    page = client.get(known["Location"]).content.decode()
    assert "Check your email" in page and "If an account uses that address" in page
    assert len(mailoutbox) == 1


def test_a_switched_off_account_gets_no_email(client, mailoutbox, member_with_email):
    member_with_email.is_active = False
    member_with_email.save()
    assert client.post(RESET, {"email": "casey@example.org"}).status_code == 302
    assert mailoutbox == []


def test_a_new_account_whose_first_link_has_expired_can_ask_for_another(client, mailoutbox, member):
    # Accounts made on the roles page have no password until their holder sets one.
    member.set_unusable_password()
    member.email = "new@example.org"
    member.save()
    client.post(RESET, {"email": "new@example.org"})
    assert len(mailoutbox) == 1
    form = client.get(_link(mailoutbox[0]), follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert _sign_in(client, "member", NEW).status_code == 302


def test_a_new_password_must_pass_the_password_rules(client, mailoutbox, member_with_email):
    client.post(RESET, {"email": "casey@example.org"})
    form = client.get(_link(mailoutbox[0]), follow=True)
    url = form.redirect_chain[-1][0]
    page = client.post(url, {"new_password1": "short1", "new_password2": "short1"}).content.decode()
    assert "There is a problem" in page and "at least 12 characters" in page
    page = client.post(
        url, {"new_password1": "password1234", "new_password2": "password1234"}
    ).content.decode()
    assert "This password is too common" in page


def test_setting_a_new_password_lifts_a_sign_in_lockout(client, mailoutbox, member_with_email):
    for _ in range(10):
        _sign_in(client, "member", "wrong")
    assert _sign_in(client, "member", PASSWORD).status_code == 429
    client.post(RESET, {"email": "casey@example.org"})
    form = client.get(_link(mailoutbox[0]), follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert _sign_in(client, "member", NEW).status_code == 302
