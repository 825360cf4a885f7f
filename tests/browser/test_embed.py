"""The booking embedded in a clinic's own website, on another origin than ours, in Chromium.

The "clinic website" is the demo page (/embed/demo/) as a clinic would publish it: its HTML saved
and served by a plain http.server on another port, so the page and the booking are two origins
(127.0.0.1:<other port> around, localhost:<live server port> inside).
"""

import functools
import re
import threading
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import expect

from bookings.models import Appointment, EmbedOrigin, Source
from tests.browser.conftest import PHONE, SCREENSHOTS
from tests.browser.test_booking import fill_details, open_every_day  # noqa: F401 (open_every_day: a fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("open_every_day"),  # a location and an injector working every day
]

AXE_CONTEXT = {"bypass_csp": True, "reduced_motion": "reduce"}
# Every message the page receives, with its origin: what a clinic's page could see.
RECORD_MESSAGES = """
window.__messages = [];
window.__booked = [];
window.addEventListener("message", (e) => window.__messages.push({origin: e.origin, data: e.data}));
document.addEventListener("medspa:booked", (e) => window.__booked.push({target: e.target.id, detail: e.detail}));
"""


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def clinic_site(live_server, tmp_path):
    """Serves pages on another origin: `serve(name, html)` returns its URL there."""
    servers = []

    def serve(name: str, html: str) -> str:
        folder = tmp_path / f"site{len(servers)}"
        folder.mkdir()
        (folder / name).write_text(html)
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/{name}"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def demo_html(live_server) -> str:
    with urllib.request.urlopen(live_server.url + "/embed/demo/") as response:
        return response.read().decode()


def origin_of(url: str) -> str:
    return re.match(r"https?://[^/]+", url).group(0)


def allow(url: str) -> None:
    EmbedOrigin.objects.create(origin=origin_of(url))


