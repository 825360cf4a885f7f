"""An injector on a phone (390×844) takes a visit's six expressions in one go, each shown in its
frame under the framing guide with the expression named, saves them, then compares smiling at this
visit with the visit four months ago: side by side, then one over the other with the slider."""

from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from charting.demo_photos import face_image
from charting.imaging import photo_reencode
from charting.models import Expression, Photo
from charting.services import PhotoInput, photo_renditions_make, photos_add
from medspa.roles import INJECTOR
from tests.browser.conftest import PHONE, screenshot
from tests.browser.test_accessibility import AXE_CONTEXT
from tests.browser.test_charting_history import DAO, sign_in
from tests.charting.chart_world import area, charted_visit
from tests.factories import AppointmentFactory, LocationFactory, PatientFactory, ProviderFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def returning_patient(db, photo_store):
    injector = UserFactory(username="injector", first_name="Imani", last_name="Osei", is_staff=True)
    injector.groups.add(Group.objects.get(name=INJECTOR))
    TOTPDevice.objects.create(user=injector, confirmed=True)
    provider = ProviderFactory(user=injector)
    location = LocationFactory(slug="sarasota", name="Sarasota", timezone="America/New_York")
    patient = PatientFactory(first_name="Elena", last_name="Marsh")
    today = timezone.now().astimezone(location.zone).date()
    start = datetime.combine(today, time(9), tzinfo=location.zone)
    scores = {(DAO, "left"): {"rest": 2, "smile": 3}, (DAO, "right"): {"rest": 1, "smile": 1}}
    earlier = charted_visit(patient=patient, provider=provider, location=location, start=start - timedelta(days=120),
                            units={("dao", "left"): 4, ("dao", "right"): 2}, scores=scores)  # fmt: skip
    shots = [PhotoInput(v, photo_reencode(face_image(v, asymmetry=1.0))) for v in Expression.values]
    for photo in photos_add(appointment=earlier, phase="before", photos=shots, actor=injector, now=earlier.start):
        photo_renditions_make(photo.pk)
    return AppointmentFactory(patient=patient, provider=provider, location=location, start=start,
                              areas=[area("dao")], status="checked_in")  # fmt: skip


@pytest.fixture
def phone_shots(tmp_path):
    """The six photos as the phone's camera would hand them to the page."""
    paths = {}
    for value in Expression.values:
        path = tmp_path / f"IMG_{value}.jpg"
        path.write_bytes(face_image(value, asymmetry=0.2))
        paths[value] = path
    return paths


def test_an_injector_takes_the_set_on_a_phone_and_compares_two_visits(live_server, browser, axe, returning_patient,
                                                                       phone_shots):  # fmt: skip
    visit = returning_patient
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  **AXE_CONTEXT)  # fmt: skip
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/staff/chart/{visit.reference}/photos/")
    expect(page.get_by_role("heading", name="Photos: Elena Marsh")).to_be_visible()
    expect(page.get_by_role("radio", name="Before treatment")).to_be_checked()
    for value, label in Expression.choices:
        field = page.get_by_label(label, exact=True)
        assert field.get_attribute("accept") == "image/*" and field.get_attribute("capture") == "environment"
        field.set_input_files(str(phone_shots[value]))
        frame = page.locator(f'[data-frame-for="id_{value}"]')
        expect(frame.locator(".photo-frame-label")).to_have_text(label)
        expect(frame.locator(".photo-preview")).to_be_visible()  # the photo shows under the guide
        expect(frame.locator(".photo-guide")).to_be_visible()
    frame_box = page.locator('[data-frame-for="id_rest"]').bounding_box()
    assert frame_box["width"] < PHONE["width"] / 2  # two frames a row on a phone
    axe.assert_no_serious(page, "the photo page with six photos taken")
    screenshot(page, "photos-phone-taken")
    page.get_by_role("button", name="Save photos").click()
    expect(page.get_by_text("6 photos added (before treatment).")).to_be_visible()
    assert Photo.objects.filter(appointment=visit, phase="before").count() == 6
    expect(page.locator("#set-before")).to_contain_text("all six")
    thumbs = page.locator(".photo-set img.photo-thumb")
    expect(thumbs).to_have_count(6)
    for i in range(6):  # each served to this user (lazy: loaded once in view)
        thumbs.nth(i).scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbs.nth(i).element_handle())

    page.get_by_role("link", name="Compare visits").click()
    expect(page.get_by_role("heading", name="Photos compared: Elena Marsh")).to_be_visible()
    # The select submits itself once the page's script has run: on a loaded machine the heading
    # shows before it has (a CI run once chose "Smiling" in time for nothing to listen).
    page.wait_for_load_state("load")
    page.get_by_label("Expression").select_option(label="Smiling")  # submits itself
    expect(page.locator(".compare-summary")).to_contain_text("Smiling")
    photos = page.locator("img.compare-photo")
    expect(photos).to_have_count(2)
    for i in range(2):
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photos.nth(i).element_handle())
    left, right = (photos.nth(i).bounding_box() for i in range(2))
    assert abs(left["y"] - right["y"]) < 2 and left["x"] + left["width"] <= right["x"]  # side by side, on a phone too
    expect(page.locator(".compare-side").first).to_contain_text("Earlier")
    dao = page.locator(".compare-units-side").first.locator("tr", has_text="Downturned mouth corners")
    expect(dao.locator("td").nth(0)).to_have_text("4")  # last visit's DAO units, left
    expect(dao.locator("td").nth(1)).to_have_text("2")  # and right
    top = page.locator(".overlay-top")
    before = top.evaluate("img => getComputedStyle(img).clipPath")
    slider = page.get_by_label("Slide from the earlier visit to the later one")
    slider.focus()
    for _ in range(3):
        slider.press("ArrowRight")
    after = top.evaluate("img => getComputedStyle(img).clipPath")
    assert before != after and "47%" in after, (before, after)
    axe.assert_no_serious(page, "the comparison")
    screenshot(page, "photos-phone-compare")
    assert not errors, errors
    context.close()
