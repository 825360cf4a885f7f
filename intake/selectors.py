"""Reads of intake for the clinical screens and the patient's own summary."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from bookings.models import BLOCKING_STATUSES, Appointment, AppointmentStatus, IntakeStatus, NotReady, Patient
from treatments.models import Service, TreatmentArea

from .models import (
    Consent,
    ConsentText,
    Decision,
    FollowUp,
    IntakeDraft,
    MedicalHistory,
    ScreeningDecision,
    ScreeningHit,
)
from .screening import RULES, Outcome, Severity, outcome_for

# What the patient chose for "which side looks stronger", in words for both sides of the counter.
SIDE_WORDS = {"left": "Left", "right": "Right", "both": "Both about the same", "unsure": "Not sure"}
# A patient may correct their answers until they are checked in; then they tell the injector in person.
CORRECTABLE_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED)
RECENTLY_REVIEWED_DAYS = 14


def _versions_for(appointment_ref) -> Subquery:
    return MedicalHistory.objects.filter(appointment=appointment_ref)


def review_queue(*, now: datetime, limit: int = 200) -> list[Appointment]:
    """Upcoming appointments that need an injector's eyes, flagged first, then soonest first. One query.

    Flagged intake, and answers the patient corrected after the last decision (or with none yet),
    come first; then intake not done yet. Each row carries `corrected`.
    """
    latest = _versions_for(OuterRef("pk")).order_by("-version").values("version")[:1]
    versions = _versions_for(OuterRef("pk")).order_by().values("appointment").annotate(n=Count("pk")).values("n")[:1]
    decided = (
        ScreeningDecision.objects.filter(appointment=OuterRef("pk"))
        .order_by("-history__version")
        .values("history__version")[:1]
    )
    corrected = Q(versions__gt=1, latest_version__gt=Coalesce("decided_version", Value(0)))
    return list(
        Appointment.objects.filter(start__gte=now, status__in=BLOCKING_STATUSES)
        .annotate(
            latest_version=Subquery(latest, output_field=IntegerField()),
            versions=Coalesce(Subquery(versions, output_field=IntegerField()), Value(0)),
            decided_version=Subquery(decided, output_field=IntegerField()),
        )
        .annotate(
            corrected=Case(When(corrected, then=Value(True)), default=Value(False)),
            rank=Case(When(Q(intake_status=IntakeStatus.FLAGGED) | corrected, then=Value(0)), default=Value(1)),
        )
        .filter(Q(intake_status__in=[IntakeStatus.FLAGGED, IntakeStatus.NOT_STARTED]) | corrected)
        .select_related("patient", "service", "provider__user", "location")
        .order_by("rank", "start")[:limit]
    )


def recently_reviewed(
    *, now: datetime, days: int = RECENTLY_REVIEWED_DAYS, limit: int = 100
) -> list[ScreeningDecision]:
    """The latest decision on each appointment decided in the last `days`, newest first.

    Cleared patients leave the queue; this keeps their answers one click away.
    """
    decisions = (
        ScreeningDecision.objects.filter(decided_at__gte=now - timedelta(days=days))
        .select_related("decided_by", "history", "appointment__patient", "appointment__service")
        .select_related("appointment__provider__user", "appointment__location")
        .order_by("-decided_at", "-pk")
    )
    latest, seen = [], set()
    for decision in decisions[: limit * 4]:
        if decision.appointment_id not in seen:
            seen.add(decision.appointment_id)
            latest.append(decision)
    return latest[:limit]


def _label(value: object) -> str:
    return {"yes": "Yes", "no": "No", "": "—", None: "—"}.get(value, str(value))  # type: ignore[arg-type]


def _detail_words(follow_up, value: object) -> str:
    """A follow-up answer as the patient would say it: the product's name, a date in words."""
    if value in (None, ""):
        return "—"
    if follow_up.kind == "choice":
        return dict(follow_up.choices).get(value, str(value))
    if follow_up.kind == "date":
        try:
            return f"{date.fromisoformat(str(value)):%B %-d, %Y}"
        except ValueError:
            return str(value)
    return str(value)


def history_diff(previous: MedicalHistory | None, current: MedicalHistory) -> list[dict]:
    """Each question with the answer now and, when given, before; `changed` marks the differences.

    With no previous version, every answer is listed (the review page's table).
    """
    rows = []
    for rule in RULES:
        keys = [rule.code, *(f"{rule.code}.{f.name}" for f in rule.follow_ups)]
        now = [current.answers.get(key, "") for key in keys]
        before = [previous.answers.get(key, "") for key in keys] if previous else None
        if previous is not None and now == before:
            continue
        details = [f"{f.label} {_detail_words(f, current.answers.get(f'{rule.code}.{f.name}'))}"
                   for f in rule.follow_ups if current.answers.get(rule.code) == "yes"]  # fmt: skip
        rows.append({
            "code": rule.code,
            "question": rule.question,
            "answer": _label(current.answers.get(rule.code)),
            "details": details,
            "before": _label(previous.answers.get(rule.code)) if previous else None,
            "changed": previous is not None,
        })  # fmt: skip
    return rows


