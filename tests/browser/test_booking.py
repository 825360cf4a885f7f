"""A patient books a consultation from a phone; a second patient loses the race kindly."""

import re

import pytest
from playwright.sync_api import expect

from bookings.models import Appointment
from tests.bookings.conftest import week_hours
from tests.browser.conftest import PHONE, screenshot
from tests.factories import LocationFactory, ProviderFactory
from treatments.models import Service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def open_every_day(db):
    consult = Service.objects.get(slug="facial-balancing-consultation")
    location = LocationFactory(slug="sarasota", name="Sarasota", timezone="America/New_York")
    provider = ProviderFactory(services=[consult])
    week_hours(provider, location, weekdays=range(7))
    return provider


def start_booking(page, base_url):
    page.goto(base_url + "/book/?service=facial-balancing-consultation")
    expect(page.get_by_role("group", name="Pick a day and time")).to_be_visible()
    first = page.locator("[data-choices=slot] label").first
    expect(first).to_be_visible()
    return first


def fill_details(page, first_name: str, email: str):
    page.get_by_label("First name").fill(first_name)
    page.get_by_label("Last name").fill("Rivera")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mobile phone").fill("(941) 555-0142")
    page.get_by_label("Date of birth").fill("1988-04-12")
    page.get_by_label(re.compile("I understand I can change or cancel")).check()


def test_patient_books_a_consultation_end_to_end_on_a_phone(live_server, phone_page, open_every_day):
    page = phone_page
    first = start_booking(page, live_server.url)
    expect(page.get_by_text(re.compile(r"Times are Sarasota time \(Eastern (Standard|Daylight) Time"))).to_be_visible()
    page.locator("#areas-picker summary").click()
    page.get_by_text("Jawline and masseters").click()
    slot_label = first.inner_text()
    first.click()
    fill_details(page, "Maya", "maya@example.com")
    screenshot(page, "book-details-phone")
    page.get_by_role("button", name=re.compile(r"^Book ")).click()

    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    expect(page.get_by_text(slot_label, exact=False).first).to_be_visible()
    expect(page.get_by_role("link", name="Add to calendar")).to_be_visible()
    screenshot(page, "book-confirmed-phone")
    appointment = Appointment.objects.get()
    assert appointment.patient.email == "maya@example.com"
    assert list(appointment.areas.values_list("slug", flat=True)) == ["masseter"]
    assert appointment.local_start.strftime("%-I:%M %p") == slot_label


def test_second_patient_loses_the_race_and_is_shown_fresh_times(live_server, browser, open_every_day):
    pages = []
    for _ in range(2):
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        pages.append(context.new_page())
    winner, loser = pages
    winner_slot, loser_slot = start_booking(winner, live_server.url), start_booking(loser, live_server.url)
    taken = winner_slot.inner_text()
    assert loser_slot.inner_text() == taken
    winner_slot.click()
    loser_slot.click()
    fill_details(winner, "Maya", "maya@example.com")
    fill_details(loser, "Owen", "owen@example.com")

    winner.get_by_role("button", name=re.compile(r"^Book ")).click()
    expect(winner.get_by_role("heading", name="You're booked")).to_be_visible()
    loser.get_by_role("button", name=re.compile(r"^Book ")).click()

    alert = loser.get_by_role("alert")
    expect(alert).to_contain_text(f"Sorry, someone booked {taken} a moment ago")
    expect(alert).to_contain_text("your details are kept")
    expect(loser.locator("[data-choices=slot] label").first).not_to_have_text(taken)
    expect(loser.get_by_label("First name")).to_have_value("Owen")
    expect(loser.locator("#summary")).to_have_text("Pick a time above.")
    screenshot(loser, "book-race-lost-phone")
    assert Appointment.objects.count() == 1
    for page in pages:
        page.context.close()


def test_patient_reschedules_from_the_manage_page(live_server, phone_page, open_every_day):
    from datetime import date, timedelta

    from django.utils import timezone

    from bookings.models import Source
    from bookings.selectors import slots_available
    from bookings.services import PatientDetails, appointment_book
    from bookings.tokens import manage_path

    consult = Service.objects.get(slug="facial-balancing-consultation")
    # Three days out, so the booking is outside the 24-hour change window at any hour of the day.
    booked_day = timezone.localdate() + timedelta(days=3)
    first = slots_available(service=consult, start_date=booked_day, now=timezone.now())[0]
    appointment = appointment_book(
        service=consult, start=first.start, now=timezone.now(), source=Source.ONLINE,
        details=PatientDetails("Maya", "Lopez", "maya@example.com", "+19415550101", date(1988, 4, 12)),
    )  # fmt: skip
    page = phone_page
    page.goto(live_server.url + manage_path(appointment))
    page.get_by_role("button", name="Reschedule").click()
    day = page.locator(f'[data-day="{booked_day + timedelta(days=1)}"]')
    day.click()
    expect(day).to_have_attribute("aria-pressed", "true")
    page.locator("[data-choices=slot] label").nth(2).click()
    confirm = page.get_by_role("button", name=re.compile("^Move to "))
    expect(confirm).to_be_enabled()
    confirm.click()
    expect(page.get_by_role("heading", name="Your appointment has moved")).to_be_visible()
    screenshot(page, "manage-moved-phone")
    appointment.refresh_from_db()
    assert appointment.local_start.date() == booked_day + timedelta(days=1)
