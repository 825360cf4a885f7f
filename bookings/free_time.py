"""Free time by interval arithmetic: where the slots of one working block fall on one day.

A working block is wall-clock time at its location ("Tuesdays 09:00–17:00"); its slots start
at the block's start and every `step` after it, and the visit must end inside the block, while
the service's buffers may reach outside it. A start `s` is free when the visit with its buffers,
[s - before, s + duration + after), touches no busy interval [b0, b1) of the provider (time off
and other visits, buffers included), i.e. when `s` is outside every open range
(b0 - duration - after, b1 + before). So the free starts of a block are the grid minus those
ranges: one pass over the provider's sorted busy intervals per block and day, each free range
turned into a run of grid indexes by division, with no per-step test.

A service that takes a room (and a device) is free at a start only if the provider is and one
of the location's rooms (and devices of its kind) is too, each room's busy time read the same
way: a start is ruled out by the provider's ranges, or by a range where every room is ruled out
(the intersection of the rooms' ranges), likewise for devices. Those ranges are worked out once
per location and provider, and each block then takes one pass over them.

On a day when the location's clocks change (twice a year) wall-clock time is not a fixed
offset from UTC; there the grid is placed start by start, as wall-clock time says.
"""

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo


class Busy:
    """A provider's busy intervals in UTC, merged and sorted, with an overlap test by bisection."""

    def __init__(self, intervals: Iterable[tuple[datetime, datetime]]) -> None:
        merged: list[list[datetime]] = []
        # In UTC, so every comparison below is between datetimes of one tzinfo (the fast path).
        for start, end in sorted((start.astimezone(UTC), end.astimezone(UTC)) for start, end in intervals):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [start for start, _ in merged]
        self.ends = [end for _, end in merged]

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Whether [start, end) overlaps any busy interval."""
        i = bisect_right(self.starts, start) - 1
        if i >= 0 and self.ends[i] > start:
            return True
        return i + 1 < len(self.starts) and self.starts[i + 1] < end


@lru_cache(maxsize=4096)
def steady_day(zone: ZoneInfo, day: date) -> bool:
    """Whether the zone keeps one UTC offset all day (no clock change from midnight to midnight)."""
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start.utcoffset() == end.utcoffset()


@dataclass(frozen=True, slots=True)
class Grid:
    """A block's starts on a steady day: `first` + k·step for k in range(count), in the location's
    zone (wall-clock arithmetic is exact on such a day), and the same instants from `first_utc`."""

    first: datetime
    first_utc: datetime
    count: int


def steady_grid(day: date, start: time, end: time, zone: ZoneInfo, duration: timedelta, step: timedelta) -> Grid:
    first = datetime.combine(day, start, tzinfo=zone)
    span = datetime.combine(day, end) - datetime.combine(day, start)
    count = (span - duration) // step + 1 if span >= duration else 0
    return Grid(first, first.astimezone(UTC), count)


def changing_grid(
    day: date, start: time, end: time, zone: ZoneInfo, duration: timedelta, step: timedelta
) -> Iterator[tuple[datetime, datetime, datetime]]:
    """(start, end, start in UTC) of each start on a day the clocks change, stepping in wall-clock
    time: a start the clocks skip is left out, an hour they repeat is taken the first time, and
    the visit must end by the block's end on the wall clock."""
    block_end = datetime.combine(day, end)
    wall = datetime.combine(day, start)
    while wall + duration <= block_end:
        aware = wall.replace(tzinfo=zone)
        start_utc = aware.astimezone(UTC)
        if start_utc.astimezone(zone).replace(tzinfo=None) == wall:  # not skipped by the clocks
            visit_end = (start_utc + duration).astimezone(zone)
            if visit_end.replace(tzinfo=None) <= block_end:
                yield aware, visit_end, start_utc
        wall += step


# Open ranges of ruled-out starts, (lows, highs): sorted, and disjoint as open ranges (two that
# merely touch stay apart, for the start where they meet is free).
Blocked = tuple[list[datetime], list[datetime]]

# Busy time further away than this from now is clamped, so widening it by a visit and its buffers
# never runs off the calendar (a time off entered from year 1); no slot is anywhere near.
_FLOOR = datetime(1900, 1, 1, tzinfo=UTC)
_CEILING = datetime(9000, 1, 1, tzinfo=UTC)


def _merged(pairs: Iterable[tuple[datetime, datetime]]) -> Blocked:
    """Open ranges, in order of their low ends, merged where they overlap: two that merely touch
    stay apart (the start where they meet is free)."""
    lows: list[datetime] = []
    highs: list[datetime] = []
    for low, high in pairs:
        if highs and low < highs[-1]:
            if high > highs[-1]:
                highs[-1] = high
        else:
            lows.append(low)
            highs.append(high)
    return lows, highs


def blocked_starts(busy: Busy, before: timedelta, reach: timedelta) -> Blocked:
    """The starts a provider's (or a room's) busy time rules out: for each busy [b0, b1) the open
    range (b0 - reach, b1 + before), where `reach` is the duration plus the buffer after."""
    return _merged(
        (max(start, _FLOOR) - reach, min(end, _CEILING) + before)
        for start, end in zip(busy.starts, busy.ends, strict=True)
    )


def union_blocked(*parts: Blocked) -> Blocked:
    """The starts ruled out by any of `parts`."""
    if len(parts) == 1:
        return parts[0]
    return _merged(sorted(pair for lows, highs in parts for pair in zip(lows, highs, strict=True)))


def intersect_blocked(first: Blocked, second: Blocked) -> Blocked:
    """The starts ruled out by both (say by every room of a location)."""
    (a_lows, a_highs), (b_lows, b_highs) = first, second
    lows: list[datetime] = []
    highs: list[datetime] = []
    i = j = 0
    while i < len(a_lows) and j < len(b_lows):
        low, high = max(a_lows[i], b_lows[j]), min(a_highs[i], b_highs[j])
        if low < high:
            lows.append(low)
            highs.append(high)
        if a_highs[i] < b_highs[j]:
            i += 1
        else:
            j += 1
    return lows, highs


def free_runs(blocked: Blocked, grid: Grid, step: timedelta, first_k: int = 0) -> list[tuple[int, int]]:
    """The runs [k0, k1) of grid indexes (from `first_k`) that no blocked range rules out: every
    start at or before a range's low end, or at or after its high end, is free of it."""
    count = grid.count
    if first_k >= count:
        return []
    first = grid.first_utc
    last = first + (count - 1) * step
    lows, highs = blocked
    runs = []
    k = first_k
    i = bisect_right(highs, first)  # the first range that can rule out a start at or after `first`
    while i < len(lows) and k < count:
        low = lows[i]
        if low >= last:
            break
        upto = (low - first) // step + 1  # the starts at or before `low`
        if upto > k:
            runs.append((k, min(upto, count)))
        k = max(k, -((first - highs[i]) // step))  # the first start at or after the high end
        i += 1
    if k < count:
        runs.append((k, count))
    return runs


def first_index_at(grid: Grid, step: timedelta, earliest: datetime) -> int:
    """The first grid index at or after `earliest`."""
    return max(0, -((grid.first_utc - earliest) // step))
