"""Utilization: booked hours over scheduled hours, for each provider at each location.

Scheduled time is the provider's working hours at the location on each day of the period, placed
in the location's own zone (09:00–17:00 is eight hours on the day the clocks change too, and a
block across the change is as long as the clocks say), less their time off. Booked time is the
time of their appointments there that were not cancelled (a no-show's time was booked too) that
falls inside that scheduled time, counted once where appointments overlap: so utilization is at
most 100%. Working hours have no history: the current week's hours stand for the whole period.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time

from bookings.models import AppointmentStatus, TimeOff, WorkingHours

from .period import Key, Period
from .visits import Epoch, Visit, seconds

Interval = tuple[int, int]  # seconds since 1970


@dataclass
class Utilization:
    scheduled_seconds: float = 0
    booked_seconds: float = 0

    @property
    def scheduled_hours(self) -> float:
        return self.scheduled_seconds / 3600

    @property
    def booked_hours(self) -> float:
        return self.booked_seconds / 3600

    @property
    def rate(self) -> float | None:
        return self.booked_seconds / self.scheduled_seconds if self.scheduled_seconds else None


def merged(intervals: Iterable[Interval]) -> list[Interval]:
    """The intervals sorted, with overlapping and touching ones joined."""
    out: list[list[int]] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(start, end) for start, end in out]


def subtract(ranges: list[Interval], holes: list[Interval]) -> list[Interval]:
    """`ranges` less `holes` (both merged)."""
    out: list[Interval] = []
    i = 0
    for start, end in ranges:
        while i < len(holes) and holes[i][1] <= start:
            i += 1
        j, cursor = i, start
        while j < len(holes) and holes[j][0] < end:
            if holes[j][0] > cursor:
                out.append((cursor, holes[j][0]))
            cursor = max(cursor, holes[j][1])
            j += 1
        if cursor < end:
            out.append((cursor, end))
    return out


def overlap_seconds(a: list[Interval], b: list[Interval]) -> int:
    """How long the two merged lists of intervals overlap."""
    total, i, j = 0, 0, 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            total += end - start
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def length(intervals: list[Interval]) -> int:
    return sum(end - start for start, end in intervals)


def utilization(period: Period, visits: list[Visit]) -> dict[Key, Utilization]:
    """Each provider's utilization at each location in the period. Two queries (hours, time off)."""
    locations = {location.pk: location for location in period.locations}
    hours = WorkingHours.objects.filter(location__in=list(locations))
    low, high = period.widest
    away = TimeOff.objects.filter(start__lt=high, end__gt=low)
    if period.provider is not None:
        hours, away = hours.filter(provider=period.provider), away.filter(provider=period.provider)

    blocks: dict[Key, dict[int, list[tuple[time, time]]]] = defaultdict(lambda: defaultdict(list))
    for provider_id, location_id, weekday, start, end in hours.values_list(
        "provider_id", "location_id", "weekday", "start", "end"
    ):
        blocks[(location_id, provider_id)][weekday].append((start, end))
    time_off: dict[int, list[Interval]] = defaultdict(list)
    for provider_id, start, end in away.annotate(start_s=Epoch("start"), end_s=Epoch("end")).values_list(
        "provider_id", "start_s", "end_s"
    ):
        time_off[provider_id].append((start, end))
    booked: dict[Key, list[Interval]] = defaultdict(list)
    for visit in visits:
        if visit.status != AppointmentStatus.CANCELLED:
            booked[visit.key].append((visit.start, visit.end))

    days = period.days
    result: dict[Key, Utilization] = {}
    for key in set(blocks) | set(booked):
        zone = locations[key[0]].zone
        week = blocks.get(key, {})
        scheduled = merged(
            (seconds(datetime.combine(day, start, tzinfo=zone)), seconds(datetime.combine(day, end, tzinfo=zone)))
            for day in days
            for start, end in week.get(day.weekday(), ())
        )
        available = subtract(scheduled, merged(time_off.get(key[1], ())))
        result[key] = Utilization(length(available), overlap_seconds(available, merged(booked.get(key, ()))))
    return result
