"""Queries and median milliseconds per request for the catalog pages and endpoints.

    .venv/bin/python bench/catalog.py [--requests 200]

Runs on a throwaway test database of whatever DATABASE_URL names (SQLite if unset), through
Django's test client (no network), so the figures are the app's own cost.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.support import measure, throwaway_database  # noqa: E402

PATHS = ["/api/v1/areas", "/api/v1/services", "/", "/treatments/", "/treatments/masseter/"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    with throwaway_database("catalog"):
        client = Client()
        print(f"database: {connection.vendor}; {args.requests} requests per path")
        print(f"{'path':<26}{'queries':>8}{'median ms':>11}{'p95 ms':>9}{'req/s':>9}")
        for path in PATHS:
            queries, median, p95, _ = measure(client, path, args.requests)
            print(f"{path:<26}{queries:>8}{median:>11.2f}{p95:>9.2f}{1000 / median:>9.0f}")


if __name__ == "__main__":
    main()
