"""The pages work under the Content-Security-Policy: every flow completes with zero violations.

Unlike the accessibility tests, these contexts do NOT bypass CSP. Violations are caught two
ways: Chromium's console message ("... violates the following Content Security Policy
directive ...") and a `securitypolicyviolation` listener installed before any page script,
reported through a binding so it survives navigations.
"""

import re
from datetime import date, time, timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from bookings.models import Appointment, Source
from bookings.selectors import slots_available
from bookings.services import PatientDetails, appointment_book
from bookings.tokens import manage_path
from medspa.roles import FRONT_DESK, MANAGER
from tests.bookings.conftest import week_hours
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_booking import fill_details
from tests.conftest import totp_code
from tests.factories import PASSWORD, LocationFactory, PatientFactory, ProviderFactory, UserFactory
from treatments.models import Service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.reportCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${where}`);
}, true);
"""


class Watched:
    """A browser context with CSP enforced, collecting every violation in any of its pages."""

    def __init__(self, browser, **options) -> None:
        assert not options.get("bypass_csp")
        self.violations: list[str] = []
        self.context = browser.new_context(**options)
        self.context.expose_function("reportCspViolation", lambda text: self.violations.append(text))
        self.context.add_init_script(LISTENER)

    def new_page(self):
        page = self.context.new_page()
        page.on(
            "console",
            lambda message: "Content Security Policy" in message.text and self.violations.append(message.text),
        )
        return page

    def assert_none(self, page) -> None:
        page.wait_for_timeout(200)  # let a late violation event arrive
        assert self.violations == []


def sign_in(page, base_url: str, username: str, device: TOTPDevice | None = None) -> None:
    page.goto(base_url + "/staff/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if device is not None:
        page.get_by_label("Code").fill(totp_code(device))
        page.get_by_role("button", name="Continue").click()


@pytest.fixture
def consult_clinic(db):
    consult = Service.objects.get(slug="facial-balancing-consultation")
    treatment = Service.objects.get(slug="neuromodulator-treatment")
    sarasota = LocationFactory(slug="sarasota", name="Sarasota", timezone="America/New_York")
    tampa = LocationFactory(slug="tampa", name="Tampa", timezone="America/New_York")
    provider = ProviderFactory(services=[consult, treatment], color="#7a3e9d")
    week_hours(provider, sarasota, weekdays=range(7))
    other = ProviderFactory(services=[consult], color="#0f5257")
    week_hours(other, tampa, weekdays=range(7))
    return {"consult": consult, "treatment": treatment, "provider": provider, "sarasota": sarasota}


def test_a_phone_books_a_consultation_under_the_policy(live_server, browser, consult_clinic):
    watched = Watched(browser, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = watched.new_page()
    response = page.goto(live_server.url + "/")
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    page.goto(live_server.url + "/book/?service=facial-balancing-consultation")
    page.get_by_role("group", name="Where would you like to come?").get_by_text("Sarasota").click()
    expect(page.get_by_role("group", name="Pick a day and time")).to_be_visible()
    page.locator("[data-choices=slot] label").first.click()
    fill_details(page, "Maya", "maya@example.com")
    page.get_by_role("button", name=re.compile(r"^Book ")).click()
    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    assert Appointment.objects.get().patient.email == "maya@example.com"

    # The manage page: cancelling asks first (data-confirm, no inline onsubmit); dismissing keeps it.
    now = timezone.now()
    later = slots_available(service=consult_clinic["consult"], start_date=timezone.localdate() + timedelta(days=10),
                            now=now, online=False, location=consult_clinic["sarasota"])[0]  # fmt: skip
    changeable = appointment_book(
        service=consult_clinic["consult"], start=later.start, now=now, source=Source.DESK,
        provider=consult_clinic["provider"], location=consult_clinic["sarasota"],
        details=PatientDetails("Noor", "Haddad", "noor@example.com", "+19415550102", date(1990, 1, 2)),
    )  # fmt: skip
    page.goto(live_server.url + manage_path(changeable))
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Cancel appointment").click()
    expect(page.get_by_role("button", name="Cancel appointment")).to_be_visible()
    changeable.refresh_from_db()
    assert changeable.status == "booked"
    watched.assert_none(page)
    watched.context.close()


def test_a_patient_fills_intake_with_a_drawn_signature_under_the_policy(live_server, browser, consult_clinic):
    now = timezone.now()
    slot = slots_available(service=consult_clinic["treatment"], start_date=timezone.localdate() + timedelta(days=2),
                           now=now, online=False)[0]  # fmt: skip
    appointment = appointment_book(
        service=consult_clinic["treatment"], start=slot.start, now=now, source=Source.DESK,
        details=PatientDetails("Maya", "Lopez", "maya@example.com", "+19415550101", date(1988, 4, 12)),
    )  # fmt: skip
    watched = Watched(browser, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = watched.new_page()
    page.goto(live_server.url + manage_path(appointment))
    page.get_by_role("link", name="Fill in your medical history").click()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="Medical history")).to_be_visible()
    for question in page.locator("[data-question]").all():
        question.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="Your goals")).to_be_visible()
    page.get_by_label("Jawline and masseters").check()
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
    page.get_by_role("button", name="Sign and finish").click()
    expect(page.get_by_role("heading", name="You're all set, Maya")).to_be_visible()
    watched.assert_none(page)
    watched.context.close()


def test_front_desk_and_a_manager_work_the_schedule_and_the_admin_under_the_policy(
    live_server, browser, consult_clinic
):
    provider, sarasota = consult_clinic["provider"], consult_clinic["sarasota"]
    day = timezone.now().astimezone(sarasota.zone).date() + timedelta(days=1)
    early, late = (
        appointment_book(
            service=consult_clinic["consult"], start=timezone.datetime.combine(day, at, tzinfo=sarasota.zone),
            now=timezone.now(), source=Source.DESK, patient=PatientFactory(first_name=name, last_name="Lane"),
            provider=provider,
        )
        for at, name in ((time(9), "Early"), (time(13), "Later"))
    )  # fmt: skip
    desk = UserFactory(username="frontdesk", first_name="Fran", is_staff=True)
    desk.groups.add(Group.objects.get(name=FRONT_DESK))
    watched = Watched(browser, viewport=DESKTOP)
    page = watched.new_page()
    sign_in(page, live_server.url, "frontdesk")
    expect(page.get_by_text("Fran · Front desk")).to_be_visible()

    page.goto(f"{live_server.url}/staff/?location=sarasota&date={day}")
    first = page.locator(f'a.tg-appt[data-reference="{early.reference}"]')
    second = page.locator(f'a.tg-appt[data-reference="{late.reference}"]')
    expect(first).to_be_visible()
    top, below = first.bounding_box(), second.bounding_box()
    # 09:00 and 13:00 on a grid of 7px per 5 minutes: four hours apart is 336px further down.
    assert abs((below["y"] - top["y"]) - 4 * 12 * 7) <= 2, (top, below)
    rows = -(-consult_clinic["consult"].duration_minutes // 5)
    assert abs(top["height"] - (rows * 7 - 2)) <= 1, top  # its rows of 7px, less the block's margins
    # The provider's colour from the schedule stylesheet, not a style attribute.
    accent = first.evaluate("a => getComputedStyle(a).borderLeftColor")
    assert accent == "rgb(122, 62, 157)", accent

    # Changing the location submits the form by itself (data-auto-submit).
    page.get_by_label("Location").select_option(label="Tampa")
    expect(page).to_have_url(re.compile(r"location=tampa"))
    page.wait_for_load_state()  # the new page's module has attached its listener (the URL changes first)
    page.get_by_label("Location").select_option(label="Sarasota")
    expect(page).to_have_url(re.compile(r"location=sarasota"))
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_role("button", name="Go").click()
    expect(first).to_be_visible()

    page.locator(".tg-head").filter(has_text=provider.name).get_by_role("link", name="Day sheet").click()
    expect(page.get_by_role("heading", name=provider.name)).to_be_visible()
    page.evaluate("window.print = () => { window.printed = true; }")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.printed === true")

    page.goto(f"{live_server.url}/staff/?location=sarasota&date={day}")
    first.click()
    expect(page.get_by_text("Early Lane").first).to_be_visible()
    watched.assert_none(page)

    manager = UserFactory(username="manager", first_name="Mona", is_staff=True)
    manager.groups.add(Group.objects.get(name=MANAGER))
    device = TOTPDevice.objects.create(user=manager, confirmed=True)
    admin = Watched(browser, viewport=DESKTOP)
    page = admin.new_page()
    sign_in(page, live_server.url, "manager", device)
    page.goto(live_server.url + "/admin/bookings/appointment/")
    expect(page.locator("#result_list")).to_be_visible()
    page.get_by_role("link", name=early.reference).first.click()
    expect(page.locator("#appointment_form")).to_be_visible()
    watched.assert_none(page)
    admin.assert_none(page)
    admin.context.close()
    watched.context.close()


def test_the_api_docs_render_under_the_policy(live_server, browser, consult_clinic):
    watched = Watched(browser, viewport=DESKTOP)
    page = watched.new_page()
    page.goto(live_server.url + "/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_be_visible()
    page.locator(".opblock-summary").first.click()  # an operation opens (Swagger UI's own scripts)
    expect(page.locator(".opblock-body").first).to_be_visible()
    watched.assert_none(page)
    watched.context.close()
