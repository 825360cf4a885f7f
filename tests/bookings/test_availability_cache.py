"""The public API's availability answers are kept per process under the availability version
(bookings/availability_cache.py). Every write that can change a free slot must change the version
in its own transaction, so the very next answer, from any process, is read afresh: these tests
warm the cache, make each kind of write the way the app makes it, and ask again. Kept answers
must also equal fresh ones as the clock moves (the minimum notice is applied when served) and
across the horizon's turn of the day in every zone."""

import contextlib
import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings import availability_cache
from bookings.models import AvailabilityVersion, Room, TimeOff, WorkingHours
from bookings.services import (
    BookingError,
    PatientDetails,
    appointment_book,
    appointment_cancel,
    appointment_no_show,
    appointment_no_show_undo,
    appointment_reschedule,
    time_off_add,
    working_hours_replace,
)
from bookings.services.hours import HoursRow
from tests.bookings.conftest import NEW_YORK, at, next_weekday, week_hours
from tests.factories import DeviceFactory, LocationFactory, ProviderFactory, RoomFactory

pytestmark = pytest.mark.django_db


def offered(client, day: date, **query) -> list[tuple[str, int]]:
    params = "&".join(f"{key}={value}" for key, value in {"service": "consult", "date": day, **query}.items())
    response = client.get(f"/api/v1/availability?{params}")
    assert response.status_code == 200, response.content
    return [(slot["start"], slot["provider"]) for slot in response.json()["slots"]]


def starts(client, day: date, **query) -> list[str]:
    return [start for start, _ in offered(client, day, **query)]


def details(n: int) -> PatientDetails:
    return PatientDetails("Pat", f"Client{n}", f"client{n}@example.com", "+19415550100", date(1990, 1, 1))


@pytest.fixture
def day():
    return next_weekday(0, at_least=7)


def desk_book(clinic, start, n=1, **kwargs):
    return appointment_book(
        service=kwargs.pop("service", clinic.service), start=start, now=timezone.now(), source="desk",
        details=details(n), **kwargs,
    )  # fmt: skip


def test_an_answer_asked_again_is_the_kept_one_at_one_query(client, clinic, day):
    first = starts(client, day)
    with CaptureQueriesContext(connection) as queries:
        again = starts(client, day)
    assert again == first and len(queries) == 1  # the version's only
    assert "bookings_availabilityversion" in queries[0]["sql"]


def test_every_appointment_write_shows_in_the_next_answer(client, clinic, day):
    ten, eleven = at(day, 10).isoformat(), at(day, 11).isoformat()
    assert ten in starts(client, day) and ten in starts(client, day, provider=clinic.provider.pk)
    booked = desk_book(clinic, at(day, 10))
    assert ten not in starts(client, day) and ten not in starts(client, day, provider=clinic.provider.pk)
    assert eleven in starts(client, day)
    moved = appointment_reschedule(appointment=booked, start=at(day, 11), now=timezone.now(), by_patient=False)
    assert ten in starts(client, day) and eleven not in starts(client, day)
    appointment_cancel(appointment=moved, now=timezone.now(), by_patient=False)
    assert ten in starts(client, day) and eleven in starts(client, day)


def test_marking_a_no_show_and_undoing_it_change_the_version(client, clinic, day):
    """A no-show frees its time (marked once the visit has begun, so that time is past by then);
    undoing it takes the time again: both are status writes, and the next answer is read afresh."""
    booked = desk_book(clinic, at(day, 10))
    with time_machine.travel(at(day, 10, 10), tick=False):
        later = day + timedelta(days=7)
        starts(client, later)
        appointment_no_show(appointment=booked, now=timezone.now(), actor=None)
        with CaptureQueriesContext(connection) as queries:
            starts(client, later)
        assert len(queries) == 2  # the version's, then the schedule's
        appointment_no_show_undo(appointment=booked, now=timezone.now(), actor=None)
        with CaptureQueriesContext(connection) as queries:
            starts(client, later)
        assert len(queries) == 2


def test_time_off_added_and_removed_shows_in_the_next_answer(client, clinic, day):
    nine = at(day, 9).isoformat()
    assert nine in starts(client, day)
    off, _ = time_off_add(provider=clinic.provider, start=at(day, 8), end=at(day, 10), reason="Training",
                          now=timezone.now())  # fmt: skip
    assert nine not in starts(client, day)
    TimeOff.objects.get(pk=off.pk).delete()
    assert nine in starts(client, day)


