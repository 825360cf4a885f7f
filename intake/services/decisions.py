"""The injector's decision on a screening."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from bookings.models import Appointment, IntakeStatus
from bookings.services import appointment_intake_status_set, patient_treatment_hold_set

from ..models import Decision, ScreeningDecision
from ..screening import decision_refusal
from ..selectors import screening_histories
from .errors import IntakeError
from .readiness import treatment_ready_refresh


def screening_decide(
    *, appointment: Appointment, decision: Decision, note: str, actor: AbstractBaseUser, now: datetime
) -> ScreeningDecision:
    """An injector's decision on the appointment's latest history, under the rules per severity
    (`screening.decision_refusal`: an absolute hit is never cleared; clearing a defer hit and any
    decision on a review hit need a note). Refused decisions raise IntakeError with the field.

    Cleared lifts the flag and the hold; anything else keeps them. For an appointment whose link
    never proved it is the patient's, the decision is about that appointment's own (unverified)
    submission and leaves the patient's hold alone.
    """
    unverified = not appointment.identity_verified
    history = screening_histories(appointment).first()
    if history is None:
        raise IntakeError("There is no medical history to decide on yet.")
    cleared = decision == Decision.CLEARED
    severities = set(history.hits.values_list("severity", flat=True))
    refusal = decision_refusal(severities, clears=cleared, note=note)
    if refusal is not None:
        field, message = refusal
        raise IntakeError(message, field=field)
    with transaction.atomic():
        made = ScreeningDecision.objects.create(
            appointment=appointment, history=history, decision=decision, note=note, decided_by=actor, decided_at=now
        )
        appointment_intake_status_set(
            appointment=appointment, status=IntakeStatus.COMPLETE if cleared else IntakeStatus.FLAGGED
        )
        if not unverified:  # the hold is the patient's; an unproven submission neither sets nor lifts it
            if cleared:
                patient_treatment_hold_set(patient=appointment.patient, hold=False)
            else:
                patient_treatment_hold_set(
                    patient=appointment.patient, hold=True, reason=f"{Decision(decision).label} ({now:%Y-%m-%d})"
                )
        treatment_ready_refresh(appointment=appointment, now=now)
    return made