def goal_area_names(slugs: list[str]) -> list[str]:
    """The areas' names in the order the patient chose them; a retired area keeps its slug. One query."""
    names = dict(TreatmentArea.objects.filter(slug__in=slugs).values_list("slug", "name"))
    return [names.get(slug, slug) for slug in slugs]


def goals_in_words(goals: dict) -> dict:
    """A history's goals for reading: area names, the stronger side in words, the notes."""
    return {
        "areas": goal_area_names(list(goals.get("areas") or [])),
        "stronger_side": SIDE_WORDS.get(goals.get("stronger_side") or "", goals.get("stronger_side") or ""),
        "notes": goals.get("notes") or "",
    }


# The patient's side: what a signed intake link may show.


def draft_for(appointment: Appointment) -> IntakeDraft:
    """The answers kept so far, or an empty (unsaved) draft: reading never writes one
    (`services.draft_save` does, with the first step)."""
    return IntakeDraft.objects.filter(appointment=appointment).first() or IntakeDraft(appointment=appointment)


def history_submitted_here(appointment: Appointment) -> MedicalHistory | None:
    """The latest history submitted through this appointment's link, whoever's it turns out to be."""
    return MedicalHistory.objects.filter(appointment=appointment).order_by("-version").first()


def history_outcome(history: MedicalHistory) -> Outcome:
    """What the patient is told about this history's screening."""
    return outcome_for(hit.severity for hit in history.hits.all())


def history_current(patient: Patient) -> MedicalHistory | None:
    """The patient's own latest history: unverified submissions never count."""
    return patient.medical_histories.filter(unverified=False).first()


def history_previous(patient: Patient, *, now: datetime, within_days: int = 365) -> MedicalHistory | None:
    """The patient's latest history if it is recent enough to confirm instead of answering again."""
    since = now - timedelta(days=within_days)
    return patient.medical_histories.filter(unverified=False, submitted_at__gte=since).first()


def last_toxin_treatment_here(patient: Patient, before: datetime) -> date | None:
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


def consent_text_for(service: Service) -> ConsentText | None:
    """The current consent text for a service: its own latest version, or the general one's."""
    own = ConsentText.objects.filter(service=service).order_by("-version").first()
    return own or ConsentText.objects.filter(service__isnull=True).order_by("-version").first()


def consent_current(patient: Patient, text: ConsentText) -> Consent | None:
    """A signature of exactly this text version, if the patient gave one (through a proven link)."""
    return patient.consents.filter(text=text, unverified=False).first()


def follow_up_received(appointment: Appointment) -> bool:
    return FollowUp.objects.filter(appointment=appointment).exists()


def link_identity_verified(appointment: Appointment) -> bool:
    """Whether the person holding this appointment's link has proved they are the patient on file.

    The one place that decides it: an online booking that matched an existing patient by email and
    date of birth is unverified (`identity_verified` False) until they prove control of the contact
    details on file, and until then its link shows nothing submitted through any other link.
    """
    return appointment.identity_verified


def history_visible_to_link(appointment: Appointment) -> MedicalHistory | None:
    """The history an intake link shows and corrects: the patient's current one when the link's
    appointment is verified, otherwise only what was submitted through this appointment's link."""
    if link_identity_verified(appointment):  # the patient's own: unverified submissions never count
        return MedicalHistory.objects.filter(patient=appointment.patient, unverified=False).order_by("-version").first()
    return MedicalHistory.objects.filter(appointment=appointment).order_by("-version").first()


def consent_visible_to_link(appointment: Appointment, text: ConsentText | None) -> Consent | None:
    """The patient's signature of this text version, under the same rule as the history."""
    if text is None:
        return None
    consents = Consent.objects.filter(patient=appointment.patient, text=text).select_related("text")
    if link_identity_verified(appointment):
        consents = consents.filter(unverified=False)
    else:
        consents = consents.filter(appointment=appointment)
    return consents.order_by("-signed_at").first()


def history_correctable(appointment: Appointment) -> bool:
    return appointment.status in CORRECTABLE_STATUSES


def urgent_follow_ups() -> list[FollowUp]:
    """Urgent follow-ups nobody has handled yet, newest first. One query."""
    return list(
        FollowUp.objects.filter(urgent=True, acknowledged_at__isnull=True)
        .select_related("appointment__patient", "appointment__service", "appointment__location")
        .order_by("-submitted_at")
    )