def test_working_hours_replaced_in_bulk_show_in_the_next_answer(client, clinic, day):
    assert at(day, 9).isoformat() in starts(client, day)
    rows = [HoursRow(weekday=day.weekday(), location=clinic.location, start=time(13), end=time(15))]
    working_hours_replace(provider=clinic.provider, rows=rows, now=timezone.now())
    assert WorkingHours.objects.filter(provider=clinic.provider).count() == 1
    found = starts(client, day)
    assert at(day, 9).isoformat() not in found and at(day, 13).isoformat() in found
    assert at(day, 15).isoformat() not in found
    # A provider with no hours yet: the delete before the bulk insert removes nothing (no signal).
    newcomer = ProviderFactory(services=[clinic.service])
    assert offered(client, day, provider=newcomer.pk) == []
    working_hours_replace(provider=newcomer, rows=rows, now=timezone.now())
    assert offered(client, day, provider=newcomer.pk)


def test_provider_service_location_edits_show_in_the_next_answer(client, clinic, day):
    other = ProviderFactory(services=[clinic.service])
    week_hours(other, clinic.location)
    assert offered(client, day, provider=other.pk)
    other.services.remove(clinic.service)  # m2m_changed
    assert offered(client, day, provider=other.pk) == []
    other.services.add(clinic.service)
    assert offered(client, day, provider=other.pk)
    other.bookable_online = False
    other.save()
    gone = client.get(f"/api/v1/availability?service=consult&date={day}&provider={other.pk}")
    assert gone.status_code == 400 and "provider" in gone.json()["errors"]  # no longer bookable online
    clinic.service.duration_minutes = 60
    clinic.service.save()
    assert at(day, 11, 30).isoformat() not in starts(client, day)  # 11:30–12:30 runs past the block
    clinic.location.is_active = False
    clinic.location.save()
    assert starts(client, day) == []
    clinic.location.is_active = True
    clinic.location.save()
    assert starts(client, day)
    clinic.service.bookable_online = False
    clinic.service.save()
    assert client.get(f"/api/v1/availability?service=consult&date={day}").status_code == 400


def test_rooms_and_devices_edits_show_in_the_next_answer(client, clinic, day):
    clinic.service.needs_room = True
    clinic.service.save()
    assert starts(client, day) == []  # no room yet
    room = RoomFactory(location=clinic.location)
    assert starts(client, day)
    Room.objects.filter(pk=room.pk).get().delete()
    assert starts(client, day) == []
    room = RoomFactory(location=clinic.location)
    room.is_active = False
    room.save()
    assert starts(client, day) == []
    room.is_active = True
    room.save()
    clinic.service.device_kind = "laser"
    clinic.service.save()
    assert starts(client, day) == []  # no laser yet
    DeviceFactory(location=clinic.location, kind="laser")
    assert starts(client, day)


def test_a_kept_answer_cuts_the_minimum_notice_at_the_moment_it_is_served(client, clinic, settings):
    """No write between the asks: the kept answer serves, and equals a fresh one at each moment."""
    day = next_weekday(0, at_least=2)
    with time_machine.travel(at(day, 6), tick=False):
        morning = starts(client, day)
    for hour, minute in ((7, 0), (7, 7), (8, 30), (11, 59), (13, 1)):
        with time_machine.travel(at(day, hour, minute), tick=False):
            with CaptureQueriesContext(connection) as queries:
                kept = starts(client, day)
            assert len(queries) == 1  # served from what was kept
            settings.AVAILABILITY_CACHE = False
            fresh = starts(client, day)
            settings.AVAILABILITY_CACHE = True
            assert kept == fresh
            earliest = at(day, hour, minute) + timedelta(minutes=settings.BOOKING_MIN_NOTICE_MINUTES)
            assert all(datetime.fromisoformat(s) >= earliest for s in kept)
            assert len(kept) <= len(morning)
    assert len(kept) < len(morning)  # by 13:01 the morning's slots are past the notice


