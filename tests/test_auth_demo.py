"""The demo stays usable with two-factor sign-in: its site administrator has a demo authenticator
whose secret `cdrp demo` prints, and `cdrp demo --code` prints the code it shows now."""

from __future__ import annotations

import io
import re
from base64 import b32decode

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from cdrp.accounts.management.commands.demo import Command, login_instructions

pytestmark = pytest.mark.django_db
PASSWORD = "a-demo-password-for-tests"


def test_only_the_demo_administrator_gets_an_authenticator_and_it_survives_a_rerun():
    Command()._users(PASSWORD)
    device = TOTPDevice.objects.get(confirmed=True)
    assert device.user.username == "demo-admin" and device.user.is_superuser
    Command()._users(PASSWORD)
    assert TOTPDevice.objects.get(confirmed=True).key == device.key


def test_the_demo_prints_the_administrator_s_secret_and_says_it_is_for_the_demo_only():
    Command()._users(PASSWORD)
    device = TOTPDevice.objects.get(user__username="demo-admin")
    text = "\n".join(login_instructions(PASSWORD, device))
    assert f"password is: {PASSWORD}" in text
    secret = re.search(r"secret: ([A-Z2-7 ]+)", text).group(1)
    assert b32decode(secret.replace(" ", "")) == device.bin_key
    assert "demo only" in text and "cdrp demo --code" in text


def test_demo_code_prints_a_code_the_demo_administrator_can_sign_in_with():
    Command()._users(PASSWORD)
    out = io.StringIO()
    call_command("demo", "--code", stdout=out)
    code = re.search(r"\b(\d{6})\b", out.getvalue()).group(1)
    device = TOTPDevice.objects.get(user__username="demo-admin")
    assert device.verify_token(code)


def test_demo_code_before_the_demo_exists_says_what_to_do():
    with pytest.raises(CommandError, match="no demo administrator yet: run `cdrp demo` first"):
        call_command("demo", "--code")
