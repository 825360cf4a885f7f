"""The interval engine against the slot-by-slot one on random schedules (no database needed).

Working hours with breaks (several blocks a day, overlapping or not, some across the night's
clock change), time off and appointments with buffers as busy intervals, both zones, days
around both daylight-saving changes of 2026, any notice and horizon; and sometimes a service
that takes a room (and a device), with each location's rooms busy at random: a start is free
only if the provider and one room (and one device) are.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings import selectors
from bookings.free_time import Busy
from bookings.models import Location, WorkingHours
from treatments.models import Service

ZONES = ["America/New_York", "America/Phoenix"]
CHANGES = [date(2026, 3, 8), date(2026, 11, 1)]  # spring forward at 02:00, fall back at 02:00
FIRST_DAYS = [*CHANGES, *CHANGES, date(2026, 3, 6), date(2026, 10, 30), date(2026, 6, 15)]
# Starts near the night's clock changes (01:00–03:00) as well as anywhere in the day.
NIGHT = [0, 30, 60, 75, 90, 105, 110, 120, 135, 150, 180]


def minutes(low: int, high: int, step: int = 5):
    return st.integers(low // step, high // step).map(lambda n: n * step)


@dataclass(frozen=True)
class _Candidate:
    slot: selectors.Slot
    free: bool


def _local(day: date, wall: time, zone) -> datetime | None:
    """The aware datetime for a wall-clock time, or None when the clocks skip it (spring forward)."""
    naive = datetime.combine(day, wall)
    aware = naive.replace(tzinfo=zone)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        return None
    return aware


def slot_grid_stepwise(
    *, schedule: selectors._Schedule, service: Service, start_date: date, days: int, step: timedelta
):
    """The reference: the slot-by-slot engine the interval one replaced.

    Every start on the grid of each provider's working hours, marked free or not.

    The grid starts at each working block's start and moves by `step` in wall-clock time; the
    visit must end inside the block, while the service's buffers may reach outside it.
    """
    duration, before, after = service.duration, service.buffer_before, service.buffer_after
    by_weekday: dict[int, list[WorkingHours]] = defaultdict(list)
    for block in schedule.hours:
        by_weekday[block.weekday].append(block)
    for offset in range(days):
        day = start_date + timedelta(days=offset)
        for block in by_weekday.get(day.weekday(), ()):
            zone = block.location.zone
            busy = schedule.busy[block.provider_id]
            pools = [pool.get(block.location.pk, []) for pool in (schedule.rooms, schedule.devices) if pool is not None]
            block_end = datetime.combine(day, block.end)
            wall = datetime.combine(day, block.start)
            while wall + duration <= block_end:
                start = _local(day, wall.time(), zone)
                if start is not None:
                    start_utc = start.astimezone(UTC)
                    end = (start_utc + duration).astimezone(zone)
                    if end.replace(tzinfo=None) <= block_end:
                        low, high = start_utc - before, start_utc + duration + after
                        free = not busy.overlaps(low, high) and all(
                            any(not room.overlaps(low, high) for _, room in pool) for pool in pools
                        )
                        yield _Candidate(selectors.Slot(start, end, block.provider_id, block.location), free)
                wall += step


def free_slots_stepwise(*, schedule, service, start_date, days, step, earliest, last_days) -> list[selectors.Slot]:
    """The reference's free slots."""
    return [
        c.slot
        for c in slot_grid_stepwise(schedule=schedule, service=service, start_date=start_date, days=days, step=step)
        if c.free and c.slot.start >= earliest and c.slot.start.date() <= last_days[c.slot.location.pk]
    ]


