"""Wherever a patient reads about their appointment they are given its location's name, address
and phone (the clinic's number only when the location has none), and times in its zone."""

import json
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from django.utils import timezone

from bookings.models import SMS_CONSENT_TEXT, Source
from bookings.services import PatientDetails, TooLateToChange, appointment_book, appointment_cancel
from bookings.tokens import manage_path, manage_token
from tests.bookings.conftest import NEW_YORK, PHOENIX, next_weekday, week_hours
from tests.factories import LocationFactory, ProviderFactory, ServiceFactory
from treatments.models import ServiceKind

pytestmark = pytest.mark.django_db

GROUP_PHONE = "+1 941 555 0142"
SCOTTSDALE_PHONE = "+1 480 555 0177"


@pytest.fixture
def scottsdale(db, settings):
    settings.CLINIC_PHONE = GROUP_PHONE
    service = ServiceFactory(slug="consult", name="Consultation", kind=ServiceKind.CONSULTATION, duration_minutes=45,
                             buffer_before_minutes=0, buffer_after_minutes=0, new_patients_online=True)  # fmt: skip
    location = LocationFactory(slug="scottsdale", name="Scottsdale", timezone="America/Phoenix",
                               address="7014 E Camelback Rd, Scottsdale, AZ", phone=SCOTTSDALE_PHONE)  # fmt: skip
    provider = ProviderFactory(services=[service])
    week_hours(provider, location)
    timezone.activate(NEW_YORK)  # the server's zone is two hours off Phoenix's in winter
    yield SimpleNamespace(location=location, service=service)
    timezone.deactivate()


def _book(service, location=None, **kwargs):
    start = datetime.combine(next_weekday(0, at_least=7), time(9), tzinfo=PHOENIX)
    return appointment_book(
        service=service,
        start=start,
        now=kwargs.pop("now", timezone.now()),
        source=Source.ONLINE,
        location=location,
        details=PatientDetails("Ada", "Park", "ada@example.com", "+14805550199", date(1990, 5, 6)),
        **kwargs,
    )


def test_the_manage_page_gives_the_locations_phone_and_address_and_its_local_time(client, scottsdale):
    appointment = _book(scottsdale.service)
    html = client.get(manage_path(appointment)).content.decode()
    assert SCOTTSDALE_PHONE in html and "7014 E Camelback Rd" in html
    assert GROUP_PHONE not in html  # not in the text, the header or the footer
    assert "tel:+14805550177" in html
    assert "at 9:00 AM" in html and "MST" in html and "11:00 AM" not in html


def test_inside_the_window_the_page_and_the_refusal_give_the_locations_phone(client, scottsdale):
    appointment = _book(scottsdale.service)
    late = appointment.start - timedelta(hours=2)
    with mock.patch("django.utils.timezone.now", return_value=late):
        html = client.get(manage_path(appointment)).content.decode()
        api = client.post(f"/api/v1/bookings/{manage_token(appointment)}/cancel", content_type="application/json")
    assert "changes go through the clinic" in html and SCOTTSDALE_PHONE in html and GROUP_PHONE not in html
    assert api.status_code == 409 and SCOTTSDALE_PHONE in api.json()["detail"]
    with pytest.raises(TooLateToChange, match=r"\+1 480 555 0177"):
        appointment_cancel(appointment=appointment, now=late, by_patient=True)


def test_a_location_without_its_own_phone_gives_the_clinics(client, scottsdale):
    scottsdale.location.phone = ""
    scottsdale.location.save()
    appointment = _book(scottsdale.service)
    html = client.get(manage_path(appointment)).content.decode()
    assert GROUP_PHONE in html and SCOTTSDALE_PHONE not in html


def test_the_intake_pages_give_the_locations_phone(client, scottsdale):
    appointment = _book(scottsdale.service)
    response = client.get(f"/intake/{manage_token(appointment)}/", follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and "Not right? Call us on" in html
    assert SCOTTSDALE_PHONE in html and GROUP_PHONE not in html


def _config(html: str) -> dict:
    marker = '<script id="booking-config" type="application/json">'
    start = html.index(marker) + len(marker)
    return json.loads(html[start : html.index("</script>", start)])


def test_the_book_page_offers_an_unticked_texting_opt_in_and_the_locations_phone(client, scottsdale):
    ServiceFactory(slug="tox", name="Frown lines", kind=ServiceKind.TREATMENT, new_patients_online=False,
                   bookable_online=True)  # fmt: skip
    html = client.get("/book/").content.decode()
    checkbox = html[html.index('id="sms_consent"') - 80 : html.index('id="sms_consent"') + 120]
    assert 'type="checkbox"' in checkbox and "checked" not in checkbox
    assert SMS_CONSENT_TEXT in html
    assert "Message and data rates may apply. Reply STOP to opt out." in html
    config = _config(html)
    assert config["locations"][0]["phone"] == SCOTTSDALE_PHONE
    services = {s["slug"]: s for s in config["services"]}
    assert services["tox"]["new_patients_online"] is False and services["consult"]["new_patients_online"] is True
