"""What the apps above bookings may write about a patient or an appointment (intake keeps these)."""

from django.db import IntegrityError, transaction

from ..models import Appointment, IntakeStatus, Patient


def appointment_intake_status_set(*, appointment: Appointment, status: IntakeStatus) -> None:
    """Front desk sees this badge; never the answers behind it."""
    Appointment.objects.filter(pk=appointment.pk).update(intake_status=status)
    appointment.intake_status = status


def patient_treatment_hold_set(*, patient: Patient, hold: bool, reason: str = "") -> None:
    """While on hold, toxin treatments can't be booked online (a consultation still can)."""
    Patient.objects.filter(pk=patient.pk).update(treatment_hold=hold, treatment_hold_reason=reason if hold else "")
    patient.treatment_hold, patient.treatment_hold_reason = hold, (reason if hold else "")


def patient_contact_update(*, patient: Patient, email: str, phone: str) -> None:
    """The patient confirmed or corrected how to reach them (intake's first step).

    An email that another record with the same birth date already uses is left as it was: the
    two records are for front desk to merge, not for a form to collide.
    """
    try:
        with transaction.atomic():
            Patient.objects.filter(pk=patient.pk).update(email=email, phone=phone)
    except IntegrityError:
        Patient.objects.filter(pk=patient.pk).update(phone=phone)
        email = patient.email
    patient.email, patient.phone = email, phone


def patient_opt_out(*, patient: Patient, channel: str) -> None:
    """No more messages on this channel ("email" or "sms"), from now on, whatever is already queued."""
    field = {"email": "opted_out_email", "sms": "opted_out_sms"}[channel]
    Patient.objects.filter(pk=patient.pk).update(**{field: True})
    setattr(patient, field, True)
