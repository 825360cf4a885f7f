"""The booking endpoints of the public API, against the contract in DESIGN.md."""

import json
from datetime import UTC, date, datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from bookings.models import Appointment, AppointmentStatus, Source
from bookings.services import PatientDetails, appointment_book
from bookings.tokens import manage_token
from tests.bookings.conftest import PHOENIX, at, next_weekday, week_hours
from tests.factories import LocationFactory, ProviderFactory, TreatmentAreaFactory

pytestmark = pytest.mark.django_db

PATIENT = {
    "first_name": "Ada",
    "last_name": "Park",
    "email": "ada@example.com",
    "phone": "(941) 555-0199",
    "date_of_birth": "1990-05-06",
}


@pytest.fixture
def day():
    return next_weekday(0)  # a Monday at least two days ahead


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def booking(clinic, day, **overrides):
    body = {
        "service": "consult",
        "start": at(day, 10).isoformat(),
        "accept_policy": True,
        "patient": dict(PATIENT),
    }
    for key, value in overrides.items():
        if key.startswith("patient__"):
            body["patient"][key.removeprefix("patient__")] = value
        elif value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def test_locations_and_providers(client, clinic):
    assert client.get("/api/v1/locations").json() == [
        {"slug": "sarasota", "name": "Sarasota", "address": "1 Main Street", "timezone": "America/New_York"}
    ]
    providers = client.get("/api/v1/providers?service=consult").json()
    assert providers == [{"id": clinic.provider.pk, "name": clinic.provider.name, "title": "Nurse injector"}]
    elsewhere = LocationFactory(slug="scottsdale", timezone="America/Phoenix")
    assert client.get(f"/api/v1/providers?service=consult&location={elsewhere.slug}").json() == []
    assert client.get("/api/v1/providers?service=nope").json() == {"errors": {"service": ["Unknown service."]}}


def test_availability_returns_slots_with_the_location_offset(client, clinic, day):
    response = client.get(f"/api/v1/availability?service=consult&date={day}&days=2")
    assert response.status_code == 200
    slots = response.json()["slots"]
    assert slots[0] == {
        "start": at(day, 9).isoformat(),
        "end": at(day, 9, 30).isoformat(),
        "provider": clinic.provider.pk,
        "location": "sarasota",
    }
    assert slots[0]["start"].endswith(("-05:00", "-04:00"))
    assert {s["start"][:10] for s in slots} == {str(day), str(day + timedelta(days=1))}
    one = client.get(f"/api/v1/availability?service=consult&date={day}&provider={clinic.provider.pk}").json()
    assert len(one["slots"]) == 26


def test_availability_tells_closed_days_from_fully_booked_ones(client, clinic, day):
    # The provider works Monday to Friday; Monday (`day`) is booked solid by one long visit.
    appointment_book(
        service=clinic.service, start=at(day, 9), now=timezone.now(), source=Source.DESK, provider=clinic.provider,
        details=PatientDetails("Ada", "Park", "ada@example.com", "+19415550199", date(1990, 5, 6)),
    )  # fmt: skip
    Appointment.objects.update(end=at(day, 17), busy_until=at(day, 17))
    saturday = day - timedelta(days=2)
    body = client.get(f"/api/v1/availability?service=consult&date={saturday}&days=4").json()
    assert body["closed"] == [str(saturday), str(saturday + timedelta(days=1))]
    assert {s["start"][:10] for s in body["slots"]} == {str(day + timedelta(days=1))}
    one = f"/api/v1/availability?service=consult&date={saturday}&days=2&provider={clinic.provider.pk}&location=sarasota"
    assert client.get(one).json()["closed"] == [str(saturday), str(saturday + timedelta(days=1))]
    other = ProviderFactory(services=[clinic.service])
    week_hours(other, clinic.location, weekdays=[5])
    assert client.get(f"/api/v1/availability?service=consult&date={saturday}&days=2").json()["closed"] == [
        str(saturday + timedelta(days=1))
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("service=nope&date={day}", "service"),
        ("date={day}", "service"),
        ("service=consult&date=2027-02-30", "date"),
        ("service=consult&date=tomorrow", "date"),
        ("service=consult&date=2020-01-06", "date"),
        ("service=consult&date={day}&days=0", "days"),
        ("service=consult&date={day}&days=90", "days"),
        ("service=consult&date={day}&provider=999999", "provider"),
        ("service=consult&date={day}&provider=abc", "provider"),
        ("service=consult&date={day}&location=atlantis", "location"),
        ("service=consult&date=2027-01-01&days=abc", "days"),
        ("date={day}&days=3", "service"),
    ],
)
def test_availability_bad_input_is_a_400_naming_the_field(client, clinic, day, query, field):
    response = client.get("/api/v1/availability?" + query.format(day=day))
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()


