"""Forms drawn by crispy-forms: axe finds nothing serious on the intake steps (on a phone) and on the
staff forms, with their errors showing, and a radio group's error is announced: its radios are
aria-invalid and the error is in the group's description."""

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from bookings.models import Source
from bookings.selectors import slots_available
from bookings.services import PatientDetails, appointment_book
from bookings.tokens import manage_path
from intake.screening import RULES
from intake.services import history_submit
from medspa.roles import MANAGER
from tests.bookings.conftest import week_hours
from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.browser.test_accessibility import AXE_CONTEXT
from tests.conftest import totp_code
from tests.factories import PASSWORD, LocationFactory, ProviderFactory, UserFactory
from treatments.models import Service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def clinic(db):
    treatment = Service.objects.get(slug="neuromodulator-treatment")
    location = LocationFactory(slug="sarasota", name="Sarasota", timezone="America/New_York")
    manager = UserFactory(username="morgan", first_name="Morgan", is_staff=True)
    manager.groups.add(Group.objects.get(name=MANAGER))
    TOTPDevice.objects.create(user=manager, confirmed=True)
    provider = ProviderFactory(user__first_name="Imani", user__last_name="Osei", services=[treatment])
    week_hours(provider, location, weekdays=range(7))
    now = timezone.now()
    slot = slots_available(service=treatment, start_date=timezone.localdate() + timedelta(days=2), now=now,
                           online=False)[0]  # fmt: skip
    appointment = appointment_book(
        service=treatment, start=slot.start, now=now, source=Source.DESK,
        details=PatientDetails("Maya", "Lopez", "maya@example.com", "+19415550101", date(1988, 4, 12)),
    )  # fmt: skip
    return {"appointment": appointment, "provider": provider, "manager": manager}


def test_intake_steps_on_a_phone_have_no_serious_axe_violation_and_announce_a_radio_groups_error(
    live_server, browser, axe, clinic
):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, **AXE_CONTEXT)
    page = context.new_page()
    page.goto(live_server.url + manage_path(clinic["appointment"]))
    page.get_by_role("link", name="Fill in your medical history").click()

    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    page.get_by_label("Email").fill("maya@")
    page.get_by_role("button", name="Save and continue").click()
    email = page.get_by_label("Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(re.compile("Enter a valid email address"))
    axe.assert_no_serious(page, "the intake contact step with an error")
    email.fill("maya@example.com")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", name="Medical history")).to_be_visible()
    axe.assert_no_serious(page, "the intake history step")
    page.get_by_role("button", name="Save and continue").click()  # nothing answered
    first = page.get_by_role("group", name=re.compile(re.escape(RULES[0].question)))
    expect(first).to_have_accessible_description(re.compile("Please answer yes or no."))
    for answer in ("No", "Yes"):
        expect(first.get_by_role("radio", name=answer, exact=True)).to_have_attribute("aria-invalid", "true")
    error = page.locator(f"#id_{RULES[0].code}-error")
    expect(error).to_be_visible()
    expect(error).to_have_text("Please answer yes or no.")
    axe.assert_no_serious(page, "the intake history step with every question unanswered")
    screenshot(page, "crispy-intake-history-errors-phone")

    for question in page.locator("[data-question]").all():
        question.get_by_label("No", exact=True).check()
    first.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    follow_up = page.locator(
        f'[data-follow-ups-for="{RULES[0].code}"] input, [data-follow-ups-for="{RULES[0].code}"] select'
    )
    expect(follow_up.first).to_have_attribute("aria-invalid", "true")
    axe.assert_no_serious(page, "the intake history step with a follow-up question missing")
    for question in page.locator("[data-question]").all():
        question.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", name="Your goals")).to_be_visible()
    axe.assert_no_serious(page, "the intake goals step")
    screenshot(page, "crispy-intake-goals-phone")
    page.get_by_label("Jawline and masseters").check()
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("button", name="Sign and finish")).to_be_visible()
    page.get_by_role("button", name="Sign and finish").click()  # not ticked, not typed, not signed
    agree = page.get_by_label(re.compile("I have read and agree"))
    expect(agree).to_have_attribute("aria-invalid", "true")
    expect(agree).to_have_accessible_description(re.compile("Please tick to agree before signing."))
    axe.assert_no_serious(page, "the consent step with errors")
    screenshot(page, "crispy-intake-consent-errors-phone")
    context.close()