@st.composite
def schedules(draw):
    first_day = draw(st.sampled_from(FIRST_DAYS)) + timedelta(days=draw(st.integers(-1, 1)))
    days = draw(st.integers(1, 4))
    locations = [
        Location(pk=pk, slug=f"loc{pk}", timezone=draw(st.sampled_from([*ZONES, ZONES[0]])), sort_order=pk % 2)
        for pk in range(1, draw(st.integers(1, 2)) + 1)
    ]
    providers = list(range(1, draw(st.integers(1, 3)) + 1))
    hours = []
    for provider_id in providers:
        for _ in range(draw(st.integers(1, 4))):
            start = draw(st.one_of(st.sampled_from(NIGHT), minutes(6 * 60, 20 * 60), minutes(0, 23 * 60, step=1)))
            length = draw(st.one_of(minutes(5, 4 * 60), minutes(4 * 60, 12 * 60), minutes(1, 90, step=1)))
            end = min(start + length, 24 * 60 - 1)
            if end <= start:
                continue
            weekday = (first_day + timedelta(days=draw(st.integers(0, days - 1)))).weekday()
            hours.append(
                WorkingHours(
                    provider_id=provider_id,
                    location=draw(st.sampled_from(locations)),
                    weekday=weekday,
                    start=time(start // 60, start % 60),
                    end=time(end // 60, end % 60),
                )
            )
    origin = datetime.combine(first_day, time.min, tzinfo=UTC)
    busy: dict[int, Busy] = {}
    for provider_id in providers:
        intervals = []
        for _ in range(draw(st.integers(0, 8))):
            # On the five-minute grid like most bookings (so edges meet slots exactly), or anywhere.
            begins = origin + timedelta(minutes=draw(st.one_of(minutes(0, (days + 1) * 24 * 60), st.integers(-720, 0))))
            length = timedelta(minutes=draw(st.one_of(minutes(5, 180), st.integers(1, 24 * 60))))
            intervals.append((begins, begins + length))
        busy[provider_id] = Busy(intervals)

    def pool(ids: int):
        """Per location, 0–3 rooms (or devices), each busy at random like a provider."""
        found = {}
        for loc in locations:
            found[loc.pk] = []
            for resource_id in range(draw(st.integers(0, 3))):
                intervals = []
                for _ in range(draw(st.integers(0, 5))):
                    begins = origin + timedelta(minutes=draw(minutes(0, (days + 1) * 24 * 60)))
                    intervals.append((begins, begins + timedelta(minutes=draw(minutes(5, 180)))))
                found[loc.pk].append((ids + loc.pk * 10 + resource_id, Busy(intervals)))
        return found

    rooms = pool(100) if draw(st.booleans()) else None
    devices = pool(200) if rooms is not None and draw(st.integers(0, 3)) == 0 else None
    service = Service(
        duration_minutes=draw(st.one_of(minutes(5, 120), st.integers(5, 200))),
        buffer_before_minutes=draw(st.sampled_from([0, 0, 5, 10, 15, 7])),
        buffer_after_minutes=draw(st.sampled_from([0, 0, 5, 10, 15, 30, 13])),
    )
    step = timedelta(minutes=draw(st.sampled_from([5, 10, 15, 20, 30, 45, 60])))
    earliest = origin + timedelta(minutes=draw(st.integers(-24 * 60, (days + 1) * 24 * 60)))
    last_days = {loc.pk: first_day + timedelta(days=draw(st.integers(-1, days))) for loc in locations}
    # Some of each provider's busy intervals are bookings: the day's count ranks "anyone".
    booked = {pid: [b for b in busy[pid].starts if draw(st.booleans())] for pid in providers}
    schedule = selectors._Schedule(hours=hours, busy=busy, booked=booked, rooms=rooms, devices=devices)
    return schedule, service, first_day, days, step, earliest, last_days


def described(slot: selectors.Slot) -> tuple:
    """Everything that tells two slots apart, offsets and fold included."""
    return (
        slot.start.isoformat(),
        slot.start.fold,
        slot.start.astimezone(UTC),
        slot.end.isoformat(),
        slot.end.fold,
        slot.end.astimezone(UTC),
        slot.provider_id,
        slot.location.pk,
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedules())
def test_free_slots_match_the_slot_by_slot_engine(case):
    schedule, service, first_day, days, step, earliest, last_days = case
    kwargs = {
        "schedule": schedule,
        "service": service,
        "start_date": first_day,
        "days": days,
        "step": step,
        "earliest": earliest,
        "last_days": last_days,
    }
    new = [described(slot) for slot in selectors._free_slots(**kwargs)]
    old = [described(slot) for slot in free_slots_stepwise(**kwargs)]
    assert new == old


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedules(), st.data())
def test_the_grid_at_one_instant_matches_the_slot_by_slot_engine(case, data):
    schedule, service, first_day, days, step, _, _ = case
    grid = list(slot_grid_stepwise(schedule=schedule, service=service, start_date=first_day, days=days, step=step))
    on_grid = [c.slot.start for c in grid]
    anywhere = st.integers(0, days * 24 * 60).map(
        lambda m: datetime.combine(first_day, time.min, tzinfo=UTC) + timedelta(minutes=m)
    )
    pick = data.draw(st.integers(0, 10**6))
    start = on_grid[pick % len(on_grid)] if on_grid and pick % 2 else data.draw(anywhere)
    start = start.astimezone(data.draw(st.sampled_from([UTC, ZoneInfo("America/Chicago")])))
    utc_day = start.astimezone(UTC).date() - timedelta(days=1)
    old = [
        (described(c.slot), c.free)
        for c in slot_grid_stepwise(schedule=schedule, service=service, start_date=utc_day, days=3, step=step)
        # In UTC: Python calls an ambiguous local time (the fall-back hour) unequal to any time in
        # another zone (PEP 495), so comparing across zones would miss the repeated hour's slots.
        if c.slot.start.astimezone(UTC) == start.astimezone(UTC)
    ]
    new = [
        (described(slot), free)
        for slot, free in selectors._grid_at(
            schedule=schedule, service=service, start=start, start_date=utc_day, days=3, step=step
        )
    ]
    assert new == old


def spread_stepwise(slots: list[selectors.Slot], schedule) -> list[selectors.Slot]:
    """The reference "anyone": one slot per location and instant, the provider with the fewest
    bookings that day (ties: the lower id), the first found among a provider's equal ones."""
    best: dict[tuple[int, datetime], selectors.Slot] = {}

    def rank(slot):
        return schedule.load(slot.provider_id, slot.start.date(), slot.location.zone), slot.provider_id

    for slot in slots:
        key = (slot.location.pk, slot.start.astimezone(UTC))
        if key not in best or rank(slot) < rank(best[key]):
            best[key] = slot
    return list(best.values())


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedules(), st.booleans())
def test_the_answer_for_anyone_or_one_matches_the_slot_by_slot_engine_spread_and_sorted(case, anyone):
    """What `_find` answers: for "anyone" the spread decided run by run, then sorted by the
    instant, the locations' order (sort order, name, id) and the provider; against the reference
    spread slot by slot and sorted the same way (a stable sort: equal keys keep the blocks' order)."""
    schedule, service, first_day, days, step, earliest, last_days = case
    kwargs = {"schedule": schedule, "service": service, "start_date": first_day, "days": days, "step": step,
              "earliest": earliest, "last_days": last_days}  # fmt: skip
    rows = selectors.availability._offered(**kwargs, spread=anyone)
    rows.sort()
    new = [described(selectors.Slot(start, end, pid, loc)) for _, _, pid, _, start, end, loc in rows]
    old = free_slots_stepwise(**kwargs)
    if anyone:
        old = spread_stepwise(old, schedule)
    old.sort(
        key=lambda s: (s.start.astimezone(UTC), s.location.sort_order, s.location.name, s.location.pk, s.provider_id)
    )
    assert new == [described(slot) for slot in old]