def test_booking_created_with_the_contract_shape(client, clinic, day, mailoutbox):
    area = TreatmentAreaFactory(slug="masseter-test")
    response = post(client, "/api/v1/bookings", booking(clinic, day, areas=[area.slug]))
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= {"reference", "service", "provider", "start", "end", "status", "manage_url"}
    assert body["service"] == {"slug": "consult", "name": "Consultation"}
    assert body["provider"]["id"] == clinic.provider.pk
    assert body["start"] == at(day, 10).isoformat() and body["end"] == at(day, 10, 30).isoformat()
    assert body["status"] == "booked"
    assert body["manage_url"].startswith("http://testserver/my/")
    appointment = Appointment.objects.get(reference=body["reference"])
    assert appointment.patient.phone == "+19415550199"  # normalised to E.164
    assert list(appointment.areas.values_list("slug", flat=True)) == [area.slug]


def test_second_booking_for_same_slot_gets_409(client, clinic, day):
    assert post(client, "/api/v1/bookings", booking(clinic, day)).status_code == 201
    response = post(client, "/api/v1/bookings", booking(clinic, day, patient__email="other@example.com"))
    assert response.status_code == 409
    assert response.json()["error"] == "slot_unavailable"
    overlapping = post(client, "/api/v1/bookings", booking(clinic, day, start=at(day, 10, 15).isoformat()))
    assert overlapping.status_code == 409


def _years_ago(years: int, days: int = 0) -> str:
    today = timezone.localdate()
    return str(today.replace(year=today.year - years) + timedelta(days=days))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"service": "botox-everything"}, "service"),
        ({"service": None}, "service"),
        ({"provider": 999999}, "provider"),
        ({"location": "atlantis"}, "location"),
        ({"areas": ["cheeks"]}, "areas"),
        ({"start": "next tuesday"}, "start"),
        ({"start": "2027-01-11T10:00:00"}, "start"),  # no offset
        ({"start": "2020-01-06T10:00:00-05:00"}, "start"),  # past
        ({"start": "OFFGRID"}, "start"),
        ({"start": "EARLY"}, "start"),
        ({"accept_policy": False}, "accept_policy"),
        ({"accept_policy": None}, "accept_policy"),
        ({"patient__email": "ada@"}, "patient.email"),
        ({"patient__phone": "12"}, "patient.phone"),
        ({"patient__first_name": ""}, "patient.first_name"),
        ({"patient__date_of_birth": "2999-01-01"}, "patient.date_of_birth"),
        ({"patient__date_of_birth": "UNDER18"}, "patient.date_of_birth"),
        ({"patient__date_of_birth": "1990-13-01"}, "patient.date_of_birth"),
        ({"coupon": "FREE"}, "coupon"),
        ({"patient__ssn": "123"}, "patient.ssn"),
    ],
)
def test_bad_booking_input_is_a_400_naming_the_field_and_books_nothing(client, clinic, day, overrides, field):
    special = {
        "OFFGRID": at(day, 10, 7).isoformat(),
        "EARLY": at(day, 7).isoformat(),
        "UNDER18": _years_ago(18, days=1),
    }
    overrides = {
        key: special.get(value, value) if isinstance(value, str) else value for key, value in overrides.items()
    }
    response = post(client, "/api/v1/bookings", booking(clinic, day, **overrides))
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert field in errors, errors
    assert all(isinstance(message, str) and message for message in errors[field])
    assert not Appointment.objects.exists()


def test_exactly_eighteen_today_may_book(client, clinic, day):
    response = post(client, "/api/v1/bookings", booking(clinic, day, patient__date_of_birth=_years_ago(18)))
    assert response.status_code == 201, response.content


def test_malformed_json_is_a_400_not_a_500(client, clinic):
    response = client.post("/api/v1/bookings", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"errors": {"__all__": ["Send a JSON object in the request body."]}}


def test_read_cancel_and_reschedule_by_manage_token(client, clinic, day):
    created = post(client, "/api/v1/bookings", booking(clinic, day)).json()
    token = created["manage_url"].rstrip("/").rsplit("/", 1)[-1]
    read = client.get(f"/api/v1/bookings/{token}")
    assert read.status_code == 200 and read.json()["reference"] == created["reference"]

    moved = post(client, f"/api/v1/bookings/{token}/reschedule", {"start": at(day, 14).isoformat()})
    assert moved.status_code == 200, moved.content
    assert moved.json()["start"] == at(day, 14).isoformat()
    off_grid = post(client, f"/api/v1/bookings/{token}/reschedule", {"start": at(day, 14, 5).isoformat()})
    assert off_grid.status_code == 400 and "start" in off_grid.json()["errors"]
    unknown = post(client, f"/api/v1/bookings/{token}/reschedule", {"start": at(day, 15).isoformat(), "x": 1})
    assert unknown.status_code == 400 and "x" in unknown.json()["errors"]

    cancelled = client.post(f"/api/v1/bookings/{token}/cancel", content_type="application/json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert (
        client.post(f"/api/v1/bookings/{token}/cancel", content_type="application/json").status_code == 200
    )  # idempotent


