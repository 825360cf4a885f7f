"""Reads of the front office, above all: which slots are free.

Availability is computed in each location's wall-clock time (09:00 is 09:00 on both sides of
a daylight-saving change) and in a fixed number of queries whatever the number of providers,
days and appointments: working hours, time off, busy appointments, and the rooms and devices the
service takes with their busy time, in one (selectors/rows.py).
"""

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property, lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from treatments.models import Service

from .. import availability_cache
from ..free_time import (
    Blocked,
    blocked_starts,
    changing_grid,
    first_index_at,
    free_runs,
    intersect_blocked,
    steady_day,
    steady_grid,
    union_blocked,
)
from ..models import Location, Provider
from ..policy import BookingPolicy, booking_policy
from .rows import service_by_slug
from .schedule import _blocks_by_day, _Schedule, _schedule


class Slot(NamedTuple):
    """A bookable time for one provider at one location; start and end carry the location's offset.
    A named tuple: availability builds hundreds per answer, and a tuple is the cheapest to build."""

    start: datetime
    end: datetime
    provider_id: int
    location: Location


# Instants as whole microseconds since the epoch: integers compare, hash and add faster than
# datetimes, and a start is the same instant whatever zone it is written in.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

# A free slot as `_offered` finds it: (start in UTC as microseconds, the location's place in
# the locations' order, provider id, sequence, start, end, location), so sorting the tuples
# sorts the slots and never compares past the sequence number.
_Row = tuple[int, int, int, int, datetime, datetime, Location]


