"""Where the time of bench/ceiling.py's paths goes: cProfile of each, in this process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/medspa_bench .venv/bin/python bench/profile_paths.py \
        [--requests 300] [--only availability] [--top 30] [--sql] [--table]

The same paths and the same demo clinic as bench/ceiling.py (migrate, then `demo_seed`), on a
throwaway test database (bench/support.py), with production settings (DEBUG off, rate limits off)
and Django's test client instead of gunicorn. For each path: queries of one request, median ms
over `--requests`, then the functions that took the most time in them (own time, then
cumulative); --sql prints each path's SQL; --only keeps the paths whose label contains a word.

--table prints no profile but a table of this process's CPU time per request (the best of five
rounds of `--requests`, every path in turn), each path also as a share of bench/ceiling_app.py's empty JSON view:
CPU time hardly changes with other work on the machine, where requests per second do, so this
compares two versions of the app on a busy machine (the database server's own time is not in it).
"""

import argparse
import cProfile
import os
import pstats
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.update(
    DJANGO_SETTINGS_MODULE="medspa.settings",
    DJANGO_DEBUG="0",
    SECRET_KEY=secrets.token_urlsafe(48),
    ALLOWED_HOSTS="testserver",
    SECURE_SSL_REDIRECT="0",
    RATE_LIMIT_ENABLED="0",
    VAR_DIR=tempfile.mkdtemp(prefix="medspa-profile-"),
)

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.support import throwaway_database  # noqa: E402


def paths() -> list[tuple[str, str]]:
    """bench/ceiling.py's paths, from what the seeded database holds (the same choice as there)."""
    from datetime import timedelta

    from django.utils import timezone

    from bookings.models import WorkingHours
    from treatments.models import Service, TreatmentArea

    service = Service.objects.active().filter(bookable_online=True, providers__isnull=False).first()
    block = WorkingHours.objects.filter(provider__services=service).order_by("provider_id").first()
    area = TreatmentArea.objects.active().order_by("sort_order", "pk").first()
    tomorrow = timezone.localdate() + timedelta(days=2)
    day = tomorrow + timedelta(days=(block.weekday - tomorrow.weekday()) % 7)
    return [
        ("availability 1x1", f"/api/v1/availability?service={service.slug}&date={day}&provider={block.provider_id}"),
        ("availability 14 days", f"/api/v1/availability?service={service.slug}&date={tomorrow}&days=14"),
        ("home page", "/"),
        ("area page", f"/treatments/{area.slug}/"),
        ("book page", "/book/"),
    ]


def cpu_table(client: Client, requests: int) -> None:
    from bench import ceiling_app  # noqa: F401 (adds /bench/empty/)

    measured = [("empty JSON view", "/bench/empty/"), *paths()]
    for _, path in measured:
        for _ in range(5):
            assert client.get(path).status_code == 200, path
    best = {label: float("inf") for label, _ in measured}
    for _ in range(7):  # rounds over every path in turn, so that each path's best comes from alike moments
        for label, path in measured:
            started = time.process_time()
            for _ in range(requests):
                client.get(path)
            best[label] = min(best[label], (time.process_time() - started) / requests * 1000)
    rows = list(best.items())
    print(f"CPU time a request in this process (best of 7 rounds of {requests}), test client, production settings")
    print(f"{'path':24}{'CPU ms':>9}{'share':>8}")
    for label, ms in rows:
        print(f"{label:24}{ms:>9.3f}{rows[0][1] / ms:>8.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--only", default="")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sql", action="store_true")
    parser.add_argument("--table", action="store_true")
    args = parser.parse_args()

    with throwaway_database("profile"):
        call_command("demo_seed", "--force", stdout=open(os.devnull, "w"))  # noqa: SIM115
        client = Client()
        if args.table:
            cpu_table(client, args.requests)
            return
        for label, path in paths():
            if args.only not in label:
                continue
            for _ in range(5):
                response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            reset_queries()
            with CaptureQueriesContext(connection) as capture:
                client.get(path)
            queries = list(capture.captured_queries)  # read now: the next request empties the log
            timings = []
            for _ in range(args.requests):
                started = time.perf_counter()
                client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
            profiler = cProfile.Profile(time.process_time)  # CPU time: steadier than wall time
            profiler.enable()
            for _ in range(args.requests):
                client.get(path)
            profiler.disable()
            print(f"\n=== {label}: {path}")
            print(f"{len(queries)} queries, median {statistics.median(timings):.3f} ms, {len(response.content)} bytes")
            if args.sql:
                for query in queries:
                    print(f"  {query['sql'][:400]}")
            stats = pstats.Stats(profiler)
            stats.sort_stats("tottime").print_stats(args.top)
            stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
