"""The availability and booking answers are built as plain data and encoded once; they must stay
exactly what encoding them through their schemas (AvailabilityOut, BookingOut) gave, and the
schema must still describe them."""

import json
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from ninja.responses import NinjaJSONEncoder

from bookings.api import AvailabilityOut, _json_time
from bookings.api_schemas import BookingOut
from bookings.models import Appointment
from bookings.selectors import availability_find
from bookings.services import cancel_deadline
from tests.bookings.conftest import next_weekday, week_hours
from tests.factories import LocationFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def through_the_schema(body: dict) -> dict:
    """What the API sent before: validated by the schema, dumped, encoded by ninja's encoder."""
    return json.loads(json.dumps(AvailabilityOut.model_validate(body).model_dump(), cls=NinjaJSONEncoder))


@pytest.mark.parametrize("zone", ["America/New_York", "America/Phoenix", "UTC"])
def test_availability_is_what_the_schema_would_have_sent(client, clinic, zone):
    # A second location in another zone (UTC writes "Z"), a provider there on Saturdays.
    elsewhere = LocationFactory(slug="elsewhere", timezone=zone, sort_order=1)
    other = ProviderFactory(services=[clinic.service])
    week_hours(other, elsewhere, weekdays=[0, 5])
    saturday = next_weekday(5)
    response = client.get(f"/api/v1/availability?service=consult&date={saturday}&days=3")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert {slot["location"] for slot in body["slots"]} == {"sarasota", "elsewhere"}
    assert body["closed"] == [str(saturday + timedelta(days=1))]
    found = availability_find(service=clinic.service, start_date=saturday, days=3, now=timezone.now())
    expected = {
        "slots": [
            {"start": s.start, "end": s.end, "provider": s.provider_id, "location": s.location.slug}
            for s in found.slots
        ],
        "closed": found.closed,
    }
    assert body == through_the_schema(expected)
    if zone == "UTC":
        assert any(slot["start"].endswith("Z") for slot in body["slots"])


def test_the_schema_still_describes_the_availability_answer(client):
    schema = client.get("/api/v1/schema").json()
    ok = schema["paths"]["/api/v1/availability"]["get"]["responses"]["200"]
    ref = ok["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    components = schema["components"]["schemas"]
    assert set(components[ref]["properties"]) == {"slots", "closed"}
    slot = components["SlotOut"]["properties"]
    assert set(slot) == {"start", "end", "provider", "location"}
    assert slot["start"]["format"] == "date-time"


def test_odd_instants_are_written_as_the_schema_wrote_them():
    for moment in [
        datetime(2026, 11, 1, 1, 30, tzinfo=ZoneInfo("America/New_York")),
        datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=ZoneInfo("America/New_York")),
        datetime(2026, 6, 1, 9, 0, 0, 123456, tzinfo=ZoneInfo("America/Phoenix")),
        datetime(2026, 6, 1, 9, 0, 5, tzinfo=UTC),
        datetime(2026, 1, 1, 9, 0, tzinfo=ZoneInfo("Europe/London")),
    ]:
        assert json.dumps(_json_time(moment)) == json.dumps(moment, cls=NinjaJSONEncoder)


def booking_through_the_schema(appointment, manage_url: str) -> bytes:
    """What the booking endpoints sent before: BookingOut validated from the objects, dumped,
    encoded by ninja's renderer (json.dumps with its encoder)."""
    appointment = Appointment.objects.select_related("service", "location", "provider__user").get(pk=appointment.pk)
    zone = appointment.location.zone
    provider = appointment.provider
    data = {
        "reference": appointment.reference,
        "service": appointment.service,
        "provider": {"id": provider.pk, "name": provider.name, "title": provider.title},
        "location": appointment.location,
        "start": appointment.start.astimezone(zone),
        "end": appointment.end.astimezone(zone),
        "status": appointment.status,
        "manage_url": manage_url,
        "cancellable_until": cancel_deadline(appointment).astimezone(zone),
    }
    return json.dumps(BookingOut.model_validate(data).model_dump(), cls=NinjaJSONEncoder).encode()


@pytest.mark.parametrize("zone", ["America/New_York", "UTC", "Asia/Kolkata"])
def test_booking_answers_are_what_the_schema_would_have_sent(client, clinic, zone):
    """Byte for byte, for each endpoint that answers a booking: names that need escapes, a zone
    written with "Z", another with a half-hour offset, a provider named or anyone."""
    place = LocationFactory(slug="ailleurs", name="Ça Va Clinic", address="1 Rue de l'Été\n2nd floor", timezone=zone)
    other = ProviderFactory(services=[clinic.service], title='Nurse "injector" — RN')
    other.user.first_name, other.user.last_name = "José", "Núñez"
    other.user.save()
    week_hours(other, place, weekdays=range(7))
    monday = next_weekday(0)
    start = datetime.combine(monday, time(10), tzinfo=ZoneInfo(zone))
    body = {
        "service": "consult", "start": start.isoformat(), "location": "ailleurs", "accept_policy": True,
        "patient": {"first_name": "Zoë", "last_name": "Ōta", "email": "zoe@example.com", "phone": "(941) 555-0199",
                    "date_of_birth": "1990-05-06"},
    }  # fmt: skip
    for named in (None, other.pk):
        if named:
            body["provider"], body["start"] = named, (start + timedelta(hours=1)).isoformat()
        created = client.post("/api/v1/bookings", json.dumps(body), content_type="application/json")
        assert created.status_code == 201, created.content
        assert created["Content-Type"] == "application/json; charset=utf-8"
        manage_url = created.json()["manage_url"]
        appointment = Appointment.objects.get(reference=created.json()["reference"])
        assert created.content == booking_through_the_schema(appointment, manage_url)
        assert b"\\u00e9" in created.content  # José, escaped as ninja's encoder escaped it
    token = manage_url.rstrip("/").rsplit("/", 1)[-1]
    read = client.get(f"/api/v1/bookings/{token}")
    assert read.status_code == 200 and read.content == booking_through_the_schema(appointment, manage_url)
    later = (start + timedelta(hours=3)).isoformat()
    moved = client.post(f"/api/v1/bookings/{token}/reschedule", json.dumps({"start": later}),
                        content_type="application/json")  # fmt: skip
    assert moved.status_code == 200 and moved.content == booking_through_the_schema(appointment, manage_url)
    assert moved.json()["start"] == later.replace("+00:00", "Z")
    cancelled = client.post(f"/api/v1/bookings/{token}/cancel", content_type="application/json")
    assert cancelled.status_code == 200
    assert cancelled.content == booking_through_the_schema(appointment, manage_url)
    assert cancelled.json()["status"] == "cancelled"
