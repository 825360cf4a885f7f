"""The clinical side: the injector's review queue and review page, urgent follow-ups, the access log.

Answers are for clinical staff (the bookings.view_clinical permission: injectors and managers);
front desk gets 403 here and sees only the intake badge. Every read of answers is logged.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from bookings.models import Appointment
from bookings.views.access import require, staff_required
from medspa.exports import csv_response

from ..forms import DecisionForm
from ..models import AccessLog, FollowUp
from ..screening import rule_for
from ..selectors import history_diff, review_queue, urgent_follow_ups
from ..services import (
    IntakeError,
    access_log_record,
    consent_current,
    consent_text_for,
    follow_up_acknowledge,
    screening_decide,
)

CLINICAL = "bookings.view_clinical"


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    require(request, CLINICAL)
    return render(request, "intake/staff/queue.html", {"appointments": review_queue(now=timezone.now())})


@staff_required
def review(request: HttpRequest, reference: str) -> HttpResponse:
    require(request, CLINICAL)
    appointment = get_object_or_404(
        Appointment.objects.select_related("patient", "service", "provider__user", "location"), reference=reference
    )
    patient = appointment.patient
    histories = list(patient.medical_histories.prefetch_related("hits")[:2])
    current = histories[0] if histories else None
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            screening_decide(appointment=appointment, decision=form.cleaned_data["decision"],
                             note=form.cleaned_data["note"], actor=request.user, now=timezone.now())  # fmt: skip
        except IntakeError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, f"Decision recorded for {patient.full_name}.")
            return redirect("intake:queue")
    if current is not None:
        access_log_record(request=request, patient=patient, what="medical history", object_id=current.pk)
    text = consent_text_for(appointment.service)
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
            "consent": consent_current(patient, text) if text else None,
            "consent_text": text,
            "decisions": appointment.screening_decisions.select_related("decided_by"),
            "form": form,
        },
    )


@staff_required
def follow_ups(request: HttpRequest) -> HttpResponse:
    """Urgent follow-ups: everyone on staff sees who to call; clinical staff see the answers."""
    if request.method == "POST":
        follow_up = get_object_or_404(FollowUp, pk=request.POST.get("acknowledge"))
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
