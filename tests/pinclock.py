"""Runs the whole test session at a fixed instant: `PIN_AT=2026-11-21T23:30:00-05:00 pytest …`.

Tests that depend on today's date or the hour must pass at any instant; CI runs the
date-sensitive ones at several (just after midnight, 11:00 and 23:30 in New York, a Friday and
a Sunday, the eves of both daylight-saving changes: .ci/run). The clock ticks on from the
instant, and a test's own time_machine.travel still wins inside it. Loaded by pyproject's
addopts (-p tests.pinclock); without PIN_AT it does nothing.
"""

import os
from datetime import datetime

import pytest


def pytest_configure(config: pytest.Config) -> None:
    pin = os.environ.get("PIN_AT", "").strip()
    if not pin:
        return
    import time_machine

    instant = datetime.fromisoformat(pin)
    if instant.tzinfo is None:
        raise pytest.UsageError(f"PIN_AT needs a UTC offset: {pin!r}")
    traveller = time_machine.travel(instant, tick=True)
    traveller.start()
    config.stash[_TRAVELLER] = traveller


def pytest_unconfigure(config: pytest.Config) -> None:
    traveller = config.stash.get(_TRAVELLER, None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    pin = os.environ.get("PIN_AT", "").strip()
    return f"clock pinned at {pin} (PIN_AT)" if pin else None


_TRAVELLER = pytest.StashKey()
