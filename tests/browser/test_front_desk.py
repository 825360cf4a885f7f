"""Front desk at a desktop: books a caller, marks a no-show, runs a visit in the clinic's order, and
the grid keeps up; an injector completes their own visit."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from bookings.models import Appointment, ChartState, Source
from bookings.services import appointment_book, appointment_chart_state_set, appointment_check_in
from medspa.roles import FRONT_DESK, INJECTOR
from tests.bookings.conftest import week_hours
from tests.browser.conftest import DESKTOP, screenshot
from tests.conftest import totp_code
from tests.factories import (
    PASSWORD,
    AppointmentFactory,
    LocationFactory,
    PatientFactory,
    ProviderFactory,
    UserFactory,
)
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
    late = AppointmentFactory(
        patient=PatientFactory(first_name="Owen", last_name="Miller"),
        provider=providers[1],
        location=location,
        service=consult,
        start=started,
    )  # 45 minutes and 10 of buffer
    desk = UserFactory(username="frontdesk", first_name="Fran", is_staff=True)
    desk.groups.add(Group.objects.get(name=FRONT_DESK))
    return {"location": location, "tomorrow": tomorrow, "late": late}


def test_front_desk_books_a_caller_confirms_them_and_marks_a_no_show(live_server, browser, busy_clinic):
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

    # Rosa is booked for tomorrow: she checks in then, not today; confirm her for now.
    block.click()
    expect(page.get_by_text("Check-in opens on the day of the appointment.")).to_be_visible()
    expect(page.get_by_role("button", name="Check in")).to_have_count(0)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("Rosa Diaz: Confirmed.")
    page.get_by_role("link", name="Back to the day").click()
    expect(page.locator(".tg-appt", has_text="Rosa Diaz")).to_contain_text("Confirmed")

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
    assert statuses == {"Diaz": "confirmed", "Miller": "no_show"}
    assert re.match(r"\d", booked_time)
    page.context.close()


@pytest.fixture
def visit_day():
    """Today in Sarasota at 10:05, the clock pinned (ticking) for the server and the test alike."""
    zone = ZoneInfo("America/New_York")
    today = timezone.now().astimezone(zone).date()
    with time_machine.travel(datetime.combine(today, time(10, 5), tzinfo=zone), tick=True):
        yield today, zone


@pytest.fixture
def visit_clinic(db, visit_day):
    today, zone = visit_day
    consult = Service.objects.get(slug="facial-balancing-consultation")
    treatment = Service.objects.get(slug="neuromodulator-treatment")
    review = Service.objects.get(slug="two-week-review")
    location = LocationFactory(slug="sarasota", name="Sarasota", timezone="America/New_York")
    desk = UserFactory(username="frontdesk", first_name="Fran", is_staff=True)
    desk.groups.add(Group.objects.get(name=FRONT_DESK))
    injector = UserFactory(username="ivy", first_name="Ivy", last_name="Chen", is_staff=True)
    injector.groups.add(Group.objects.get(name=INJECTOR))
    TOTPDevice.objects.create(user=injector, name="Authenticator app", confirmed=True)  # the role requires it
    noor = ProviderFactory(services=[consult, treatment, review], user__first_name="Noor", user__last_name="Haddad")
    ivy = ProviderFactory(services=[consult, treatment, review], user=injector)
    for provider in (noor, ivy):
        week_hours(provider, location, weekdays=range(7), blocks=[(time(9), time(17))])

    def booking(provider, service, day, first, last):
        start = datetime.combine(day, time(10), tzinfo=zone)
        patient = PatientFactory(first_name=first, last_name=last)
        return appointment_book(service=service, start=start, now=start - timedelta(days=1), source=Source.DESK,
                                patient=patient, provider=provider)  # fmt: skip

    rosa = booking(noor, consult, today, "Rosa", "Diaz")
    owen = booking(noor, consult, today + timedelta(days=1), "Owen", "Lee")
    ben = booking(ivy, treatment, today, "Ben", "Okafor")
    appointment_check_in(appointment=ben, actor=desk, now=timezone.now())
    # Ivy has charted and signed Ben's treatment (the chart's own browser test drives that page).
    appointment_chart_state_set(appointment=ben, state=ChartState.SIGNED, toxin_given=True)
    return {"today": today, "rosa": rosa, "owen": owen, "ben": ben, "review": review}


def _sign_in(browser, live_server, username, header):
    page = browser.new_context(viewport=DESKTOP).new_page()
    page.goto(live_server.url + "/staff/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    if device is not None:  # the second step: the code from the authenticator app
        page.get_by_label("Code").fill(totp_code(device))
        page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text(header)).to_be_visible()
    return page


def test_the_visit_follows_the_clinics_order_and_an_injector_completes_their_own(live_server, browser, visit_clinic):
    today = visit_clinic["today"]
    page = _sign_in(browser, live_server, "frontdesk", "Fran · Front desk")

    # Owen comes tomorrow: no check-in today, and the desk is told why.
    page.goto(f"{live_server.url}/staff/?location=sarasota&date={today + timedelta(days=1)}")
    page.locator(".tg-appt", has_text="Owen Lee").click()
    expect(page.get_by_text("Check-in opens on the day of the appointment.")).to_be_visible()
    expect(page.get_by_role("button", name="Check in")).to_have_count(0)

    # Rosa arrives today: check in, undo it (a mistake), check in again, complete.
    page.goto(f"{live_server.url}/staff/?location=sarasota&date={today}")
    page.locator(".tg-appt", has_text="Rosa Diaz").click()
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_role("status")).to_contain_text("Rosa Diaz: Checked in.")
    rosa = page.locator(".tg-appt", has_text="Rosa Diaz")
    expect(rosa).to_contain_text("Checked in")
    rosa.click()
    expect(page.get_by_text("To move or cancel, undo the check-in first.")).to_be_visible()
    expect(page.get_by_role("link", name="Move")).to_have_count(0)
    page.get_by_role("button", name="Undo check-in").click()
    expect(page.get_by_role("status")).to_contain_text("Rosa Diaz: Check-in undone.")
    expect(page.get_by_role("link", name="Move")).to_be_visible()
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_role("status")).to_contain_text("Rosa Diaz: Checked in.")
    page.locator(".tg-appt", has_text="Rosa Diaz").click()
    screenshot(page, "front-desk-checked-in-visit")
    page.get_by_role("button", name="Complete").click()
    expect(page.get_by_role("status")).to_contain_text("Rosa Diaz: Completed.")
    expect(page.locator(".tg-appt", has_text="Rosa Diaz")).to_contain_text("Completed")
    page.locator(".tg-appt", has_text="Rosa Diaz").click()
    expect(page.locator("ol")).to_contain_text("Check-in undone")
    page.context.close()

    # Ivy, an injector, completes her own visit and books Ben's two-week review.
    page = _sign_in(browser, live_server, "ivy", "Ivy · Injector")
    page.goto(f"{live_server.url}/staff/?location=sarasota&date={today}")
    expect(page.locator(".tg-appt", has_text="Rosa Diaz")).to_have_count(0)
    page.locator(".tg-appt", has_text="Ben Okafor").click()
    expect(page.get_by_role("button", name="Undo check-in")).to_have_count(0)
    page.get_by_role("button", name="Complete").click()
    expect(page.get_by_role("status")).to_contain_text("Ben Okafor: Completed.")
    page.locator(".tg-appt", has_text="Ben Okafor").click()
    page.get_by_role("link", name="Book two-week review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Book the review after Ben Okafor")
    expect(page.get_by_label("Service")).to_have_value(str(visit_clinic["review"].pk))
    expect(page.get_by_label("Date")).to_have_value(str(today + timedelta(days=14)))
    page.locator(".slot-grid label").first.click()
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Booked Ben Okafor: Two-week review with Ivy Chen")
    screenshot(page, "injector-booked-review")
    page.context.close()

    statuses = dict(Appointment.objects.filter(service__slug__in=["facial-balancing-consultation",
                    "neuromodulator-treatment"], start__date__lte=today + timedelta(days=1)).values_list(
                    "patient__first_name", "status"))  # fmt: skip
    assert statuses == {"Rosa": "completed", "Owen": "booked", "Ben": "completed"}
    review = Appointment.objects.get(service=visit_clinic["review"])
    assert (review.patient, review.provider.user.username) == (visit_clinic["ben"].patient, "ivy")
