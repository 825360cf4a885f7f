"""An injector on a 1024×768 tablet fills the assessment with the keyboard alone, then sees the
history with this visit beside the one four months ago."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from charting.models import Assessment
from medspa.roles import INJECTOR
from tests.browser.conftest import screenshot
from tests.charting.chart_world import area, charted_visit
from tests.conftest import totp_code
from tests.factories import (
    PASSWORD,
    AppointmentFactory,
    InjectionSiteFactory,
    LocationFactory,
    LotUseFactory,
    PatientFactory,
    ProviderFactory,
    SignedRecordFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
TABLET = {"width": 1024, "height": 768}
DAO = "depressor anguli oris"


@pytest.fixture
def returning_patient(db):
    injector = UserFactory(username="injector", first_name="Imani", last_name="Osei", is_staff=True)
    injector.groups.add(Group.objects.get(name=INJECTOR))
    TOTPDevice.objects.create(user=injector, confirmed=True)
    provider = ProviderFactory(user=injector)
    location = LocationFactory(slug="sarasota", name="Sarasota", timezone="America/New_York")
    patient = PatientFactory(first_name="Elena", last_name="Marsh")
    today = timezone.now().astimezone(location.zone).date()
    start = datetime.combine(today, time(9), tzinfo=location.zone)
    scores = {
        ("masseter", "left"): {"rest": 1, "clench": 3},
        ("masseter", "right"): {"rest": 0, "clench": 2},
        (DAO, "left"): {"rest": 2, "frown": 2, "smile": 3},
        (DAO, "right"): {"rest": 1, "frown": 1, "smile": 1},
    }
    units = {("masseter", "left"): 30, ("masseter", "right"): 22, ("dao", "left"): 4, ("dao", "right"): 2}
    charted_visit(patient=patient, provider=provider, location=location, start=start - timedelta(days=120),
                  units=units, lot_number="C8123C3", scores=scores)  # fmt: skip
    visit = AppointmentFactory(patient=patient, provider=provider, location=location, start=start,
                               areas=[area("masseter"), area("dao")], status="checked_in")  # fmt: skip
    return visit


def sign_in(page, url: str) -> None:
    page.goto(url + "/staff/login/")
    page.get_by_label("Username").fill("injector")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(totp_code(TOTPDevice.objects.get(user__username="injector")))
    page.get_by_role("button", name="Continue").click()


def test_an_injector_assesses_with_the_keyboard_and_sees_both_visits_side_by_side(live_server, browser,
                                                                                   returning_patient):  # fmt: skip
    visit = returning_patient
    page = browser.new_context(viewport=TABLET).new_page()
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/staff/chart/{visit.reference}/assessment/")
    expect(page.get_by_role("heading", name="Assessment: Elena Marsh")).to_be_visible()
    # Last visit's clench score sits beside the field.
    expect(page.locator("#id_m1-left-clench-last")).to_have_text("last visit 3")

    first = page.get_by_label(f"{DAO}, left, at rest")
    first.focus()
    outline = first.evaluate("el => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).outlineWidth")
    assert outline == "solid 3px", outline  # the focus is visible

    def row(*keys: str) -> None:
        """One side's six scores (a digit, or "" to leave it) then the dominant checkbox."""
        for key in keys[:6]:
            if key:
                page.keyboard.type(key)
            page.keyboard.press("Tab")
        if keys[6] == "x":
            page.keyboard.press("Space")
        page.keyboard.press("Tab")

    #    rest frown smile brows squint clench dominant
    row("1", "1", "2", "", "", "", "x")  # DAO left
    row("1", "1", "1", "", "", "", "")  # DAO right
    row("0", "", "", "", "", "2", "")  # masseter left
    row("0", "", "", "", "", "2", "")  # masseter right
    page.keyboard.press("Tab")  # past the area to add
    page.keyboard.press("Tab")  # past the muscle to add
    page.keyboard.press("Tab")  # past "Add to the grid"
    page.keyboard.type("Jaw nearly even; a little left DAO pull on smiling.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save assessment")).to_be_focused()
    screenshot(page, "charting-assessment-tablet")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Assessment saved for Elena Marsh.")).to_be_visible()

    rows = {(r.muscle, r.side): r for r in Assessment.objects.get(appointment=visit).rows.all()}
    assert (rows[DAO, "left"].rest, rows[DAO, "left"].smile, rows[DAO, "left"].dominant) == (1, 2, True)
    assert (rows["masseter", "right"].rest, rows["masseter", "right"].clench) == (0, 2)

    # The record is charted and signed (the record's own flow), then the history.
    record = SignedRecordFactory(appointment=visit)
    lot = LotUseFactory(record=record, lot_number="C9051C3")
    for slug, side, units in (("masseter", "left", 26), ("masseter", "right", 22), ("dao", "left", 3),
                              ("dao", "right", 3)):  # fmt: skip
        InjectionSiteFactory(lot=lot, area=area(slug), side=side, units=Decimal(units))
    page.goto(f"{live_server.url}/staff/patients/{visit.patient_id}/")
    page.get_by_role("link", name="Chart history").click()
    expect(page.get_by_role("heading", name="Last two assessments side by side")).to_be_visible()
    expect(page.locator(".compare-summary")).to_contain_text("converging")
    expect(page.get_by_text("Jawline and masseters: 30 L / 22 R Botox Cosmetic units")).to_be_visible()
    expect(page.get_by_text("Jawline and masseters: 26 L / 22 R Botox Cosmetic units")).to_be_visible()
    clench = page.locator("tbody", has_text="Masseter").locator("tr", has_text="Clenching")
    expect(clench).to_contain_text("shrank")
    assert page.locator(".chart-visit").count() == 2
    screenshot(page, "charting-history-tablet")
    page.get_by_role("link", name="Printable chart").click()
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    screenshot(page, "charting-print-tablet")
