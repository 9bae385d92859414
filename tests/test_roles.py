"""Partnership administrators give and remove roles; new people get a one-time set-password link."""

import re

import pytest
from django.contrib.auth import get_user_model

from cdrp.accounts.models import AuditEvent, PartnershipRole

pytestmark = pytest.mark.django_db
URL = "/accounts/roles/lancashire-south/"


def test_only_the_partnerships_administrators_manage_its_roles(
    client, coordinator, outsider, administrator
):
    client.force_login(coordinator)
    assert client.get(URL).status_code == 403
    client.force_login(outsider)  # administrator of another partnership
    assert client.get(URL).status_code == 403
    client.force_login(administrator)
    assert client.get(URL).status_code == 200


def test_granting_a_role_is_audited_against_the_signed_in_administrator(
    client, administrator, member
):
    client.force_login(administrator)
    response = client.post(URL, {"username": "member", "role": "analyst"})
    assert response.status_code == 302
    assert set(PartnershipRole.objects.filter(user=member).values_list("role", flat=True)) == {
        "member",
        "analyst",
    }
    event = AuditEvent.objects.filter(model="accounts.PartnershipRole", action="create").latest(
        "id"
    )
    assert event.user == administrator and event.changes["role"] == [None, "analyst"]


def test_a_new_person_gets_an_account_and_a_link_to_set_their_password(client, administrator):
    client.force_login(administrator)
    client.post(URL, {"username": "fire-am", "full_name": "Pat Placeholder", "role": "member"})
    user = get_user_model().objects.get(username="fire-am")
    assert not user.has_usable_password() and user.get_full_name() == "Pat Placeholder"
    page = client.get(URL).content.decode()
    link = re.search(r"http://testserver(/accounts/set-password/[^<\s]+)", page).group(1)
    assert "Account created for fire-am" in page
    client.logout()
    form_page = client.get(link, follow=True)
    assert "Set your password" in form_page.content.decode()
    client.post(
        form_page.redirect_chain[-1][0],
        {
            "new_password1": "a-long-new-passphrase-17",
            "new_password2": "a-long-new-passphrase-17",
        },
    )
    assert client.login(username="fire-am", password="a-long-new-passphrase-17")


def test_a_new_user_name_without_a_full_name_is_refused_with_a_clear_error(client, administrator):
    client.force_login(administrator)
    response = client.post(URL, {"username": "nobody-yet", "role": "member"})
    assert response.status_code == 400
    assert "Enter the full name of the person for the new account" in response.content.decode()
    assert not get_user_model().objects.filter(username="nobody-yet").exists()


def test_removing_a_role_is_audited_and_an_administrator_cannot_remove_their_own(
    client, administrator, member
):
    client.force_login(administrator)
    grant = PartnershipRole.objects.get(user=member)
    client.post(f"{URL}{grant.pk}/remove/")
    assert not PartnershipRole.objects.filter(pk=grant.pk).exists()
    assert AuditEvent.objects.filter(model="accounts.PartnershipRole", action="delete").exists()
    own = PartnershipRole.objects.get(user=administrator)
    client.post(f"{URL}{own.pk}/remove/")
    assert PartnershipRole.objects.filter(pk=own.pk).exists()
