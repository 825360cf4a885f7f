"""The period a report covers, and how its rows are grouped: by location, then provider.

A period is a run of whole days, and a day is the location's own: 1 March at Sarasota starts at
midnight in New York, at Scottsdale at midnight in Phoenix. An appointment belongs to the period
when it starts inside its location's days, so `where()` is one condition per location.
"""

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Generic, TypeVar

from django.db.models import Q

from bookings.models import Location, Provider

T = TypeVar("T")
Key = tuple[int, int]  # (location id, provider id)


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive
    locations: tuple[Location, ...]  # those the report covers
    provider: Provider | None  # one provider, or everyone
    now: datetime

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def bounds(self, location: Location) -> tuple[datetime, datetime]:
        """The period at `location`, in UTC: from its first midnight to the midnight after its last day."""
        zone = location.zone
        start = datetime.combine(self.first, time.min, tzinfo=zone)
        end = datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    @property
    def widest(self) -> tuple[datetime, datetime]:
        """From the earliest of the locations' first midnights to the latest of their last."""
        spans = [self.bounds(location) for location in self.locations] or [
            (datetime.combine(self.first, time.min, tzinfo=UTC), datetime.combine(self.last, time.max, tzinfo=UTC))
        ]
        return min(start for start, _ in spans), max(end for _, end in spans)

    def where(self, prefix: str = "") -> Q:
        """Appointments (through `prefix`, e.g. "record__appointment__") that start in the period at
        their own location, and are the chosen provider's when one is chosen."""
        condition = Q(pk__in=[])
        for location in self.locations:
            start, end = self.bounds(location)
            condition |= Q(**{f"{prefix}location": location, f"{prefix}start__gte": start, f"{prefix}start__lt": end})
        if self.provider is not None:
            condition &= Q(**{f"{prefix}provider": self.provider})
        return condition


def add(a: T, b: T) -> T:
    """Two figures of one kind added field by field (counts, hours, and counters of counts)."""
    values = {}
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        values[f.name] = Counter(x) + Counter(y) if isinstance(x, dict) else x + y
    return type(a)(**values)


@dataclass
class Row(Generic[T]):
    """A line of a figure's table: one provider at one location, a location's total, or the clinic's."""

    location: Location | None  # None: every location
    provider: Provider | None  # None: every provider (a total)
    figures: T
    level: str = "provider"  # "provider", "location" or "clinic"
    key: str = field(default="")

    @property
    def label(self) -> str:
        if self.level == "clinic":
            return "All locations"
        if self.level == "location":
            return f"{self.location.name}: all providers"
        return self.provider.name


def breakdown(
    per_key: dict[Key, T],
    *,
    locations: Iterable[Location],
    providers: dict[int, Provider],
    empty: Callable[[], T],
) -> list[Row[T]]:
    """Rows for each provider at each location (in the locations' and providers' own order), each
    location's total when it has more than one provider, and the clinic's when there is more than one
    location."""
    rows: list[Row[T]] = []
    totals: list[T] = []
    for location in locations:
        keys = sorted(
            (key for key in per_key if key[0] == location.pk),
            key=lambda key: (providers[key[1]].sort_order, providers[key[1]].name, key[1]),
        )
        if not keys:
            continue
        total = empty()
        for key in keys:
            rows.append(Row(location, providers[key[1]], per_key[key], key=f"{key[0]}-{key[1]}"))
            total = add(total, per_key[key])
        if len(keys) > 1:
            rows.append(Row(location, None, total, level="location", key=f"{location.pk}"))
        totals.append(total)
    if len(totals) > 1:
        clinic = empty()
        for total in totals:
            clinic = add(clinic, total)
        rows.append(Row(None, None, clinic, level="clinic", key="all"))
    return rows


def overall(rows: list[Row[T]], empty: Callable[[], T]) -> T:
    """Everything the rows cover added up: the sum of the provider rows."""
    total = empty()
    for row in rows:
        if row.level == "provider":
            total = add(total, row.figures)
    return total
