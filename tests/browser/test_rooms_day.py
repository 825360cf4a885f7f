"""The front desk's day with rooms: each visit of a service that takes a room shows its room, in the
location's time whatever the server's zone."""

from datetime import time, timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Source
from bookings.services import appointment_book
from medspa.roles import FRONT_DESK
from tests.bookings.conftest import week_hours
from tests.browser.conftest import DESKTOP, screenshot
from tests.factories import PASSWORD, LocationFactory, PatientFactory, ProviderFactory, RoomFactory, UserFactory
from treatments.models import Service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_day_view_shows_each_visits_room(live_server, browser, settings):
    settings.TIME_ZONE = "Asia/Tokyo"  # the server's zone is not the location's
    consult = Service.objects.get(slug="facial-balancing-consultation")
    consult.needs_room = True
    consult.save()
    location = LocationFactory(slug="sarasota", name="Sarasota", timezone="America/New_York")
    rooms = [RoomFactory(location=location, name=f"Treatment room {i}") for i in (1, 2)]
    providers = []
    for i, name in enumerate(["Imani Osei", "Daniel Park", "Lena Brooks"]):
        first, last = name.split()
        provider = ProviderFactory(services=[consult], user__first_name=first, user__last_name=last, sort_order=i)
        week_hours(provider, location, weekdays=range(7), blocks=[(time(9), time(12, 30)), (time(13, 30), time(17))])
        providers.append(provider)
    now = timezone.now()
    day = now.astimezone(location.zone).date() + timedelta(days=2)
    booked = []
    for hour, provider in [(9, 0), (9, 1), (10, 2), (11, 0), (11, 1), (14, 2)]:
        start = timezone.datetime.combine(day, time(hour), tzinfo=location.zone)
        booked.append(
            appointment_book(
                service=consult,
                start=start,
                now=now,
                source=Source.DESK,
                min_notice=timedelta(0),
                patient=PatientFactory(first_name=f"Pat{hour}", last_name=["Nguyen", "Smith", "Haddad"][provider]),
                provider=providers[provider],
            )
        )
    assert {a.room_id for a in booked[:2]} == {r.pk for r in rooms}
    desk = UserFactory(username="frontdesk", first_name="Fran", is_staff=True)
    desk.groups.add(Group.objects.get(name=FRONT_DESK))

    page = browser.new_context(viewport=DESKTOP).new_page()
    page.goto(live_server.url + "/staff/login/")
    page.get_by_label("Username").fill("frontdesk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Fran · Front desk")).to_be_visible()
    page.goto(f"{live_server.url}/staff/?location=sarasota&date={day}")
    nine = page.locator(".tg-appt", has_text="Pat9 Nguyen")
    expect(nine).to_contain_text("9:00")
    expect(nine.locator(".tg-room")).to_have_text("Treatment room 1")
    expect(page.locator(".tg-appt", has_text="Pat9 Smith").locator(".tg-room")).to_have_text("Treatment room 2")
    screenshot(page, "front-desk-day-rooms")
