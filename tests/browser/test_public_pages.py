"""A patient on a phone reads the home page and an area page and finds the booking button."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_phone_visitor_reads_home_and_an_area_page_and_sees_booking(live_server, phone_page):
    page = phone_page
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Facial balancing: relax the muscle that pulls too hard")
    for region in ("Upper face", "Mid and lower face", "Jaw and neck"):
        expect(page.get_by_role("heading", name=region)).to_be_visible()
    cta = page.get_by_role("link", name="Book a consultation").first
    expect(cta).to_be_visible()
    box = cta.bounding_box()
    assert box and box["y"] + box["height"] <= 844, "the booking button is above the fold on a phone"
    # Nothing overflows sideways on a 390 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "home-phone")

    page.get_by_role("link", name="Jawline and masseters").click()
    expect(page).to_have_url(live_server.url + "/treatments/masseter/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Jawline and masseters")
    for heading in ("What it does", "What to expect", "Aftercare in short", "Good to know", "At a glance"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.get_by_text("20–45 units per side")).to_be_visible()
    expect(page.get_by_role("link", name="Book a consultation")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "area-masseter-phone")


def test_menu_opens_from_the_keyboard_on_a_phone(live_server, phone_page):
    page = phone_page
    page.goto(live_server.url + "/")
    toggle = page.get_by_role("button", name="Show menu")
    expect(page.get_by_role("link", name="Treatments", exact=True)).to_be_hidden()
    toggle.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Treatments", exact=True)).to_be_visible()
    page.get_by_role("link", name="Treatments", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Treatments")
