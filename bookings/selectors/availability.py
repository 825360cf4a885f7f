"""Reads of the front office, above all: which slots are free.

Availability is computed in each location's wall-clock time (09:00 is 09:00 on both sides of
a daylight-saving change) and in a fixed number of queries whatever the number of providers,
days and appointments: working hours, time off, busy appointments, and the rooms and devices the
service takes with their busy time, in one (selectors/rows.py).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from treatments.models import Service

from ..free_time import (
    changing_grid,
    first_index_at,
    free_runs,
    intersect_runs,
    resource_runs,
    steady_day,
    steady_grid,
)
from ..models import Location, Provider
from ..policy import BookingPolicy, booking_policy
from .rows import service_by_slug
from .schedule import _blocks_by_day, _Schedule, _schedule


@dataclass(frozen=True, slots=True)
class Slot:
    """A bookable time for one provider at one location; start and end carry the location's offset."""

    start: datetime
    end: datetime
    provider_id: int
    location: Location


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
    """The free slots of each working block from `earliest` to each location's last day, in
    the order of the days, then the blocks, then the time (see free_time)."""
    found = _free_slots_at(
        schedule=schedule, service=service, start_date=start_date, days=days, step=step, earliest=earliest,
        last_days=last_days,
    )  # fmt: skip
    return [slot for _, slot in found]


def _free_slots_at(
    *,
    schedule: _Schedule,
    service: Service,
    start_date: date,
    days: int,
    step: timedelta,
    earliest: datetime,
    last_days: dict[int, date],
) -> list[tuple[datetime, Slot]]:
    """`_free_slots`, each with its start in UTC: comparing and hashing those is cheap, where
    times in a zone are compared through their offsets."""
    duration, before = service.duration, service.buffer_before
    reach = duration + service.buffer_after
    found: list[tuple[datetime, Slot]] = []
    append = found.append
    pools = schedule.pools
    # Where a room (and device) is free on a block's grid: shared by the providers working there then.
    shared: dict[tuple[int, datetime, int], list[tuple[int, int]]] = {}
    for day, block in _blocks_by_day(schedule, start_date, days):
        location, provider_id = block.location, block.provider_id
        if day > last_days[location.pk]:
            continue
        zone, busy = location.zone, schedule.busy[provider_id]
        if steady_day(zone, day):
            grid = steady_grid(day, block.start, block.end, zone, duration, step)
            runs = free_runs(busy, grid, step, before, reach, first_index_at(grid, step, earliest))
            if pools:
                key = (location.pk, grid.first_utc, grid.count)
                if key not in shared:
                    kinds = [[b for _, b in pool.get(location.pk, ())] for pool in pools]
                    shared[key] = resource_runs(kinds, grid, step, before, reach)
                runs = intersect_runs(runs, shared[key])
            for k0, k1 in runs:
                start, start_utc = grid.first + k0 * step, grid.first_utc + k0 * step
                for _ in range(k0, k1):
                    append((start_utc, Slot(start, start + duration, provider_id, location)))
                    start += step
                    start_utc += step
        else:
            for start, end, start_utc in changing_grid(day, block.start, block.end, zone, duration, step):
                low, high = start_utc - before, start_utc + reach
                if (
                    start_utc >= earliest
                    and not busy.overlaps(low, high)
                    and (not pools or schedule.resources_free(location.pk, low, high))
                ):
                    append((start_utc, Slot(start, end, provider_id, location)))
    return found


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
    return earliest, last_bookable_day(policy, now, ZoneInfo("Etc/GMT-14"))


@dataclass(frozen=True)
class Availability:
    """Free slots over some dates, and which of those dates no one works: closed, not full."""

    slots: list[Slot]
    closed: list[date]


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
    is no such service. One query, rooms and devices included."""
    found, available = _find(
        service=slug, start_date=start_date, days=days, now=now, location=location, provider=provider, online=True
    )
    return found, available if found is not None else Availability(slots=[], closed=[])


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
) -> tuple[Service | None, Availability]:
    policy = booking_policy()
    earliest, last_day = _bookable_window(policy, now, min_notice)
    if start_date > last_day:
        found = service_by_slug(service, online=online) if isinstance(service, str) else service
        return found, Availability(slots=[], closed=[])
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
        return None, Availability(slots=[], closed=[])
    # Each location's last day on its own calendar, worked out once per location.
    last_days = {loc.pk: last_bookable_day(policy, now, loc.zone) for loc in {b.location for b in schedule.hours}}
    candidates = _free_slots_at(
        schedule=schedule,
        service=service,
        start_date=start_date,
        days=days,
        step=policy.slot_step,
        earliest=earliest,
        last_days=last_days,
    )
    if provider is None:
        candidates = _spread(candidates, schedule)
    # Soonest first (the same order as the slots' own times: equal instants are equal times),
    # then the locations' order, then the provider.
    candidates.sort(key=lambda pair: (pair[0], pair[1].location.sort_order, pair[1].provider_id))
    worked = {block.weekday for block in schedule.hours}
    dates = (start_date + timedelta(days=offset) for offset in range(days))
    return service, Availability(
        slots=[slot for _, slot in candidates],
        closed=[day for day in dates if day.weekday() not in worked],
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


def _spread(found: list[tuple[datetime, Slot]], schedule: _Schedule) -> list[tuple[datetime, Slot]]:
    """One slot per (location, start): the provider with the fewest bookings that day. `found`
    pairs each slot with its start in UTC (one location's equal instants are equal times)."""
    loads: dict[tuple[int, date], int] = {}

    def rank(slot: Slot) -> tuple[int, int]:
        key = (slot.provider_id, slot.start.date())
        if key not in loads:
            loads[key] = schedule.load(slot.provider_id, slot.start.date(), slot.location.zone)
        return loads[key], slot.provider_id

    best: dict[tuple[int, datetime], tuple[datetime, Slot]] = {}
    for pair in found:
        at, slot = pair
        key = (slot.location.id, at)
        if key not in best or rank(slot) < rank(best[key][1]):
            best[key] = pair
    return list(best.values())


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
