"""Many patients racing for one slot: exactly one wins, the rest are told it was taken.

Real threads, each with its own database connection, released together by a barrier. On
PostgreSQL the exclusion constraint decides; on SQLite the IMMEDIATE write lock does.
"""

import json
import threading

import pytest
from django.db import connections
from django.test import Client

from bookings.models import BLOCKING_STATUSES, Appointment
from tests.bookings.conftest import at, next_weekday, week_hours
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

THREADS = 20


def race(bodies: list[dict]) -> list[int]:
    barrier = threading.Barrier(len(bodies))
    statuses: list[int | None] = [None] * len(bodies)

    def run(i: int) -> None:
        try:
            client = Client(REMOTE_ADDR=f"10.0.0.{i + 1}")  # twenty patients, twenty addresses
            barrier.wait(timeout=30)
            response = client.post("/api/v1/bookings", json.dumps(bodies[i]), content_type="application/json")
            statuses[i] = response.status_code
            if response.status_code == 409:
                assert response.json()["error"] == "slot_unavailable"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def body(start, i: int) -> dict:
    return {
        "service": "consult",
        "start": start.isoformat(),
        "accept_policy": True,
        "patient": {
            "first_name": "Racer",
            "last_name": str(i),
            "email": f"racer{i}@example.com",
            "phone": "+19415550100",
            "date_of_birth": "1990-01-01",
        },
    }


def _overlapping_pairs() -> int:
    rows = list(Appointment.objects.filter(status__in=BLOCKING_STATUSES).values_list("provider_id", "busy_from",
                                                                                     "busy_until"))  # fmt: skip
    return sum(
        1 for i, (p1, f1, u1) in enumerate(rows) for p2, f2, u2 in rows[i + 1 :] if p1 == p2 and f1 < u2 and f2 < u1
    )


def test_twenty_clients_racing_for_one_slot_one_201_the_rest_409(clinic):
    day = next_weekday(1)
    statuses = race([body(at(day, 10), i) for i in range(THREADS)])
    assert sorted(statuses) == [201] + [409] * (THREADS - 1)
    assert Appointment.objects.count() == 1


def test_overlapping_but_different_times_race_to_one_booking(clinic):
    day = next_weekday(1)
    starts = [at(day, 10), at(day, 10, 15)]  # 10:00–10:30 and 10:15–10:45
    statuses = race([body(starts[i % 2], i) for i in range(THREADS)])
    assert statuses.count(201) == 1 and statuses.count(409) == THREADS - 1
    assert _overlapping_pairs() == 0


def test_buffers_are_raced_too(clinic):
    clinic.service.buffer_after_minutes = 15
    clinic.service.save()
    day = next_weekday(1)
    starts = [at(day, 10), at(day, 10, 30)]  # the second starts inside the first one's buffer
    statuses = race([body(starts[i % 2], i) for i in range(THREADS)])
    assert statuses.count(201) == 1
    assert _overlapping_pairs() == 0


def test_anyone_racing_fills_each_free_provider_once(clinic):
    other = ProviderFactory(services=[clinic.service])
    week_hours(other, clinic.location)
    day = next_weekday(1)
    statuses = race([body(at(day, 10), i) for i in range(THREADS)])
    assert statuses.count(201) == 2 and statuses.count(409) == THREADS - 2
    assert set(Appointment.objects.values_list("provider_id", flat=True)) == {clinic.provider.pk, other.pk}
