"""Messages per second and SQL queries per message for the outbox sender.

    .venv/bin/python bench/reminders.py [--messages 10000]

One sender (what one Celery worker runs) works through `--messages` due reminders, sending each
over real SMTP to an in-process aiosmtpd server, on a throwaway test database of whatever
DATABASE_URL names (SQLite if unset). Queries are counted per message for the first hundred and
for the whole run: the figure must not grow with the batch.
"""

import argparse
import logging
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from aiosmtpd.controller import Controller  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.support import throwaway_database  # noqa: E402
from bookings.models import Appointment, Location, Patient, Provider, Source  # noqa: E402
from reminders.models import Message, MessageState  # noqa: E402
from reminders.services import messages_send_due  # noqa: E402
from tests.conftest import free_port  # noqa: E402
from treatments.models import Service  # noqa: E402


class Sink:
    count = 0

    async def handle_DATA(self, server, session, envelope):
        Sink.count += 1
        return "250 OK"


def seed(total: int) -> None:
    from django.contrib.auth import get_user_model

    service = Service.objects.get(slug="facial-balancing-consultation")
    location = Location.objects.create(slug="bench", name="Bench", address="1 Main St", timezone="America/New_York")
    user = get_user_model().objects.create(username="bench-provider", first_name="Bea", last_name="Nch")
    provider = Provider.objects.create(user=user, title="Nurse injector")
    patients = Patient.objects.bulk_create(
        Patient(first_name="P", last_name=str(i), email=f"p{i}@example.com", phone="+19415550100",
                date_of_birth="1990-01-01")
        for i in range(100)
    )  # fmt: skip
    start = timezone.now() + timedelta(days=5)
    appointments = Appointment.objects.bulk_create(
        Appointment(patient=p, provider=provider, location=location, service=service,
                    start=start + timedelta(hours=i), end=start + timedelta(hours=i, minutes=45),
                    busy_from=start + timedelta(hours=i), busy_until=start + timedelta(hours=i, minutes=55),
                    source=Source.DESK, reference=f"BENCH{i:03d}")
        for i, p in enumerate(patients)
    )  # fmt: skip
    due = timezone.now() - timedelta(minutes=1)
    Message.objects.bulk_create(
        (Message(patient_id=appointments[i % 100].patient_id, appointment=appointments[i % 100], kind="reminder",
                 step=f"b{i}", due_at=due, dedupe_key=f"bench-{i}") for i in range(total)),
        batch_size=2000,
    )  # fmt: skip


class QueryCounter:
    """Counts every statement the connection runs (no 9,000-query logging cap)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    args = parser.parse_args()
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = Controller(Sink(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        with throwaway_database("reminders"):
            # After the test environment is set up, which swaps in the in-memory email backend.
            settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
            settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
            seed(args.messages)
            first, rest = QueryCounter(), QueryCounter()
            with connection.execute_wrapper(first):
                messages_send_due(limit=100, seconds=600)
            started = time.perf_counter()
            with connection.execute_wrapper(rest):
                sent = messages_send_due(limit=args.messages, seconds=3600)
            elapsed = time.perf_counter() - started
            total = Message.objects.filter(state=MessageState.SENT).count()
            print(f"database: {connection.vendor}; {total} of {args.messages} messages sent, "
                  f"{Sink.count} received by the SMTP server")  # fmt: skip
            print(f"queries per message: first 100: {first.count / 100:.2f}; the other {sent}: {rest.count / sent:.2f}")
            print(f"messages per second (one sender): {sent / elapsed:.0f}  ({elapsed:.1f} s for {sent})")
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
