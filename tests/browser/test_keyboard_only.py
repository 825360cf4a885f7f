"""Booking and intake with the keyboard alone (WCAG 2.1.1): every control is reached with Tab and
worked with Space, Enter, the arrow keys and typing; the signature is the typed name. No click,
no fill, no check: if a step needed a pointer, the test could not get past it."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from bookings.models import Appointment, IntakeStatus
from bookings.tokens import manage_path
from intake.models import Consent, SignatureMethod
from tests.bookings.conftest import week_hours
from tests.browser.conftest import PHONE, screenshot
from tests.factories import LocationFactory, ProviderFactory
from treatments.models import Service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=ZoneInfo("America/New_York"))


@pytest.fixture
def clinic(db):
    consult = Service.objects.get(slug="facial-balancing-consultation")
    location = LocationFactory(slug="sarasota", name="Sarasota", timezone="America/New_York")
    week_hours(ProviderFactory(services=[consult]), location, weekdays=range(7))


def tab_to(page, locator, *, limit: int = 60) -> None:
    """Tab forward until `locator` has the focus (as a keyboard user would), at most `limit` presses."""
    handle = locator.element_handle()
    for _ in range(limit):
        if page.evaluate("el => el === document.activeElement", handle):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{limit} Tab presses and {locator} never had the focus")


def type_into(page, label: str, text: str, *, exact: bool = True) -> None:
    tab_to(page, page.get_by_label(label, exact=exact))
    page.keyboard.type(text)


def test_a_patient_books_and_completes_intake_with_the_keyboard_alone(live_server, browser, clinic):
    context = browser.new_context(viewport=PHONE, timezone_id="America/New_York")
    context.clock.install(time=NOW)
    page = context.new_page()
    with time_machine.travel(NOW, tick=True):
        page.goto(live_server.url + "/book/?service=facial-balancing-consultation")
        first_time = page.locator("[data-choices=slot] input").first
        expect(first_time).to_be_attached()
        tab_to(page, first_time)
        page.keyboard.press("Space")
        expect(first_time).to_be_checked()
        type_into(page, "First name", "Noor")
        type_into(page, "Last name", "Haddad")
        type_into(page, "Email", "noor@example.com")
        type_into(page, "Mobile phone", "(941) 555-0177")
        type_into(page, "Date of birth", "02031990")  # the date field's month, day and year, as typed
        tab_to(page, page.get_by_label(re.compile("I understand I can change or cancel")))
        page.keyboard.press("Space")
        tab_to(page, page.get_by_role("button", name=re.compile(r"^Book ")))
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="You're booked")).to_be_visible(timeout=15_000)
        appointment = Appointment.objects.get()

        page.goto(live_server.url + manage_path(appointment))
        tab_to(page, page.get_by_role("link", name="Fill in your medical history"))
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Your details")).to_be_visible()
        tab_to(page, page.get_by_role("button", name="Save and continue"))
        page.keyboard.press("Enter")

        # Each question is a radio group: Tab enters it on its first answer ("No"), Space picks it;
        # the one about blood thinners gets a "Yes" (the right arrow) and its follow-up typed.
        expect(page.get_by_role("heading", name="Medical history")).to_be_visible()
        for question in page.locator("[data-question]").all():
            no = question.get_by_label("No", exact=True)
            tab_to(page, no)
            page.keyboard.press("Space")
            expect(no).to_be_checked()
            if question.get_attribute("data-question") == "bleeding":
                page.keyboard.press("ArrowRight")
                expect(question.get_by_label("Yes", exact=True)).to_be_checked()
                type_into(page, "Which?", "Fish oil")
        tab_to(page, page.get_by_role("button", name="Save and continue"))
        page.keyboard.press("Enter")

        expect(page.get_by_role("heading", name="Your goals")).to_be_visible()
        tab_to(page, page.get_by_label("Jawline and masseters"))
        page.keyboard.press("Space")
        tab_to(page, page.get_by_role("button", name="Save and continue"))
        page.keyboard.press("Enter")

        # The consent: agree, type the name, and sign with it (no drawing).
        tab_to(page, page.get_by_label(re.compile("I have read and agree")))
        page.keyboard.press("Space")
        type_into(page, "Type your full name", "Noor Haddad", exact=False)
        tab_to(page, page.get_by_label("Sign with my typed name instead of drawing"))
        page.keyboard.press("Space")
        expect(page.locator("#signature-pad")).to_be_hidden()
        screenshot(page, "keyboard-consent-typed-phone")
        tab_to(page, page.get_by_role("button", name="Sign and finish"))
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="You're all set, Noor")).to_be_visible()
    context.close()

    appointment.refresh_from_db()
    assert appointment.intake_status == IntakeStatus.FLAGGED  # the fish oil, for the injector
    consent = Consent.objects.get()
    assert consent.signature_method == SignatureMethod.TYPED and consent.typed_name == "Noor Haddad"
    assert bytes(consent.signature_png).startswith(b"\x89PNG")
