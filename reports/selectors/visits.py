"""The appointments a report reads, fetched once for every figure: one query whatever the period.

Each row carries what the figures ask of it, worked out by the database in the same query: the
service's kind, when the visit's medical history was first submitted, and whether it is the
patient's first appointment (the earliest not cancelled).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, F, OuterRef, Q, Subquery

from bookings.models import Appointment, AppointmentStatus, ChartState
from intake.models import MedicalHistory
from treatments.models import ServiceKind

from .period import Period

# An appointment the patient came to.
ATTENDED = (AppointmentStatus.CHECKED_IN, AppointmentStatus.COMPLETED)


@dataclass(frozen=True, slots=True)
class Visit:
    pk: int
    patient_id: int
    provider_id: int
    location_id: int
    start: datetime
    end: datetime
    status: str
    kind: str  # the service's: consultation, treatment or review
    chart_state: str
    source: str
    cancelled_at: datetime | None
    created_at: datetime
    intake_at: datetime | None  # the first medical history submitted for this appointment
    first: bool  # the patient's first appointment that was not cancelled

    @property
    def key(self) -> tuple[int, int]:
        return self.location_id, self.provider_id


FIELDS = (
    "pk",
    "patient_id",
    "provider_id",
    "location_id",
    "start",
    "end",
    "status",
    "kind",
    "chart_state",
    "source",
    "cancelled_at",
    "created_at",
    "intake_at",
    "first",
)


def visits_in(period: Period) -> list[Visit]:
    """Every appointment that starts in the period at its own location, whatever its status. One query."""
    first_history = (
        MedicalHistory.objects.filter(appointment=OuterRef("pk")).order_by("submitted_at").values("submitted_at")[:1]
    )
    earlier = (
        Appointment.objects.filter(patient=OuterRef("patient"))
        .exclude(status=AppointmentStatus.CANCELLED)
        .filter(Q(start__lt=OuterRef("start")) | Q(start=OuterRef("start"), pk__lt=OuterRef("pk")))
    )
    rows = (
        Appointment.objects.filter(period.where())
        .annotate(kind=F("service__kind"), intake_at=Subquery(first_history), first=~Exists(earlier))
        .order_by()
        .values_list(*FIELDS)
    )
    return [Visit(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class LaterVisit:
    patient_id: int
    start: datetime
    status: str
    kind: str
    created_at: datetime


def later_visits(period: Period) -> list[LaterVisit]:
    """The appointments, from the period's start on, of every patient treated in the period (for
    rebooking and retention, which look up to 180 days past its end). One query."""
    patients = Appointment.objects.filter(period.where(), treated()).values("patient_id")
    rows = (
        Appointment.objects.filter(patient_id__in=Subquery(patients), start__gte=period.widest[0])
        .annotate(kind=F("service__kind"))
        .order_by("patient_id", "start")
        .values_list("patient_id", "start", "status", "kind", "created_at")
    )
    return [LaterVisit(*row) for row in rows]


def treated() -> Q:
    """A treatment visit that took place and where the injector did not decide against treating."""
    return Q(status=AppointmentStatus.COMPLETED, service__kind=ServiceKind.TREATMENT) & ~Q(
        chart_state=ChartState.NOT_TREATED
    )


def is_treated(visit: Visit) -> bool:
    return (
        visit.status == AppointmentStatus.COMPLETED
        and visit.kind == ServiceKind.TREATMENT
        and visit.chart_state != ChartState.NOT_TREATED
    )
