"""Two tabs (or a double tap) sending the consent step at once: one intake is written.

Real threads, each with its own database connection, released together by a barrier; the
submission locks the draft, so the later one finds the first's history and writes nothing.
"""

import threading

import pytest
from django.db import connections
from django.utils import timezone

from intake.models import Consent, MedicalHistory
from intake.services import intake_submit
from tests.intake.test_submit import SIGNATURE, answered

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

THREADS = 4


def test_submits_at_once_write_one_history_and_one_signature(booked, consent_text):
    appointment, _token = booked()
    answered(appointment)
    barrier = threading.Barrier(THREADS)
    new: list[bool | None] = [None] * THREADS

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            new[i] = intake_submit(appointment=appointment, signature=SIGNATURE, now=timezone.now()).new
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(new) == [False] * (THREADS - 1) + [True]
    assert MedicalHistory.objects.count() == 1 and Consent.objects.count() == 1
