"""The whole product in one run, as a clinic evaluating it would try it: a patient books a masseter
consultation at Scottsdale on a phone and completes intake with an answer the injector must review;
the front desk, working from Sarasota, sees the flag at Scottsdale's time and checks her in on the day;
the injector clears the flag, assesses, takes the six expressions on the tablet's camera, charts
unequal units per side and signs; the visit is completed; the aftercare lands in the outbox and a
real Celery worker delivers the 4-hour and the 24-hour messages over real SMTP when their time comes
(the worker's clock is moved, nobody sleeps). axe-core checks every page on the way.

The live server, the worker and the browser all run on pinned clocks (time-machine for Python,
Playwright's clock for the pages), so the run is the same at any hour. Each step leaves a
screenshot in var/screenshots/journey-*.png.
"""

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from bookings.models import Appointment, AppointmentStatus, IntakeStatus
from bookings.tokens import manage_path
from charting.demo_photos import face_image
from charting.models import Expression, Photo, RecordStatus, TreatmentRecord
from medspa.roles import FRONT_DESK, INJECTOR
from reminders.models import Message, MessageState
from reminders.tasks import messages_send
from tests.bookings.conftest import week_hours
from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.conftest import celery_worker, database_url, totp_code
from tests.factories import PASSWORD, LocationFactory, ProviderFactory, UserFactory
from treatments.models import Service

pytestmark = [
    pytest.mark.browser,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHOENIX = ZoneInfo("America/Phoenix")
NEW_YORK = ZoneInfo("America/New_York")
# A Monday morning in Scottsdale (Arizona keeps no daylight-saving time; Sarasota, two hours ahead
# in winter, does).
BOOKED_AT = datetime(2026, 12, 7, 7, 30, tzinfo=PHOENIX)
TABLET = {"width": 1024, "height": 768}


@pytest.fixture
def clinic(db):
    consult = Service.objects.get(slug="facial-balancing-consultation")
    treatment = Service.objects.get(slug="neuromodulator-treatment")
    LocationFactory(slug="sarasota", name="Sarasota", timezone="America/New_York")
    scottsdale = LocationFactory(slug="scottsdale", name="Scottsdale", timezone="America/Phoenix")
    desk = UserFactory(username="frontdesk", first_name="Fran", is_staff=True)
    desk.groups.add(Group.objects.get(name=FRONT_DESK))
    injector = UserFactory(username="ivy", first_name="Ivy", last_name="Chen", is_staff=True)
    injector.groups.add(Group.objects.get(name=INJECTOR))
    TOTPDevice.objects.create(user=injector, name="Authenticator app", confirmed=True)
    provider = ProviderFactory(user=injector, services=[consult, treatment])
    week_hours(provider, scottsdale, weekdays=range(7))
    return scottsdale


def _step(page, axe, name: str, docs: str | None = None) -> None:
    """A screenshot of the step (`docs`: also the README's picture), and axe-core on the page as it
    stands: nothing serious or critical."""
    screenshot(page, name, docs=docs)
    axe.assert_no_serious(page, name)


def _context(browser, at: datetime, **options):
    """A browser context whose pages believe it is `at` (and the time flows on from there); CSP is
    bypassed only so that axe-core can be injected."""
    context = browser.new_context(bypass_csp=True, **options)
    context.clock.install(time=at)
    return context


def _sign_in(browser, live_server, axe, at: datetime, username: str, header: str):
    page = _context(browser, at, viewport=DESKTOP, timezone_id="America/New_York").new_page()
    page.goto(live_server.url + "/staff/login/")
    axe.assert_no_serious(page, "staff sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    if device is not None:
        page.get_by_label("Code").fill(totp_code(device))
        page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text(header)).to_be_visible()
    return page


def _book_on_a_phone(browser, live_server, axe) -> Appointment:
    page = _context(browser, BOOKED_AT, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                    timezone_id="America/Phoenix").new_page()  # fmt: skip
    page.goto(live_server.url + "/book/?service=facial-balancing-consultation")
    page.locator("label[for=location-scottsdale]").click()
    expect(page.get_by_role("radio", name=re.compile("Scottsdale"))).to_be_checked()
    page.locator("#areas-picker summary").click()
    page.get_by_text("Jawline and masseters").click()
    first = page.locator("[data-choices=slot] label").first
    expect(first).to_be_visible()
    slot_label = first.inner_text()
    first.click()
    page.get_by_label("First name").fill("Maya")
    page.get_by_label("Last name").fill("Rivera")
    page.get_by_label("Email").fill("maya@example.com")
    page.get_by_label("Mobile phone").fill("(480) 555-0142")
    page.get_by_label("Date of birth").fill("1988-04-12")
    page.get_by_label(re.compile("I understand I can change or cancel")).check()
    _step(page, axe, "journey-1-booking-phone", docs="book-phone")
    page.get_by_role("button", name=re.compile(r"^Book ")).click()
    expect(page.get_by_role("heading", name="You're booked")).to_be_visible(timeout=15_000)
    _step(page, axe, "journey-2-booked-phone")
    appointment = Appointment.objects.select_related("location", "patient").get()
    assert appointment.location.slug == "scottsdale"
    assert appointment.local_start.strftime("%-I:%M %p") == slot_label
    assert list(appointment.areas.values_list("slug", flat=True)) == ["masseter"]

    # Intake from the link in her confirmation: one answer (a blood thinner) needs the injector.
    page.goto(live_server.url + manage_path(appointment))
    _step(page, axe, "journey-2b-manage-phone")
    page.get_by_role("link", name="Fill in your medical history").click()
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    _step(page, axe, "journey-3a-intake-details-phone")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="Medical history")).to_be_visible()
    for question in page.locator("[data-question]").all():
        question.get_by_label("No", exact=True).check()
    blood = page.locator('[data-question="bleeding"]')
    blood.get_by_label("Yes", exact=True).check()
    blood.get_by_label("Which?").fill("Fish oil")
    _step(page, axe, "journey-3-intake-history-phone")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="Your goals")).to_be_visible()
    _step(page, axe, "journey-3b-intake-goals-phone")
    page.get_by_label("Jawline and masseters").check()
    page.get_by_label("My left side").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label(re.compile("I have read and agree")).check()
    page.get_by_label("Type your full name").fill("Maya Rivera")
    page.get_by_label("Sign with my typed name instead of drawing").check()
    expect(page.locator("#signature-pad")).to_be_hidden()
    _step(page, axe, "journey-3c-intake-consent-phone")
    page.get_by_role("button", name="Sign and finish").click()
    expect(page.get_by_role("heading", name="You're all set, Maya")).to_be_visible()
    _step(page, axe, "journey-4-intake-done-phone")
    page.context.close()
    appointment.refresh_from_db()
    assert appointment.intake_status == IntakeStatus.FLAGGED
    return appointment


