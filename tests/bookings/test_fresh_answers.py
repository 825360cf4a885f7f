"""A slot booked a moment ago is never offered again, and one freed comes back at once (the kept
answers of bookings/availability_cache.py are read under a version every such write changes;
tests/bookings/test_availability_cache.py covers each kind of write). A booking's answer is built
without reading the appointment back, and says what reading it back says. A booking costs the
same number of queries however many providers and appointments there are."""

import json
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings.models import Source, TimeOff
from bookings.services import PatientDetails, appointment_book
from tests.bookings.conftest import at, next_weekday, week_hours
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


def post(client, path: str, body: dict):
    return client.post(path, json.dumps(body), content_type="application/json")


def body(day: date, hour: int, n: int, **extra) -> dict:
    return {
        "service": "consult",
        "start": at(day, hour).isoformat(),
        "accept_policy": True,
        "patient": {
            "first_name": "Pat",
            "last_name": f"Client{n}",
            "email": f"client{n}@example.com",
            "phone": "+19415550100",
            "date_of_birth": "1990-01-01",
        },
        **extra,
    }


def offered(client, day: date, **query) -> list[tuple[str, int]]:
    params = "&".join(f"{key}={value}" for key, value in {"service": "consult", "date": day, **query}.items())
    response = client.get(f"/api/v1/availability?{params}")
    assert response.status_code == 200
    return [(slot["start"], slot["provider"]) for slot in response.json()["slots"]]


def test_a_booked_slot_is_gone_from_the_next_answer_and_back_once_cancelled(client, clinic):
    day = next_weekday(0)
    ten = at(day, 10).isoformat()
    assert (ten, clinic.provider.pk) in offered(client, day)
    assert (ten, clinic.provider.pk) in offered(client, day, provider=clinic.provider.pk)
    created = post(client, "/api/v1/bookings", body(day, 10, 1))
    assert created.status_code == 201
    for query in ({}, {"provider": clinic.provider.pk}, {"days": 3}):
        starts = [start for start, _ in offered(client, day, **query)]
        assert ten not in starts and at(day, 10, 15).isoformat() not in starts  # the visit takes 30 minutes
    token = created.json()["manage_url"].rstrip("/").rsplit("/", 1)[-1]
    assert post(client, f"/api/v1/bookings/{token}/cancel", {}).status_code == 200
    assert (ten, clinic.provider.pk) in offered(client, day)


def test_time_off_and_bookings_at_the_desk_show_in_the_next_answer(client, clinic):
    day = next_weekday(1)
    assert at(day, 9).isoformat() in [start for start, _ in offered(client, day)]
    TimeOff.objects.create(provider=clinic.provider, start=at(day, 9), end=at(day, 10), reason="Training")
    appointment_book(
        service=clinic.service, start=at(day, 14), now=timezone.now(), source=Source.DESK,
        details=PatientDetails("Desk", "Booking", "desk@example.com", "+19415550100", date(1980, 2, 3)),
    )  # fmt: skip
    starts = [start for start, _ in offered(client, day)]
    assert at(day, 9).isoformat() not in starts and at(day, 9, 30).isoformat() not in starts
    assert at(day, 14).isoformat() not in starts
    assert at(day, 10).isoformat() in starts


@pytest.mark.parametrize("named", [False, True])
def test_the_booking_answer_is_what_reading_it_back_gives(client, clinic, named):
    other = ProviderFactory(services=[clinic.service], title="Nurse practitioner")
    week_hours(other, clinic.location)
    day = next_weekday(2)
    extra = {"provider": other.pk} if named else {}
    created = post(client, "/api/v1/bookings", body(day, 11, 7, **extra))
    assert created.status_code == 201, created.content
    answer = created.json()
    token = answer["manage_url"].rstrip("/").rsplit("/", 1)[-1]
    read = client.get(f"/api/v1/bookings/{token}")
    assert read.status_code == 200
    assert answer == read.json()
    if named:
        assert answer["provider"] == {"id": other.pk, "name": other.name, "title": "Nurse practitioner"}


def _booking_queries(client, day: date, n: int, **extra) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = post(client, "/api/v1/bookings", body(day, 9, n, **extra))
    assert response.status_code == 201, response.content
    return len(queries)


def test_a_booking_costs_the_same_queries_whatever_the_providers_and_appointments(client, clinic):
    first = next_weekday(0, at_least=7)
    mine = {"provider": clinic.provider.pk}
    few = [_booking_queries(client, first, 1), _booking_queries(client, first + timedelta(days=1), 2, **mine)]
    providers = [ProviderFactory(services=[clinic.service]) for _ in range(5)]
    for provider in providers:
        week_hours(provider, clinic.location)
    for i, hour in enumerate((10, 11, 13, 14, 15, 16)):
        for provider in [clinic.provider, *providers]:
            appointment_book(
                service=clinic.service, start=at(first + timedelta(days=2), hour), now=timezone.now(),
                source=Source.DESK, provider=provider,
                details=PatientDetails("Busy", f"P{i}", f"busy{i}-{provider.pk}@example.com", "+19415550100",
                                       date(1980, 2, 3)),
            )  # fmt: skip
    # Anyone at a time only one provider has free (so the same single candidate as above), then named.
    for provider in providers:
        appointment_book(
            service=clinic.service, start=at(first + timedelta(days=2), 9), now=timezone.now(), source=Source.DESK,
            provider=provider,
            details=PatientDetails("Early", "Bird", f"early-{provider.pk}@example.com", "+19415550100",
                                   date(1980, 2, 3)),
        )  # fmt: skip
    busy_day = first + timedelta(days=2)
    many = [_booking_queries(client, busy_day, 3), _booking_queries(client, busy_day + timedelta(days=1), 4, **mine)]
    assert many == few