def clinic_page(browser, url: str, **options):
    context = browser.new_context(**options)
    page = context.new_page()
    page.add_init_script(RECORD_MESSAGES)
    refusals = []  # Chromium's console lines about the Content-Security-Policy, the frame's included
    page.on("console", lambda m: refusals.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(url)
    page.refusals = refusals
    return page


def frame_height(page, selector: str) -> float:
    return page.locator(selector).evaluate("(el) => el.getBoundingClientRect().height")


def test_patient_books_through_the_embed_on_another_origin_and_the_page_hears_of_it(live_server, browser, clinic_site):
    url = clinic_site("index.html", demo_html(live_server))
    allow(url)
    page = clinic_page(browser, url, viewport={"width": 1280, "height": 900})
    inline = page.frame_locator("#inline-booking iframe")
    expect(inline.get_by_role("heading", name=re.compile("Book an appointment"))).to_be_visible()
    assert page.locator("#inline-booking iframe").get_attribute("src").startswith(live_server.url + "/embed/book/")

    inline.get_by_text("Facial balancing consultation", exact=True).click()
    first = inline.locator("[data-choices=slot] label").first
    expect(first).to_be_visible()
    slot_label = first.inner_text()
    first.click()
    fill_details(inline, "Maya", "maya@example.com")
    inline.get_by_role("button", name=re.compile(r"^Book ")).click()

    expect(inline.get_by_role("heading", name="You're booked")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#inline-booking").screenshot(path=str(SCREENSHOTS / "embed-booked.png"))
    appointment = Appointment.objects.get()
    assert appointment.source == Source.EMBED
    assert appointment.local_start.strftime("%-I:%M %p") == slot_label
    expect(page.locator("#demo-status")).to_have_text(f"Thank you! Booking {appointment.reference} is confirmed.")

    booked = page.evaluate("window.__booked")
    assert len(booked) == 1
    assert booked[0]["target"] == "inline-booking"
    detail = booked[0]["detail"]
    assert detail["reference"] == appointment.reference
    assert set(detail) == {"reference", "start", "end", "status", "service", "location"}
    assert detail["service"] == "facial-balancing-consultation"
    # The raw messages came from the booking's origin, and carry nothing about the patient.
    messages = page.evaluate("window.__messages")
    assert {m["origin"] for m in messages} == {live_server.url}
    outcome = [m["data"] for m in messages if m["data"]["type"] == "medspa:booked"]
    assert len(outcome) == 1
    assert "maya" not in str(outcome).lower() and "rivera" not in str(outcome).lower()
    # The manage page is not framed: its link opens in a new tab.
    manage = inline.get_by_role("link", name=re.compile("See, change or cancel"))
    assert manage.get_attribute("target") == "_blank"
    # The whole flow ran under the embed's policy (the accent colour included) without a violation.
    assert page.refusals == []


def test_iframe_is_as_tall_as_its_content_with_no_scrollbar(live_server, browser, clinic_site):
    url = clinic_site("index.html", demo_html(live_server))
    allow(url)
    page = clinic_page(browser, url, viewport=PHONE, is_mobile=True, has_touch=True)
    inline = page.frame_locator("#inline-booking iframe")
    expect(inline.get_by_role("group", name="What would you like to book?")).to_be_visible()
    frame = page.frame(url=re.compile(r"/embed/book/"))

    def fits() -> None:
        inner = frame.evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")
        page.wait_for_function(
            f"Math.round(document.querySelector('#inline-booking iframe').getBoundingClientRect().height) === {inner}"
        )
        assert frame.evaluate("document.documentElement.scrollHeight <= window.innerHeight")

    fits()
    before = frame_height(page, "#inline-booking iframe")
    inline.get_by_text("Facial balancing consultation", exact=True).click()
    expect(inline.locator("[data-choices=slot] label").first).to_be_visible()
    fits()
    taller = frame_height(page, "#inline-booking iframe")
    assert taller > before + 200
    inline.locator("#areas-picker summary").click()  # opening the areas makes it taller again
    page.wait_for_function(
        f"document.querySelector('#inline-booking iframe').getBoundingClientRect().height > {taller}"
    )
    fits()


def test_popup_button_opens_a_dialog_that_escape_closes(live_server, browser, clinic_site):
    url = clinic_site("index.html", demo_html(live_server))
    allow(url)
    page = clinic_page(browser, url, viewport=PHONE, is_mobile=True, has_touch=True)
    button = page.get_by_role("button", name="Book now")
    button.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Book now")
    expect(dialog).to_be_visible()
    popup = page.frame_locator("#popup-booking iframe")
    expect(popup.get_by_role("group", name="What would you like to book?")).to_be_visible()
    # The booking's heading takes focus (the page asked the frame by postMessage), for screen readers.
    expect(popup.locator("h1")).to_be_focused()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    backdrop = dialog.evaluate("(d) => getComputedStyle(d, '::backdrop').backgroundColor")
    assert backdrop == "rgba(20, 16, 18, 0.55)"  # a constructed stylesheet: no CSP of the page's refuses it
    page.screenshot(path=str(SCREENSHOTS / "embed-popup-phone.png"))
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(button).to_be_focused()
    # Open again: the same booking, and the close button closes it too.
    button.click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    # Escape with the focus on the page's side of the dialog (its close button) closes it as well.
    button.click()
    dialog.get_by_role("button", name="Close").focus()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(button).to_be_focused()


def test_a_page_outside_the_embed_urls_refuses_to_be_framed(live_server, browser, clinic_site):
    html = f'<!doctype html><title>Clinic</title><h1>Clinic</h1><iframe id="f" src="{live_server.url}/book/"></iframe>'
    url = clinic_site("index.html", html)
    allow(url)  # listed, yet only the embed URLs let it frame them
    page = clinic_page(browser, url)
    page.wait_for_timeout(1500)
    assert any("frame-ancestors 'none'" in text for text in page.refusals), page.refusals
    frame = page.frame_locator("#f")
    expect(frame.locator("#booking")).to_have_count(0)


def test_an_origin_not_on_the_list_is_refused(live_server, browser, clinic_site):
    EmbedOrigin.objects.create(origin="https://www.seaside.example")
    url = clinic_site("index.html", demo_html(live_server))  # not listed
    page = clinic_page(browser, url)
    page.wait_for_timeout(1500)
    assert any("frame-ancestors 'self' https://www.seaside.example" in t for t in page.refusals), page.refusals
    expect(page.frame_locator("#inline-booking iframe").locator("#booking")).to_have_count(0)
    assert page.evaluate("window.__messages") == []


def test_demo_page_on_this_site_shows_the_embed_under_the_policy(live_server, browser):
    """On our own origin (no origin listed): 'self' may frame the embed, and nothing breaks the CSP."""
    page = clinic_page(browser, live_server.url + "/embed/demo/")
    inline = page.frame_locator("#inline-booking iframe")
    expect(inline.get_by_role("group", name="What would you like to book?")).to_be_visible()
    frame = page.frame(url=re.compile(r"/embed/book/"))
    inner = frame.evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")
    for _ in range(50):  # the page's CSP refuses wait_for_function's eval: poll from here
        if round(frame_height(page, "#inline-booking iframe")) == inner:
            break
        page.wait_for_timeout(100)
    assert round(frame_height(page, "#inline-booking iframe")) == inner  # told its height: same origin too
    assert page.refusals == []


def test_embed_page_has_no_serious_axe_violation(live_server, browser, axe):
    page = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, **AXE_CONTEXT).new_page()
    page.goto(live_server.url + "/embed/book/?accent=%23f5c542")
    expect(page.get_by_role("group", name="What would you like to book?")).to_be_visible()
    axe.assert_no_serious(page, "/embed/book/ service step")
    page.get_by_text("Facial balancing consultation", exact=True).click()
    page.locator("[data-choices=slot] label").first.click()
    expect(page.get_by_label("First name")).to_be_visible()
    axe.assert_no_serious(page, "/embed/book/ details step (a light accent, darkened to be readable)")
    page.goto(live_server.url + "/embed/demo/")
    expect(page.get_by_role("button", name="Book now")).to_be_visible()
    axe.assert_no_serious(page, "/embed/demo/")


def test_screenshot_of_the_embed_on_the_demo_page_on_a_phone(live_server, browser, clinic_site):
    url = clinic_site("index.html", demo_html(live_server))
    allow(url)
    page = clinic_page(browser, url, viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    inline = page.frame_locator("#inline-booking iframe")
    expect(inline.get_by_role("group", name="What would you like to book?")).to_be_visible()
    page.wait_for_timeout(300)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path: Path = SCREENSHOTS / "embed-phone.png"  # docs/embed-phone.png is a copy, looked at
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