def _offered(
    *,
    schedule: _Schedule,
    service: Service,
    start_date: date,
    days: int,
    step: timedelta,
    earliest: datetime,
    last_days: dict[int, date],
    spread: bool,
) -> list[_Row]:
    """The free slots of each working block from `earliest` to each location's last day, in the
    order of the days, then the blocks, then the time (see free_time); unsorted.

    `spread` ("anyone"): one slot per location and instant, offered by the provider with the
    fewest bookings that day (ties: the lower provider id), so the work spreads. Decided run by
    run: the providers of a location's day in that order, each taking what is left of their free
    runs once those before them took theirs; a slot is built only for the start's winner."""
    duration, before = service.duration, service.buffer_before
    reach = duration + service.buffer_after
    step_us = step // _MICROSECOND
    locations = {block.location.id: block.location for block in schedule.hours}
    ordered = sorted(locations.values(), key=lambda loc: (loc.sort_order, loc.name, loc.id))
    place = {location.id: i for i, location in enumerate(ordered)}
    # The starts each provider's own busy time rules out, and where a room (device) is wanted,
    # those where every room (device) of the location is taken: worked out once, not per block.
    mine = {pid: blocked_starts(busy, before, reach) for pid, busy in schedule.busy.items()}
    at_location: dict[int, Blocked | None] = {}
    for location_id in locations:
        kinds: list[Blocked] = []
        for pool in schedule.pools:
            taken = None
            for _, busy in pool.get(location_id, ()):
                blocked = blocked_starts(busy, before, reach)
                taken = blocked if taken is None else intersect_blocked(taken, blocked)
            if taken is None:  # no room (device) there: nothing to book
                break
            kinds.append(taken)
        else:
            at_location[location_id] = union_blocked(*kinds) if kinds else None
            continue
        at_location[location_id] = _CLOSED
    ruled_out: dict[tuple[int, int], Blocked] = {}
    # Each block's free starts: (first start, its instant in microseconds, how many, end); the end
    # is given only for a single start on a day the clocks change (else start + duration).
    found: list[tuple[date, Location, int, list[tuple[datetime, int, int, datetime | None]]]] = []
    for day, block in _blocks_by_day(schedule, start_date, days):
        location, provider_id = block.location, block.provider_id
        location_id = location.id
        if day > last_days[location_id] or at_location[location_id] is _CLOSED:
            continue
        zone = location.zone
        if steady_day(zone, day):
            key = (provider_id, location_id)
            blocked = ruled_out.get(key)
            if blocked is None:
                extra = at_location[location_id]
                blocked = ruled_out[key] = (
                    mine[provider_id] if extra is None else union_blocked(mine[provider_id], extra)
                )
            grid = steady_grid(day, block.start, block.end, zone, duration, step)
            origin = (grid.first_utc - _EPOCH) // _MICROSECOND
            starts = [
                (grid.first + k0 * step, origin + k0 * step_us, k1 - k0, None)
                for k0, k1 in free_runs(blocked, grid, step, first_index_at(grid, step, earliest))
            ]
        else:
            busy, pools = schedule.busy[provider_id], schedule.pools
            starts = []
            for start, end, start_utc in changing_grid(day, block.start, block.end, zone, duration, step):
                low, high = start_utc - before, start_utc + reach
                if (
                    start_utc >= earliest
                    and not busy.overlaps(low, high)
                    and (not pools or schedule.resources_free(location_id, low, high))
                ):
                    starts.append((start, (start_utc - _EPOCH) // _MICROSECOND, 1, end))
        if starts:
            found.append((day, location, provider_id, starts))
    rows: list[_Row] = []
    append = rows.append
    if not spread:
        for _, location, provider_id, starts in found:
            _emit(append, rows, starts, place[location.id], provider_id, location, step, duration)
        return rows
    by_day: dict[tuple[int, date], list[tuple[tuple[int, int], Location, int, list]]] = defaultdict(list)
    for day, location, provider_id, starts in found:
        load = schedule.load(provider_id, day, location.zone)
        by_day[(location.id, day)].append(((load, provider_id), location, provider_id, starts))
    for providers in by_day.values():
        if len(providers) > 1:
            # Sorted by (load, provider id) only: a provider's blocks keep their order.
            providers.sort(key=lambda entry: entry[0])
            taken: dict[int, list[tuple[int, int]]] = {}  # by phase: the instants given away
            for entry in providers:
                entry[3][:] = _left(entry[3], taken, step, step_us)
        for _, location, provider_id, starts in providers:
            _emit(append, rows, starts, place[location.id], provider_id, location, step, duration)
    return rows


_CLOSED: Blocked = ([], [])  # a location without a room (device) the service takes


# A block's free starts as `_offered` gathers them: (first start, its instant in microseconds,
# how many, the end of a single start on a clock-change day or None).
_Starts = list[tuple[datetime, int, int, datetime | None]]


def _emit(
    append: Callable[[_Row], None],
    rows: list[_Row],
    starts: _Starts,
    rank: int,
    provider_id: int,
    location: Location,
    step: timedelta,
    duration: timedelta,
) -> None:
    """The rows of runs of starts (see `_offered`), one after another."""
    step_us = step // _MICROSECOND
    for first, at, count, end in starts:
        if end is not None:
            append((at, rank, provider_id, len(rows), first, end, location))
            continue
        start = first
        for _ in range(count):
            append((at, rank, provider_id, len(rows), start, start + duration, location))
            start += step
            at += step_us


def _left(starts: _Starts, taken: dict[int, list[tuple[int, int]]], step: timedelta, step_us: int) -> _Starts:
    """What is left of a provider's runs of starts once the instants in `taken` are removed; then
    those runs' instants are taken too. Instants of one phase (the same remainder by the step)
    lie on one lattice, where a run is the range [at, at + count·step) and removing is subtracting
    ranges; instants of different phases never meet."""
    left: _Starts = []
    for first, at, count, end in starts:
        phase = at % step_us
        ranges = taken.setdefault(phase, [])
        low, high = at, at + count * step_us
        pieces = [(low, high)]
        for t_low, t_high in ranges:
            pieces = [
                piece
                for p_low, p_high in pieces
                for piece in ((p_low, min(p_high, t_low)), (max(p_low, t_high), p_high))
                if piece[0] < piece[1]
            ]
        for p_low, p_high in pieces:
            k = (p_low - at) // step_us
            left.append((first if end is not None else first + k * step, p_low, (p_high - p_low) // step_us, end))
        ranges.append((low, high))
    return left


def _free_slots(
    *,
    schedule: _Schedule,
    service: Service,
    start_date: date,
    days: int,
    step: timedelta,
    earliest: datetime,
    last_days: dict[int, date],
) -> list[Slot]:
    """Every provider's free slots (no spreading), in the order `_offered` finds them."""
    rows = _offered(
        schedule=schedule, service=service, start_date=start_date, days=days, step=step, earliest=earliest,
        last_days=last_days, spread=False,
    )  # fmt: skip
    return _slots(rows)


def _slots(rows: list[_Row]) -> list[Slot]:
    return [Slot(start, end, provider_id, location) for _, _, provider_id, _, start, end, location in rows]


def _grid_at(
    *, schedule: _Schedule, service: Service, start: datetime, start_date: date, days: int, step: timedelta
) -> list[tuple[Slot, bool]]:
    """Each working block's grid entry at exactly the instant `start`, with whether it is free."""
    duration, before = service.duration, service.buffer_before
    reach = duration + service.buffer_after
    # Compared in UTC: Python calls a time in a zone's repeated hour unequal to every time in
    # another zone (PEP 495), so a start given in the fall-back hour would match no slot.
    start_utc = start.astimezone(UTC)
    found: list[tuple[Slot, bool]] = []
    for day, block in _blocks_by_day(schedule, start_date, days):
        location, provider_id = block.location, block.provider_id
        zone, busy = location.zone, schedule.busy[provider_id]
        if steady_day(zone, day):
            grid = steady_grid(day, block.start, block.end, zone, duration, step)
            k, off_grid = divmod(start_utc - grid.first_utc, step)
            if off_grid or not 0 <= k < grid.count:
                continue
            local = grid.first + k * step
            entry = Slot(local, local + duration, provider_id, location)
        else:
            entry = next(
                (Slot(s, e, provider_id, location) for s, e, s_utc in
                 changing_grid(day, block.start, block.end, zone, duration, step) if s_utc == start_utc),
                None,
            )  # fmt: skip
            if entry is None:
                continue
        low, high = start_utc - before, start_utc + reach
        found.append((entry, not busy.overlaps(low, high) and schedule.resources_free(location.pk, low, high)))
    return found


def last_bookable_day(policy: BookingPolicy, now: datetime, zone) -> date:
    """The last date patients may book, on the calendar of the location's zone (`zone`)."""
    return (now.astimezone(zone) + timedelta(days=policy.horizon_days)).date()


def _bookable_window(policy: BookingPolicy, now: datetime, min_notice: timedelta | None) -> tuple[datetime, date]:
    """The earliest bookable instant, and the last date any location could still be inside the
    horizon (the zone furthest ahead of UTC); each slot is then held to its own location's date."""
    earliest = now + (policy.min_notice if min_notice is None else min_notice)
    return earliest, last_bookable_day(policy, now, _FURTHEST_AHEAD)


_FURTHEST_AHEAD = ZoneInfo("Etc/GMT-14")


@dataclass(frozen=True)
class Availability:
    """Free slots over some dates, and which of those dates no one works: closed, not full.

    `rows` are the slots as `_offered` finds them, sorted; `slots` builds Slot objects from them,
    `plain()` the API's plain data (an answer holds hundreds: each is built only when asked for)."""

    rows: list[_Row]
    closed: list[date]
    # The zones whose calendars bound the answer (its locations', and the one furthest ahead).
    zones: tuple[ZoneInfo, ...] = ()

    @cached_property
    def slots(self) -> list[Slot]:
        return _slots(self.rows)

    def plain(self) -> list[dict]:
        """Each slot as {start, end, provider (id), location (slug)}, soonest first."""
        return [
            {"start": start, "end": end, "provider": provider_id, "location": location.slug}
            for _, _, provider_id, _, start, end, location in self.rows
        ]


def availability_find(
    *,
    service: Service,
    start_date: date,
    days: int = 1,
    now: datetime,
    location: Location | None = None,
    provider: Provider | int | None = None,
    online: bool = True,
    min_notice: timedelta | None = None,
    ignore_appointment_id: int | None = None,
) -> Availability:
    """Free slots for a service over `days` days from `start_date`, soonest first.

    For one provider, that provider's slots. For "anyone", one slot per time and location,
    offered by the provider with the fewest bookings that day (ties: the lower provider id),
    so the work spreads. Times before the minimum notice or past the horizon are left
    out. `closed` lists the dates up to the horizon on which no one offering the service
    works (at the location, or that provider); a date with no slots and not closed is full
    or before the notice. One query.
    """
    return _find(
        service=service, start_date=start_date, days=days, now=now, location=location, provider=provider,
        online=online, min_notice=min_notice, ignore_appointment_id=ignore_appointment_id,
    )[1]  # fmt: skip


def availability_online(
    *,
    slug: str,
    start_date: date,
    days: int = 1,
    now: datetime,
    location: Location | None = None,
    provider: int | None = None,
) -> tuple[Service | None, Availability]:
    """`availability_find` online for the active, bookable-online service with this slug, read in
    the same query as the schedule: (the service, its availability), or (None, nothing) when there
    is no such service. The answer for every location is kept per process under the availability
    version (availability_cache): the version's query, then the schedule's when nothing is kept."""
    # The token before the schedule (see availability_cache); None: no token row, keep nothing.
    token = availability_cache.availability_version() if location is None and availability_cache.enabled() else None
    if token is None:
        found, available = _find(
            service=slug, start_date=start_date, days=days, now=now, location=location, provider=provider, online=True
        )
        return found, available if found is not None else Availability(rows=[], closed=[])
    key = availability_cache.key_for(token=token, slug=slug, start_date=start_date, days=days, provider=provider)
    policy = booking_policy()

    def compute() -> tuple[Service | None, Availability, tuple]:
        found, available = _find(
            service=slug, start_date=start_date, days=days, now=now, location=None, provider=provider, online=True,
            anytime=True,
        )  # fmt: skip
        return found, available, _horizon(policy, now, available.zones)

    found, available, _ = availability_cache.kept(
        key, compute, lambda kept: kept[2] == _horizon(policy, now, kept[1].zones)
    )
    if found is None:
        return None, Availability(rows=[], closed=[])
    # The minimum notice, now: the kept slots start at the first asked date.
    earliest = (now + policy.min_notice - _EPOCH) // _MICROSECOND
    rows = available.rows
    return found, Availability(rows=rows[bisect_left(rows, (earliest,)) :], closed=available.closed)


def _horizon(policy: BookingPolicy, now: datetime, zones: tuple[ZoneInfo, ...]) -> tuple[date, ...]:
    """The last bookable day on each calendar an answer depends on: a kept answer serves while
    these stay the same (until the horizon's end passes midnight in one of the zones)."""
    return tuple(last_bookable_day(policy, now, zone) for zone in zones)


def _find(
    *,
    service: Service | str,
    start_date: date,
    days: int,
    now: datetime,
    location: Location | None,
    provider: Provider | int | None,
    online: bool,
    min_notice: timedelta | None = None,
    ignore_appointment_id: int | None = None,
    anytime: bool = False,
) -> tuple[Service | None, Availability]:
    """`anytime`: every slot up to the horizon, the minimum notice left to the caller (a kept answer)."""
    policy = booking_policy()
    earliest, last_day = _bookable_window(policy, now, min_notice)
    if anytime:
        earliest = _EPOCH
    if start_date > last_day:  # until the horizon reaches the date, on the calendar furthest ahead
        found = service_by_slug(service, online=online) if isinstance(service, str) else service
        return found, Availability(rows=[], closed=[], zones=(_FURTHEST_AHEAD,))
    days = min(days, (last_day - start_date).days + 1)  # nothing past the horizon is bookable
    service, schedule = _schedule(
        service=service,
        start_date=start_date,
        days=days,
        location=location,
        provider_ids=None if provider is None else [getattr(provider, "pk", provider)],
        online=online,
        ignore_appointment_id=ignore_appointment_id,
    )
    if service is None:
        return None, Availability(rows=[], closed=[])
    # Each location's last day on its own calendar, worked out once per location.
    locations = {block.location for block in schedule.hours}
    last_days = {loc.pk: last_bookable_day(policy, now, loc.zone) for loc in locations}
    rows = _offered(
        schedule=schedule,
        service=service,
        start_date=start_date,
        days=days,
        step=policy.slot_step,
        earliest=earliest,
        last_days=last_days,
        spread=provider is None,
    )
    # Soonest first, then the locations' order (sort order, name), then the provider.
    rows.sort()
    worked = {block.weekday for block in schedule.hours}
    dates = (start_date + timedelta(days=offset) for offset in range(days))
    return service, Availability(
        rows=rows,
        closed=[day for day in dates if day.weekday() not in worked],
        zones=(_FURTHEST_AHEAD, *sorted({location.zone for location in locations}, key=str)),
    )


def slots_available(
    *,
    service: Service,
    start_date: date,
    days: int = 1,
    now: datetime,
    location: Location | None = None,
    provider: Provider | int | None = None,
    online: bool = True,
    min_notice: timedelta | None = None,
    ignore_appointment_id: int | None = None,
) -> list[Slot]:
    """The free slots of `availability_find`, for callers that need no more."""
    return availability_find(
        service=service,
        start_date=start_date,
        days=days,
        now=now,
        location=location,
        provider=provider,
        online=online,
        min_notice=min_notice,
        ignore_appointment_id=ignore_appointment_id,
    ).slots


@dataclass(frozen=True)
class SlotCheck:
    """What the grid says about one requested start: on the grid at all, and free for whom.

    `free` is ordered for "anyone": the provider with the fewest bookings that day first.
    `resources`: by location of a free slot, the ids of the rooms and of the devices free then
    (visit and buffers), in the order booking tries them; [None] for a kind the service does not take.
    """

    on_grid: list[Slot]
    free: list[Slot]
    resources: dict[int, tuple[list, list]] = field(default_factory=dict)


# How far from a requested instant slot_check reads busy time: far enough for the local day that
# holds the instant, in any zone, to be read whole (its bookings rank "anyone"). Such a day spans at
# most 28 hours of instants (_local_day: 26 hours on a two-hour clock change, and an instant dated
# that day may lie an hour or two past a midnight when the clocks go back around it).
DAY_REACH = timedelta(hours=28)


@lru_cache(maxsize=4096)
def _local_day(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Bounds [low, high) in UTC of the instants whose date in `zone` is `day`: midnight to
    midnight, widened by the clock changes of the days either side (a change that turns the
    clocks back across a midnight dates instants beyond it `day`)."""
    midnights = [datetime.combine(day + timedelta(days=k), time.min, tzinfo=zone) for k in (-1, 0, 1, 2)]
    offsets = [midnight.utcoffset() for midnight in midnights]
    slack = max(offsets) - min(offsets)
    return midnights[1].astimezone(UTC) - slack, midnights[2].astimezone(UTC) + slack


def slot_check(
    *,
    service: Service,
    start: datetime,
    location: Location | None,
    provider_ids: Iterable[int] | None,
    online: bool,
    ignore_appointment_id: int | None = None,
) -> SlotCheck:
    """The grid entries at exactly `start` (any zone), for booking and rescheduling. One query.

    It reads the busy time that can matter: what touches the visit with its buffers, and the
    bookings of the local day holding `start` in any zone (DAY_REACH either side), which rank
    the free providers. Should a ranked slot's day reach further (no zone's does today), its days
    are read whole, as availability reads them: a second query, the same answer."""
    policy = booking_policy()
    provider_ids = None if provider_ids is None else list(provider_ids)
    # The requested instant falls on one calendar date per zone; look at the day either side.
    first_day = start.astimezone(UTC).date() - timedelta(days=1)
    start_utc = start.astimezone(UTC)
    low, high = start_utc - service.buffer_before, start_utc + service.duration + service.buffer_after
    window = (min(low, start_utc - DAY_REACH), max(high, start_utc + DAY_REACH))

    def read(window: tuple[datetime, datetime] | None) -> tuple[_Schedule, list[tuple[Slot, bool]]]:
        _, schedule = _schedule(
            service=service,
            start_date=first_day,
            days=3,
            location=location,
            provider_ids=provider_ids,
            online=online,
            ignore_appointment_id=ignore_appointment_id,
            window=window,
        )
        on_grid = _grid_at(
            schedule=schedule, service=service, start=start, start_date=first_day, days=3, step=policy.slot_step
        )
        return schedule, on_grid

    schedule, on_grid = read(window)
    free = [slot for slot, free in on_grid if free]
    if len(free) > 1 and not all(_within(window, _local_day(s.start.date(), s.location.zone)) for s in free):
        schedule, on_grid = read(None)
        free = [slot for slot, free in on_grid if free]
    free.sort(key=lambda s: (schedule.load(s.provider_id, s.start.date(), s.location.zone), s.provider_id))
    resources = {slot.location.pk: schedule.free_resources(slot.location.pk, low, high) for slot in free}
    return SlotCheck(on_grid=[slot for slot, _ in on_grid], free=free, resources=resources)


def _within(window: tuple[datetime, datetime], span: tuple[datetime, datetime]) -> bool:
    return window[0] <= span[0] and span[1] <= window[1]
