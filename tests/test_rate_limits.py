"""Rate limits: one client cannot empty the calendar, flood token links or search without end."""

import json
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver

from bookings.models import Appointment
from medspa.ratelimit import Rate, parse_rates
from tests.bookings.conftest import at, next_weekday, week_hours
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


def booking_body(start, i: int, email: str | None = None) -> dict:
    return {
        "service": "consult",
        "start": start.isoformat(),
        "accept_policy": True,
        "patient": {"first_name": "Flood", "last_name": str(i), "email": email or f"flood{i}@example.com",
                    "phone": "+19415550100", "date_of_birth": "1990-01-01"},
    }  # fmt: skip


def book(client, body, address="198.51.100.20"):
    return client.post("/api/v1/bookings", json.dumps(body), content_type="application/json", REMOTE_ADDR=address)


def free_slots(client, day, address="192.0.2.99") -> list[dict]:
    response = client.get(f"/api/v1/availability?service=consult&date={day}&days=14", REMOTE_ADDR=address)
    assert response.status_code == 200
    return response.json()["slots"]


def test_thirty_quick_bookings_from_one_address_get_429_after_the_limit_and_the_slots_stay(client, clinic):
    """Found: one client made 305 bookings in 23 s and emptied a month of consultations."""
    day = next_weekday(0)
    wanted = []  # thirty slots that do not overlap, each booked for a different made-up patient
    for slot in free_slots(client, day):
        if not wanted or slot["start"] >= wanted[-1]["end"]:
            wanted.append(slot)
    wanted = wanted[:30]
    assert len(wanted) == 30
    statuses = [
        client.post("/api/v1/bookings", json.dumps(booking_body(datetime.fromisoformat(slot["start"]), i)),
                    content_type="application/json", REMOTE_ADDR="198.51.100.20").status_code
        for i, slot in enumerate(wanted)
    ]  # fmt: skip
    assert statuses == [201] * 10 + [429] * 20  # the default: ten bookings an hour from one address
    assert Appointment.objects.count() == 10
    still_free = {slot["start"] for slot in free_slots(client, day)}
    assert {slot["start"] for slot in wanted[10:]} <= still_free


def test_the_429_is_json_with_retry_after_until_the_window_ends(client, clinic, settings):
    settings.RATE_LIMIT_BOOKING_PER_ADDRESS = "1/h"
    day = next_weekday(0)
    with time_machine.travel(datetime(2026, 11, 23, 14, 59, 30, tzinfo=UTC), tick=False):
        assert book(client, booking_body(at(day, 9), 1)).status_code in (201, 400)
        refused = book(client, booking_body(at(day, 10), 2))
    assert refused.status_code == 429
    assert refused.json() == {"error": "rate_limited", "detail": refused.json()["detail"]}
    assert "try again in 1 minute" in refused.json()["detail"]
    assert refused["Retry-After"] == "30"


def test_the_limit_is_per_address(client, clinic, settings):
    settings.RATE_LIMIT_BOOKING_PER_ADDRESS = "2/h"
    day = next_weekday(0)
    assert [book(client, booking_body(at(day, 9 + i), i)).status_code for i in range(3)] == [201, 201, 429]
    assert book(client, booking_body(at(day, 13), 9), address="203.0.113.77").status_code == 201


def test_bookings_for_one_email_are_limited_from_any_address(client, clinic, settings):
    settings.RATE_LIMIT_BOOKING_PER_EMAIL = "2/h"
    settings.BOOKING_MAX_OPEN_ONLINE = 0
    day = next_weekday(0)
    emails = ["same@example.com", "Same@Example.com", "same@example.com"]
    statuses = [
        book(client, booking_body(at(day, 9 + i), i, email), address=f"203.0.113.{i + 1}").status_code
        for i, email in enumerate(emails)
    ]
    assert statuses == [201, 201, 429]
    assert Appointment.objects.count() == 2


def test_at_most_three_open_online_bookings_per_email_then_a_call(client, clinic):
    day = next_weekday(0)
    for i in range(3):
        assert book(client, booking_body(at(day, 9 + i), i, "ada@example.com"), f"203.0.113.{i}").status_code == 201
    fourth = book(client, booking_body(at(day, 13), 3, "ada@example.com"), "203.0.113.50")
    assert fourth.status_code == 429 and fourth.json()["error"] == "rate_limited"
    assert "call us" in fourth.json()["detail"] and fourth["Retry-After"]
    first = Appointment.objects.order_by("start").first()
    Appointment.objects.filter(pk=first.pk).update(status="cancelled")
    assert book(client, booking_body(at(day, 13), 3, "ada@example.com"), "203.0.113.51").status_code == 201


