"""The appointments a report reads, fetched once for every figure: three queries whatever the period.

Each row carries what the figures ask of it: the service's kind, when the visit's medical history
was first submitted, and whether it is the patient's first appointment (the earliest not
cancelled). The last two come from two grouped queries rather than a subquery per row, which
costs the database a lookup per appointment of the period.

Times come back as whole seconds since 1970 (UTC), not datetimes: a year of a busy clinic is a
hundred thousand of them, and integers are read many times faster than timestamps. Figures
compare them with `seconds(...)` of the datetimes they need.
"""

from datetime import datetime
from typing import NamedTuple

from django.db.models import BigIntegerField, F, Func, Min, Q, Subquery

from bookings.models import Appointment, AppointmentStatus, ChartState
from intake.models import MedicalHistory
from treatments.models import ServiceKind

from .period import Period

# An appointment the patient came to.
ATTENDED = (AppointmentStatus.CHECKED_IN, AppointmentStatus.COMPLETED)


class _Seconds(BigIntegerField):
    """An integer the database driver already returns as one: no converter runs on each row."""

    def get_internal_type(self) -> str:
        return "Seconds"


class Epoch(Func):
    """A datetime column as whole seconds since 1970, rounded."""

    output_field = _Seconds()
    # date_part() gives a double (EXTRACT a slower numeric); the cast to bigint rounds it.
    template = "CAST(date_part('epoch', %(expressions)s) AS bigint)"

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite keeps datetimes as UTC text; julianday() reads it (2440587.5 is 1970-01-01 as a Julian day).
        template = "CAST(ROUND((julianday(%(expressions)s) - 2440587.5) * 86400) AS integer)"
        return self.as_sql(compiler, connection, template=template, **extra)


def seconds(moment: datetime) -> int:
    return round(moment.timestamp())


class Visit(NamedTuple):
    """An appointment as the figures read it (a tuple: a year holds tens of thousands)."""

    pk: int
    patient_id: int
    provider_id: int
    location_id: int
    start: int  # seconds since 1970
    end: int
    status: str
    kind: str  # the service's: consultation, treatment or review
    chart_state: str
    source: str
    cancelled_at: int | None
    created_at: int
    intake_at: int | None  # the first medical history submitted for this appointment
    first: bool  # the patient's first appointment that was not cancelled
    key: tuple[int, int]  # (location id, provider id): the row of the figures it counts in


def visits_in(period: Period) -> list[Visit]:
    """Every appointment that starts in the period at its own location, whatever its status. Three queries."""
    in_period = Appointment.objects.filter(period.where())
    rows = list(
        in_period.annotate(
            kind=F("service__kind"),
            start_s=Epoch("start"),
            end_s=Epoch("end"),
            cancelled_s=Epoch("cancelled_at"),
            created_s=Epoch("created_at"),
        )
        .order_by()
        .values_list(
            "pk", "patient_id", "provider_id", "location_id", "start_s", "end_s", "status", "kind", "chart_state",
            "source", "cancelled_s", "created_s",
        )
    )  # fmt: skip
    # When each appointment's medical history was first submitted.
    intake = dict(
        MedicalHistory.objects.filter(appointment__in=in_period.values("pk"))
        .order_by()
        .values("appointment_id")
        .annotate(at=Epoch(Min("submitted_at")))
        .values_list("appointment_id", "at")
    )
    # When each of the period's patients first had an appointment that was not cancelled, ever.
    kept = Appointment.objects.exclude(status=AppointmentStatus.CANCELLED)
    first_start = dict(
        kept.filter(patient_id__in=in_period.values("patient_id"))
        .order_by()
        .values("patient_id")
        .annotate(at=Epoch(Min("start")))
        .values_list("patient_id", "at")
    )
    # The first is the earliest; of two at the same time, the one booked first (the lower id).
    firsts: dict[int, int] = {}
    for row in rows:
        pk, patient_id, start, status = row[0], row[1], row[4], row[6]
        if status != AppointmentStatus.CANCELLED and start == first_start.get(patient_id):
            firsts[patient_id] = min(pk, firsts.get(patient_id, pk))
    first_ids = set(firsts.values())
    return [Visit(*row, intake.get(row[0]), row[0] in first_ids, (row[3], row[2])) for row in rows]


class LaterVisit(NamedTuple):
    patient_id: int
    start: int  # seconds since 1970
    status: str
    kind: str
    created_at: int


def later_visits(period: Period) -> list[LaterVisit]:
    """The appointments, from the period's start on, of every patient treated in the period (for
    rebooking and retention, which look up to 180 days past its end). One query."""
    patients = Appointment.objects.filter(period.where(), treated()).values("patient_id")
    rows = (
        Appointment.objects.filter(patient_id__in=Subquery(patients), start__gte=period.widest[0])
        .annotate(kind=F("service__kind"), start_s=Epoch("start"), created_s=Epoch("created_at"))
        .order_by()
        .values_list("patient_id", "start_s", "status", "kind", "created_s")
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
