"""A real Celery worker consumes the configured broker (Redis in CI, the filesystem locally)."""

import os
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from medspa.tasks import ping, sessions_clear
from tests.conftest import celery_worker


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
