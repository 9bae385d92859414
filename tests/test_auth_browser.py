"""Browser tests of two-factor sign-in in headless Chromium: the demo administrator signs in with a
code, and a member sets up an authenticator from the account page."""

from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from conftest import PASSWORD
from helpers import axe_violations, screenshot, sign_in

ASKS_FOR_CODE = "Enter the code from your authenticator app"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fast_passwords"),
]


def _check_accessible(page):
    violations = axe_violations(page)
    assert not violations, [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations
    ]


@pytest.fixture
def demo_accounts(transactional_db, fast_passwords):
    from cdrp.accounts.management.commands.demo import Command

    return Command()._users(PASSWORD)


def test_the_demo_administrator_signs_in_with_a_code(demo_accounts, page):
    device = TOTPDevice.objects.get(user__username="demo-admin")

    sign_in(page, "demo-admin")
    expect(page.get_by_role("heading", name=ASKS_FOR_CODE)).to_be_visible()
    _check_accessible(page)
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    screenshot(page, "two-factor-verify")
    _check_accessible(page)
    page.wait_for_timeout(1100)  # a wrong code asks for a one-second wait before the next
    page.get_by_label("Code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Your partnerships")).to_be_visible()
    page.goto("/admin/")
    expect(page.get_by_text("Site administration")).to_be_visible()


def test_a_member_sets_up_an_authenticator_from_the_account_page(page, partnership, member):
    sign_in(page, "member")
    page.goto("/accounts/")
    page.get_by_role("link", name="Set up two-factor authentication").click()
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    screenshot(page, "two-factor-set-up")
    _check_accessible(page)
    secret = page.locator("#secret").inner_text().replace(" ", "")
    page.get_by_label("Code").fill(f"{totp(b32decode(secret)):06d}")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_role("heading", name="Your backup codes")).to_be_visible()
    codes = page.locator(".cdrp-backup-code").all_inner_texts()
    assert len(codes) == 10
    screenshot(page, "two-factor-backup-codes")
    _check_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    # The app's code was used once this half-minute; a backup code stands in for it.
    sign_in(page, "member")
    expect(page.get_by_role("heading", name=ASKS_FOR_CODE)).to_be_visible()
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Your partnerships")).to_be_visible()
    page.goto("/accounts/")
    expect(page.get_by_text("9 backup codes left")).to_be_visible()
    screenshot(page, "account-signing-in")
    _check_accessible(page)


def test_the_lockout_page_says_what_to_do(page, member, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(page, "member", "not-the-password")
    expect(page.get_by_role("heading", name="Too many attempts to sign in")).to_be_visible()
    expect(page.get_by_text("You can try again in 15 minutes")).to_be_visible()
    screenshot(page, "sign-in-locked-out")
    _check_accessible(page)
    page.get_by_role("link", name="reset your password").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    _check_accessible(page)
