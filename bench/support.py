"""What the benchmark scripts share: a throwaway database and one way of timing requests."""

import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment


@contextmanager
def throwaway_database(label: str) -> Iterator[None]:
    """A test database of the benchmark's own, created and destroyed around the block.

    Its own name, because the test suite's SQLite file and a plain test_<name> on PostgreSQL
    may be in use by a test run or another benchmark at the same time.
    """
    setup_test_environment()
    test = connection.settings_dict.setdefault("TEST", {})
    scratch = None
    if connection.vendor == "sqlite":
        scratch = tempfile.TemporaryDirectory(prefix="medspa-bench-")
        test["NAME"] = str(Path(scratch.name) / f"{label}.sqlite3")
    else:
        test["NAME"] = f"test_{connection.settings_dict['NAME']}_{label}_{os.getpid()}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if scratch is not None:
            scratch.cleanup()


def measure(client: Client, path: str, requests: int) -> tuple[int, float, float, object]:
    """(queries of one request, median ms, p95 ms, the last response) for `requests` GETs."""
    client.get(path)  # warm up templates and caches
    reset_queries()  # each request resets the log; start the capture from empty
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return len(queries), statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)], response
