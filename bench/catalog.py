"""Queries and median milliseconds per request for the catalog pages and endpoints.

    .venv/bin/python bench/catalog.py [--requests 200]

Runs on a throwaway test database of whatever DATABASE_URL names (SQLite if unset), through
Django's test client (no network), so the figures are the app's own cost.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

PATHS = ["/api/v1/areas", "/api/v1/services", "/", "/treatments/", "/treatments/masseter/"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        client = Client()
        print(f"database: {connection.vendor}; {args.requests} requests per path")
        print(f"{'path':<26}{'queries':>8}{'median ms':>11}{'p95 ms':>9}{'req/s':>9}")
        for path in PATHS:
            client.get(path)  # warm up templates and caches
            reset_queries()  # each request resets the log; start the capture from empty
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200
            timings = []
            for _ in range(args.requests):
                start = time.perf_counter()
                client.get(path)
                timings.append((time.perf_counter() - start) * 1000)
            timings.sort()
            median = statistics.median(timings)
            p95 = timings[int(len(timings) * 0.95) - 1]
            print(f"{path:<26}{len(queries):>8}{median:>11.2f}{p95:>9.2f}{1000 / median:>9.0f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
