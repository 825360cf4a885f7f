"""A new patient sees up front which treatments need a consultation, switches in one click, and
opts in to texts at booking."""

import re

import pytest
from playwright.sync_api import expect

from bookings.models import Appointment
from tests.bookings.conftest import week_hours
from tests.browser.conftest import screenshot
from tests.factories import LocationFactory, ProviderFactory
from treatments.models import Service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def scottsdale(db):
    consult = Service.objects.get(slug="facial-balancing-consultation")
    location = LocationFactory(slug="scottsdale", name="Scottsdale", timezone="America/Phoenix",
                               address="7014 E Camelback Rd", phone="+1 480 555 0177")  # fmt: skip
    provider = ProviderFactory(services=[consult, Service.objects.get(slug="neuromodulator-treatment")])
    week_hours(provider, location, weekdays=range(7))
    return location


def test_a_new_patient_switches_to_a_consultation_and_opts_in_to_texts(live_server, phone_page, scottsdale):
    page = phone_page
    page.goto(live_server.url + "/book/")
    services = page.get_by_role("group", name="What would you like to book?")
    expect(services).to_be_visible()
    treatment = services.locator(".choice").filter(has=page.locator("input[value=neuromodulator-treatment]"))
    expect(treatment.get_by_text("Returning patients only. New here?")).to_be_visible()
    consult = services.locator(".choice").filter(has=page.locator("input[value=facial-balancing-consultation]"))
    expect(consult.get_by_text("Returning patients only")).to_have_count(0)
    screenshot(page, "book-service-list-phone")

    treatment.get_by_role("button", name="Start with a facial balancing consultation").click()
    expect(page.get_by_role("radio", name=re.compile("Facial balancing consultation"))).to_be_checked()
    first = page.locator("[data-choices=slot] label").first
    expect(first).to_be_visible()
    first.click()

    page.get_by_label("First name").fill("Maya")
    page.get_by_label("Last name").fill("Rivera")
    page.get_by_label("Email").fill("maya@example.com")
    page.get_by_label("Mobile phone").fill("(480) 555-0142")
    page.get_by_label("Date of birth").fill("1988-04-12")
    opt_in = page.get_by_label(re.compile("^Text me appointment reminders and aftercare at this number"))
    expect(opt_in).not_to_be_checked()
    channel = page.get_by_label("Send my reminders and aftercare by")
    expect(channel).to_be_hidden()
    opt_in.check()
    expect(channel).to_be_visible()
    expect(channel).to_have_value("sms")
    page.get_by_label(re.compile("I understand I can change or cancel")).check()
    expect(page.locator("#summary-where")).to_have_text(re.compile(r"Scottsdale: 7014 E Camelback Rd.*480 555 0177"))
    screenshot(page, "book-details-texts-phone")
    page.get_by_role("button", name=re.compile(r"^Book ")).click()

    expect(page.get_by_role("heading", name="You're booked")).to_be_visible(timeout=15_000)
    expect(page.get_by_role("main").get_by_role("link", name="+1 480 555 0177").first).to_be_visible()
    patient = Appointment.objects.select_related("patient", "service").get().patient
    assert Appointment.objects.get().service.slug == "facial-balancing-consultation"
    assert patient.consent_sms and patient.preferred_channel == "sms"
    assert patient.consent_sms_source == "Online booking" and patient.consent_sms_at is not None
