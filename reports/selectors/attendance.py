"""Attendance: no-shows and late cancellations among the appointments that were due.

Of the appointments that started in the period before now (one not started yet has no outcome),
those cancelled before the policy's window (24 hours by default) were never due; every other one
was: kept, missed (a no-show) or cancelled late (inside the window). Rates are over the due ones.
"""

from collections import defaultdict
from dataclasses import dataclass

from bookings.models import AppointmentStatus
from bookings.policy import booking_policy

from .period import Key, Period
from .visits import Visit, seconds


@dataclass
class Attendance:
    appointments: int = 0  # started in the period, by now
    early_cancels: int = 0
    late_cancels: int = 0
    no_shows: int = 0

    @property
    def due(self) -> int:
        return self.appointments - self.early_cancels

    @property
    def no_show_rate(self) -> float | None:
        return self.no_shows / self.due if self.due else None

    @property
    def late_cancel_rate(self) -> float | None:
        return self.late_cancels / self.due if self.due else None


def attendance(period: Period, visits: list[Visit]) -> dict[Key, Attendance]:
    window = booking_policy().cancel_window.total_seconds()
    now = seconds(period.now)
    result: dict[Key, Attendance] = defaultdict(Attendance)
    for visit in visits:
        if visit.start >= now:
            continue
        figures = result[visit.key]
        figures.appointments += 1
        if visit.status == AppointmentStatus.NO_SHOW:
            figures.no_shows += 1
        elif visit.status == AppointmentStatus.CANCELLED:
            late = visit.cancelled_at is not None and visit.cancelled_at > visit.start - window
            if late:
                figures.late_cancels += 1
            else:
                figures.early_cancels += 1
    return dict(result)
