"""Accessibility: axe-core on every step of booking and on the staff day, and booking by keyboard."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Source
from bookings.services import appointment_book
from medspa.roles import FRONT_DESK
from tests.bookings.conftest import week_hours
from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.factories import PASSWORD, LocationFactory, PatientFactory, ProviderFactory, TimeOffFactory, UserFactory
from treatments.models import Service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CONSULTATION = "Facial balancing consultation"
# bypass_csp: axe is injected as a script tag, which a strict Content-Security-Policy refuses.
# Reduced motion turns Bootstrap's colour transitions off, so axe never measures a half-faded button.
AXE_CONTEXT = {"bypass_csp": True, "reduced_motion": "reduce"}


@pytest.fixture
def clinic(db):
    """One location and injector; three days out nobody works, two days out she is away all day."""
    consult = Service.objects.get(slug="facial-balancing-consultation")
    location = LocationFactory(slug="sarasota", name="Sarasota", timezone="America/New_York")
    provider = ProviderFactory(services=[consult])
    today = timezone.now().astimezone(location.zone).date()
    closed, away = today + timedelta(days=3), today + timedelta(days=2)
    week_hours(provider, location, weekdays=[d for d in range(7) if d != closed.weekday()])
    TimeOffFactory(
        provider=provider,
        start=datetime.combine(away, time(0), tzinfo=location.zone),
        end=datetime.combine(away + timedelta(days=1), time(0), tzinfo=location.zone),
        reason="Training",
    )
    return {"location": location, "provider": provider, "today": today, "closed": closed, "away": away}


def phone(browser):
    options = {"viewport": PHONE, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
    return browser.new_context(**options, **AXE_CONTEXT).new_page()


def day_button(page, day):
    return page.locator(f'[data-choices=day] [data-day="{day}"]')


def test_every_booking_step_has_no_serious_axe_violation(live_server, browser, axe, clinic):
    page = phone(browser)
    page.goto(live_server.url + "/book/")
    expect(page.get_by_role("group", name="What would you like to book?")).to_be_visible()
    seen = {"service": axe.assert_no_serious(page, "/book/ service step")}

    page.get_by_text(CONSULTATION, exact=True).click()
    expect(page.locator("[data-choices=slot] label").first).to_be_visible()
    page.locator("#areas-picker summary").click()
    page.get_by_text("Jawline and masseters").click()
    expect(page.locator("#areas-picker summary")).to_have_text("Choose areas · 1 chosen")
    seen["areas"] = axe.assert_no_serious(page, "/book/ areas step")

    day = clinic["today"] + timedelta(days=4)
    day_button(page, day).click()
    expect(day_button(page, day)).to_have_attribute("aria-pressed", "true")
    strip = page.locator("[data-choices=day]").bounding_box()
    assert in_box(day_button(page, day).bounding_box(), strip), "a tapped day is scrolled fully into the strip"
    seen["day"] = axe.assert_no_serious(page, "/book/ day chosen")

    page.locator("[data-choices=slot] label").first.click()
    expect(page.get_by_label("First name")).to_be_visible()
    seen["time"] = axe.assert_no_serious(page, "/book/ time chosen, details shown")

    # The details, first with a mistake: the errors must be as accessible as the form.
    page.get_by_label("First name").fill("Maya")
    page.get_by_label("Last name").fill("Rivera")
    page.get_by_label("Email").fill("maya@example")
    page.get_by_label("Mobile phone").fill("(941) 555-0142")
    page.get_by_label("Date of birth").fill("1988-04-12")
    page.get_by_label(re.compile("I understand I can change or cancel")).check()
    page.get_by_role("button", name=re.compile(r"^Book ")).click()
    expect(page.get_by_label("Email")).to_have_class(re.compile("is-invalid"))
    seen["details with an error"] = axe.assert_no_serious(page, "/book/ details with a field error")
    page.get_by_label("Email").fill("maya@example.com")
    seen["details"] = axe.assert_no_serious(page, "/book/ details filled")
    screenshot(page, "a11y-book-details-phone")

    page.get_by_role("button", name=re.compile(r"^Book ")).click()
    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    seen["confirmation"] = axe.assert_no_serious(page, "the confirmation page")
    screenshot(page, "a11y-book-confirmed-phone")

    # The manage page's reschedule uses the same day strip.
    page.get_by_role("button", name="Reschedule").click()
    expect(page.locator("#reschedule [data-choices=slot] label").first).to_be_visible()
    # The Reschedule button hides itself; the keyboard lands on the chosen day, not on the page.
    expect(page.locator('#reschedule [data-choices=day] [aria-pressed="true"]')).to_be_focused()
    seen["reschedule"] = axe.assert_no_serious(page, "the manage page's reschedule picker")
    milder = {step: [f"{v['impact']} {v['id']}" for v in found] for step, found in seen.items() if found}
    print("axe, below serious:", milder or "none")  # shown with -s, for the record
    page.context.close()


def test_day_strip_names_say_what_is_seen_and_tell_closed_from_no_times(live_server, browser, axe, clinic):
    page = phone(browser)
    page.goto(live_server.url + "/book/?service=facial-balancing-consultation")
    open_day = clinic["today"] + timedelta(days=1)
    expect(day_button(page, open_day)).to_have_accessible_name(re.compile(r"^\w{3}, \w{3} \d{1,2}, \d+ free$"))
    closed, away = day_button(page, clinic["closed"]), day_button(page, clinic["away"])
    expect(closed).to_have_accessible_name(re.compile(r", Closed$"))
    expect(closed).to_have_attribute("aria-disabled", "true")
    expect(away).to_have_accessible_name(re.compile(r", No times$"))
    expect(away).to_have_attribute("aria-disabled", "true")
    # A day without times cannot be chosen.
    closed.click(force=True)  # Playwright will not click an aria-disabled button unless forced
    expect(closed).to_have_attribute("aria-pressed", "false")
    strip = page.locator("[data-choices=day]")
    assert not [v for v in axe.violations(page, context="[data-choices=day]") if v["id"].startswith("label")]
    expect(strip).to_have_attribute("role", "toolbar")
    page.context.close()


def in_box(inner, outer) -> bool:
    return (
        inner["x"] >= outer["x"] - 0.5
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
        and inner["y"] >= outer["y"] - 0.5
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 0.5
    )


def test_keyboard_reaches_the_first_time_in_a_few_tabs_and_the_chosen_day_stays_in_view(live_server, browser, clinic):
    page = phone(browser)
    page.goto(live_server.url + "/book/")
    service = page.get_by_role("radio", name=re.compile(CONSULTATION))
    service.focus()
    page.keyboard.press("Space")
    expect(page.locator("[data-choices=slot] label").first).to_be_visible()

    is_first_time = "document.activeElement === document.querySelector('[data-choices=slot] input')"
    presses = 0
    while not page.evaluate(is_first_time):
        page.keyboard.press("Tab")
        presses += 1
        # The service radios, the new patient's "start with a consultation" switches, the areas
        # disclosure, the day strip (one stop), then the times: twenty-five presses before.
        assert presses <= 8, f"{presses} Tab presses from the service and still not at the first time"

    # Back to the day strip (one tab stop), then the arrow keys: End is the last day of the page.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    focused_day = "document.activeElement.dataset.day || null"
    first_day = page.evaluate(focused_day)
    assert first_day is not None, "Shift+Tab from the times lands on the chosen day"
    page.keyboard.press("End")
    last = clinic["today"] + timedelta(days=13)
    assert page.evaluate(focused_day) == str(last)
    page.keyboard.press("ArrowLeft")
    assert page.evaluate(focused_day) == str(last - timedelta(days=1))
    page.keyboard.press("End")
    page.keyboard.press("Enter")

    chosen = day_button(page, last)
    expect(chosen).to_have_attribute("aria-pressed", "true")
    # Choosing a day moves focus to its first time.
    expect(page.locator("[data-choices=slot] input").first).to_be_focused()
    strip = page.locator("[data-choices=day]").bounding_box()
    box = chosen.bounding_box()
    viewport = {"x": 0, "y": 0, "width": PHONE["width"], "height": PHONE["height"]}
    assert in_box(box, strip), f"the chosen day {box} is scrolled out of the strip {strip}"
    assert in_box(box, viewport), f"the chosen day {box} is outside the screen"
    screenshot(page, "a11y-book-last-day-phone")

    # Arrow keys only move focus: days without times are reached and told, never chosen.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Home")
    for _ in range((clinic["closed"] - clinic["today"]).days):
        page.keyboard.press("ArrowRight")
    assert page.evaluate(focused_day) == str(clinic["closed"])
    page.keyboard.press("Enter")
    expect(chosen).to_have_attribute("aria-pressed", "true")
    expect(day_button(page, clinic["closed"])).to_be_focused()
    page.context.close()


def test_staff_day_view_has_no_serious_axe_violation(live_server, browser, axe, clinic):
    location, provider = clinic["location"], clinic["provider"]
    tomorrow = clinic["today"] + timedelta(days=1)
    consult = Service.objects.get(slug="facial-balancing-consultation")
    for hour, name in ((9, "Imani"), (10, "Daniel"), (14, "Lena")):
        appointment_book(
            service=consult, start=datetime.combine(tomorrow, time(hour), tzinfo=location.zone), now=timezone.now(),
            source=Source.DESK, patient=PatientFactory(first_name=name), provider=provider,
        )  # fmt: skip
    desk = UserFactory(username="frontdesk", first_name="Fran", is_staff=True)
    desk.groups.add(Group.objects.get(name=FRONT_DESK))

    page = browser.new_context(viewport=DESKTOP, **AXE_CONTEXT).new_page()
    page.goto(live_server.url + "/staff/login/")
    page.get_by_label("Username").fill("frontdesk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/staff/?location=sarasota&date={tomorrow}")
    expect(page.locator(".tg-appt")).to_have_count(3)
    found = axe.assert_no_serious(page, "the staff day view")
    print("axe on the staff day, below serious:", [f"{v['impact']} {v['id']}" for v in found] or "none")
    # The grid itself is clean at every impact (appointment links once carried role="listitem").
    assert axe.violations(page, context=".time-grid") == []
    # The grid still lays the blocks out by time: the 10:00 block sits below the 9:00 one.
    first, second = (page.locator(".tg-appt").nth(i).bounding_box() for i in range(2))
    assert second["y"] >= first["y"] + first["height"] - 2
    screenshot(page, "a11y-staff-day")
    page.context.close()
