"""The time grid is placed by classes and a stylesheet, never by style attributes (CSP)."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from bookings import grid_css
from bookings.schedules import _place
from tests.bookings.conftest import at, booked_at, next_weekday
from tests.bookings.test_frontdesk import day_url
from tests.factories import ProviderFactory


@pytest.fixture
def day():
    return next_weekday(0)


STATIC = Path(grid_css.__file__).parent / "static" / "bookings" / "time-grid.css"


def test_the_committed_stylesheet_is_what_the_generator_writes():
    assert STATIC.read_text() == grid_css.stylesheet(), "run: python -m bookings.grid_css > " + str(STATIC)


def test_the_stylesheet_has_a_class_for_every_row_of_a_25_hour_day():
    css = grid_css.stylesheet()
    assert grid_css.MAX_ROWS == 300
    assert ".gr-300{grid-row-start:300}" in css and ".gs-300{grid-row-end:span 300}" in css
    assert ".rows-300{--rows:300}" in css and ".gr-301{" not in css


def test_a_block_past_the_last_row_is_kept_on_the_grid():
    assert _place(0, 10 * 60, 10 * 60 + 45) == (121, 9)
    row, span = _place(0, 24 * 60 + 50, 26 * 60)
    assert row + span - 1 <= grid_css.MAX_ROWS and row <= grid_css.MAX_ROWS
    assert _place(60, 0, 30) == (1, 6)


def test_the_day_places_an_appointment_by_class_in_its_rows(client, front_desk_user, clinic, day):
    early, late = booked_at(clinic, at(day, 9)), booked_at(clinic, at(day, 10, 30))
    client.force_login(front_desk_user)
    html = client.get(day_url(clinic, day)).content.decode()
    assert 'style="' not in html
    # The grid starts at 08:00 and a row is 5 minutes: 09:00 is row 13, 10:30 row 31; 30 minutes span 6.
    for appointment, row in ((early, 13), (late, 31)):
        tag = re.search(rf'<a class="tg-appt[^"]*"\s+href="[^"]*{appointment.reference}/"', html).group(0)
        assert f"gr-{row} gs-6 accent-{clinic.provider.pk}" in tag
    assert re.search(r'class="time-grid rows-\d+ cols-1"', html)
    assert "bookings/time-grid.css" in html and reverse("bookings:staff-schedule-css") in html


def test_the_schedule_stylesheet_gives_each_provider_their_colour_and_refuses_anything_else(
    client, front_desk_user, clinic
):
    clinic.provider.color = "#aa3366"
    clinic.provider.save()
    odd = ProviderFactory(color="red}*{x")
    client.force_login(front_desk_user)
    response = client.get(reverse("bookings:staff-schedule-css"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/css")
    css = response.content.decode()
    assert f".accent-{clinic.provider.pk}{{--accent:#aa3366}}" in css
    assert f".accent-{odd.pk}" not in css and "}*{" not in css


def test_the_schedule_stylesheet_is_for_staff_only(client):
    response = client.get(reverse("bookings:staff-schedule-css"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
