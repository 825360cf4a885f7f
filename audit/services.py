"""Patient rights: the export of a patient's record (logged as a read) and erasure.

A patient is erased only when nothing clinical of theirs must be kept: a completed toxin
treatment, a signed consent, a submitted medical history or follow-up all make the record one
the clinic must retain (medical-records law outlasts a request to erase). Otherwise their
personal data is anonymised in place, their future visits cancelled, unsubmitted answers and
message texts dropped, photos deleted, and an `Erasure` tombstone says who did it and when.
"""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest

from bookings.models import Appointment, AppointmentStatus, Patient
from bookings.services import appointment_cancel, patient_anonymise
from charting.services import photos_erase
from intake.models import AccessLog, Consent, FollowUp, MedicalHistory
from intake.services import access_log_record, intake_drafts_discard
from reminders.services import message_log_erase

from .models import Erasure

ERASURE_REASON = "Erased at the patient's request"
# Fields of earlier history rows that identify the person; erasure overwrites them too.
PERSONAL_FIELDS = ("first_name", "last_name", "date_of_birth", "email", "phone", "treatment_hold_reason")


class ErasureRefused(Exception):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def erasure_blockers(*, patient: Patient) -> list[str]:
    """Why this patient's record must be kept; empty when it may be erased."""
    reasons = []
    if Erasure.objects.filter(patient=patient).exists():
        return ["This patient's data has already been erased."]
    treated = Appointment.objects.filter(
        patient=patient, status=AppointmentStatus.COMPLETED, service__is_toxin_treatment=True
    ).count()
    if treated:
        reasons.append(f"{_plural(treated, 'completed neuromodulator treatment')}: the treatment record must be kept.")
    # What an unproven link submitted is not this patient's record (it may be a stranger's): it
    # does not keep them from being erased.
    consents = Consent.objects.filter(patient=patient, unverified=False).count()
    if consents:
        reasons.append(f"{_plural(consents, 'signed consent')}: signed consents must be kept.")
    histories = MedicalHistory.objects.filter(patient=patient, unverified=False).count()
    if histories:
        reasons.append(f"{_plural(histories, 'submitted medical history')}: the clinical record must be kept.")
    if FollowUp.objects.filter(appointment__patient=patient).exists():
        reasons.append("Follow-up answers after a treatment: the clinical record must be kept.")
    return reasons


def patient_erase(*, patient: Patient, actor: AbstractBaseUser, now: datetime) -> Erasure:
    """Erase a patient's personal data, or raise ErasureRefused with the reasons it must be kept."""
    with transaction.atomic():
        patient = Patient.objects.select_for_update().get(pk=patient.pk)
        reasons = erasure_blockers(patient=patient)
        if reasons:
            raise ErasureRefused(reasons)
        cancelled = []
        upcoming = Appointment.objects.filter(
            patient=patient, start__gte=now, status__in=[AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED]
        ).order_by("start")
        for appointment in upcoming:
            appointment_cancel(appointment=appointment, now=now, by_patient=False, reason=ERASURE_REASON, actor=actor)
            cancelled.append(appointment.reference)
        intake_drafts_discard(patient=patient)
        photos_erase(patient=patient)  # a face identifies the person as much as a name
        message_log_erase(patient=patient, now=now)  # after cancelling: its notice is never sent
        patient_anonymise(patient=patient)
        tombstone = patient.audit_history.first()  # the row the anonymising save just wrote
        tombstone.history_change_reason, tombstone.history_user = ERASURE_REASON, actor
        tombstone.save(update_fields=["history_change_reason", "history_user"])
        # Earlier versions of the patient row in the change history carry the same personal data.
        patient.audit_history.exclude(history_change_reason=ERASURE_REASON).update(
            **{name: getattr(patient, name) for name in PERSONAL_FIELDS}
        )
        return Erasure.objects.create(patient=patient, erased_by=actor, erased_at=now, cancelled_appointments=cancelled)


def patient_record_read(*, request: HttpRequest, patient: Patient, what: str) -> AccessLog:
    """The export is a read of everything, health data included: it goes into the access log."""
    return access_log_record(request=request, patient=patient, what=what, object_id=patient.pk)