def sign_in(browser, live_server, user):
    page = browser.new_context(viewport=DESKTOP, **AXE_CONTEXT).new_page()
    page.goto(live_server.url + "/staff/login/")
    page.get_by_role("button", name="Sign in").click()  # nothing typed: both fields say so
    expect(page.get_by_label("Username")).to_have_accessible_description("This field is required.")
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "crispy-sign-in-errors")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(totp_code(TOTPDevice.objects.get(user=user)))
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#signed-in")).to_contain_text(user.first_name)
    return page


def test_staff_forms_have_no_serious_axe_violation_with_their_errors(live_server, browser, axe, clinic):
    page = sign_in(browser, live_server, clinic["manager"])

    page.goto(f"{live_server.url}/staff/providers/{clinic['provider'].pk}/hours/")
    first_row = page.locator(".hours-table tbody tr").first
    first_row.get_by_label("To").fill("08:00")  # before the start
    page.get_by_role("button", name="Save hours").click()
    end = page.locator(".hours-table tbody tr").first.get_by_label("To")
    expect(end).to_have_attribute("aria-invalid", "true")
    expect(end).to_have_accessible_description("The end must be after the start.")
    axe.assert_no_serious(page, "the provider's weekly hours with an error")
    screenshot(page, "crispy-provider-hours-desktop")
    page.get_by_role("button", name="Add time off").click()  # no times: each field says so
    expect(page.get_by_label("Start")).to_have_attribute("aria-invalid", "true")
    axe.assert_no_serious(page, "the provider's time off with errors")

    page.goto(f"{live_server.url}/staff/book/")
    axe.assert_no_serious(page, "the phone booking page")
    page.get_by_label("Service").select_option(label="Neuromodulator treatment")
    page.get_by_label("Location").select_option(label="Sarasota")
    page.get_by_label("Date").fill((timezone.localdate() + timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Times").click()
    page.locator(".slot-grid label").first.click()
    page.get_by_label("First name").fill("Rosa")
    page.get_by_role("button", name="Book", exact=True).click()  # the new patient's details half filled
    expect(page.get_by_label("Last name")).to_have_attribute("aria-invalid", "true")
    axe.assert_no_serious(page, "the phone booking page with errors")
    screenshot(page, "crispy-phone-booking-desktop")

    page.goto(f"{live_server.url}/staff/patients/{clinic['appointment'].patient_id}/")
    page.get_by_label("Phone").fill("12")
    page.get_by_role("button", name="Save").click()
    phone = page.get_by_label("Phone")
    expect(phone).to_have_accessible_description(re.compile(r"e\.g\. \(941\) 555-0142.*Enter a valid phone number"))
    axe.assert_no_serious(page, "the patient's contact form with an error")

    no_to_all = {rule.code: "no" for rule in RULES}
    history_submit(appointment=clinic["appointment"], answers=no_to_all, goals={"areas": []}, unchanged=False,
                   now=timezone.now())  # fmt: skip
    page.goto(f"{live_server.url}/staff/review/{clinic['appointment'].reference}/")
    page.get_by_role("button", name="Record decision").click()
    decision = page.get_by_role("group", name=re.compile("Decision"))
    expect(decision).to_have_accessible_description(re.compile("This field is required."))
    axe.assert_no_serious(page, "the review's decision form with an error")
    screenshot(page, "crispy-review-decision-desktop")
    page.context.close()
