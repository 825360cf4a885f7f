"""The medical history: versions, their screening, the intake status and the patient's hold."""

from datetime import datetime

from django.db import transaction
from django.db.models import Max

from bookings.models import Appointment, IntakeStatus, Patient
from bookings.services import appointment_intake_status_set, patient_treatment_hold_set

from ..models import Consent, MedicalHistory, ScreeningHit
from ..screening import Hit, blocks_treatment, rule_for, screen
from ..selectors import history_correctable, history_visible_to_link, last_toxin_treatment_here
from .errors import IntakeError
from .readiness import treatment_ready_refresh

FORM_VERSION = "2026-11"


def _history_store(
    *, appointment: Appointment, answers: dict, goals: dict, unchanged: bool, now: datetime
) -> tuple[MedicalHistory, list[Hit]]:
    """Screen the answers and keep them as the patient's next version, with its hits. In a transaction.

    Through a link that has not proved it is the patient's, the answers are kept as an unverified
    submission: screened and flagged for the injector, but they change nothing of the patient's
    (no hold, not their current history).
    """
    patient = appointment.patient
    unverified = not appointment.identity_verified
    hits = screen(
        answers,
        date_of_birth=patient.date_of_birth,
        visit_day=appointment.local_start.date(),
        # Our own records are the patient's: an unproven link's outcome page must not reflect them.
        last_toxin_here=None if unverified else last_toxin_treatment_here(patient, appointment.start),
    )
    Patient.objects.select_for_update().get(pk=patient.pk)  # one version number at a time
    version = (patient.medical_histories.aggregate(v=Max("version"))["v"] or 0) + 1
    history = MedicalHistory.objects.create(
        patient=patient,
        appointment=appointment,
        version=version,
        form_version=FORM_VERSION,
        answers=answers,
        goals=goals,
        confirmed_unchanged=unchanged,
        unverified=unverified,
        submitted_at=now,
    )
    ScreeningHit.objects.bulk_create(
        ScreeningHit(history=history, code=hit.rule.code, severity=hit.rule.severity, detail=hit.detail) for hit in hits
    )
    return history, hits


def _hold_for(*, appointment: Appointment, hits: list[Hit], now: datetime) -> None:
    """Blocking hits hold treatment; answers from a link that has not proved it is the patient's never do."""
    if blocks_treatment(hits) and appointment.identity_verified:
        codes = ", ".join(hit.rule.code for hit in hits if blocks_treatment([hit]))
        patient_treatment_hold_set(patient=appointment.patient, hold=True, reason=f"Screening {now:%Y-%m-%d}: {codes}")


def history_record(
    *, appointment: Appointment, answers: dict, goals: dict, unchanged: bool, now: datetime
) -> tuple[MedicalHistory, list[Hit]]:
    """Store a new version, screen it and set the intake status and hold. In the caller's
    transaction; refreshing the treatment gate is the caller's (once, after everything it writes)."""
    history, hits = _history_store(appointment=appointment, answers=answers, goals=goals, unchanged=unchanged,
                                   now=now)  # fmt: skip
    # An injector looks at every unverified submission before the visit, hits or not.
    unverified = not appointment.identity_verified
    appointment_intake_status_set(
        appointment=appointment, status=IntakeStatus.FLAGGED if hits or unverified else IntakeStatus.COMPLETE
    )
    _hold_for(appointment=appointment, hits=hits, now=now)
    return history, hits


def history_submit(
    *, appointment: Appointment, answers: dict, goals: dict, unchanged: bool, now: datetime
) -> tuple[MedicalHistory, list[Hit]]:
    """A history on its own (the patient's intake goes through `intake_submit`, with consent)."""
    with transaction.atomic():
        history, hits = history_record(appointment=appointment, answers=answers, goals=goals, unchanged=unchanged,
                                       now=now)  # fmt: skip
        treatment_ready_refresh(appointment=appointment, now=now)
    return history, hits


def history_correct(
    *, appointment: Appointment, answers: dict, goals: dict, now: datetime
) -> tuple[MedicalHistory, bool]:
    """The patient corrects what they submitted: a new version for the injector; returns it and
    whether it needs review again.

    Screening runs again. When its hits change (a new yes, a yes withdrawn, different details) the
    appointment is flagged for the injector; otherwise the status stays as the injector left it and
    the queue lists the correction until someone decides on it. New blocking hits set the hold;
    a patient's correction never lifts one (only an injector's decision does).
    """
    if not history_correctable(appointment):
        raise IntakeError("Your answers can't be changed online any more: please tell your injector at the visit.")
    with transaction.atomic():
        before = history_visible_to_link(appointment)
        before_hits = {(h.code, h.detail) for h in before.hits.all()} if before else set()
        history, hits = _history_store(appointment=appointment, answers=answers, goals=goals, unchanged=False,
                                       now=now)  # fmt: skip
        changed = {(hit.rule.code, hit.detail) for hit in hits} != before_hits
        if changed:
            appointment_intake_status_set(appointment=appointment, status=IntakeStatus.FLAGGED)
            _hold_for(appointment=appointment, hits=hits, now=now)
        treatment_ready_refresh(appointment=appointment, now=now)  # a new version needs a new decision
    return history, changed


def intake_identity_verified(*, appointment: Appointment, now: datetime) -> None:
    """The link's holder proved they are the patient: what they submitted through it is theirs.

    Their answers and consent stop being an unverified submission (so the review, the done page and
    the next visit see them), and blocking hits now hold treatment as any patient's would.
    """
    with transaction.atomic():
        MedicalHistory.objects.filter(appointment=appointment, unverified=True).update(unverified=False)
        # The flag says who signed, not what was signed: the signature itself stays as it was.
        Consent.objects.filter(appointment=appointment, unverified=True).update(unverified=False)
        latest = MedicalHistory.objects.filter(appointment=appointment).order_by("-version").first()
        if latest is not None:
            rules = [(rule_for(hit.code), hit.detail) for hit in latest.hits.all()]
            _hold_for(appointment=appointment, hits=[Hit(rule, detail) for rule, detail in rules if rule], now=now)
        treatment_ready_refresh(appointment=appointment, now=now)
