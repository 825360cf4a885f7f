import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from medspa.roles import FRONT_DESK, INJECTOR, MANAGER
from tests.bookings.conftest import week_hours
from tests.charting.photo_helpers import photo_store  # noqa: F401 - the photo storage in a test's own folder
from tests.factories import LocationFactory, ProviderFactory, ServiceFactory, UserFactory
from treatments.models import ServiceKind

ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(config, items):
    """A transactional test must restore what the migrations wrote (the catalog, the roles, the
    content types): one without serialized_rollback leaves an empty database to the tests after it,
    and its flush recreates the content types under new ids that the next serialized restore collides
    with. Refuse such a test at collection instead of failing two files later."""
    wrong = [
        item.nodeid
        for item in items
        if (marker := item.get_closest_marker("django_db"))
        and marker.kwargs.get("transaction")
        and not marker.kwargs.get("serialized_rollback")
    ]
    if wrong:
        raise pytest.UsageError("Transactional tests need serialized_rollback=True: " + ", ".join(wrong[:5]))


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and sign-in failures are counted in the cache: each test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _availability_version_at_once(request):
    """On PostgreSQL the availability version's triggers run at commit (migration bookings 0019);
    a test inside one transaction that never commits makes them run at each statement instead, so
    its writes change the version as a committed write would. Transactional tests commit for real."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or bool(
        marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    )
    if transactional or not (marker or "db" in request.fixturenames):
        yield
        return
    request.getfixturevalue("db")
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS availability_bump, availability_bump_update IMMEDIATE")
    yield


def _staff(role: str):
    """A staff login in `role`; injectors and managers have an authenticator app set up, as
    their role requires (front desk has none unless a test gives them one)."""
    user = UserFactory(is_staff=True, username=role.lower().replace(" ", ""))
    user.groups.add(Group.objects.get(name=role))
    if role in (INJECTOR, MANAGER):
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user


def totp_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the user's authenticator app shows now (or `steps_ahead` periods later)."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


class StaffClient(Client):
    """The test client whose force_login also counts as having entered the code from the user's
    app (if they have one), as the sign-in's second step would: tests of staff pages start signed
    in the whole way. Tests of the sign-in itself go through the pages."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()


@pytest.fixture
def client():
    return StaffClient()


@pytest.fixture
def front_desk_user(db):
    return _staff(FRONT_DESK)


@pytest.fixture
def injector_user(db):
    return _staff(INJECTOR)


@pytest.fixture
def manager_user(db):
    return _staff(MANAGER)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(db, tmp_path):
    """gunicorn as `make run` starts it (gunicorn.conf.py), on the test database, with the rate
    limits off (a race, a fuzzer): its base URL. Needs a transactional test to see the test's rows.
    Its log goes to a file: a pipe nobody reads fills up after 64 KB and stops every worker."""
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": database_url(),
           "PORT": str(port), "RATE_LIMIT_ENABLED": "0"}  # fmt: skip
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "medspa.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        # Up to a minute for a first answer: a loaded machine (CI beside other work) starts slowly.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url + "/api/v1/services", timeout=10)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        print(log.read_text()[-3000:])


class SmtpSink:
    """Collects what a real SMTP server (aiosmtpd) receives."""

    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self):
        from email import message_from_bytes, policy

        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free local port."""
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    sink.port = controller.port
    try:
        yield sink
    finally:
        controller.stop()


def database_url() -> str:
    """The URL of the database the tests are using (the test database), for a worker process."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings.get("USER") or ""
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{settings.get('HOST') or '127.0.0.1'}:{settings.get('PORT') or 5432}/{settings['NAME']}"


@dataclass
class Worker:
    queue: str
    process: subprocess.Popen


@contextmanager
def celery_worker(*, queue: str | None = None, clock_at: datetime | None = None, **env: str):
    """A real `celery worker` process on a queue of its own (or `queue`); yields a Worker.

    Tasks reach it when sent with queue=<its queue>. With `clock_at`, the worker's clock starts at
    that instant and ticks on (tests/clocked_celery.py): "four hours later" without the sleep.
    """
    queue = queue or f"test-{uuid.uuid4().hex[:12]}"
    module = ["celery"]
    if clock_at is not None:
        module = ["tests.clocked_celery"]
        env = {**env, "WORKER_CLOCK_AT": clock_at.isoformat()}
    process = subprocess.Popen(
        [sys.executable, "-m", *module, "-A", "medspa", "worker", "--pool=solo", "--queues", queue,
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
         "--hostname", f"{queue}-{uuid.uuid4().hex[:6]}@%h"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    try:
        yield Worker(queue, process)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        print(output[-5000:])


@pytest.fixture(scope="session", autouse=True)
def _purge_unconsumed_tasks():
    """Tasks enqueued after commit in tests without a worker would pile up in the broker."""
    yield
    from medspa.celery import app

    try:
        app.control.purge()
    except Exception as exc:  # the broker may be gone; nothing to clean then
        print(f"could not purge the test broker: {exc}")


@pytest.fixture
def clinic(db):
    """One New York location, one provider Mon–Fri 9–12 and 13–17, a 30-minute consultation."""
    service = ServiceFactory(
        slug="consult",
        name="Consultation",
        kind=ServiceKind.CONSULTATION,
        duration_minutes=30,
        buffer_before_minutes=0,
        buffer_after_minutes=0,
        new_patients_online=True,
    )
    location = LocationFactory(slug="sarasota", name="Sarasota", timezone="America/New_York")
    provider = ProviderFactory(services=[service])
    week_hours(provider, location)
    return SimpleNamespace(service=service, location=location, provider=provider)
