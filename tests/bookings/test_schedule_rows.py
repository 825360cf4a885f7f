"""The schedule's one statement (bookings/selectors/rows.py) reads the same, whichever way the
service is named: by id (the desk, booking) or by slug (the public API, where the service's row
comes in the same statement and decides whether the rooms and devices count). And each shape
of the statement stays short enough for psycopg to keep its parsed form."""

import itertools
from datetime import UTC, date, datetime, time, timedelta

import psycopg._queries
import pytest
from django.db import connection

from bookings.models import AppointmentStatus
from bookings.selectors.rows import _schedule_sql, schedule_rows
from tests.bookings.conftest import at, week_hours
from tests.factories import (
    AppointmentFactory,
    DeviceFactory,
    LocationFactory,
    ProviderFactory,
    RoomFactory,
    TimeOffFactory,
)

pytestmark = pytest.mark.django_db

MONDAY = date(2027, 1, 11)


@pytest.fixture
def busy_clinic(clinic):
    """Two locations; three providers offering the consultation (one not online), one who does
    not; rooms (one inactive) and devices of two kinds at both; appointments in every status,
    some holding a room or a device, by providers who offer the service and by one who does not;
    time off."""
    phoenix = LocationFactory(slug="phoenix", name="Phoenix", timezone="America/Phoenix")
    second = ProviderFactory(services=[clinic.service])
    offline = ProviderFactory(services=[clinic.service], bookable_online=False)
    outsider = ProviderFactory()
    week_hours(second, phoenix, weekdays=range(7))
    week_hours(offline, clinic.location, weekdays=[0, 2])
    rooms = [RoomFactory(location=clinic.location), RoomFactory(location=phoenix), RoomFactory(location=phoenix)]
    RoomFactory(location=clinic.location, is_active=False)
    devices = [
        DeviceFactory(location=clinic.location, kind="laser"),
        DeviceFactory(location=phoenix, kind="laser"),
        DeviceFactory(location=clinic.location, kind="ultrasound"),
    ]
    statuses = list(AppointmentStatus)
    appointments = []
    for i, provider in enumerate([clinic.provider, second, offline, outsider] * 3):
        appointments.append(
            AppointmentFactory(
                provider=provider,
                location=phoenix if provider == second else clinic.location,
                start=at(MONDAY + timedelta(days=i % 3), 8 + i),  # no two at once: rooms and devices stay legal
                status=statuses[i % len(statuses)],
                room=rooms[i % 3] if i % 2 else None,
                device=devices[i % 3] if i % 3 == 0 else None,
            )
        )
    TimeOffFactory(provider=second, start=at(MONDAY, 12), end=at(MONDAY, 15))
    clinic.others = {"second": second, "offline": offline, "phoenix": phoenix}
    clinic.appointments = appointments
    return clinic


def _normal(found) -> tuple:
    _service, blocks, busy, rooms, devices = found
    return (
        sorted((b.provider_id, b.weekday, b.start, b.end, b.location.pk) for b in blocks),
        sorted(busy),
        *(
            None
            if r is None
            else {loc: sorted((rid, sorted(times)) for rid, times in found) for loc, found in r.by_location.items()}
            for r in (rooms, devices)
        ),
    )


@pytest.mark.parametrize(("needs_room", "device_kind"), [(False, ""), (True, ""), (False, "laser"), (True, "laser")])
def test_by_slug_reads_what_by_id_reads(busy_clinic, needs_room, device_kind):
    service = busy_clinic.service
    service.needs_room, service.device_kind = needs_room, device_kind
    service.save()
    low = datetime.combine(MONDAY - timedelta(days=1), time.min, tzinfo=UTC)
    high = low + timedelta(days=5)
    compared = 0
    for online, providers, location, ignoring in itertools.product(
        (True, False),
        (None, [busy_clinic.provider.pk], [busy_clinic.others["second"].pk, busy_clinic.others["offline"].pk]),
        (None, busy_clinic.location.pk, busy_clinic.others["phoenix"].pk),
        (None, busy_clinic.appointments[3].pk),
    ):
        common = {
            "weekdays": {0, 1, 2},
            "location_id": location,
            "provider_ids": providers,
            "online": online,
            "low": low,
            "high": high,
            "ignore_appointment_id": ignoring,
        }
        by_id = schedule_rows(service_id=service.pk, service=service, **common)
        by_slug = schedule_rows(service_slug=service.slug, **common)
        assert by_slug[0] == service
        assert _normal(by_slug) == _normal(by_id), (online, providers, location, ignoring)
        compared += 1
    # The comparisons saw something: hours, busy time, and the rooms and devices when taken.
    everyone = schedule_rows(service_slug=service.slug, weekdays={0, 1, 2}, location_id=None, provider_ids=None,
                             online=False, low=low, high=high)  # fmt: skip
    assert everyone[1] and everyone[2]
    assert (everyone[3] is not None) == needs_room and (everyone[4] is not None) == bool(device_kind)
    if needs_room:
        assert sum(len(found) for found in everyone[3].by_location.values()) == 3  # the inactive room is left out
        assert any(times for found in everyone[3].by_location.values() for _, times in found)
    if device_kind:
        assert sum(len(found) for found in everyone[4].by_location.values()) == 2  # lasers only
    assert compared == 36


def test_an_unknown_or_inactive_service_by_slug_reads_nothing(busy_clinic):
    common = {"weekdays": {0}, "location_id": None, "provider_ids": None, "online": True,
              "low": datetime(2027, 1, 10, tzinfo=UTC), "high": datetime(2027, 1, 14, tzinfo=UTC)}  # fmt: skip
    assert schedule_rows(service_slug="no-such-service", **common) == (None, [], [], None, None)
    busy_clinic.service.is_active = False
    busy_clinic.service.save()
    assert schedule_rows(service_slug=busy_clinic.service.slug, **common) == (None, [], [], None, None)


def test_every_shape_of_the_statement_fits_psycopgs_parse_cache():
    """psycopg parses a statement once and keeps it when it is at most 4 KB; a longer one is
    parsed again on every request (a tenth of availability's own time when it was)."""
    longest = max(
        len(_schedule_sql(connection.vendor, 7, *shape, 1, *rest))
        for shape in itertools.product((True, False), (True, False))
        for rest in itertools.product((True, False), (True, False), (True, False), (True, False))
    )
    assert longest <= psycopg._queries.MAX_CACHED_STATEMENT_LENGTH
