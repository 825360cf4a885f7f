"""The patient's intake through the booking's link: answers kept step by step in a draft, then
submitted at the consent step as one change (contact details, history and screening, consent)."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from bookings.models import Appointment, Patient
from bookings.services import contact_proposal_record, patient_contact_update

from .. import signals
from ..models import Consent, IntakeDraft, MedicalHistory
from ..screening import Outcome, outcome_for
from ..selectors import consent_current, consent_text_for, history_outcome, history_submitted_here
from .consent import Signature, consent_record
from .errors import IntakeError
from .history import history_record
from .readiness import treatment_ready_refresh

# The steps of the link's pages; all but the last keep their answers in the draft.
STEPS = ("contact", "history", "goals", "consent")
ANSWER_STEPS = STEPS[:-1]


@dataclass(frozen=True)
class IntakeSubmitted:
    history: MedicalHistory
    consent: Consent | None  # None: the current text was signed already, there is none, or not new
    outcome: Outcome  # what the patient is told
    new: bool  # False: this link's intake was in already (a second tab, a double tap): nothing written


def draft_save(*, appointment: Appointment, step: str, answers: dict) -> IntakeDraft:
    """Keep a step's answers; a patient who closes the tab finds them when they come back."""
    with transaction.atomic():
        draft, _ = IntakeDraft.objects.select_for_update().get_or_create(appointment=appointment)
        draft.answers = {**draft.answers, **answers}
        if step not in draft.steps_done:
            draft.steps_done = [*draft.steps_done, step]
        draft.save()
    return draft


def _contact_keep(*, appointment: Appointment, contact: dict, now: datetime) -> None:
    """The contact step's details: onto the record through a proven link, else a proposal for front desk."""
    if appointment.identity_verified:
        patient_contact_update(patient=appointment.patient, email=contact["email"], phone=contact["phone"])
    else:
        contact_proposal_record(appointment=appointment, now=now, email=contact["email"], phone=contact["phone"])


def intake_submit(*, appointment: Appointment, signature: Signature | None, now: datetime) -> IntakeSubmitted:
    """Submit the draft's answers with the consent signature: all of it or none of it.

    In one transaction: the contact details (or a proposal), the history as the patient's next
    version with its screening, the intake status and the hold, the signature of the service's
    current consent text (unless this link's patient signed that version already, or there is no
    text), then the treatment gate. A failure anywhere leaves none of it written and the draft as
    it was, so the patient can send it again.

    Raises IntakeError when an answer step is not done or a signature is needed and missing.
    """
    with transaction.atomic():
        draft = IntakeDraft.objects.select_for_update().filter(appointment=appointment).first()
        earlier = history_submitted_here(appointment)
        if earlier is not None:  # the first submit holds the draft's lock until it commits
            return IntakeSubmitted(history=earlier, consent=None, outcome=history_outcome(earlier), new=False)
        done = draft.steps_done if draft is not None else []
        missing = [step for step in ANSWER_STEPS if step not in done]
        if missing:
            raise IntakeError("Please finish the earlier steps first.", field=missing[0])
        text = consent_text_for(appointment.service)
        # Never skipped on the strength of a signature given through another, proven link.
        signed = consent_current(appointment.patient, text) if text and appointment.identity_verified else None
        if text is not None and signed is None and signature is None:
            raise IntakeError("Please sign the consent.", field="signature")
        answers = draft.answers
        if answers.get("contact"):
            _contact_keep(appointment=appointment, contact=answers["contact"], now=now)
        history, hits = history_record(
            appointment=appointment,
            answers=answers.get("history", {}),
            goals=answers.get("goals", {}),
            unchanged=bool(answers.get("unchanged")),
            now=now,
        )
        consent = None
        if text is not None and signed is None and signature is not None:
            consent = consent_record(appointment=appointment, text=text, signature=signature, now=now)
        treatment_ready_refresh(appointment=appointment, now=now)
        signals.intake_completed.send(sender=Appointment, appointment=appointment, now=now)
    outcome = outcome_for(hit.rule.severity for hit in hits)
    return IntakeSubmitted(history=history, consent=consent, outcome=outcome, new=True)


def intake_drafts_discard(*, patient: Patient) -> int:
    """Unsubmitted answers of a patient being erased: never a record to keep, so they go."""
    deleted, _ = IntakeDraft.objects.filter(appointment__patient=patient).delete()
    return deleted
