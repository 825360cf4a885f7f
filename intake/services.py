"""Writes of intake: drafts, submissions and screening, consent, decisions, follow-ups, access log.

Intake sits above bookings: it keeps the appointment's intake status and the patient's treatment
hold up to date through bookings' services, and bookings never imports intake.
"""

import ipaddress
from datetime import date, datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from bookings.models import Appointment, AppointmentStatus, IntakeStatus, Patient
from bookings.services import (
    appointment_intake_status_set,
    appointment_treatment_ready_set,
    patient_treatment_hold_set,
)
from medspa.http import client_ip
from medspa.middleware import CONTROL_CHARACTERS

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
from .screening import Hit, blocks_treatment, decision_refusal, rule_for, screen
from .selectors import not_ready_code, screening_histories, treatment_gate
from .signals import follow_up_urgent

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
    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field  # the form field the message belongs to, when there is one


# Appointments whose readiness for treatment can still matter (an in-progress visit counts).
READY_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED, AppointmentStatus.CHECKED_IN)


def _ready_refresh(appointments: QuerySet[Appointment], *, now: datetime) -> int:
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
    return _ready_refresh(Appointment.objects.all(), now=now)


def treatment_ready_refresh(*, appointment: Appointment, now: datetime) -> None:
    """After anything that may change the gate for this appointment's patient (a history, a
    consent, a decision, the hold, a proven identity): every upcoming appointment of theirs."""
    _ready_refresh(Appointment.objects.filter(Q(pk=appointment.pk) | Q(patient_id=appointment.patient_id)), now=now)


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
    """A completed toxin treatment, or any visit where units were charted (a review's top-up)."""
    last = (
        Appointment.objects.filter(
            Q(service__is_toxin_treatment=True, status=AppointmentStatus.COMPLETED) | Q(toxin_given=True),
            patient=patient,
            start__lt=before,
        )
        .order_by("-start")
        .values_list("start", flat=True)
        .first()
    )
    return last.date() if last else None


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
        last_toxin_here=None if unverified else _last_toxin_treatment_here(patient, appointment.start),
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


def history_submit(
    *, appointment: Appointment, answers: dict, goals: dict, unchanged: bool, now: datetime
) -> tuple[MedicalHistory, list[Hit]]:
    """Store a new version of the patient's history, screen it and set the intake status and hold."""
    unverified = not appointment.identity_verified
    with transaction.atomic():
        history, hits = _history_store(appointment=appointment, answers=answers, goals=goals, unchanged=unchanged,
                                       now=now)  # fmt: skip
        # An injector looks at every unverified submission before the visit, hits or not.
        appointment_intake_status_set(
            appointment=appointment, status=IntakeStatus.FLAGGED if hits or unverified else IntakeStatus.COMPLETE
        )
        _hold_for(appointment=appointment, hits=hits, now=now)
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
    from .selectors import history_correctable, history_visible_to_link

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


def history_current(patient: Patient) -> MedicalHistory | None:
    """The patient's own latest history: unverified submissions never count."""
    return patient.medical_histories.filter(unverified=False).first()


def history_previous(patient: Patient, *, now: datetime, within_days: int = 365) -> MedicalHistory | None:
    """The patient's latest history if it is recent enough to confirm instead of answering again."""
    since = now - timedelta(days=within_days)
    return patient.medical_histories.filter(unverified=False, submitted_at__gte=since).first()


def consent_text_for(service) -> ConsentText | None:
    """The current consent text for a service: its own latest version, or the general one's."""
    own = ConsentText.objects.filter(service=service).order_by("-version").first()
    return own or ConsentText.objects.filter(service__isnull=True).order_by("-version").first()


def consent_current(patient: Patient, text: ConsentText) -> Consent | None:
    """A signature of exactly this text version, if the patient gave one (through a proven link)."""
    return patient.consents.filter(text=text, unverified=False).first()


def ip_address_or_none(value: str | None) -> str | None:
    """An address fit for the audit record, or None: a header can carry anything (a script tag,
    say), and SQLite stores whatever a GenericIPAddressField is given."""
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


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
    with transaction.atomic():
        consent = Consent.objects.create(
            patient=appointment.patient,
            appointment=appointment,
            text=text,
            typed_name=typed_name,
            signature_png=signature_png,
            signed_at=now,
            ip_address=ip_address_or_none(ip_address),
            user_agent=CONTROL_CHARACTERS.sub("", user_agent)[:400],
            unverified=not appointment.identity_verified,
        )
        treatment_ready_refresh(appointment=appointment, now=now)
    return consent


def consent_text_publish(*, service, title: str, body: str, now: datetime) -> ConsentText:
    """A new version of a consent text (for one service, or the general one). Signatures of older
    versions stop counting, so every upcoming appointment that uses it is not ready until signed again."""
    with transaction.atomic():
        latest = ConsentText.objects.filter(service=service).aggregate(v=Max("version"))["v"] or 0
        text = ConsentText.objects.create(service=service, version=latest + 1, title=title, body=body)
        if service is not None:
            affected = Appointment.objects.filter(service=service)
        else:  # the general text: every service without its own
            own = ConsentText.objects.filter(service__isnull=False).values("service")
            affected = Appointment.objects.exclude(service__in=own)
        _ready_refresh(affected, now=now)
    return text


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


def access_log_record(*, request: HttpRequest, patient: Patient, what: str, object_id: object = "") -> AccessLog:
    """Write down a read of health data. Every clinical read path calls this (charting too)."""
    return AccessLog.objects.create(
        actor=request.user,
        patient=patient,
        what=what,
        object_id=str(object_id),
        at=timezone.now(),
        ip_address=ip_address_or_none(client_ip(request)),
        path=request.get_full_path()[:300],
    )


def follow_up_submit(*, appointment: Appointment, answers: dict, now: datetime) -> tuple[FollowUp, bool]:
    """Keep the two-week answers once; an urgent symptom alerts the clinic at once (no details by email).

    Returns the follow-up and whether it is new: a second submission keeps the first and alerts no one.
    """
    urgent = bool(set(answers.get("urgent", [])) & {code for code, _ in URGENT_SYMPTOMS})
    with transaction.atomic():
        Appointment.objects.select_for_update().get(pk=appointment.pk)  # one submission at a time
        earlier = FollowUp.objects.filter(appointment=appointment).order_by("submitted_at", "pk").first()
        if earlier is not None:
            return earlier, False
        alerted = now if urgent else None
        follow_up = FollowUp.objects.create(
            appointment=appointment, answers=answers, urgent=urgent, submitted_at=now, alert_sent_at=alerted
        )
        if urgent:
            # Reminders writes the clinic's alert into the outbox in this transaction (no details in it).
            follow_up_urgent.send(sender=FollowUp, follow_up=follow_up, now=now)
    return follow_up, True


def follow_up_received(appointment: Appointment) -> bool:
    return FollowUp.objects.filter(appointment=appointment).exists()


def follow_up_acknowledge(*, follow_up: FollowUp, actor: AbstractBaseUser, now: datetime) -> FollowUp:
    FollowUp.objects.filter(pk=follow_up.pk, acknowledged_at__isnull=True).update(acknowledged_by=actor,
                                                                                  acknowledged_at=now)  # fmt: skip
    follow_up.refresh_from_db()
    return follow_up


def intake_drafts_discard(*, patient: Patient) -> int:
    """Unsubmitted answers of a patient being erased: never a record to keep, so they go."""
    deleted, _ = IntakeDraft.objects.filter(appointment__patient=patient).delete()
    return deleted
