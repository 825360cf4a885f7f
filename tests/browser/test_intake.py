"""A patient completes intake on a phone, drawing a signature; an injector reviews the flag and clears it."""

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from bookings.models import IntakeStatus, Source
from bookings.selectors import slots_available
from bookings.services import PatientDetails, appointment_book
from bookings.tokens import manage_path
from intake.models import Consent, MedicalHistory
from medspa.roles import INJECTOR
from tests.bookings.conftest import week_hours
from tests.browser.conftest import DESKTOP, screenshot
from tests.conftest import totp_code
from tests.factories import PASSWORD, LocationFactory, ProviderFactory, UserFactory
from treatments.models import Service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def appointment(db):
    treatment = Service.objects.get(slug="neuromodulator-treatment")
    location = LocationFactory(slug="sarasota", name="Sarasota", timezone="America/New_York")
    injector = UserFactory(username="injector", first_name="Imani", last_name="Osei", is_staff=True)
    injector.groups.add(Group.objects.get(name=INJECTOR))
    TOTPDevice.objects.create(user=injector, confirmed=True)  # an injector signs in with a code
    provider = ProviderFactory(user=injector, services=[treatment])
    week_hours(provider, location, weekdays=range(7))
    now = timezone.now()
    slot = slots_available(service=treatment, start_date=timezone.localdate() + timedelta(days=2), now=now,
                           online=False)[0]  # fmt: skip
    return appointment_book(
        service=treatment, start=slot.start, now=now, source=Source.DESK,
        details=PatientDetails("Maya", "Lopez", "maya@example.com", "+19415550101", date(1988, 4, 12)),
    )  # fmt: skip


def test_patient_completes_intake_with_a_drawn_signature_and_an_injector_clears_the_flag(
    live_server, browser, phone_page, appointment
):
    page = phone_page
    page.goto(live_server.url + manage_path(appointment))
    page.get_by_role("link", name="Fill in your medical history").click()

    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", name="Medical history")).to_be_visible()
    page.get_by_role("button", name="Save and continue").click()  # nothing answered yet
    expect(page.get_by_role("alert")).to_contain_text("Please check the answers marked below")
    for question in page.locator("[data-question]").all():
        question.get_by_label("No", exact=True).check()
    blood = page.locator('[data-question="bleeding"]')
    blood.get_by_label("Yes", exact=True).check()
    blood.get_by_label("Which?").fill("Fish oil")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", name="Your goals")).to_be_visible()
    page.get_by_label("Jawline and masseters").check()
    page.get_by_label("My left side").check()
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", name="Consent to neuromodulator treatment")).to_be_visible()
    page.get_by_label(re.compile("I have read and agree")).check()
    page.get_by_label("Type your full name").fill("Maya Lopez")
    pad = page.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for i in range(1, 12):
        page.mouse.move(box["x"] + 30 + i * 22, box["y"] + box["height"] * (0.7 - 0.4 * (i % 2)), steps=3)
    page.mouse.up()
    screenshot(page, "intake-consent-phone")
    page.get_by_role("button", name="Sign and finish").click()

    expect(page.get_by_role("heading", name="You're all set, Maya")).to_be_visible()
    expect(page.get_by_text("Your injector will look at this")).to_be_visible()
    history = MedicalHistory.objects.get()
    assert history.answers["bleeding.medicines"] == "Fish oil"
    assert history.goals == {"areas": ["masseter"], "stronger_side": "left", "notes": ""}
    signature = bytes(Consent.objects.get().signature_png)
    assert signature.startswith(b"\x89PNG") and len(signature) > 1000  # ink, not an empty canvas
    appointment.refresh_from_db()
    assert appointment.intake_status == IntakeStatus.FLAGGED

    desk = browser.new_context(viewport=DESKTOP).new_page()
    desk.goto(live_server.url + "/staff/login/")
    desk.get_by_label("Username").fill("injector")
    desk.get_by_label("Password").fill(PASSWORD)
    desk.get_by_role("button", name="Sign in").click()
    desk.get_by_label("Code").fill(totp_code(TOTPDevice.objects.get(user__username="injector")))
    desk.get_by_role("button", name="Continue").click()
    desk.get_by_role("link", name="Review").click()
    desk.get_by_role("link", name="Maya Lopez").click()
    expect(desk.get_by_text("Bleeding and bruising risk")).to_be_visible()
    expect(desk.get_by_text("Fish oil").first).to_be_visible()
    desk.get_by_label("Cleared to treat").check()
    desk.get_by_label("Note").fill("Fish oil: bruising risk explained.")
    screenshot(desk, "intake-review-desktop")
    desk.get_by_role("button", name="Record decision").click()
    expect(desk.get_by_role("status")).to_contain_text("Decision recorded for Maya Lopez")
    appointment.refresh_from_db()
    assert appointment.intake_status == IntakeStatus.COMPLETE
    desk.context.close()