def screening_histories(appointment: Appointment) -> QuerySet[MedicalHistory]:
    """The versions an appointment's screening reads: the patient's own once its link is proven,
    otherwise only what was submitted through this appointment (newest first)."""
    if link_identity_verified(appointment):
        return MedicalHistory.objects.filter(patient_id=appointment.patient_id, unverified=False).order_by("-version")
    return MedicalHistory.objects.filter(appointment=appointment).order_by("-version")


@dataclass(frozen=True)
class TreatmentGate:
    """Whether a toxin treatment record may be started for an appointment, and if not, why.

    `reasons` are for staff and carry no clinical detail ("Medical history not finished",
    "Screening needs the injector's decision"): front desk sees them beside "Not ready for treatment".
    """

    ready: bool
    reasons: tuple[str, ...] = ()


def treatment_gate(appointment: Appointment) -> TreatmentGate:
    """Intake complete, consent to the service's current text signed, no screening hit unresolved,
    and the patient not on treatment hold. Three queries, whatever the history.

    - Intake is complete when a history was submitted for this appointment.
    - The hits are those of the latest history the appointment's screening reads. An absolute hit is
      never resolved; defer and review hits (and any submission through an unproven link) are
      resolved only by a "cleared" decision on this appointment about that very version, so a
      later correction needs a new decision.
    - Consent counts for the current text version only, under the link's rule (an unproven link's
      signature counts for its own appointment only).
    """
    decided = ScreeningDecision.objects.filter(appointment=appointment.pk, history=OuterRef("pk"),
                                               decision=Decision.CLEARED)  # fmt: skip
    hits = ScreeningHit.objects.filter(history=OuterRef("pk"))
    history = (
        screening_histories(appointment)
        .annotate(
            absolute=Exists(hits.filter(severity=Severity.ABSOLUTE)),
            to_decide=Exists(hits.exclude(severity=Severity.ABSOLUTE)),
            cleared=Exists(decided),
            submitted_here=Exists(MedicalHistory.objects.filter(appointment=appointment.pk)),
        )
        .first()
    )
    hold = Patient.objects.filter(pk=appointment.patient_id).values_list("treatment_hold", flat=True).first()
    signatures = Consent.objects.filter(patient_id=appointment.patient_id, text=OuterRef("pk"))
    if link_identity_verified(appointment):
        signatures = signatures.filter(unverified=False)
    else:
        signatures = signatures.filter(appointment=appointment.pk)
    text = (
        ConsentText.objects.filter(Q(service_id=appointment.service_id) | Q(service__isnull=True))
        .annotate(own=Case(When(service_id=appointment.service_id, then=Value(1)), default=Value(0)),
                  signed=Exists(signatures))
        .order_by("-own", "-version")
        .first()
    )  # fmt: skip
    reasons = []
    if history is None or not history.submitted_here:
        reasons.append(NotReady.HISTORY.label)
    elif history.absolute:
        reasons.append(NotReady.NOT_TO_TREAT.label)
    elif (history.to_decide or not link_identity_verified(appointment)) and not history.cleared:
        reasons.append(NotReady.SCREENING.label)
    if text is None or not text.signed:
        reasons.append(NotReady.CONSENT.label)
    if hold and NotReady.NOT_TO_TREAT.label not in reasons and NotReady.SCREENING.label not in reasons:
        reasons.append(NotReady.HOLD.label)
    return TreatmentGate(ready=not reasons, reasons=tuple(reasons))


def not_ready_code(gate: TreatmentGate) -> NotReady:
    """The gate's first reason as the code the front office keeps."""
    return NotReady(next(code for code, label in NotReady.choices if label == gate.reasons[0])) if gate.reasons \
        else NotReady.NONE  # fmt: skip


ALBUMIN, MILK = "albumin", "milk"
ALLERGIES_BY_CHOICE = {"albumin": {ALBUMIN}, "milk": {MILK}}  # "both", "unsure" or no choice: both


def _allergies(history: MedicalHistory | None) -> set[str]:
    if history is None or history.answers.get("albumin-milk-allergy") != "yes":
        return set()
    return set(ALLERGIES_BY_CHOICE.get(history.answers.get("albumin-milk-allergy.which") or "", {ALBUMIN, MILK}))


def product_allergies(appointment: Appointment) -> frozenset[str]:
    """The allergies that rule products out, from the history the appointment's screening uses:
    "albumin" (every product with human albumin: all but Daxxify) and "milk" (Dysport).

    "Both" and "not sure" count as both, and so does a yes from before the form asked which. For an
    appointment whose link is unproven, the patient's own latest history counts too: refusing a
    product needlessly is safe, injecting an allergen is not.
    """
    found = _allergies(screening_histories(appointment).first())
    if not link_identity_verified(appointment):
        own = MedicalHistory.objects.filter(patient_id=appointment.patient_id, unverified=False)
        found |= _allergies(own.order_by("-version").first())
    return frozenset(found)
