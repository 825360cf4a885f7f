"""Exactly once, the hard way: real Celery workers, the configured broker (Redis in CI), a real SMTP
server counting what arrives; a worker killed with SIGKILL in the middle of a send, the broker
flushed mid-run, two workers at once."""

import asyncio
import os
import threading
import time
from datetime import timedelta
from email import message_from_bytes

import pytest
from django.conf import settings
from django.utils import timezone

from medspa.celery import app
from reminders.models import Message, MessageState
from reminders.tasks import messages_send
from tests.conftest import celery_worker, database_url, free_port
from tests.factories import AppointmentFactory, MessageFactory, PatientFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

COUNT = 1000


class CountingSink:
    """An aiosmtpd handler that counts deliveries by Message-ID and can hold one send open."""

    def __init__(self, hold_at: int | None = None) -> None:
        self.ids: list[str] = []
        self.rcpts = 0
        self.hold_at = hold_at
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpts += 1
        if self.rcpts == self.hold_at:
            self.holding.set()  # a send is in progress: the test kills the worker now
            while not self.release.is_set():
                await asyncio.sleep(0.02)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.ids.append(message_from_bytes(envelope.content)["Message-ID"])
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, seconds: float = 240) -> None:
        deadline = time.monotonic() + seconds
        while len(set(self.ids)) < count and time.monotonic() < deadline:
            time.sleep(0.2)


@pytest.fixture
def sink():
    from aiosmtpd.controller import Controller

    handlers = []

    def start(**kwargs) -> CountingSink:
        handler = CountingSink(**kwargs)
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        handler.port = controller.port
        handlers.append(controller)
        return handler

    yield start
    for controller in handlers:
        controller.stop()


@pytest.fixture
def due_messages(clinic):
    """COUNT reminders due now, for one booked appointment."""
    patient = PatientFactory(email="ada@example.com")
    appointment = AppointmentFactory(patient=patient, provider=clinic.provider, location=clinic.location,
                                     service=clinic.service, start=timezone.now() + timedelta(days=3))  # fmt: skip
    Message.objects.bulk_create(
        MessageFactory.build(
            appointment=appointment, step=f"n{i}", due_at=timezone.now() - timedelta(minutes=1), dedupe_key=f"once-{i}"
        )
        for i in range(COUNT)
    )
    return appointment


def _env(sink, **extra: str) -> dict:
    return {"DATABASE_URL": database_url(), "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}", **extra}


# A worker restarted after one was killed takes what the dead one left "sending" once this has
# passed (600 seconds in production): the killed worker is gone, so nobody else is sending it.
RESTARTED = {"MESSAGE_IN_DOUBT_AFTER_SECONDS": "1"}


def _sweep(queue: str, times: int = 1) -> None:
    for _ in range(times):
        messages_send.apply_async(queue=queue)


def _assert_exactly_once(sink) -> None:
    assert len(sink.ids) == COUNT, f"{len(sink.ids) - len(set(sink.ids))} duplicates, {len(set(sink.ids))} unique"
    assert len(set(sink.ids)) == COUNT
    assert Message.objects.filter(state=MessageState.SENT).count() == COUNT


def test_a_worker_killed_mid_send_loses_nothing_and_duplicates_nothing(sink, due_messages):
    smtp = sink(hold_at=300)
    with celery_worker(**_env(smtp)) as worker:
        _sweep(worker.queue)
        assert smtp.holding.wait(120), "the worker never reached the 300th send"
        worker.process.kill()  # SIGKILL, in the middle of an SMTP transaction
        worker.process.wait(30)
        smtp.release.set()
    assert Message.objects.filter(state=MessageState.SENT).count() == 299
    time.sleep(1.5)  # the 300th, left "sending" by the dead worker, is now in doubt for the next one
    with celery_worker(**_env(smtp, **RESTARTED)) as worker:
        _sweep(worker.queue, times=2)
        smtp.wait_for(COUNT)
    _assert_exactly_once(smtp)


@pytest.mark.skipif(not settings.CELERY_BROKER_URL.startswith("redis"), reason="flushing needs the Redis broker")
def test_flushing_the_broker_mid_run_loses_nothing(sink, due_messages):
    import redis

    smtp = sink()
    with celery_worker(**_env(smtp)) as worker:
        queue = worker.queue
        _sweep(queue, times=3)
        deadline = time.monotonic() + 60
        while len(smtp.ids) < 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()  # queued sweeps and results: gone
        _sweep(queue)  # the next beat tick
        smtp.wait_for(COUNT)
        while Message.objects.filter(state=MessageState.PENDING).exists():
            _sweep(queue)
            smtp.wait_for(COUNT, seconds=10)
    _assert_exactly_once(smtp)


def test_two_workers_at_once_send_each_message_once(sink, due_messages):
    smtp = sink()
    queue = f"both-{os.getpid()}-{time.monotonic_ns()}"
    with celery_worker(queue=queue, **_env(smtp)), celery_worker(queue=queue, **_env(smtp)):
        _sweep(queue, times=4)
        smtp.wait_for(COUNT)
    _assert_exactly_once(smtp)
    assert app.conf.task_default_queue != queue
