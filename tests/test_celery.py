"""A real Celery worker consumes the configured broker (Redis in CI, the filesystem locally)."""

import os
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from medspa.tasks import ping, sessions_clear
from tests.conftest import celery_worker, database_url
from tests.reminders.webhook_receiver import Receiver, readme_verify


@pytest.fixture
def worker_queue():
    with celery_worker() as worker:
        yield worker.queue


@pytest.mark.celery_worker
def test_a_real_worker_round_trips_a_task(worker_queue):
    result = ping.apply_async(queue=worker_queue)
    assert result.get(timeout=90) == "pong"
    assert result.successful()


def test_broker_is_the_one_the_environment_names():
    expected = os.environ.get("CELERY_BROKER_URL") or "filesystem://"
    assert expected == settings.CELERY_BROKER_URL
    assert ping.app.connection().as_uri().split("://")[0] == expected.split("://")[0]


def test_beat_schedule_is_in_code_and_names_real_tasks():
    from medspa.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


@pytest.mark.django_db
def test_sessions_clear_deletes_only_expired_sessions():
    now = timezone.now()
    Session.objects.create(session_key="old", session_data="", expire_date=now - timedelta(days=1))
    Session.objects.create(session_key="live", session_data="", expire_date=now + timedelta(days=1))
    sessions_clear()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]


@pytest.fixture
def webhook_receiver():
    hook = Receiver()
    yield hook
    hook.stop()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_delivers_a_signed_webhook(webhook_receiver):
    """The outbox's one task, on a real worker and the configured broker, posts the webhook to a real receiver."""
    from reminders.models import MessageState, WebhookDelivery
    from reminders.tasks import messages_send
    from tests.factories import WebhookDeliveryFactory, WebhookEndpointFactory

    hook = webhook_receiver
    delivery = WebhookDeliveryFactory(endpoint=WebhookEndpointFactory(url=hook.url))
    with celery_worker(DATABASE_URL=database_url()) as worker:
        messages_send.apply_async(queue=worker.queue)  # results are not kept: wait for the receiver
        deadline = time.monotonic() + 90
        while not hook.requests and time.monotonic() < deadline:
            time.sleep(0.2)
    # Leaving the block stops the worker warmly: the task it was running (the write of "sent") finishes first.
    (request,) = hook.requests
    event = readme_verify()(delivery.endpoint.secret, request.body, request.headers["x-medspa-signature"])
    assert event["event"] == "webhook.test" and request.headers["x-medspa-delivery"] == str(delivery.delivery_id)
    assert WebhookDelivery.objects.get().state == MessageState.SENT
