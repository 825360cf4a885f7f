"""New patients and how they came, and whether patients finished their intake before the visit.

A new patient is one whose first appointment (the earliest not cancelled, of any kind) starts in the
period; they count for that appointment's provider and location, under the way it was booked:
online, at the front desk, or through the booking embedded on the clinic's own site.

Intake is the medical history the patient fills in online through their link. Of the visits in the
period the patient attended, how many had it submitted before the visit's start, how many only
after (at the clinic, on the day), and how many never.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from bookings.models import AppointmentStatus, Source

from .period import Key
from .visits import ATTENDED, Visit

# The ways a patient books, in the order the report shows them; any other the data holds follows.
SOURCES: dict[str, str] = {"online": "Online", "desk": "Front desk", "embed": "Embedded"}
SOURCES.update({value: label for value, label in Source.choices if value not in SOURCES})


@dataclass
class NewPatients:
    by_source: dict[str, int] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.by_source.values())

    def count(self, source: str) -> int:
        return self.by_source.get(source, 0)


def new_patients(visits: list[Visit]) -> dict[Key, NewPatients]:
    result: dict[Key, NewPatients] = defaultdict(NewPatients)
    for visit in visits:
        if visit.first and visit.status != AppointmentStatus.CANCELLED:
            result[visit.key].by_source[visit.source] += 1
    return dict(result)


def sources_seen(figures: list[NewPatients]) -> list[tuple[str, str]]:
    """(value, label) of every way of booking to show: the known ones, then any other found."""
    seen = {source for f in figures for source in f.by_source}
    extra = sorted(seen - set(SOURCES))
    return [*SOURCES.items(), *((value, value.replace("_", " ").capitalize()) for value in extra)]


@dataclass
class IntakeTiming:
    visits: int = 0  # attended
    before: int = 0  # history submitted before the visit started
    after: int = 0  # only once it had started
    missing: int = 0

    @property
    def rate(self) -> float | None:
        return self.before / self.visits if self.visits else None


def intake_timing(visits: list[Visit]) -> dict[Key, IntakeTiming]:
    result: dict[Key, IntakeTiming] = defaultdict(IntakeTiming)
    for visit in visits:
        if visit.status not in ATTENDED:
            continue
        figures = result[visit.key]
        figures.visits += 1
        if visit.intake_at is None:
            figures.missing += 1
        elif visit.intake_at < visit.start:
            figures.before += 1
        else:
            figures.after += 1
    return dict(result)