def test_the_cap_answers_a_stranger_the_same_as_the_rate_limit(client, clinic, settings):
    """Neither 429 says whether the email belongs to a patient of the clinic."""
    settings.RATE_LIMIT_BOOKING_PER_EMAIL = "1/h"
    day = next_weekday(0)
    book(client, booking_body(at(day, 9), 0, "x@example.com"), "203.0.113.1")
    by_rate = book(client, booking_body(at(day, 10), 1, "x@example.com"), "203.0.113.2").json()
    settings.RATE_LIMIT_BOOKING_PER_EMAIL = ""
    settings.BOOKING_MAX_OPEN_ONLINE = 1
    by_cap = book(client, booking_body(at(day, 11), 2, "x@example.com"), "203.0.113.3").json()
    assert by_rate == by_cap


def test_availability_is_limited_per_address(client, clinic, settings):
    settings.RATE_LIMIT_AVAILABILITY = "3/m"
    day = next_weekday(0)
    url = f"/api/v1/availability?service=consult&date={day}&days=7"
    statuses = [client.get(url, REMOTE_ADDR="198.51.100.3").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get(url, REMOTE_ADDR="198.51.100.4").status_code == 200


def token_routes() -> list[str]:
    """Every URL in the URLconf that takes a token, as a path with a (made-up) token in it."""
    found = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and "token" in pattern.pattern.converters:
                found.append(route)

    walk(get_resolver().url_patterns)
    paths = []
    for route in found:
        path = "/" + route.replace("<str:token>", "not.a-token").replace("<slug:step>", "history")
        paths.append(path.replace("^", "").replace("$", ""))
    return paths


def test_every_token_link_is_rate_limited(client, settings):
    routes = token_routes()
    assert {r.split("/")[1] for r in routes} >= {"my", "intake", "follow-up", "waitlist", "messages", "api"}
    settings.RATE_LIMIT_TOKEN_LINKS = "5/m"
    for route in routes:
        for _ in range(5):
            assert client.get(route, REMOTE_ADDR="198.51.100.9").status_code in (404, 405), route
        limited = client.get(route, REMOTE_ADDR="198.51.100.9")
        assert limited.status_code == 429, route
        assert limited["Retry-After"], route
        cache.clear()


def test_a_person_over_the_limit_gets_a_page_and_the_api_gets_json(client, settings):
    settings.RATE_LIMIT_TOKEN_LINKS = "1/m"
    client.get("/my/not.a-token/")
    page = client.get("/my/not.a-token/")
    assert page.status_code == 429 and page["Content-Type"].startswith("text/html")
    assert "Please slow down" in page.content.decode() and page["Retry-After"]
    api = client.get("/api/v1/bookings/not.a-token")
    assert api.status_code == 429 and api.json()["error"] == "rate_limited"


def test_the_waitlist_form_counts_as_booking(client, clinic, settings):
    settings.RATE_LIMIT_BOOKING_PER_ADDRESS = "2/h"
    statuses = [client.post("/book/waitlist/", {}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_rates_are_read_from_settings_strings():
    assert parse_rates("10/h, 30/d") == [Rate(10, 3600), Rate(30, 86400)]
    assert parse_rates("5/10m") == [Rate(5, 600)]
    assert parse_rates("") == []
    with pytest.raises(ValueError, match="Not a rate"):
        parse_rates("ten an hour")


def test_limits_can_be_turned_off(client, clinic, settings):
    settings.RATE_LIMIT_ENABLED = False
    settings.RATE_LIMIT_AVAILABILITY = "1/m"
    day = next_weekday(0)
    assert free_slots(client, day) and free_slots(client, day)


def test_a_second_provider_does_not_raise_the_limit(client, clinic):
    """The limit counts requests, not slots: more calendar does not mean more bookings per client."""
    week_hours(ProviderFactory(services=[clinic.service]), clinic.location)
    day = next_weekday(0)
    starts = [at(day, hour) for hour in (9, 10, 11, 13, 14, 15, 16)]
    statuses = [book(client, booking_body(starts[i % 7], i)).status_code for i in range(12)]
    assert statuses == [201] * 10 + [429, 429]


def test_form_posts_from_another_site_do_not_use_up_an_addresses_bookings(client, clinic):
    """The JSON check runs in the API, after the per-address limit: a page on another site making a
    visitor's browser post forms gets 415s that the limit does not count."""
    start = at(next_weekday(0), 10)
    for i in range(40):
        form = client.post("/api/v1/bookings", {"x": str(i)}, REMOTE_ADDR="198.51.100.20")
        assert form.status_code == 415
    assert book(client, booking_body(start, 1)).status_code == 201