@pytest.mark.parametrize(
    "moment",
    [
        # Around the horizon's end turning the day in New York (05:00 UTC in winter), in Phoenix
        # (07:00 UTC) and in Kathmandu (+05:45, an odd quarter hour).
        datetime(2026, 11, 24, 4, 44, tzinfo=UTC),
        datetime(2026, 11, 24, 4, 59, 59, tzinfo=UTC),
        datetime(2026, 11, 24, 5, 0, tzinfo=UTC),
        datetime(2026, 11, 24, 6, 59, tzinfo=UTC),
        datetime(2026, 11, 24, 7, 0, 1, tzinfo=UTC),
        datetime(2026, 11, 24, 18, 14, 59, tzinfo=UTC),
        datetime(2026, 11, 24, 18, 15, tzinfo=UTC),
    ],
)
def test_kept_answers_end_at_each_locations_horizon_as_fresh_ones_do(client, clinic, settings, moment):
    settings.BOOKING_HORIZON_DAYS = 10
    for slug, zone in (("phoenix", "America/Phoenix"), ("kathmandu", "Asia/Kathmandu")):
        place = LocationFactory(slug=slug, name=slug.title(), timezone=zone)
        week_hours(ProviderFactory(services=[clinic.service]), place, weekdays=range(7), blocks=((time(0), time(23)),))
    week_hours(clinic.provider, clinic.location, weekdays=[5, 6])
    first = moment.date() + timedelta(days=8)
    # Warm the cache a quarter hour before, then ask at the moment, then fresh.
    with time_machine.travel(moment - timedelta(minutes=15), tick=False):
        offered(client, first, days=4)
    with time_machine.travel(moment, tick=False):
        kept = offered(client, first, days=4)
        settings.AVAILABILITY_CACHE = False
        fresh = offered(client, first, days=4)
        settings.AVAILABILITY_CACHE = True
    assert kept == fresh and fresh


def test_the_version_is_a_new_random_token_not_a_count(clinic):
    before = availability_cache.availability_version()
    clinic.provider.save()
    after = availability_cache.availability_version()
    clinic.provider.save()
    assert len({before, after, availability_cache.availability_version()}) == 3
    assert AvailabilityVersion.objects.count() == 1


