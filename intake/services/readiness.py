"""The treatment gate as the front office sees it: intake writes it down on each upcoming
appointment through bookings' service whenever something it depends on may have changed."""

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet

from bookings.models import Appointment, AppointmentStatus
from bookings.services import appointment_treatment_ready_set

from ..selectors import not_ready_code, treatment_gate

# Appointments whose readiness for treatment can still matter (an in-progress visit counts).
READY_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED, AppointmentStatus.CHECKED_IN)


def ready_refresh(appointments: QuerySet[Appointment], *, now: datetime) -> int:
    """Write the gate down for the front office on each of these that is still to come; how many changed."""
    upcoming = appointments.filter(status__in=READY_STATUSES, start__gte=now - timedelta(days=1))
    changed = 0
    for appointment in upcoming.only("pk", "patient_id", "service_id", "identity_verified", "treatment_ready",
                                     "treatment_not_ready"):  # fmt: skip
        gate = treatment_gate(appointment)
        changed += appointment_treatment_ready_set(appointment=appointment, ready=gate.ready,
                                                   reason=not_ready_code(gate))  # fmt: skip
    return changed


def treatment_ready_refresh_all(*, now: datetime) -> int:
    """Every upcoming appointment (after the field is added, or demo data written around the services)."""
    return ready_refresh(Appointment.objects.all(), now=now)


def treatment_ready_refresh(*, appointment: Appointment, now: datetime) -> None:
    """After anything that may change the gate for this appointment's patient (a history, a
    consent, a decision, the hold, a proven identity): every upcoming appointment of theirs."""
    ready_refresh(Appointment.objects.filter(Q(pk=appointment.pk) | Q(patient_id=appointment.patient_id)), now=now)
