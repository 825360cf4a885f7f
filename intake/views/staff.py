"""The clinical side: the injector's review queue and review page, urgent follow-ups, the access log.

Answers are for clinical staff (the bookings.view_clinical permission: injectors and managers);
front desk gets 403 here and sees only the intake badge. Every read of answers is logged.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from bookings.models import Appointment, Patient
from medspa.exports import csv_response
from medspa.staff import object_or_404, require, staff_required

from ..forms import DecisionForm
from ..models import AccessLog, Consent, FollowUp, MedicalHistory
from ..screening import rule_for
from ..selectors import (
    consent_current,
    consent_text_for,
    goals_in_words,
    history_diff,
    recently_reviewed,
    review_queue,
    treatment_gate,
    urgent_follow_ups,
)
from ..services import (
    IntakeError,
    access_log_record,
    follow_up_acknowledge,
    screening_decide,
)

CLINICAL = "bookings.view_clinical"


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    require(request, CLINICAL)
    now = timezone.now()
    return render(
        request,
        "intake/staff/queue.html",
        {"appointments": review_queue(now=now), "reviewed": recently_reviewed(now=now)},
    )


@never_cache
@staff_required
def review(request: HttpRequest, reference: str) -> HttpResponse:
    require(request, CLINICAL)
    appointment = get_object_or_404(
        Appointment.objects.select_related("patient", "service", "provider__user", "location"), reference=reference
    )
    patient = appointment.patient
    # The patient's own histories; a submission through an unproven link is shown apart, labelled.
    histories = list(patient.medical_histories.filter(unverified=False).prefetch_related("hits")[:2])
    unverified = (
        MedicalHistory.objects.filter(appointment=appointment, unverified=True)
        .prefetch_related("hits")
        .order_by("-version")
        .first()
    )
    current = histories[0] if histories else None
    decided = current if appointment.identity_verified else unverified  # what a decision is about
    severities = {hit.severity for hit in decided.hits.all()} if decided else set()
    form = DecisionForm(request.POST or None, severities=severities)
    if request.method == "POST" and form.is_valid():
        try:
            screening_decide(appointment=appointment, decision=form.cleaned_data["decision"],
                             note=form.cleaned_data["note"], actor=request.user, now=timezone.now())  # fmt: skip
        except IntakeError as exc:
            if exc.field:
                form.add_error(exc.field, exc.detail)
            else:
                messages.error(request, exc.detail)
        else:
            messages.success(request, f"Decision recorded for {patient.full_name}.")
            return redirect("intake:queue")
    if current is not None:
        access_log_record(request=request, patient=patient, what="medical history", object_id=current.pk)
    if unverified is not None:
        access_log_record(request=request, patient=patient, what="medical history", object_id=unverified.pk)
    text = consent_text_for(appointment.service)
    if appointment.identity_verified:
        consent = consent_current(patient, text) if text else None
    else:
        consent = Consent.objects.filter(appointment=appointment, text=text).first() if text else None
    return render(
        request,
        "intake/staff/review.html",
        {
            "appointment": appointment,
            "history": current,
            "hits": [(hit, rule_for(hit.code)) for hit in current.hits.all()] if current else [],
            "previous": histories[1] if len(histories) > 1 else None,
            "diff": history_diff(histories[1], current) if len(histories) > 1 else [],
            "rows": current and history_diff(None, current),
            "goals": goals_in_words(current.goals) if current else None,
            "consent": consent,
            "unverified": unverified,
            "unverified_hits": [(hit, rule_for(hit.code)) for hit in unverified.hits.all()] if unverified else [],
            "unverified_rows": unverified and history_diff(None, unverified),
            "consent_text": text,
            "decisions": appointment.screening_decisions.select_related("decided_by"),
            "gate": treatment_gate(appointment),
            "form": form,
        },
    )


@never_cache
@staff_required
def patient_answers(request: HttpRequest, pk: int) -> HttpResponse:
    """Every version a patient submitted, newest first, and every consent they signed (from the profile)."""
    require(request, CLINICAL)
    patient = get_object_or_404(Patient, pk=pk)
    histories = list(
        patient.medical_histories.select_related("appointment__service", "appointment__location").prefetch_related(
            "hits"
        )
    )
    current = histories[0] if histories else None
    if current is not None:
        access_log_record(request=request, patient=patient, what="medical history", object_id=current.pk)
    return render(
        request,
        "intake/staff/patient_answers.html",
        {
            "patient": patient,
            "history": current,
            "histories": histories,
            "hits": [(hit, rule_for(hit.code)) for hit in current.hits.all()] if current else [],
            "rows": current and history_diff(None, current),
            "goals": goals_in_words(current.goals) if current else None,
            "consents": patient.consents.select_related("text", "appointment__location"),
        },
    )


@never_cache
@staff_required
def consent_signature(request: HttpRequest, pk: int) -> HttpResponse:
    """The drawn signature of a consent: clinical staff only, logged, never kept in a cache (never_cache)."""
    require(request, CLINICAL)
    consent = get_object_or_404(Consent.objects.select_related("patient"), pk=pk)
    access_log_record(request=request, patient=consent.patient, what="consent signature", object_id=consent.pk)
    response = HttpResponse(bytes(consent.signature_png), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="signature-{consent.pk}.png"'
    return response


@staff_required
def follow_ups(request: HttpRequest) -> HttpResponse:
    """Urgent follow-ups: everyone on staff sees who to call; clinical staff see the answers."""
    if request.method == "POST":
        follow_up = object_or_404(FollowUp.objects.all(), request.POST.get("acknowledge"))
        follow_up_acknowledge(follow_up=follow_up, actor=request.user, now=timezone.now())
        messages.success(request, "Marked as handled.")
        return redirect("intake:follow-ups")
    clinical = request.user.has_perm(CLINICAL)
    items = urgent_follow_ups()
    if clinical:
        for item in items:
            access_log_record(request=request, patient=item.appointment.patient, what="follow-up", object_id=item.pk)
    return render(request, "intake/staff/follow_ups.html", {"items": items, "clinical": clinical})


@staff_required
def access_log(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("intake.export_accesslog"):
        raise PermissionDenied
    entries = AccessLog.objects.select_related("actor", "patient").order_by("-at")
    if request.GET.get("format") == "csv":
        return csv_response(
            "access-log.csv",
            ["at (UTC)", "staff", "patient id", "patient", "what", "record", "ip", "path"],
            ([e.at.isoformat(), e.actor.get_username(), e.patient_id, e.patient.full_name, e.what,
              e.object_id, e.ip_address or "", e.path] for e in entries.iterator()),
        )  # fmt: skip
    return render(request, "intake/staff/access_log.html", {"entries": entries[:500]})