def test_reschedule_cannot_double_book(client, clinic, day):
    first = post(client, "/api/v1/bookings", booking(clinic, day)).json()
    post(
        client, "/api/v1/bookings", booking(clinic, day, start=at(day, 11).isoformat(), patient__email="b@example.com")
    )
    token = first["manage_url"].rstrip("/").rsplit("/", 1)[-1]
    response = post(client, f"/api/v1/bookings/{token}/reschedule", {"start": at(day, 11).isoformat()})
    assert response.status_code == 409 and response.json()["error"] == "slot_unavailable"
    assert client.get(f"/api/v1/bookings/{token}").json()["start"] == at(day, 10).isoformat()


def test_cancel_inside_the_window_is_409_too_late(client, clinic, day):
    created = post(client, "/api/v1/bookings", booking(clinic, day)).json()
    token = created["manage_url"].rstrip("/").rsplit("/", 1)[-1]
    late = at(day, 10).astimezone(UTC) - timedelta(hours=3)
    with mock.patch("django.utils.timezone.now", return_value=late):
        response = client.post(f"/api/v1/bookings/{token}/cancel", content_type="application/json")
    assert response.status_code == 409
    assert response.json()["error"] == "too_late_to_cancel"
    assert Appointment.objects.get().status == AppointmentStatus.BOOKED


def test_a_token_opens_only_its_own_booking_and_expires_after_the_visit(client, clinic, day):
    created = post(client, "/api/v1/bookings", booking(clinic, day)).json()
    token = created["manage_url"].rstrip("/").rsplit("/", 1)[-1]
    reference, signature = token.split(".")
    other = post(client, "/api/v1/bookings", booking(clinic, day, start=at(day, 11).isoformat(),
                                                     patient__email="b@example.com")).json()  # fmt: skip
    assert client.get(f"/api/v1/bookings/{other['reference']}.{signature}").status_code == 404  # forged
    assert client.get(f"/api/v1/bookings/{reference}").status_code == 404
    assert (
        client.post(
            f"/api/v1/bookings/{other['reference']}.{signature}/cancel", content_type="application/json"
        ).status_code
        == 404
    )
    after = at(day, 10, 30).astimezone(UTC) + timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=after):
        expired = client.get(f"/api/v1/bookings/{token}")
    assert expired.status_code == 410 and expired.json()["error"] == "link_expired"


def test_tokens_are_signed_with_the_secret_key(clinic, day, settings):
    appointment = appointment_book(
        service=clinic.service, start=at(day, 9), now=timezone.now(), source=Source.DESK,
        details=PatientDetails("A", "B", "a@example.com", "+19415550100", date(1990, 1, 1)),
    )  # fmt: skip
    token = manage_token(appointment)
    settings.SECRET_KEY = "another-secret-key-entirely-" * 2
    assert manage_token(appointment) != token


def test_booking_endpoints_are_in_the_openapi_schema(client):
    paths = client.get("/api/v1/schema").json()["paths"]
    for path in ("locations", "providers", "availability", "bookings", "bookings/{token}",
                 "bookings/{token}/cancel", "bookings/{token}/reschedule"):  # fmt: skip
        assert f"/api/v1/{path}" in paths, path
    responses = paths["/api/v1/bookings"]["post"]["responses"]
    assert {"201", "400", "409"} <= set(responses)


def test_a_second_location_in_another_zone_keeps_its_own_offset(client, clinic, day):
    phoenix = LocationFactory(slug="scottsdale", name="Scottsdale", timezone="America/Phoenix")
    desert = ProviderFactory(services=[clinic.service])
    week_hours(desert, phoenix)
    slots = client.get(f"/api/v1/availability?service=consult&date={day}&location=scottsdale").json()["slots"]
    assert slots[0]["start"] == datetime.combine(day, datetime.min.time().replace(hour=9), tzinfo=PHOENIX).isoformat()
    assert slots[0]["start"].endswith("-07:00")
    # Both locations have someone free at that instant (11:00 in Phoenix is 13:00 or 14:00 in New
    # York, summer or winter: Sarasota's afternoon), so the location must be named.
    both = datetime.combine(day, time(11), tzinfo=PHOENIX).isoformat()
    ambiguous = post(client, "/api/v1/bookings", booking(clinic, day, start=both))
    assert ambiguous.status_code == 400
    assert ambiguous.json()["errors"] == {"location": ["Please choose a location: Sarasota or Scottsdale."]}
    response = post(client, "/api/v1/bookings", booking(clinic, day, start=slots[0]["start"], location="scottsdale"))
    assert response.status_code == 201
    assert response.json()["location"]["slug"] == "scottsdale"
    assert response.json()["start"] == slots[0]["start"]