def test_saving_an_appointments_intake_state_keeps_the_kept_answers(client, clinic, day):
    booked = desk_book(clinic, at(day, 10))
    starts(client, day)
    booked.intake_status = "complete"
    booked.save(update_fields=["intake_status"])
    with CaptureQueriesContext(connection) as queries:
        starts(client, day)
    assert len(queries) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_worker_offers_a_slot_booked_through_another(gunicorn, clinic):
    """gunicorn as `make run` starts it (two worker processes, threads in each): both workers
    keep the day's answer; a booking through either is then absent from every answer of both."""
    day = next_weekday(0, at_least=7)
    url = f"{gunicorn}/api/v1/availability?service=consult&date={day}"

    def ask(_=None) -> list[str]:
        with urllib.request.urlopen(url, timeout=30) as response:
            return [slot["start"] for slot in json.load(response)["slots"]]

    with ThreadPoolExecutor(8) as pool:
        warm = list(pool.map(ask, range(40)))  # enough to reach every worker and thread
    ten = at(day, 10).isoformat()
    assert all(ten in answer for answer in warm)
    booking = {
        "service": "consult", "start": ten, "accept_policy": True,
        "patient": {"first_name": "Pat", "last_name": "Race", "email": "race@example.com",
                    "phone": "+19415550100", "date_of_birth": "1990-01-01"},
    }  # fmt: skip
    request = urllib.request.Request(
        f"{gunicorn}/api/v1/bookings", json.dumps(booking).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201
    with ThreadPoolExecutor(8) as pool:
        after = list(pool.map(ask, range(40)))
    assert not [answer for answer in after if ten in answer]
    assert all(at(day, 11).isoformat() in answer for answer in after)


def test_start_date_far_in_the_future_or_next_to_new_york_midnight(client, clinic):
    """The key's quarter hour is the horizon's, not the date's: a far date is simply closed."""
    with time_machine.travel(datetime(2026, 11, 24, 23, 59, tzinfo=NEW_YORK), tick=False):
        assert offered(client, date(2027, 11, 24)) == []
        assert offered(client, date(2026, 11, 30))


def test_a_date_past_the_horizon_is_asked_again_once_the_horizon_reaches_it(client, clinic, settings):
    """Kept empty while past the horizon; a day later, with nothing written, the date is offered."""
    settings.BOOKING_HORIZON_DAYS = 10
    monday = next_weekday(0, at_least=7)
    with time_machine.travel(at(monday - timedelta(days=12), 12), tick=False):  # past even GMT+14's horizon
        assert offered(client, monday) == []
    with time_machine.travel(at(monday - timedelta(days=10), 12), tick=False):
        kept = offered(client, monday)
        settings.AVAILABILITY_CACHE = False
        assert kept == offered(client, monday) and kept


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_answers_equal_fresh_ones_through_random_writes_and_moments(client, clinic, settings, seed):
    """Random bookings (online and at the desk, named or anyone), cancellations, time off and a
    moving clock; after each step a random question is answered kept and fresh: the same."""
    import random

    rng = random.Random(seed)  # noqa: S311 (test data)
    other = ProviderFactory(services=[clinic.service])
    week_hours(other, clinic.location, weekdays=range(6))
    phoenix = LocationFactory(slug="phoenix", name="Phoenix", timezone="America/Phoenix")
    week_hours(ProviderFactory(services=[clinic.service]), phoenix, weekdays=range(7))
    base = next_weekday(0, at_least=3)
    now = at(base - timedelta(days=2), 8)
    booked = []
    for step in range(60):
        now += timedelta(minutes=rng.choice([0, 1, 7, 15, 50, 180]))
        with time_machine.travel(now, tick=False):
            action = rng.random()
            day = base + timedelta(days=rng.randrange(5))
            if action < 0.35:
                start = at(day, rng.choice([9, 10, 11, 13, 14, 15, 16]), rng.choice([0, 15, 30, 45]))
                with contextlib.suppress(BookingError):  # taken, or off the grid: nothing written
                    booked.append(desk_book(clinic, start, n=step, provider=rng.choice([None, clinic.provider, other])))
            elif action < 0.5 and booked:
                appointment = booked.pop(rng.randrange(len(booked)))
                appointment_cancel(appointment=appointment, now=timezone.now(), by_patient=False)
            elif action < 0.6:
                hour = rng.choice([9, 12, 15])
                TimeOff.objects.create(provider=rng.choice([clinic.provider, other]), start=at(day, hour),
                                       end=at(day, hour + 1), reason="Errand")  # fmt: skip
            query = rng.choice([{}, {"provider": clinic.provider.pk}, {"provider": other.pk}, {"days": 3}])
            ask = base + timedelta(days=rng.randrange(4))
            kept = offered(client, ask, **query)
            settings.AVAILABILITY_CACHE = False
            fresh = offered(client, ask, **query)
            settings.AVAILABILITY_CACHE = True
            assert kept == fresh, (step, ask, query)


def test_with_no_token_row_nothing_is_kept_even_the_second_time_it_is_gone(client, clinic, day):
    """A missing row is no token: answers are computed and not kept (a constant stand-in would come
    back the next time the row went missing and serve what was kept under it)."""
    ten = at(day, 10).isoformat()
    AvailabilityVersion.objects.all().delete()
    assert ten in starts(client, day)
    with CaptureQueriesContext(connection) as queries:
        assert ten in starts(client, day)
    assert len(queries) == 2  # the version's, and the schedule's again: nothing was kept
    desk_book(clinic, at(day, 10))  # a trigger makes the row again, with a random token
    assert ten not in starts(client, day)
    AvailabilityVersion.objects.all().delete()
    assert ten not in starts(client, day)


def test_truncating_a_table_availability_reads_changes_the_version(client, clinic, day):
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's (SQLite deletes row by row, which the row triggers see)")
    before = availability_cache.availability_version()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE bookings_timeoff")
    assert availability_cache.availability_version() != before


def test_every_table_the_availability_statement_reads_has_its_triggers():
    """A table added to the statement (bookings/selectors/rows.py) without a trigger would change
    answers without changing the version: each must have one for insert, update and delete."""
    from bookings.selectors.rows import _ALIASES

    tables = {model._meta.db_table for model in _ALIASES}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, t.tgtype FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname LIKE 'availability_bump%%'"
            )
            # tgtype bits: 4 insert, 8 delete, 16 update, 32 truncate
            events = {}
            for table, kind in cursor.fetchall():
                events[table] = events.get(table, 0) | kind
            assert {table for table, kind in events.items() if kind & (4 | 8 | 16 | 32) == 60} >= tables
        else:
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
            names = {(table, name.rsplit("_", 1)[-1]) for table, name in cursor.fetchall()}
            assert {(table, event) for table in tables for event in ("insert", "update", "delete")} <= names
