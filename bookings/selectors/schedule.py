"""What availability needs to know, loaded in one query (rows.py): everyone's working hours for
the service, their busy time, and the rooms and devices the service takes with theirs."""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from treatments.models import Service

from ..free_time import Busy
from ..models import Location, WorkingHours
from .rows import Block, Resources, schedule_rows, service_by_slug

# A location's rooms (or devices) the service can take: (id, busy time) each, in booking's order.
Pool = dict[int, list[tuple[int, Busy]]]


@dataclass
class _Schedule:
    """What availability needs to know, loaded in one query: working hours and busy time."""

    hours: list[Block] | list[WorkingHours]  # anything with WorkingHours' fields
    busy: dict[int, Busy]
    # Each provider's blocking appointments, by when their busy time begins (UTC): the day's
    # count spreads "anyone" bookings (a buffer never moves a visit to another day).
    booked: dict[int, list[datetime]]
    # The rooms and the devices the service takes, by location; None: it takes none.
    rooms: Pool | None = None
    devices: Pool | None = None
    _counts: dict[str, Counter] = field(default_factory=dict)

    @property
    def pools(self) -> list[Pool]:
        return [pool for pool in (self.rooms, self.devices) if pool is not None]

    def resources_free(self, location_id: int, start: datetime, end: datetime) -> bool:
        """Whether a room (and a device) the service takes is free over [start, end) at the location."""
        return all(any(not busy.overlaps(start, end) for _, busy in pool.get(location_id, ())) for pool in self.pools)

    def free_resources(self, location_id: int, start: datetime, end: datetime) -> tuple[list, list]:
        """The ids of the rooms and of the devices free over [start, end) at the location, in
        booking's order; [None] for a kind the service does not take."""
        return tuple(
            [None]
            if pool is None
            else [rid for rid, busy in pool.get(location_id, ()) if not busy.overlaps(start, end)]
            for pool in (self.rooms, self.devices)
        )

    def load(self, provider_id: int, day: date, zone: ZoneInfo) -> int:
        """How many appointments the provider has on a local day."""
        counts = self._counts.get(zone.key)
        if counts is None:
            counts = self._counts[zone.key] = Counter(
                (pid, begins.astimezone(zone).date()) for pid, starts in self.booked.items() for begins in starts
            )
        return counts[(provider_id, day)]


def _schedule(
    *,
    service: Service | str,
    start_date: date,
    days: int,
    location: Location | None,
    provider_ids: Iterable[int] | None,
    online: bool,
    ignore_appointment_id: int | None = None,
    window: tuple[datetime, datetime] | None = None,
) -> tuple[Service | None, _Schedule]:
    """The working hours of everyone who offers the service on the weekdays of the dates, with
    their time off and busy appointments: one query. `service` may be a slug (an active service,
    bookable online when `online`): then the service is read in the same query (None: no such
    service); else it is the service given. The busy time is what touches the dates with a day of
    margin either side, or `window` (UTC instants [low, high)) when given: a caller that needs
    less of it says so."""
    by_slug = isinstance(service, str)
    empty = _Schedule(hours=[], busy={}, booked={})
    if not date.min + timedelta(days=1) < start_date < date.max - timedelta(days=days + 1):
        # The calendar's ends: nothing to book there.
        return (service_by_slug(service, online=online) if by_slug else service), empty
    # Everything that can touch the dates, whatever the zone: a day of margin either side.
    low = datetime.combine(start_date - timedelta(days=1), time.min, tzinfo=UTC)
    high = datetime.combine(start_date + timedelta(days=days + 1), time.min, tzinfo=UTC)
    if window is not None:
        low, high = window
    found, hours, busy, rooms, devices = schedule_rows(
        service_id=None if by_slug else service.pk,
        service_slug=service if by_slug else None,
        weekdays={(start_date + timedelta(d)).weekday() for d in range(days)},
        location_id=None if location is None else location.pk,
        provider_ids=None if provider_ids is None else list(provider_ids),
        online=online,
        low=low,
        high=high,
        ignore_appointment_id=ignore_appointment_id,
        service=None if by_slug else service,
    )
    service = found if by_slug else service
    if not hours:
        return service, empty
    ids = {block.provider_id for block in hours}
    intervals: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    booked: dict[int, list[datetime]] = defaultdict(list)
    for provider_id, begins, ends, is_booking in busy:
        if provider_id in ids:
            intervals[provider_id].append((begins, ends))
            if is_booking:
                booked[provider_id].append(begins)
    return service, _Schedule(
        hours=hours,
        busy={provider_id: Busy(intervals[provider_id]) for provider_id in ids},
        booked=booked,
        rooms=_pool(rooms),
        devices=_pool(devices),
    )


def _pool(resources: Resources | None) -> Pool | None:
    if resources is None:
        return None
    return {
        location_id: [(rid, Busy(intervals)) for rid, intervals in found]
        for location_id, found in resources.by_location.items()
    }


def _blocks_by_day(schedule: _Schedule, start_date: date, days: int):
    by_weekday: dict[int, list[WorkingHours]] = defaultdict(list)
    for block in schedule.hours:
        by_weekday[block.weekday].append(block)
    for offset in range(days):
        day = start_date + timedelta(days=offset)
        for block in by_weekday.get(day.weekday(), ()):
            yield day, block
