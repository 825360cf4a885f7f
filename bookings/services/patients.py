"""What the apps above bookings may write about a patient or an appointment (intake keeps these)."""

from datetime import date

from django.db import IntegrityError, transaction

from ..models import Appointment, ChartState, ContactProposal, IntakeStatus, NotReady, Patient, WaitlistEntry

ERASED_BIRTH_DATE = date(1900, 1, 1)


def _save_fields(instance: Patient | Appointment, **values: object) -> None:
    """Write only these fields, through save() so the change history records who changed what.

    The row is read afresh, so the history's snapshot of the other fields is what is stored.
    """
    fresh = type(instance).objects.get(pk=instance.pk)
    for name, value in values.items():
        setattr(fresh, name, value)
    fresh.save(update_fields=list(values))
    for name, value in values.items():
        setattr(instance, name, value)


def appointment_intake_status_set(*, appointment: Appointment, status: IntakeStatus) -> None:
    """Front desk sees this badge; never the answers behind it."""
    _save_fields(appointment, intake_status=status)


def appointment_chart_state_set(*, appointment: Appointment, state: ChartState, toxin_given: bool) -> None:
    """Charting's record of the visit, as far as the front office needs it: no units, no products."""
    _save_fields(appointment, chart_state=state, toxin_given=toxin_given)


def appointment_treatment_ready_set(*, appointment: Appointment, ready: bool, reason: NotReady) -> bool:
    """Intake's gate as front desk sees it: ready, or the first reason it is not. Written only when it
    changes (the change history keeps no copies of the same state); returns whether it changed."""
    reason = NotReady.NONE if ready else reason
    if (appointment.treatment_ready, appointment.treatment_not_ready) == (ready, reason):
        return False
    _save_fields(appointment, treatment_ready=ready, treatment_not_ready=reason)
    return True


def patient_treatment_hold_set(*, patient: Patient, hold: bool, reason: str = "") -> None:
    """While on hold, toxin treatments can't be booked online (a consultation still can)."""
    _save_fields(patient, treatment_hold=hold, treatment_hold_reason=reason if hold else "")


def patient_contact_update(*, patient: Patient, email: str, phone: str) -> None:
    """The patient confirmed or corrected how to reach them (intake's first step).

    An email that another record with the same birth date already uses is left as it was: the
    two records are for front desk to merge, not for a form to collide.
    """
    try:
        with transaction.atomic():
            _save_fields(patient, email=email, phone=phone)
    except IntegrityError:
        _save_fields(patient, phone=phone)


# What front desk may change on the patient page: contact details and messaging consent (never the
# hold, which is clinical, nor the opt-outs, which are the patient's own).
FRONT_DESK_FIELDS = frozenset({"first_name", "last_name", "date_of_birth", "email", "phone", "preferred_channel",
                               "consent_email", "consent_sms"})  # fmt: skip


def patient_details_update(*, patient: Patient, details: dict[str, object]) -> None:
    """Front desk corrects a patient's details (the staff patient page's form, validated).

    Written through save(), so the change history records the signed-in user and what changed.
    Any other field is refused: the page's form must not become a way to lift a hold.
    """
    other = set(details) - FRONT_DESK_FIELDS
    if other:
        raise ValueError(f"Not front desk's to change: {', '.join(sorted(other))}")
    with transaction.atomic():
        _save_fields(patient, **details)


def patient_opt_out(*, patient: Patient, channel: str) -> None:
    """No more messages on this channel ("email" or "sms"), from now on, whatever is already queued."""
    field = {"email": "opted_out_email", "sms": "opted_out_sms"}[channel]
    _save_fields(patient, **{field: True})


def patient_anonymise(*, patient: Patient) -> None:
    """Erase what identifies the person (the right to erasure); the row stays, so appointments,
    the access log and the erasure's tombstone still point at something. Waitlist entries go."""
    WaitlistEntry.objects.filter(patient=patient).delete()
    ContactProposal.objects.filter(patient=patient).delete()  # names, emails and phones typed online
    _save_fields(
        patient,
        first_name="Erased",
        last_name=f"patient {patient.pk}",
        date_of_birth=ERASED_BIRTH_DATE,
        email=f"erased-{patient.pk}@erased.invalid",
        phone="",
        consent_email=False,
        consent_sms=False,
        consent_sms_at=None,
        consent_sms_source="",
        opted_out_email=True,
        opted_out_sms=True,
        treatment_hold=False,
        treatment_hold_reason="",
    )
