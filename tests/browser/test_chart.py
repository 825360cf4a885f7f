"""An injector assesses and charts a masseter treatment with unequal sides plus DAO on a tablet: the
face map picks the rows, a high dose warns, a reason lets them sign, the signed record shows, and the
history shows the visit beside the patient's earlier one."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from charting.models import Override, RecordStatus, TreatmentRecord
from medspa.roles import INJECTOR
from tests.browser.conftest import screenshot
from tests.charting.chart_world import charted_visit
from tests.charting.conftest import consent_for, history_for
from tests.conftest import totp_code
from tests.factories import PASSWORD, AppointmentFactory, LocationFactory, PatientFactory, ProviderFactory, UserFactory
from treatments.models import Service, TreatmentArea

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
TABLET = {"width": 1024, "height": 768}


@pytest.fixture
def checked_in(db):
    treatment = Service.objects.get(slug="neuromodulator-treatment")
    injector = UserFactory(username="ivy", first_name="Ivy", last_name="Chen", is_staff=True)
    injector.groups.add(Group.objects.get(name=INJECTOR))
    TOTPDevice.objects.create(user=injector, name="Authenticator app", confirmed=True)
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=10)
    patient = PatientFactory(first_name="Mara", last_name="Lindqvist")
    provider = ProviderFactory(user=injector, services=[treatment])
    sarasota = LocationFactory(slug="sarasota", name="Sarasota", timezone="America/New_York")
    # Her visit four months ago: the left masseter and DAO pulled harder, and got more.
    scores = {("masseter", "left"): {"rest": 1, "clench": 3}, ("masseter", "right"): {"rest": 0, "clench": 1}}
    units = {("masseter", "left"): 30, ("masseter", "right"): 22, ("dao", "left"): 4, ("dao", "right"): 2}
    charted_visit(patient=patient, provider=provider, location=sarasota, start=start - timedelta(days=120),
                  units=units, lot_number="C6001C3", scores=scores, service=treatment)  # fmt: skip
    appointment = AppointmentFactory(
        patient=patient, provider=provider, location=sarasota,
        service=treatment, start=start, status="checked_in", intake_status="complete",
        areas=list(TreatmentArea.objects.filter(slug__in=["masseter", "dao"])),
    )  # fmt: skip
    history_for(appointment, intake_status="complete")
    consent_for(appointment)
    return appointment


def test_an_injector_charts_unequal_masseters_and_dao_and_signs_past_a_warning(live_server, browser, checked_in):
    page = browser.new_context(viewport=TABLET, has_touch=True).new_page()
    page.goto(live_server.url + "/staff/login/")
    page.get_by_label("Username").fill("ivy")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(totp_code(TOTPDevice.objects.get(user__username="ivy")))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Ivy · Injector")).to_be_visible()

    # From the appointment page: first the assessment, with last visit's scores beside the fields.
    page.goto(f"{live_server.url}/staff/appointments/{checked_in.reference}/")
    page.get_by_role("link", name="Assessment").click()
    expect(page.get_by_role("heading", name="Assessment: Mara Lindqvist")).to_be_visible()
    page.get_by_label("masseter, left, clenching").select_option("3")
    page.get_by_label("masseter, right, clenching").select_option("2")
    page.get_by_role("button", name="Save assessment").click()
    expect(page.get_by_text("Assessment saved for Mara Lindqvist.")).to_be_visible()

    # Then the chart: the gate is open.
    page.get_by_role("link", name="Treatment record").click()
    expect(page.get_by_text("Ready for treatment")).to_be_visible()
    page.get_by_role("button", name="Start record").click()

    page.get_by_label("Lot 1: Product").select_option(label="Botox Cosmetic")
    page.get_by_label("Lot 1: Lot number").fill("C7712C3")
    page.get_by_label("Lot 1: Expiry").fill("2030-06-30")
    page.get_by_label("Lot 1: Saline mL per vial").fill("2.5")
    # The face map fills the next blank row with its area and side and puts the cursor in Units.
    for region, units in (("masseter-left", "50"), ("masseter-right", "24"), ("dao-left", "4"), ("dao-right", "3")):
        page.locator(f"#region-{region}").click()
        page.keyboard.type(units)
    expect(page.get_by_label("Site 1: Area")).to_have_value(str(_area_id("masseter")))
    expect(page.get_by_label("Site 2: Side")).to_have_value("right")
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_role("status")).to_contain_text("Draft saved")
    warning = page.get_by_label("left: 50 Botox Cosmetic units is above the usual 20–45", exact=False)
    expect(warning).to_be_visible()
    expect(page.locator("#units-masseter-left")).to_have_text("50")
    expect(page.locator("#units-masseter-right")).to_have_text("24")
    screenshot(page, "chart-tablet-warning")

    # Signing without the reason is refused on its field; with it, the record is signed.
    page.get_by_role("button", name="Sign record").click()
    expect(page.get_by_text("Write why you went on")).to_be_visible()
    page.get_by_label("left: 50 Botox Cosmetic units is above the usual 20–45", exact=False).fill(
        "Marked bruxism, left masseter much stronger on clenching"
    )
    page.get_by_role("button", name="Sign record").click()
    expect(page.get_by_text("Record signed.")).to_be_visible()
    expect(page.locator(".badge.record-signed")).to_have_text("Signed")
    expect(page.get_by_text("Marked bruxism, left masseter much stronger on clenching")).to_be_visible()
    expect(page.locator("#units-masseter-left")).to_have_text("50")
    screenshot(page, "chart-tablet-signed")

    record = TreatmentRecord.objects.get(appointment=checked_in)
    assert record.status == RecordStatus.SIGNED
    assert sorted((s.area.slug, s.side, str(s.units)) for s in record.sites.all()) == [
        ("dao", "left", "4.0"), ("dao", "right", "3.0"), ("masseter", "left", "50.0"), ("masseter", "right", "24.0")
    ]  # fmt: skip
    assert Override.objects.get(record=record).reason.startswith("Marked bruxism")

    # The history: this visit beside the earlier one, newest first, and the assessments compared.
    page.get_by_role("link", name="Chart history").click()
    expect(page.get_by_role("heading", name="Chart history: Mara Lindqvist")).to_be_visible()
    expect(page.locator(".chart-visit")).to_have_count(2)
    expect(page.get_by_text("Jawline and masseters: 50 L / 24 R Botox Cosmetic units")).to_be_visible()
    expect(page.get_by_text("Jawline and masseters: 30 L / 22 R Botox Cosmetic units")).to_be_visible()
    clench = page.locator("tbody", has_text="Masseter").locator("tr", has_text="Clenching")
    expect(clench).to_contain_text("shrank")  # |3 − 1| = 2 before, |3 − 2| = 1 now
    screenshot(page, "chart-history-after-signing-tablet", docs="chart-history")


def _area_id(slug: str) -> int:
    from treatments.models import TreatmentArea

    return TreatmentArea.objects.get(slug=slug).pk
