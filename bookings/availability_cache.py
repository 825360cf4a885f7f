"""The public API's availability answers, kept in each web process under the availability version.

Every write that can change a free slot replaces the version's token in the writing transaction
itself, by database triggers (migration bookings 0019), whoever writes: an appointment (booked,
moved, cancelled, any status change), time off, working hours, a provider or the services they
offer, a location, a room, a device, a service, through the app, the admin, a bulk insert, a
queryset update or raw SQL. An answer is read as: the token first, then the kept answer for it,
or the schedule from the database. So:

- a request that starts after a write has committed reads the new token (the write and the token
  become visible together), finds nothing kept for it, and reads the database: a slot booked a
  moment ago is never offered again, in any process;
- an answer computed while a write commits may lack it, but is kept under the token read before
  it, which that write has already replaced: no later request finds it;
- a token is random, not a count, so a rolled-back transaction never brings back a token whose
  answers were computed from other data; with no token row at all nothing is kept or served.

Restoring a backup (or loading data with triggers off) while web processes run can bring back a
token under which a process kept an answer from later data: restart the web processes after one.

What is kept is independent of the moment of the request: all the free slots from the start of
the asked dates up to the booking horizon, sorted, served while the horizon's last day stays the
same on the calendar of each of its locations (and of the zone furthest ahead); the minimum
notice is applied when an answer is served, by cutting the list at the earliest bookable instant.

On PostgreSQL the triggers are deferred to the commit: two writers wait for each other on the
token's row only while committing, never while holding what the other waits for.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection

from .models import AvailabilityVersion

# Answers kept per process, the least recently asked dropped first: the same few questions from
# many patients are the point. An answer of 31 days for everyone is about a thousand slots
# (some 250 KB), so a visitor asking odd questions holds at most about 32 MB of a process.
SIZE = 128
T = TypeVar("T")
_lock = threading.Lock()
_kept: OrderedDict[tuple, Any] = OrderedDict()


def availability_version() -> int | None:
    """The current token: plain SQL, read on every availability request. None when the row is
    gone (a flush, a delete by hand): nothing may then be kept or served, for a constant stand-in
    would come back the next time the row is gone and serve what was kept under it."""
    with connection.cursor() as cursor:
        cursor.execute(_version_sql(connection.vendor))
        row = cursor.fetchone()
    return row[0] if row else None


@lru_cache(maxsize=4)
def _version_sql(vendor: str) -> str:
    return AvailabilityVersion.objects.order_by("pk").values_list("token")[:1].query.sql_with_params()[0]


def kept(key: tuple, compute: Callable[[], T], fresh: Callable[[T], bool]) -> T:
    """The answer kept under `key` (which starts with the token read before the data) while
    `fresh(answer)` says it still holds (the horizon has not moved on), or `compute()`'s, kept for
    the next request."""
    key = (connection.settings_dict["NAME"], *key)
    with _lock:
        found = _kept.get(key)
        if found is not None:
            _kept.move_to_end(key)
    if found is not None and fresh(found):
        return found
    found = compute()
    with _lock:
        _kept[key] = found
        while len(_kept) > SIZE:
            _kept.popitem(last=False)
    return found


def enabled() -> bool:
    """On, and on a database whose triggers replace the token (migration bookings 0019)."""
    return settings.AVAILABILITY_CACHE and connection.vendor in ("postgresql", "sqlite")


def key_for(*, token: int, slug: str, start_date: date, days: int, provider: int | None) -> tuple:
    return (token, slug, start_date, days, provider, settings.BOOKING_SLOT_STEP_MINUTES, settings.BOOKING_HORIZON_DAYS)
