"""The booking page, the patient's manage page, the calendar file and the demo clinic."""

import json
from datetime import UTC, date, timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from bookings.models import Appointment, AppointmentStatus, Location, Provider, Room, Source, WorkingHours
from bookings.services import PatientDetails, appointment_book
from bookings.tokens import manage_path
from tests.bookings.conftest import at, next_weekday

pytestmark = pytest.mark.django_db


@pytest.fixture
def appointment(clinic):
    return appointment_book(
        service=clinic.service,
        start=at(next_weekday(0), 10),
        now=timezone.now(),
        source=Source.ONLINE,
        details=PatientDetails("Ada", "Park", "ada@example.com", "+19415550199", date(1990, 5, 6)),
    )


def _config(html: str) -> dict:
    start = html.index('<script id="booking-config" type="application/json">') + len(
        '<script id="booking-config" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_book_page_carries_locations_online_services_and_areas(client, clinic):
    html = client.get("/book/?service=consult").content.decode()
    config = _config(html)
    assert [loc["slug"] for loc in config["locations"]] == ["sarasota"]
    assert "consult" in [s["slug"] for s in config["services"]]
    assert [region["label"] for region in config["regions"]] == ["Upper face", "Mid and lower face", "Jaw and neck"]
    assert config["preselect"]["service"] == "consult"
    assert "booking.js" in html and "<noscript>" in html
    assert 'for="accept_policy"' in html and "24 hours before" in html
    assert 'href="/book/waitlist/"' in html and "Join the waitlist" in html


def test_home_cta_opens_the_booking_page_on_a_consultation(client):
    html = client.get("/").content.decode()
    assert 'href="/book/?service=facial-balancing-consultation"' in html


def test_manage_page_shows_the_booking_in_the_locations_time(client, appointment):
    response = client.get(manage_path(appointment) + "?booked=1")
    html = response.content.decode()
    assert response.status_code == 200
    assert "You're booked" in html
    assert "at 10:00 AM" in html and "(Sarasota time, E" in html
    assert appointment.reference in html
    assert "Cancel appointment" in html and "Reschedule" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_manage_page_cancel_form_works_without_javascript(client, appointment):
    response = client.post(manage_path(appointment) + "cancel/", follow=True)
    assert "Your appointment is cancelled" in response.content.decode()
    assert "This appointment is cancelled" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_manage_page_inside_the_window_sends_the_patient_to_the_phone(client, appointment):
    late = appointment.start - timedelta(hours=2)
    with mock.patch("django.utils.timezone.now", return_value=late):
        html = client.get(manage_path(appointment)).content.decode()
        response = client.post(manage_path(appointment) + "cancel/", follow=True)
    assert "changes go through the clinic" in html and "Cancel appointment" not in html
    assert "please call us" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_manage_links_expire_after_the_visit_and_bad_ones_are_404(client, appointment):
    after = appointment.end + timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=after):
        expired = client.get(manage_path(appointment))
    assert expired.status_code == 410 and "This link has expired" in expired.content.decode()
    assert client.get(f"/my/{appointment.reference}.forged/").status_code == 404
    assert client.get("/my/nothing/calendar.ics").status_code == 404


def test_calendar_file_is_in_the_locations_zone_with_the_manage_link(client, appointment):
    response = client.get(manage_path(appointment) + "calendar.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    ics = response.content.decode()
    local = appointment.start.astimezone(appointment.location.zone)
    assert f"DTSTART;TZID=America/New_York:{local:%Y%m%d}T100000" in ics
    assert f"DTEND;TZID=America/New_York:{local:%Y%m%d}T103000" in ics
    assert "BEGIN:VTIMEZONE" in ics
    assert "SUMMARY:Consultation at " in ics
    assert f"{appointment.reference}@" in ics
    assert manage_path(appointment) in ics.replace("\r\n ", "")


def test_demo_clinic_has_two_zones_three_providers_and_bookings(settings):
    settings.DEBUG = True
    call_command("demo_seed")
    counts = (Location.objects.count(), Provider.objects.count(), WorkingHours.objects.count(),
              Appointment.objects.count())  # fmt: skip
    assert dict(Location.objects.values_list("slug", "timezone")) == {
        "sarasota": "America/New_York",
        "scottsdale": "America/Phoenix",
    }
    assert Provider.objects.count() == 3
    travellers = [p for p in Provider.objects.all() if p.working_hours.values("location").distinct().count() == 2]
    assert len(travellers) == 1
    lunch_breaks = WorkingHours.objects.filter(provider=travellers[0], weekday=0).count()
    assert lunch_breaks == 2
    assert Appointment.objects.count() >= 3
    assert Appointment.objects.values("location").distinct().count() == 2
    # Two rooms at each location; the consultation takes one, so every demo consultation has its room.
    assert sorted(Room.objects.values_list("location__slug", flat=True)) == ["sarasota"] * 2 + ["scottsdale"] * 2
    consults = Appointment.objects.filter(service__slug="facial-balancing-consultation", status="booked")
    assert consults.exists() and not consults.filter(room=None).exists()
    assert all(a.room.location_id == a.location_id for a in consults)
    call_command("demo_seed")
    assert counts == (Location.objects.count(), Provider.objects.count(), WorkingHours.objects.count(),
                      Appointment.objects.count())  # fmt: skip
    # Every booking is ahead; the returning patient's charted visits (charting's demo) are behind.
    assert all(a.start > timezone.now().astimezone(UTC) for a in Appointment.objects.exclude(status="completed"))


def test_the_patient_confirms_from_the_manage_page(client, appointment):
    response = client.post(manage_path(appointment) + "confirm/", follow=True)
    assert (
        "you&#x27;re confirmed" in response.content.decode().lower() or "you're confirmed" in response.content.decode()
    )
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CONFIRMED
    assert appointment.events.filter(kind="confirmed", actor=None).exists()
    assert "Confirm I&#x27;m coming" not in response.content.decode()