def _front_desk_checks_in(browser, live_server, axe, appointment: Appointment, at: datetime) -> None:
    page = _sign_in(browser, live_server, axe, at, "frontdesk", "Fran · Front desk")
    day = appointment.local_start.date()
    page.goto(f"{live_server.url}/staff/?location=scottsdale&date={day}")
    visit = page.locator(".tg-appt", has_text="Maya Rivera")
    # Scottsdale's wall clock, not Sarasota's (the browser and the server default are in New York).
    expect(visit.locator(".tg-time")).to_have_text(appointment.local_start.strftime("%-I:%M"))
    assert appointment.start.astimezone(NEW_YORK).hour != appointment.local_start.hour
    expect(visit).to_contain_text("Intake flagged for review")
    _step(page, axe, "journey-5-front-desk-day", docs="front-desk-day")
    visit.click()
    axe.assert_no_serious(page, "appointment page (front desk)")
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_role("status")).to_contain_text("Maya Rivera: Checked in.")
    page.context.close()


def _injector_clears_the_flag(browser, live_server, axe, at: datetime):
    """Before the visit: the answer that needs a decision. Returns her signed-in page."""
    page = _sign_in(browser, live_server, axe, at, "ivy", "Ivy · Injector")
    page.set_viewport_size(TABLET)
    page.get_by_role("link", name="Review").click()
    expect(page.get_by_role("link", name="Maya Rivera")).to_be_visible()
    axe.assert_no_serious(page, "review queue")
    page.get_by_role("link", name="Maya Rivera").click()
    expect(page.get_by_text("Fish oil").first).to_be_visible()
    page.get_by_label("Cleared to treat").check()
    page.get_by_label("Note").fill("Fish oil: bruising risk explained.")
    _step(page, axe, "journey-6-intake-review")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("status")).to_contain_text("Decision recorded for Maya Rivera")
    return page


def _injector_treats(page, live_server, axe, appointment: Appointment, shots: dict) -> None:
    # The assessment, then the chart: the gate is open.
    page.goto(f"{live_server.url}/staff/appointments/{appointment.reference}/")
    axe.assert_no_serious(page, "appointment page (injector)")
    page.get_by_role("link", name="Assessment").click()
    axe.assert_no_serious(page, "assessment")
    page.get_by_label("masseter, left, clenching").select_option("3")
    page.get_by_label("masseter, right, clenching").select_option("1")
    page.get_by_role("button", name="Save assessment").click()
    expect(page.get_by_text("Assessment saved for Maya Rivera.")).to_be_visible()
    # The before photos: the six expressions, taken on the tablet's camera.
    page.goto(f"{live_server.url}/staff/chart/{appointment.reference}/photos/")
    expect(page.get_by_role("radio", name="Before treatment")).to_be_checked()
    for value, label in Expression.choices:
        page.get_by_label(label, exact=True).set_input_files(str(shots[value]))
    _step(page, axe, "journey-6b-photos-taken")
    page.get_by_role("button", name="Save photos").click()
    expect(page.get_by_text("6 photos added (before treatment).")).to_be_visible()
    page.goto(f"{live_server.url}/staff/appointments/{appointment.reference}/")
    page.get_by_role("link", name="Treatment record").click()
    expect(page.get_by_text("Ready for treatment")).to_be_visible()
    page.get_by_role("button", name="Start record").click()
    axe.assert_no_serious(page, "treatment record (draft)")
    page.get_by_label("Lot 1: Product").select_option(label="Botox Cosmetic")
    page.get_by_label("Lot 1: Lot number").fill("C7712C3")
    page.get_by_label("Lot 1: Expiry").fill("2030-06-30")
    page.get_by_label("Lot 1: Saline mL per vial").fill("2.5")
    for region, units in (("masseter-left", "30"), ("masseter-right", "20")):
        page.locator(f"#region-{region}").click()
        page.keyboard.type(units)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status")).to_contain_text("Draft saved")
    page.get_by_role("button", name="Sign record").click()
    expect(page.get_by_text("Record signed.")).to_be_visible()
    expect(page.locator("#units-masseter-left")).to_have_text("30")
    expect(page.locator("#units-masseter-right")).to_have_text("20")
    _step(page, axe, "journey-7-chart-signed", docs="chart-signed")

    # The visit is over: she completes it from the day.
    page.goto(f"{live_server.url}/staff/?location=scottsdale&date={appointment.local_start.date()}")
    page.locator(".tg-appt", has_text="Maya Rivera").click()
    expect(page.get_by_role("button", name="Complete")).to_be_visible()
    page.get_by_role("button", name="Complete").click()
    expect(page.get_by_role("status")).to_contain_text("Maya Rivera: Completed.")
    _step(page, axe, "journey-8-completed")
    page.context.close()


