"""Writes of intake: drafts, submissions and screening, consent, decisions, follow-ups, access log.

Intake sits above bookings: it keeps the appointment's intake status and the patient's treatment
hold up to date through bookings' services, and bookings never imports intake.
"""

from datetime import date, datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from bookings.models import Appointment, AppointmentStatus, IntakeStatus, Patient
from bookings.services import appointment_intake_status_set, patient_treatment_hold_set
from medspa.http import client_ip

from .models import (
    AccessLog,
    Consent,
    ConsentText,
    Decision,
    FollowUp,
    IntakeDraft,
    MedicalHistory,
    ScreeningDecision,
    ScreeningHit,
)
from .screening import Hit, blocks_treatment, screen

FORM_VERSION = "2026-11"
URGENT_SYMPTOMS = (
    ("swallowing", "Trouble swallowing"),
    ("speaking", "Trouble speaking or a change in your voice"),
    ("breathing", "Trouble breathing"),
    ("neck-weakness", "Weakness in your neck"),
    ("vision", "Double or blurred vision"),
    ("general-weakness", "Weakness elsewhere in your body"),
)


class IntakeError(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def draft_for(appointment: Appointment) -> IntakeDraft:
    draft, _ = IntakeDraft.objects.get_or_create(appointment=appointment)
    return draft


def draft_save(*, appointment: Appointment, step: str, answers: dict) -> IntakeDraft:
    """Keep a step's answers; a patient who closes the tab finds them when they come back."""
    with transaction.atomic():
        draft, _ = IntakeDraft.objects.select_for_update().get_or_create(appointment=appointment)
        draft.answers = {**draft.answers, **answers}
        if step not in draft.steps_done:
            draft.steps_done = [*draft.steps_done, step]
        draft.save()
    return draft


def _last_toxin_treatment_here(patient: Patient, before: datetime) -> date | None:
    last = (
        Appointment.objects.filter(
            patient=patient, service__is_toxin_treatment=True, status=AppointmentStatus.COMPLETED, start__lt=before
        )
        .order_by("-start")
        .values_list("start", flat=True)
        .first()
    )
    return last.date() if last else None


def history_submit(
    *, appointment: Appointment, answers: dict, goals: dict, unchanged: bool, now: datetime
) -> tuple[MedicalHistory, list[Hit]]:
    """Store a new version of the patient's history, screen it and set the intake status and hold."""
    patient = appointment.patient
    hits = screen(
        answers,
        date_of_birth=patient.date_of_birth,
        visit_day=appointment.local_start.date(),
        last_toxin_here=_last_toxin_treatment_here(patient, appointment.start),
    )
    with transaction.atomic():
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
            submitted_at=now,
        )
        ScreeningHit.objects.bulk_create(
            ScreeningHit(history=history, code=hit.rule.code, severity=hit.rule.severity, detail=hit.detail)
            for hit in hits
        )
        appointment_intake_status_set(
            appointment=appointment, status=IntakeStatus.FLAGGED if hits else IntakeStatus.COMPLETE
        )
        if blocks_treatment(hits):
            codes = ", ".join(hit.rule.code for hit in hits if blocks_treatment([hit]))
            patient_treatment_hold_set(patient=patient, hold=True, reason=f"Screening {now:%Y-%m-%d}: {codes}")
    return history, hits


def history_previous(patient: Patient, *, now: datetime, within_days: int = 365) -> MedicalHistory | None:
    """The patient's latest history if it is recent enough to confirm instead of answering again."""
    return patient.medical_histories.filter(submitted_at__gte=now - timedelta(days=within_days)).first()


def consent_text_for(service) -> ConsentText | None:
    """The current consent text for a service: its own latest version, or the general one's."""
    own = ConsentText.objects.filter(service=service).order_by("-version").first()
    return own or ConsentText.objects.filter(service__isnull=True).order_by("-version").first()


def consent_current(patient: Patient, text: ConsentText) -> Consent | None:
    """A signature of exactly this text version, if the patient gave one."""
    return patient.consents.filter(text=text).first()


def consent_sign(
    *,
    appointment: Appointment,
    text: ConsentText,
    typed_name: str,
    signature_png: bytes,
    ip_address: str | None,
    user_agent: str,
    now: datetime,
) -> Consent:
    return Consent.objects.create(
        patient=appointment.patient,
        appointment=appointment,
        text=text,
        typed_name=typed_name,
        signature_png=signature_png,
        signed_at=now,
        ip_address=ip_address,
        user_agent=user_agent[:400],
    )


def screening_decide(
    *, appointment: Appointment, decision: Decision, note: str, actor: AbstractBaseUser, now: datetime
) -> ScreeningDecision:
    """An injector's decision: cleared lifts the flag and the hold; anything else keeps them."""
    history = appointment.patient.medical_histories.first()
    if history is None:
        raise IntakeError("There is no medical history to decide on yet.")
    with transaction.atomic():
        made = ScreeningDecision.objects.create(
            appointment=appointment, history=history, decision=decision, note=note, decided_by=actor, decided_at=now
        )
        if decision == Decision.CLEARED:
            appointment_intake_status_set(appointment=appointment, status=IntakeStatus.COMPLETE)
            patient_treatment_hold_set(patient=appointment.patient, hold=False)
        else:
            appointment_intake_status_set(appointment=appointment, status=IntakeStatus.FLAGGED)
            patient_treatment_hold_set(
                patient=appointment.patient, hold=True, reason=f"{Decision(decision).label} ({now:%Y-%m-%d})"
            )
    return made


def access_log_record(*, request: HttpRequest, patient: Patient, what: str, object_id: object = "") -> AccessLog:
    """Write down a read of health data. Every clinical read path calls this (charting too)."""
    return AccessLog.objects.create(
        actor=request.user,
        patient=patient,
        what=what,
        object_id=str(object_id),
        at=timezone.now(),
        ip_address=client_ip(request),
        path=request.get_full_path()[:300],
    )


def follow_up_submit(*, appointment: Appointment, answers: dict, now: datetime) -> FollowUp:
    """Keep the two-week answers; an urgent symptom alerts the clinic at once (no details by email)."""
    urgent = bool(set(answers.get("urgent", [])) & {code for code, _ in URGENT_SYMPTOMS})
    with transaction.atomic():
        follow_up = FollowUp.objects.create(appointment=appointment, answers=answers, urgent=urgent, submitted_at=now)
        if urgent:
            transaction.on_commit(lambda: _alert_enqueue(follow_up.pk), robust=True)
    return follow_up


def _alert_enqueue(follow_up_id: int) -> None:
    from .tasks import urgent_follow_up_alert

    urgent_follow_up_alert.delay(follow_up_id)


def follow_up_acknowledge(*, follow_up: FollowUp, actor: AbstractBaseUser, now: datetime) -> FollowUp:
    FollowUp.objects.filter(pk=follow_up.pk, acknowledged_at__isnull=True).update(acknowledged_by=actor,
                                                                                  acknowledged_at=now)  # fmt: skip
    follow_up.refresh_from_db()
    return follow_up


def intake_drafts_discard(*, patient: Patient) -> int:
    """Unsubmitted answers of a patient being erased: never a record to keep, so they go."""
    deleted, _ = IntakeDraft.objects.filter(appointment__patient=patient).delete()
    return deleted
