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
    page.get_by_label("Anything else you'd like your injector to know?").fill("x" * 2000)
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
    assert history.goals == {"areas": ["masseter"], "stronger_side": "left", "notes": "x" * 2000}
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
    expect(desk.get_by_text("Jawline and masseters")).to_be_visible()
    assert desk.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]  # the long note wraps
    signature = desk.get_by_role("img", name="Signature drawn by Maya Lopez")
    signature.scroll_into_view_if_needed()
    expect(signature).to_be_visible()
    assert signature.evaluate("img => img.complete && img.naturalWidth") > 0
    desk.get_by_label("Cleared to treat").check()
    desk.get_by_label("Note").fill("Fish oil: bruising risk explained.")
    screenshot(desk, "intake-review-desktop")
    desk.get_by_role("button", name="Record decision").click()
    expect(desk.get_by_role("status")).to_contain_text("Decision recorded for Maya Lopez")
    appointment.refresh_from_db()
    assert appointment.intake_status == IntakeStatus.COMPLETE
    desk.context.close()


def test_patient_reads_their_answers_on_a_phone_and_sends_a_correction(live_server, phone_page, appointment):
    from intake.screening import RULES
    from intake.selectors import consent_text_for
    from intake.services import consent_sign, history_submit

    now = timezone.now()
    history_submit(appointment=appointment, answers={rule.code: "no" for rule in RULES},
                   goals={"areas": ["masseter"], "stronger_side": "left", "notes": "x" * 2000},
                   unchanged=False, now=now)  # fmt: skip
    consent_sign(appointment=appointment, text=consent_text_for(appointment.service), typed_name="Maya Lopez",
                 signature_png=b"\x89PNG\r\n\x1a\n", ip_address=None, user_agent="test", now=now)  # fmt: skip
    page = phone_page
    page.goto(live_server.url + manage_path(appointment))
    page.get_by_role("link", name="See your forms").click()

    expect(page.get_by_role("heading", name="You're all set, Maya")).to_be_visible()
    expect(page.get_by_text(f"takes about {appointment.service.duration_minutes} minutes")).to_be_visible()
    answers = page.locator(".intake-summary")
    expect(answers.get_by_text("Jawline and masseters")).to_be_visible()
    expect(answers.get_by_text("Consent to neuromodulator treatment")).to_be_visible()
    bleeding = answers.locator("div").filter(has_text="Do you take a blood thinner").last
    expect(bleeding.locator("dd")).to_have_text("No")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the long note wraps
    screenshot(page, "intake-done-summary-phone")

    page.get_by_role("link", name="Correct your answers").click()
    expect(page.get_by_role("heading", name="Correct your answers")).to_be_visible()
    question = page.locator('[data-question="bleeding"]')
    expect(question.get_by_label("No", exact=True)).to_be_checked()
    question.get_by_label("Yes", exact=True).check()
    question.get_by_label("Which?").fill("Fish oil")
    page.get_by_label("Not sure").check()
    page.get_by_role("button", name="Send my corrections").click()

    expect(page.get_by_text("Your corrected answers have been sent to your injector")).to_be_visible()
    expect(answers.get_by_text("Which? Fish oil")).to_be_visible()
    expect(answers.get_by_text("Not sure")).to_be_visible()
    screenshot(page, "intake-corrected-phone")
    versions = list(MedicalHistory.objects.order_by("version"))
    assert [h.version for h in versions] == [1, 2]
    assert versions[1].answers["bleeding.medicines"] == "Fish oil" and versions[1].goals["stronger_side"] == "unsure"
    appointment.refresh_from_db()
    assert appointment.intake_status == IntakeStatus.FLAGGED  # a new hit: the injector looks again
