"""Rebooking and retention, counted per treatment visit in the period.

A treatment visit is a completed treatment appointment where the injector did not record "not
treated". Each has a window that must be over before it counts, or recent visits would read as
failures: a visit still inside its window is shown apart ("open"), with how many already did it.

- Rebooked: by 14 days after the visit the patient held a later appointment (not a two-week review,
  not cancelled since), booked at the visit, before it or in those 14 days.
- Retained: the patient came back (a later visit they attended, of any kind) 30 to 180 days after.
"""

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass

from bookings.models import AppointmentStatus
from treatments.models import ServiceKind

from .period import Key, Period
from .visits import ATTENDED, LaterVisit, Visit, is_treated, seconds

DAY = 86400  # seconds: times here are seconds since 1970
REBOOK_WITHIN = 14 * DAY
RETURN_FROM, RETURN_UNTIL = 30 * DAY, 180 * DAY


@dataclass
class Rebooking:
    visits: int = 0  # treatment visits whose 14 days are over
    rebooked: int = 0
    open: int = 0  # visits still inside their 14 days
    open_rebooked: int = 0

    @property
    def rate(self) -> float | None:
        return self.rebooked / self.visits if self.visits else None


@dataclass
class Retention:
    visits: int = 0  # treatment visits whose 180 days are over
    returned: int = 0
    open: int = 0
    open_returned: int = 0

    @property
    def rate(self) -> float | None:
        return self.returned / self.visits if self.visits else None


def _by_patient(later: list[LaterVisit]) -> dict[int, tuple[list, list[LaterVisit]]]:
    grouped: dict[int, list[LaterVisit]] = defaultdict(list)
    for visit in later:
        grouped[visit.patient_id].append(visit)
    result = {}
    for patient_id, visits in grouped.items():
        visits.sort(key=lambda v: v.start)
        result[patient_id] = ([v.start for v in visits], visits)
    return result


def loyalty(
    period: Period, visits: list[Visit], later: list[LaterVisit]
) -> tuple[dict[Key, Rebooking], dict[Key, Retention]]:
    """Rebooking and retention for each provider at each location (no query: the rows are given)."""
    after = _by_patient(later)
    now = seconds(period.now)
    rebooking: dict[Key, Rebooking] = defaultdict(Rebooking)
    retention: dict[Key, Retention] = defaultdict(Retention)
    for visit in visits:
        if not is_treated(visit):
            continue
        starts, following = after.get(visit.patient_id, ([], []))
        following = following[bisect_right(starts, visit.start) :]

        booked_by = visit.end + REBOOK_WITHIN
        rebooked = any(
            v.created_at <= booked_by and v.kind != ServiceKind.REVIEW and v.status != AppointmentStatus.CANCELLED
            for v in following
        )
        figures = rebooking[visit.key]
        if booked_by <= now:
            figures.visits += 1
            figures.rebooked += rebooked
        else:
            figures.open += 1
            figures.open_rebooked += rebooked

        earliest, latest = visit.start + RETURN_FROM, visit.start + RETURN_UNTIL
        returned = any(earliest <= v.start <= latest and v.status in ATTENDED for v in following)
        kept = retention[visit.key]
        if latest <= now:
            kept.visits += 1
            kept.returned += returned
        else:
            kept.open += 1
            kept.open_returned += returned
    return dict(rebooking), dict(retention)