def _delivered(message: Message, sink, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if message.state == MessageState.SENT:
            return
        time.sleep(0.3)
    pytest.fail(f"{message} was not delivered; the SMTP server got {[m['Subject'] for m in sink.messages]}")


@pytest.fixture
def shots(tmp_path, photo_store):
    """The six expressions as the tablet's camera hands them to the page."""
    paths = {}
    for value in Expression.values:
        paths[value] = tmp_path / f"IMG_{value}.jpg"
        paths[value].write_bytes(face_image(value, asymmetry=0.6))
    return paths


def test_a_patient_from_booking_to_aftercare(live_server, browser, axe, clinic, smtp_server, shots):
    with time_machine.travel(BOOKED_AT, tick=True):
        appointment = _book_on_a_phone(browser, live_server, axe)

    arrival = appointment.start - timedelta(minutes=10)
    with time_machine.travel(arrival, tick=True):
        _front_desk_checks_in(browser, live_server, axe, appointment, arrival)
        injector = _injector_clears_the_flag(browser, live_server, axe, arrival + timedelta(minutes=2))
    with time_machine.travel(appointment.start + timedelta(minutes=5), tick=True):
        _injector_treats(injector, live_server, axe, appointment, shots)
        done = timezone.now()

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.COMPLETED
    photographed = Photo.objects.filter(appointment=appointment, phase="before").values_list("expression", flat=True)
    assert sorted(photographed) == sorted(Expression.values)
    record = TreatmentRecord.objects.get(appointment=appointment)
    assert record.status == RecordStatus.SIGNED
    assert sorted((s.area.slug, s.side, str(s.units)) for s in record.sites.all()) == [
        ("masseter", "left", "30.0"), ("masseter", "right", "20.0")
    ]  # fmt: skip

    # The aftercare timeline is in the outbox, each message on its own day.
    aftercare = {m.step: m for m in Message.objects.filter(appointment=appointment, kind="aftercare")}
    assert {"sheet", "upright", "day-1", "rebook", "six-month"} <= set(aftercare), sorted(aftercare)
    upright, day_one = aftercare["upright"], aftercare["day-1"]
    assert arrival + timedelta(hours=4) <= upright.due_at <= done + timedelta(hours=4)
    assert day_one.due_at > upright.due_at + timedelta(hours=12)

    # Four hours later a real worker sends what is due by then, over real SMTP, and nothing later.
    env = {"DATABASE_URL": database_url(), "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}"}
    with celery_worker(clock_at=upright.due_at + timedelta(minutes=1), **env) as worker:
        messages_send.apply_async(queue=worker.queue)
        _delivered(upright, smtp_server)
    day_one.refresh_from_db()
    assert day_one.state == MessageState.PENDING
    # The next day, the 24-hour one.
    with celery_worker(clock_at=day_one.due_at + timedelta(minutes=1), **env) as worker:
        messages_send.apply_async(queue=worker.queue)
        _delivered(day_one, smtp_server)
    # Front desk reads what went out to her, and when.
    next_day = day_one.due_at + timedelta(minutes=5)
    with time_machine.travel(next_day, tick=True):
        page = _sign_in(browser, live_server, axe, next_day, "frontdesk", "Fran · Front desk")
        page.goto(f"{live_server.url}/staff/patients/{appointment.patient_id}/messages/")
        expect(page.get_by_text(day_one.label).first).to_be_visible()
        _step(page, axe, "journey-9-message-log", docs="message-log")
        page.context.close()
    delivered = [m for m in smtp_server.messages if m["To"] == "maya@example.com"]
    subjects = [m["Subject"] for m in delivered]
    assert upright.subject in subjects and day_one.subject in subjects, subjects
    assert Message.objects.get(pk=aftercare["rebook"].pk).state == MessageState.PENDING
