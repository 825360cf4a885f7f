"""An injector sets up an authenticator app at first sign-in, then signs in with a code."""

import base64
import re
import time

import pytest
from django.contrib.auth.models import Group
from django_otp.oath import TOTP
from playwright.sync_api import expect

from medspa.roles import INJECTOR
from tests.browser.conftest import DESKTOP, screenshot
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def app_code(key_text: str, *, steps_ahead: int = 0, at: float | None = None) -> str:
    """What an authenticator app shows for this key at `at` (now by default), or `steps_ahead`
    periods later (RFC 6238, via django-otp's own helper)."""
    key = key_text.replace(" ", "")
    totp = TOTP(base64.b32decode(key + "=" * (-len(key) % 8)))
    totp.time = (time.time() if at is None else at) + 30 * steps_ahead
    return f"{totp.token():06d}"


def sign_in_with_password(page, url):
    page.goto(url + "/staff/login/")
    page.get_by_label("Username").fill("ivy")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_injector_sets_up_the_app_keeps_recovery_codes_and_signs_in_with_a_code(live_server, browser):
    user = UserFactory(username="ivy", first_name="Ivy", is_staff=True)
    user.groups.add(Group.objects.get(name=INJECTOR))
    page = browser.new_context(viewport=DESKTOP).new_page()

    sign_in_with_password(page, live_server.url)
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.locator("figure svg")).to_be_visible()
    page.goto(live_server.url + "/staff/review/")  # no staff page before the app is set up
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    key = page.locator("#totp-secret").inner_text()
    screenshot(page, "two-factor-enrol")
    enrolled_at = time.time()
    page.get_by_label("Code from the app").fill(app_code(key, at=enrolled_at))
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Two-factor sign-in is set up")).to_be_visible()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{8}", c) for c in codes)
    page.get_by_role("link", name="I have kept them — continue").click()
    expect(page).to_have_url(re.compile(r"/staff/review/$"))
    expect(page.get_by_text("Ivy · Injector")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    sign_in_with_password(page, live_server.url)
    expect(page.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    time.sleep(1.5)  # a wrong code pauses checking for a second
    # The code used at enrolment is spent: the app's next one after it. ("Now + 1" failed when the
    # enrolment code was read just before a 30-second step ended: the server then counts from it.)
    page.get_by_label("Code").fill(app_code(key, steps_ahead=1, at=enrolled_at))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Ivy · Injector")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/staff/$"))
