"""Front desk at a desktop: books a caller, checks them in, marks a no-show, and the grid keeps up."""

import re
from datetime import time, timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Appointment, Source
from bookings.services import appointment_book
from medspa.roles import FRONT_DESK
from tests.bookings.conftest import week_hours
from tests.browser.conftest import DESKTOP, screenshot
from tests.factories import PASSWORD, LocationFactory, PatientFactory, ProviderFactory, UserFactory
from treatments.models import Service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NAMES = ["Imani Osei", "Daniel Park", "Lena Brooks", "Sofia Reyes", "Tom Becker", "Aisha Khan"]


@pytest.fixture
def busy_clinic(db):
    consult = Service.objects.get(slug="facial-balancing-consultation")
    treatment = Service.objects.get(slug="neuromodulator-treatment")
    location = LocationFactory(slug="sarasota", name="Sarasota", timezone="America/New_York")
    providers = []
    for i, name in enumerate(NAMES):
        first, last = name.split()
        provider = ProviderFactory(services=[consult, treatment], user__first_name=first, user__last_name=last,
                                   sort_order=i)  # fmt: skip
        week_hours(provider, location, weekdays=range(7), blocks=[(time(9), time(12, 30)), (time(13, 30), time(17))])
        providers.append(provider)
    now = timezone.now()
    tomorrow = now.astimezone(location.zone).date() + timedelta(days=1)
    for i, provider in enumerate(providers):
        for j, hour in enumerate((9, 10 + i % 2, 14, 15 + (i % 3) // 2)):
            if (i + j) % 3 == 2:
                continue
            start = timezone.datetime.combine(tomorrow, time(hour, 15 * (i % 2)), tzinfo=location.zone)
            appointment_book(
                service=treatment if j % 2 else consult, start=start, now=now, source=Source.DESK,
                patient=PatientFactory(first_name=f"Pat{i}{j}", last_name=["Nguyen", "Smith", "Haddad", "Olsen"][j]),
                provider=provider,
            )  # fmt: skip
    # Someone whose appointment started twenty minutes ago and who has not come.
    started = now - timedelta(minutes=20)
    late = Appointment.objects.create(
        patient=PatientFactory(first_name="Owen", last_name="Miller"), provider=providers[1], location=location,
        service=consult, start=started, end=started + timedelta(minutes=45), busy_from=started,
        busy_until=started + timedelta(minutes=55), source=Source.DESK,
    )  # fmt: skip
    desk = UserFactory(username="frontdesk", first_name="Fran", is_staff=True)
    desk.groups.add(Group.objects.get(name=FRONT_DESK))
    return {"location": location, "tomorrow": tomorrow, "late": late}


def test_front_desk_books_a_caller_checks_them_in_and_marks_a_no_show(live_server, browser, busy_clinic):
    page = browser.new_context(viewport=DESKTOP).new_page()
    page.goto(live_server.url + "/staff/login/")
    page.get_by_label("Username").fill("frontdesk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Fran · Front desk")).to_be_visible()

    tomorrow = busy_clinic["tomorrow"]
    page.goto(f"{live_server.url}/staff/?location=sarasota&date={tomorrow}")
    for name in NAMES:
        expect(page.locator(".tg-head").filter(has_text=name)).to_be_visible()
    screenshot(page, "front-desk-day-6-providers")

    # A caller books a consultation with anyone.
    page.get_by_role("link", name="Book by phone").click()
    page.get_by_label("Service").select_option(label="Facial balancing consultation")
    page.get_by_role("button", name="Times").click()
    first_time = page.locator(".slot-grid label").first
    booked_time = first_time.inner_text()
    first_time.click()
    page.get_by_label("First name").fill("Rosa")
    page.get_by_label("Last name").fill("Diaz")
    page.get_by_label("Date of birth").fill("1984-03-09")
    page.get_by_label("Phone").fill("(941) 555-0177")
    page.get_by_label("Email").fill("rosa@example.com")
    page.get_by_role("button", name="Book", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text("Booked Rosa Diaz")
    block = page.locator(".tg-appt", has_text="Rosa Diaz")
    expect(block).to_contain_text("Booked")
    assert booked_time.replace(" AM", "").replace(" PM", "") in block.inner_text()

    # Rosa arrives: check her in; the grid shows it.
    block.click()
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_role("status")).to_contain_text("Rosa Diaz: Checked in.")
    expect(page.locator(".tg-appt", has_text="Rosa Diaz")).to_contain_text("Checked in")

    # Owen never came.
    late = busy_clinic["late"]
    page.goto(f"{live_server.url}/staff/?location=sarasota&date={late.local_start.date()}")
    page.locator(".tg-appt", has_text="Owen Miller").click()
    page.get_by_role("button", name="Mark no-show").click()
    expect(page.get_by_role("status")).to_contain_text("Owen Miller: Marked as a no-show.")
    expect(page.locator(".tg-appt", has_text="Owen Miller")).to_contain_text("No-show")
    screenshot(page, "front-desk-after-no-show")

    statuses = dict(Appointment.objects.filter(patient__last_name__in=["Diaz", "Miller"]).values_list(
        "patient__last_name", "status"))  # fmt: skip
    assert statuses == {"Diaz": "checked_in", "Miller": "no_show"}
    assert re.match(r"\d", booked_time)
    page.context.close()
