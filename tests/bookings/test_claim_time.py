"""claim_time: a write that claims a provider's time gets the time, or is told it is taken; a
deadlock between two such writes (PostgreSQL checks exclusion constraints after adding the index
entry, so two overlapping inserts at the same instant can wait on each other) is never a 500."""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, OperationalError, connection, connections, transaction

from bookings.models import Appointment
from bookings.services.booking import CLAIM_ATTEMPTS, claim_time
from tests.factories import AppointmentFactory, PatientFactory


class _Sql(Exception):
    def __init__(self, sqlstate: str) -> None:
        self.sqlstate = sqlstate


def _raising(kind, sqlstate: str, times: int):
    calls = []

    def write() -> None:
        calls.append(1)
        if len(calls) <= times:
            raise kind("boom") from _Sql(sqlstate)

    return write, calls


@pytest.mark.django_db
def test_a_deadlock_is_asked_again_and_then_holds_the_time():
    write, calls = _raising(OperationalError, "40P01", times=1)
    assert claim_time(write) is True
    assert len(calls) == 2


@pytest.mark.django_db
def test_deadlocked_every_time_is_taken_not_an_error():
    write, calls = _raising(OperationalError, "40P01", times=CLAIM_ATTEMPTS)
    assert claim_time(write) is False
    assert len(calls) == CLAIM_ATTEMPTS


@pytest.mark.django_db
def test_an_exclusion_violation_is_taken_at_once():
    write, calls = _raising(IntegrityError, "23P01", times=1)
    assert claim_time(write) is False
    assert len(calls) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("kind, sqlstate", [(OperationalError, "57014"), (IntegrityError, "23505")])
def test_other_database_errors_still_raise(kind, sqlstate):
    write, _ = _raising(kind, sqlstate, times=1)
    with pytest.raises(kind):
        claim_time(write)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_writers_crossing_on_postgresql_deadlock_and_neither_raises():
    """T1 holds X and writes Y'; T2 holds Y and writes X': each waits on the other. PostgreSQL ends
    one; claim_time answers 'taken' instead of letting the error through."""
    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint is PostgreSQL's")
    x = AppointmentFactory()
    y = AppointmentFactory(start=x.start + timedelta(days=1))
    x_start, y_start, provider = x.start, y.start, x.provider
    Appointment.objects.filter(pk__in=[x.pk, y.pk]).delete()
    patients = [PatientFactory(), PatientFactory()]
    barrier = threading.Barrier(2)
    results: dict[int, object] = {}

    def row(start, patient) -> Appointment:
        return Appointment(
            patient=patient, provider=provider, location=x.location, service=x.service, start=start,
            end=start + timedelta(minutes=30), busy_from=start, busy_until=start + timedelta(minutes=30),
        )  # fmt: skip

    def run(i: int, first, second) -> None:
        try:
            with transaction.atomic():
                row(first, patients[i]).save(force_insert=True)
                barrier.wait(timeout=10)
                results[i] = claim_time(lambda: row(second, patients[i]).save(force_insert=True))
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(0, x_start, y_start)),
        threading.Thread(target=run, args=(1, y_start, x_start)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(map(repr, results.values())) == ["False", "False"]
    assert Appointment.objects.filter(provider=provider).count() == 2  # each kept its first, nobody both