def test_availability_far_in_the_future_is_empty_not_an_error(client, clinic):
    for query in ("date=9999-12-31&days=31", "date=9999-12-31", "date=2099-01-01&days=31"):
        response = client.get(f"/api/v1/availability?service=consult&{query}")
        assert response.status_code == 200, query
        assert response.json() == {"slots": [], "closed": []}


def test_the_last_days_before_the_horizon_are_offered_and_none_after(client, clinic, settings):
    settings.BOOKING_HORIZON_DAYS = 10
    start = timezone.localdate()
    slots = client.get(f"/api/v1/availability?service=consult&date={start}&days=31").json()["slots"]
    last = max(date.fromisoformat(slot["start"][:10]) for slot in slots)
    assert start + timedelta(days=7) <= last <= start + timedelta(days=10)


@pytest.mark.parametrize("body", ["[]", '"x"', "null", "{", '{"service": 1, "patient": []}'])
def test_any_json_body_shape_is_a_400(client, clinic, body):
    response = client.post("/api/v1/bookings", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"]


def test_one_day_for_one_provider_costs_one_query_whatever_the_bookings(client, clinic, day):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    path = f"/api/v1/availability?service=consult&date={day}&provider={clinic.provider.pk}"
    counts = []
    for hour in (None, 9, 10, 11, 13, 14):
        if hour:
            appointment_book(
                service=clinic.service, start=at(day, hour), now=timezone.now(), source=Source.DESK,
                details=PatientDetails("A", str(hour), f"p{hour}@example.com", "+19415550100", date(1990, 1, 1)),
            )  # fmt: skip
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        counts.append(len(queries))
        # Asked again with nothing written since: the kept answer, after the version's query.
        with CaptureQueriesContext(connection) as again:
            assert client.get(path).status_code == 200
        counts.append(len(again))
    # Each booking changed the availability version: the version's query, then the service, its
    # working hours and the busy time together, whatever the bookings; the same again costs one.
    assert counts == [2, 1] * 6


def test_the_horizon_counts_days_on_the_locations_calendar_late_in_the_evening(client, clinic, settings):
    """At 23:30 in New York it is already tomorrow in UTC: the horizon must not reach a day further."""
    import time_machine

    settings.BOOKING_HORIZON_DAYS = 10
    evening = datetime(2026, 11, 22, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    with time_machine.travel(evening, tick=False):
        today = evening.date()
        slots = client.get(f"/api/v1/availability?service=consult&date={today}&days=31").json()["slots"]
        assert max(date.fromisoformat(slot["start"][:10]) for slot in slots) <= today + timedelta(days=10)
        beyond = datetime.combine(today + timedelta(days=11), time(9), tzinfo=ZoneInfo("America/New_York"))
        body = {"service": "consult", "start": beyond.isoformat(), "accept_policy": True,
                "patient": {"first_name": "Ada", "last_name": "Park", "email": "ada@example.com",
                            "phone": "+19415550199", "date_of_birth": "1990-05-06"}}  # fmt: skip
        response = client.post("/api/v1/bookings", json.dumps(body), content_type="application/json")
        assert response.status_code == 400 and "10 days ahead" in json.dumps(response.json())


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/availability?service=consult&date=2031-01-06&days=abc&days=2", "days"),
        ("/api/v1/availability?service=consult&service=consult&date=2031-01-06", "service"),
        ("/api/v1/providers?service=consult&location=a&location=b", "location"),
    ],
)
def test_a_query_parameter_given_twice_is_a_field_error(client, clinic, path, field):
    """Django keeps the last of repeated values, so `days=abc&days=2` used to pass as 2."""
    response = client.get(path)
    assert response.status_code == 400
    assert response.json() == {"errors": {field: ["Give this parameter once."]}}
    schema = client.get("/api/v1/schema").json()
    names = [p["name"] for p in schema["paths"]["/api/v1/availability"]["get"]["parameters"]]
    assert {"service", "date", "days", "provider"} <= set(names)  # the wrapper keeps the documented parameters
