"""A real Celery worker consumes the configured broker (Redis in CI, the filesystem locally)."""

import os
import signal
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from medspa.tasks import ping, sessions_clear

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def worker_queue():
    """Starts a worker on a queue of its own, so no other worker can answer for it."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "medspa", "worker", "--pool=solo", "--queues", queue,
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    try:
        yield queue
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            output, _ = worker.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
        print(output)


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
