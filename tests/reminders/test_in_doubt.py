"""A worker killed AFTER the SMTP server accepted a message and BEFORE the sender wrote it down.

The sender commits "sending" before it talks to the server, so the row is left "sending"; staff see
it "in doubt" once MESSAGE_IN_DOUBT_AFTER has passed, and the next worker sends it again with the
same Message-ID, so the receiving side can drop the repeat. The moment is made exact: the SMTP sink
holds its 250 reply to the third message until the test has locked that message's row, so when the
worker reads the 250 its write of "sent" waits on the lock, and the test kills it there.
"""

import asyncio
import re
import sqlite3
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from email import message_from_bytes

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from reminders.models import Message, MessageState
from tests.conftest import celery_worker, free_port
from tests.factories import AppointmentFactory, MessageFactory, PatientFactory
from tests.reminders.test_exactly_once import RESTARTED, _env, _sweep

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

COUNT, HELD = 5, 3


class AcceptingSink:
    """Takes every message; for the HELD-th, it has the whole message and holds its 250 until told."""

    def __init__(self) -> None:
        self.received: list = []
        self.arrived = threading.Event()
        self.reply = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.received.append(message_from_bytes(envelope.content))
        if len(self.received) == HELD:
            self.arrived.set()
            while not self.reply.is_set():
                await asyncio.sleep(0.02)
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.1)


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    handler = AcceptingSink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    handler.reply.set()
    controller.stop()


@pytest.fixture
def due(clinic):
    patient = PatientFactory(email="ada@example.com")
    appointment = AppointmentFactory(patient=patient, provider=clinic.provider, location=clinic.location,
                                     service=clinic.service, start=timezone.now() + timedelta(days=3))  # fmt: skip
    Message.objects.bulk_create(
        MessageFactory.build(
            appointment=appointment,
            step=f"n{i}",
            due_at=timezone.now() - timedelta(minutes=5 - i),
            dedupe_key=f"doubt-{i}",
        )
        for i in range(COUNT)
    )
    return appointment


@contextmanager
def row_locked(message_id: str):
    """Hold a lock that the sender's write of this message's state must wait for (from outside Django)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        locker = sqlite3.connect(settings["NAME"], isolation_level=None, timeout=20)
        locker.execute("BEGIN IMMEDIATE")  # the database's write lock: the worker's UPDATE waits
    else:
        import psycopg

        locker = psycopg.connect(
            dbname=settings["NAME"], user=settings.get("USER") or None, password=settings.get("PASSWORD") or None,
            host=settings.get("HOST") or "127.0.0.1", port=settings.get("PORT") or 5432,
        )  # fmt: skip
        locker.execute("SELECT id FROM reminders_message WHERE provider_id = %s FOR UPDATE", [message_id])
    try:
        yield locker
    finally:
        locker.rollback() if connection.vendor != "sqlite" else locker.execute("ROLLBACK")
        locker.close()


def _waiting_for_the_lock(locker) -> list[int]:
    """PostgreSQL: the backends whose statement waits on our lock (the worker's UPDATE); SQLite: [] after
    giving the worker time to reach its write (it waits inside its own process, on the file lock)."""
    if connection.vendor == "sqlite":
        time.sleep(2)
        return []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        rows = locker.execute(
            "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        ).fetchall()
        if rows:
            return [pid for (pid,) in rows]
        time.sleep(0.05)
    raise AssertionError("the worker never tried to write the message's state")


def _end_the_dead_workers_statement(locker, pids: list[int]) -> None:
    """A killed process's UPDATE that already reached PostgreSQL would still run once our lock goes;
    a worker killed before it wrote would never have sent it, so end that statement with the process."""
    for pid in pids:
        locker.execute("SELECT pg_terminate_backend(%s)", [pid])


def _stop_link(email) -> str:
    text = next(part for part in email.walk() if part.get_content_type() == "text/plain").get_payload(decode=True)
    return re.search(rb"/messages/stop/(\S+)/", text).group(1).decode()


def test_a_worker_killed_after_the_server_accepted_leaves_it_in_doubt_and_the_retry_has_the_same_id(
    smtp, due, client, front_desk_user
):
    with celery_worker(**_env(smtp)) as worker:
        _sweep(worker.queue)
        assert smtp.arrived.wait(120), "the worker never sent the third message"
        held = smtp.received[HELD - 1]
        with row_locked(held["Message-ID"]) as locker:
            smtp.reply.set()  # the server says 250: it has the message
            waiting = _waiting_for_the_lock(locker)  # the worker read the 250 and waits to write "sent"
            worker.process.kill()  # SIGKILL: after the server accepted, before the state was written
            worker.process.wait(30)
            _end_the_dead_workers_statement(locker, waiting)

    message = Message.objects.get(provider_id=held["Message-ID"])
    assert message.state == MessageState.SENDING and message.sending_started_at is not None
    assert Message.objects.filter(state=MessageState.SENT).count() == HELD - 1
    assert Message.objects.filter(state=MessageState.PENDING).count() == COUNT - HELD

    # Staff see it in doubt once the timeout has passed (and not before).
    outbox, badge = reverse("reminders:outbox"), '">In doubt</span>'
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        client.force_login(front_desk_user)
        assert badge not in client.get(outbox).content.decode()
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        client.force_login(front_desk_user)
        page = client.get(outbox, {"state": "in-doubt"}).content.decode()
        assert page.count(badge) == 1 and page.count("message-sent") == 0
        log = client.get(reverse("reminders:patient-messages", args=[message.patient_id])).content.decode()
        assert log.count(badge) == 1

    time.sleep(1.5)
    with celery_worker(**_env(smtp, **RESTARTED)) as worker:
        _sweep(worker.queue)
        smtp.wait_for(COUNT + 1)

    assert Message.objects.filter(state=MessageState.SENT).count() == COUNT
    ids = [email["Message-ID"] for email in smtp.received]
    assert len(ids) == COUNT + 1 and len(set(ids)) == COUNT  # one repeat: the message in doubt
    retry = next(e for e in smtp.received[HELD:] if _stop_link(e) == _stop_link(held))
    assert retry["Message-ID"] == held["Message-ID"]
    message.refresh_from_db()
    assert message.attempts == 2 and message.state == MessageState.SENT
