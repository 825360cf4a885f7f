"""Racing for the last room: two providers free at the same time, ONE room. Clients booking that
time with either provider all race for the room: exactly one wins, the rest are told it was taken
(409), none gets a 500. On PostgreSQL the room's exclusion constraint decides (and the deadlocks
two crossing inserts can cause are answered as taken); on SQLite the IMMEDIATE write lock does.
"""

import threading

import pytest
from django.db import connections
from django.utils import timezone

from bookings.models import BLOCKING_STATUSES, Appointment, Source
from bookings.services import SlotUnavailable, appointment_book, appointment_reschedule
from tests.bookings.conftest import at, next_weekday, week_hours
from tests.bookings.test_race import THREADS, body, race
from tests.factories import DeviceFactory, PatientFactory, ProviderFactory, RoomFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def one_room(clinic):
    clinic.service.needs_room = True
    clinic.service.save()
    clinic.room = RoomFactory(location=clinic.location, name="Room 1")
    clinic.other = ProviderFactory(services=[clinic.service])
    week_hours(clinic.other, clinic.location)
    return clinic


def _room_overlaps() -> int:
    rows = list(
        Appointment.objects.filter(status__in=BLOCKING_STATUSES).values_list("room_id", "busy_from", "busy_until")
    )
    return sum(
        1 for i, (r1, f1, u1) in enumerate(rows) for r2, f2, u2 in rows[i + 1 :] if r1 == r2 and f1 < u2 and f2 < u1
    )


def test_two_providers_one_room_one_winner(one_room):
    day = next_weekday(1)
    providers = [one_room.provider.pk, one_room.other.pk]
    statuses = race([{**body(at(day, 10), i), "provider": providers[i % 2]} for i in range(THREADS)])
    assert sorted(statuses) == [201] + [409] * (THREADS - 1)
    booked = Appointment.objects.get()
    assert booked.room_id == one_room.room.pk


def test_overlapping_times_with_different_providers_one_room(one_room):
    day = next_weekday(1)
    providers = [one_room.provider.pk, one_room.other.pk]
    starts = [at(day, 10), at(day, 10, 15)]
    statuses = race([{**body(starts[i % 2], i), "provider": providers[(i // 2) % 2]} for i in range(THREADS)])
    assert statuses.count(201) == 1 and statuses.count(409) == THREADS - 1
    assert _room_overlaps() == 0


def test_anyone_with_two_rooms_and_one_device_one_winner(one_room):
    """Two rooms, but the service also takes the one ultrasound: still one winner."""
    one_room.service.device_kind = "ultrasound"
    one_room.service.save()
    RoomFactory(location=one_room.location, name="Room 2")
    DeviceFactory(location=one_room.location, kind="ultrasound")
    day = next_weekday(1)
    statuses = race([body(at(day, 10), i) for i in range(THREADS)])
    assert sorted(statuses) == [201] + [409] * (THREADS - 1)
    assert Appointment.objects.count() == 1


def test_two_rooms_two_providers_two_winners(one_room):
    RoomFactory(location=one_room.location, name="Room 2")
    day = next_weekday(1)
    statuses = race([body(at(day, 10), i) for i in range(THREADS)])
    assert statuses.count(201) == 2 and statuses.count(409) == THREADS - 2
    assert _room_overlaps() == 0
    assert len(set(Appointment.objects.values_list("room_id", flat=True))) == 2


def test_moves_racing_into_the_last_room_one_wins(one_room):
    """Two appointments of two providers at other times both move to 10:00, where the one room is:
    one move goes through, the other is told the time was taken, and the room is never shared."""
    day = next_weekday(1)
    now = timezone.now()
    first = appointment_book(service=one_room.service, start=at(day, 9), now=now, source=Source.DESK,
                             patient=PatientFactory(), provider=one_room.provider)  # fmt: skip
    second = appointment_book(service=one_room.service, start=at(day, 11), now=now, source=Source.DESK,
                              patient=PatientFactory(), provider=one_room.other)  # fmt: skip
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def move(appointment) -> None:
        try:
            barrier.wait(timeout=30)
            appointment_reschedule(appointment=appointment, start=at(day, 10), now=now, by_patient=False)
            outcomes[appointment.pk] = "moved"
        except SlotUnavailable:
            outcomes[appointment.pk] = "taken"
        except Exception as exc:  # the test reports whatever else happened
            outcomes[appointment.pk] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=move, args=(a,)) for a in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes.values()) == ["moved", "taken"]
    assert _room_overlaps() == 0
