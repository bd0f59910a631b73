"""Two factors in a real browser (#17, acceptance): with STAFF_MFA_REQUIRED on, a new staff user is
made to set up an authenticator app at their first login (codes computed with pyotp from the key the
page shows), and from then on cannot get in without its code; a partner user logs in with the
password alone. Then a passkey, made and used with Chromium's virtual authenticator."""

import re
import time

import pyotp
import pytest
import time_machine
from playwright.sync_api import expect

from accounts.choices import Role
from accounts.models import AuditEvent
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def submit_login(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def wrong(code: str) -> str:
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


def test_new_staff_user_must_enrol_then_needs_the_code_a_partner_user_does_not(page, world, settings):
    settings.STAFF_MFA_REQUIRED = True
    UserFactory(username="newstaff", role=Role.COORDINATOR)

    # First login: every page leads to the enrolment page until an authenticator app is set up.
    submit_login(page, "newstaff")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))
    expect(page.get_by_test_id("must-enrol")).to_be_visible()
    page.goto("/partners/")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/\?next=/partners/"))
    page.get_by_test_id("add-app").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").get_attribute("data-secret")
    totp = pyotp.TOTP(secret)
    page.get_by_role("textbox", name="Code").fill(wrong(totp.now()))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    # django-otp makes a wrong code wait a moment (2 s after one) before the next try.
    with time_machine.travel(time.time() + 5, tick=True):
        page.get_by_role("textbox", name="Code").fill(totp.now())
        page.get_by_role("button", name="Confirm").click()
        expect(page.get_by_test_id("recovery-codes").get_by_role("listitem")).to_have_count(10)
        page.get_by_role("link", name="I have kept them: continue").click()
        expect(page).to_have_url(re.compile(r"/$"))
        page.get_by_role("button", name="Log out").click()

    # Next login: the password alone reaches nothing but the second step.
    with time_machine.travel(time.time() + 40, tick=True):
        submit_login(page, "newstaff")
        expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/"))
        page.get_by_role("textbox", name="Code").fill(wrong(totp.now()))
        page.get_by_role("button", name="Confirm").click()
        expect(page.get_by_text("That code is not right")).to_be_visible()
        page.goto("/partners/")
        expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/\?next=/partners/"))
    with time_machine.travel(time.time() + 45, tick=True):
        page.get_by_role("textbox", name="Code").fill(totp.now())
        page.get_by_role("button", name="Confirm").click()
        expect(page).to_have_url(re.compile(r"/partners/$"))
        expect(page.get_by_role("heading", name="Partners")).to_be_visible()
        page.get_by_role("button", name="Log out").click()

    # A partner user (their partner does not require it) logs in with the password alone.
    submit_login(page, "acme_user")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("current-user")).to_contain_text("ACME01")
    expect(page.get_by_test_id("offer-two-factor")).to_be_visible()


def test_a_passkey_made_and_used_with_a_virtual_authenticator(page, world, settings, live_server):
    # WebAuthn wants https or http on localhost (a name): the live server answers on localhost.
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url.replace("127.0.0.1", "localhost")]
    page.context.set_default_navigation_timeout(15_000)
    origin = settings.OTP_WEBAUTHN_ALLOWED_ORIGINS[0]
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    page.goto(f"{origin}/accounts/login/")
    page.get_by_label("Username").fill("trainer")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{origin}/accounts/two-factor/")
    page.get_by_test_id("add-passkey").click()
    expect(page.get_by_role("button", name="Remove")).to_have_count(1)  # the page reloads with it listed
    expect(page.get_by_test_id("codes-left")).to_be_visible()
    assert AuditEvent.objects.filter(action="second_factor.added", changes__factor="passkey").exists()
    page.get_by_role("button", name="Log out").click()

    page.goto(f"{origin}/accounts/login/")
    page.get_by_label("Username").fill("trainer")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/"))
    page.get_by_test_id("use-passkey").click()
    expect(page).to_have_url(re.compile(r"localhost:\d+/$"))
    expect(page.get_by_test_id("current-user")).to_be_visible()
