"""The reports page in Chromium: no serious axe violation, nothing the CSP refuses, and no sideways
scrolling on a phone (tables scroll in their own box)."""

from datetime import date, time, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser import conftest as browser_conftest
from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.factories import PatientFactory
from tests.reports.conftest import history, hours, injected, local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

browser, axe = browser_conftest.browser, browser_conftest.axe


@pytest.fixture
def signed_in(client, manager_user, clinic, book):
    """A month of visits at both locations, and a manager's session cookie (two factors done)."""
    for provider, location, zone in ((clinic.first, clinic.sarasota, "America/New_York"),
                                     (clinic.second, clinic.scottsdale, "America/Phoenix")):  # fmt: skip
        for weekday in range(5):
            hours(provider, location, weekday, time(9), time(17))
        for n in range(12):
            day = date(2026, 3, 2) + timedelta(days=n + n // 5 * 2)
            visit = book(provider, local(day, 10, zone=zone), location=location, patient=PatientFactory(),
                         source=("online", "desk")[n % 2], status=("completed", "no_show")[n % 6 == 5])  # fmt: skip
            if visit.status == "completed":
                if n % 4:
                    history(visit, visit.start - timedelta(days=1))
                injected(visit, ("botox-cosmetic", "dysport")[n % 3 == 0], [("masseter", "left", "20")])
    client.force_login(manager_user)
    return client.cookies["sessionid"].value


def open_reports(browser, live_server, cookie, viewport, *, bypass_csp: bool):
    """The page, and the console's errors (a CSP refusal is one, when the policy is not bypassed)."""
    context = browser.new_context(viewport=viewport, bypass_csp=bypass_csp, reduced_motion="reduce")
    context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/staff/reports/?since=2026-03-01&until=2026-03-31")
    return page, problems


def test_the_reports_page_has_no_serious_axe_violation(live_server, browser, axe, signed_in):
    page, problems = open_reports(browser, live_server, signed_in, DESKTOP, bypass_csp=True)  # axe is a script
    expect(page.get_by_role("heading", name="Utilization", exact=True)).to_be_visible()
    expect(page.get_by_role("img", name="Utilization by provider")).to_be_visible()
    found = axe.assert_no_serious(page, "the reports page")
    print("axe on the reports page, below serious:", [f"{v['impact']} {v['id']}" for v in found] or "none")
    screenshot(page, "reports")
    assert problems == []
    page.context.close()


def test_on_a_phone_nothing_scrolls_sideways_and_nothing_breaks_the_csp(live_server, browser, axe, signed_in):
    page, _ = open_reports(browser, live_server, signed_in, PHONE, bypass_csp=True)
    expect(page.get_by_role("img", name="Retention by provider")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    axe.assert_no_serious(page, "the reports page on a phone")  # the charts scroll in a focusable box
    screenshot(page, "reports-phone")
    page.context.close()
    page, problems = open_reports(browser, live_server, signed_in, PHONE, bypass_csp=False)
    expect(page.get_by_role("img", name="Retention by provider")).to_be_visible()
    assert problems == []
    page.context.close()
