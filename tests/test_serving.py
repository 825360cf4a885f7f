"""`make run` serves with gunicorn (gunicorn.conf.py): a hundred phones racing for one slot all get
an answer (no reset, no 5xx), exactly one booking, and ninety-nine "that time was just taken"."""

import json
import threading
import urllib.error
import urllib.request

import pytest

from bookings.models import BLOCKING_STATUSES, Appointment
from tests.bookings.conftest import at, next_weekday

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CLIENTS = 100


@pytest.fixture
def server(gunicorn):
    return gunicorn


def test_a_hundred_phones_racing_for_one_slot_against_the_real_server(server, clinic):
    start = at(next_weekday(0), 10)
    barrier = threading.Barrier(CLIENTS)
    answers: list[int | str] = [0] * CLIENTS

    def book(i: int) -> None:
        body = {"service": "consult", "start": start.isoformat(), "accept_policy": True,
                "patient": {"first_name": "Pat", "last_name": f"Racer{i}", "email": f"racer{i}@example.com",
                            "phone": "+19415550100", "date_of_birth": "1990-01-01"}}  # fmt: skip
        request = urllib.request.Request(
            server + "/api/v1/bookings", data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        barrier.wait(timeout=60)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                answers[i] = response.status
        except urllib.error.HTTPError as exc:
            answers[i] = exc.code
        except OSError as exc:  # a reset or a refused connection: what the development server did
            answers[i] = type(exc).__name__

    threads = [threading.Thread(target=book, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(answers, key=str).count(201) == 1, answers
    assert answers.count(409) == CLIENTS - 1, answers
    assert Appointment.objects.filter(status__in=BLOCKING_STATUSES).count() == 1
