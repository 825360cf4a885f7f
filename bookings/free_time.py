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
way: the provider's runs intersected with the union of the rooms' runs.

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


def free_runs(
    busy: Busy, grid: Grid, step: timedelta, before: timedelta, reach: timedelta, first_k: int = 0
) -> Iterator[tuple[int, int]]:
    """The runs [k0, k1) of grid indexes (from `first_k`) whose visit with its buffers is free.

    `reach` is the duration plus the buffer after. A busy [b0, b1) rules out the starts strictly
    inside (b0 - reach, b1 + before); every start at or outside those ends is free of it.
    """
    count = grid.count
    if first_k >= count:
        return
    first = grid.first_utc
    last = first + (count - 1) * step
    starts, ends = busy.starts, busy.ends
    k = first_k
    # The first busy interval that can rule out a start at or after `first`.
    i = bisect_right(ends, first - before)
    while i < len(starts) and k < count:
        low = starts[i] - reach
        if low >= last:
            break
        high = ends[i] + before
        upto = (low - first) // step + 1  # the starts at or before `low`
        if upto > k:
            yield k, min(upto, count)
        k = max(k, -((first - high) // step))  # the first start at or after `high`
        i += 1
    if k < count:
        yield k, count


def first_index_at(grid: Grid, step: timedelta, earliest: datetime) -> int:
    """The first grid index at or after `earliest`."""
    return max(0, -((grid.first_utc - earliest) // step))


def union_runs(runs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Runs of grid indexes merged into sorted, disjoint runs (touching runs join)."""
    merged: list[list[int]] = []
    for k0, k1 in sorted(runs):
        if merged and k0 <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], k1)
        else:
            merged.append([k0, k1])
    return [(k0, k1) for k0, k1 in merged]


def intersect_runs(first: Iterable[tuple[int, int]], second: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """The indexes in both: two sorted lists of disjoint runs, walked together."""
    j = 0
    for k0, k1 in first:
        while j < len(second) and second[j][1] <= k0:
            j += 1
        i = j
        while i < len(second) and second[i][0] < k1:
            low, high = max(k0, second[i][0]), min(k1, second[i][1])
            if low < high:
                yield low, high
            i += 1


def resource_runs(
    resources: Iterable[Iterable[Busy]], grid: Grid, step: timedelta, before: timedelta, reach: timedelta
) -> list[tuple[int, int]]:
    """The grid indexes at which one of each kind of resource is free (a room, and a device when
    asked): for each kind the union over its resources of their free runs, intersected across kinds.
    The provider's own free runs are then intersected with these (free time = provider free ∩
    ⋃ rooms free ∩ ⋃ devices free)."""
    found: list[tuple[int, int]] | None = None
    for kind in resources:
        runs = union_runs(run for busy in kind for run in free_runs(busy, grid, step, before, reach))
        found = runs if found is None else list(intersect_runs(found, runs))
    return [(0, grid.count)] if found is None else found
