"""One client booking online, one POST after another: queries and milliseconds per booking.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/medspa_bench .venv/bin/python bench/booking_post.py \
        [--requests 200] [--profile] [--sql]

`POST /api/v1/bookings` through Django's test client (no network), so the figures are the app's own
cost: parsing and validating the body, the throttles, the slot check, the patient, the
appointment, its event and planned messages, the commit, the Celery tasks queued after it (on
CELERY_BROKER_URL: the filesystem broker in a temporary VAR_DIR unless it names Redis) and the
answer. Every booking is a new patient; each time is booked three times, the first naming a
provider, the other two asking for anyone.

The clinic: one America/New_York location, three providers working every day 08:00–20:00, one
30-minute consultation that new patients may book online; bookings start a week ahead, one after
another on the 15-minute grid, over each provider's days. The rate limits stay on with rates
that never trip, so their counting in the cache is part of the cost.

Besides wall-clock time it prints the median CPU time this process spent on a booking: all of
the app's own work (not the database server's), and steadier than wall time on a busy machine.
--profile prints where the time goes (cProfile over the timed bookings, by cumulative time);
--sql prints the SQL of one booking. Runs on a throwaway test database (bench/support.py).
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as wall_time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="medspa-bench-post-")  # the broker's queue and the mail
for name in ("RATE_LIMIT_BOOKING_PER_ADDRESS", "RATE_LIMIT_BOOKING_PER_EMAIL"):
    os.environ[name] = "100000000/m"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.support import throwaway_database  # noqa: E402
from bookings.models import Appointment, Location, Provider, WorkingHours  # noqa: E402
from treatments.models import Service, ServiceKind  # noqa: E402

ZONE = ZoneInfo("America/New_York")
PROVIDERS = 3
OPENS, CLOSES = wall_time(8), wall_time(20)


def seed() -> tuple[Service, list[Provider]]:
    location = Location.objects.create(slug="main", name="Main", address="1 Main Street", timezone=ZONE.key)
    service = Service.objects.create(
        slug="consult",
        name="Consultation",
        kind=ServiceKind.CONSULTATION,
        duration_minutes=30,
        bookable_online=True,
        new_patients_online=True,
    )
    providers = []
    for i in range(PROVIDERS):
        user = get_user_model().objects.create(username=f"p{i}", first_name="Ivy", last_name=f"P{i}", is_staff=True)
        provider = Provider.objects.create(user=user, title="Nurse injector", credentials="RN", sort_order=i)
        provider.services.set([service])
        WorkingHours.objects.bulk_create(
            WorkingHours(provider=provider, location=location, weekday=d, start=OPENS, end=CLOSES) for d in range(7)
        )
        providers.append(provider)
    return service, providers


def starts(first_day: date):
    """Every 30 minutes of every day from `first_day`, each time once per provider (anyone or named)."""
    day = first_day
    while True:
        wall = datetime.combine(day, OPENS, tzinfo=ZONE)
        while wall.time() < CLOSES:
            for _ in range(PROVIDERS):
                yield wall
            wall += timedelta(minutes=30)
        day += timedelta(days=1)


def body(service: Service, start: datetime, n: int, provider: Provider | None) -> dict:
    payload = {
        "service": service.slug,
        "start": start.isoformat(),
        "accept_policy": True,
        "patient": {
            "first_name": "Pat",
            "last_name": f"Client{n}",
            "email": f"client{n}@example.com",
            "phone": "+19415550100",
            "date_of_birth": "1990-01-01",
        },
    }
    if provider is not None:
        payload["provider"] = provider.pk
    return payload


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="timed bookings (default 200)")
    parser.add_argument("--profile", action="store_true", help="print where the time goes (cProfile)")
    parser.add_argument("--sql", action="store_true", help="print the SQL of one booking")
    args = parser.parse_args()

    with throwaway_database("booking_post"):
        service, providers = seed()
        client = Client()
        times = starts(timezone.localdate(timezone=ZONE) + timedelta(days=7))
        n = 0

        def book() -> None:
            nonlocal n
            n += 1
            named = providers[0] if n % PROVIDERS == 1 else None
            response = client.post(
                "/api/v1/bookings", body(service, next(times), n, named), content_type="application/json"
            )
            assert response.status_code == 201, response.content

        for _ in range(5):  # warm up imports, URL resolution and caches
            book()
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            book()
        profiler = cProfile.Profile(time.process_time) if args.profile else None  # CPU time: steadier
        timings, cpu = [], []
        for _ in range(args.requests):
            if profiler:
                profiler.enable()
            started, started_cpu = time.perf_counter(), time.process_time()
            book()
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            if profiler:
                profiler.disable()
        timings.sort()
        median, p95 = statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)]
        print(
            f"database: {connection.vendor}; broker: {django.conf.settings.CELERY_BROKER_URL.split(':')[0]}; "
            f"{args.requests} bookings, one client, {Appointment.objects.count()} appointments at the end"
        )
        print(f"{'queries':>8}{'median ms':>11}{'p95 ms':>9}{'bookings/s':>12}{'CPU ms':>8}")
        print(f"{len(queries):>8}{median:>11.2f}{p95:>9.2f}{1000 / median:>12.0f}{statistics.median(cpu):>8.2f}")
        print(f"(CPU ms: this process's median CPU time a booking, which other work on the machine barely "
              f"changes; load average {os.getloadavg()[0]:.1f})")  # fmt: skip
        if args.sql:
            print()
            for query in queries.captured_queries:
                print(f"{query['time']:>7} {query['sql'][:300]}")
        if profiler:
            print()
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(int(os.environ.get("TOP", "45")))
            stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
