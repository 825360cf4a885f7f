"""The message log and outbox for staff; the opt-out page and the SMS provider's inbound webhook."""

import base64
import hashlib
import hmac

from django.conf import settings
from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bookings.models import Patient
from bookings.services import patient_opt_out
from bookings.tokens import ManageLinkExpired, ManageLinkInvalid
from medspa.staff import back, require, staff_required

from .models import KIND_LABELS, Message, MessageState
from .services import message_resend
from .tokens import opt_out_from_token

STOP_WORDS = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit"}


@staff_required
def patient_messages(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "bookings.view_patient")
    patient = get_object_or_404(Patient, pk=pk)
    log = Message.objects.filter(patient=patient).select_related("appointment__location").order_by("-due_at")[:300]
    return render(
        request,
        "reminders/staff/patient_messages.html",
        {"patient": patient, "log": log, "in_doubt_before": _in_doubt_before()},
    )


IN_DOUBT = "in-doubt"  # not a state of its own: "sending" for longer than MESSAGE_IN_DOUBT_AFTER


def _in_doubt_before():
    """A message still "sending" that was taken before this moment is in doubt: its sender stopped mid-send."""
    return timezone.now() - settings.MESSAGE_IN_DOUBT_AFTER


@staff_required
def outbox(request: HttpRequest) -> HttpResponse:
    require(request, "bookings.view_appointment")
    state, kind = request.GET.get("state", ""), request.GET.get("kind", "")
    rows = Message.objects.select_related("patient", "appointment__location").order_by("-due_at")
    if state == IN_DOUBT:
        rows = rows.filter(state=MessageState.SENDING, sending_started_at__lte=_in_doubt_before())
    elif state:
        rows = rows.filter(state=state)
    if kind:
        rows = rows.filter(kind=kind)
    kinds = [
        (value, KIND_LABELS.get(value, value))
        for value in Message.objects.order_by("kind").values_list("kind", flat=True).distinct()
    ]
    return render(
        request,
        "reminders/staff/outbox.html",
        {
            "rows": rows[:300],
            "state": state,
            "kind": kind,
            "states": [*MessageState.choices, (IN_DOUBT, "In doubt")],
            "kinds": kinds,
            "in_doubt_before": _in_doubt_before(),
        },
    )


@require_POST
@staff_required
def resend(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "bookings.change_appointment")
    message = message_resend(message=get_object_or_404(Message, pk=pk), now=timezone.now())
    flash.success(request, "Queued again." if message.state == MessageState.PENDING else "Only failed messages resend.")
    return back(request, reverse("reminders:outbox"))


def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every message: one click shows what it does, a button does it."""
    try:
        patient, channel = opt_out_from_token(token, now=timezone.now())
    except ManageLinkInvalid as exc:
        raise Http404("No such link") from exc
    except ManageLinkExpired:
        return render(request, "reminders/opt_out_expired.html", {"days": settings.OPT_OUT_LINK_DAYS}, status=410)
    done = request.method == "POST"
    if done:
        patient_opt_out(patient=patient, channel=channel)
    label = "emails" if channel == "email" else "text messages"
    return render(request, "reminders/opt_out.html", {"label": label, "done": done})


def _twilio_signature_valid(request: HttpRequest) -> bool:
    """X-Twilio-Signature: base64 HMAC-SHA1 of the URL plus the sorted POST parameters, keyed by the auth token."""
    token = settings.TWILIO_AUTH_TOKEN
    if not token:
        return False
    url = request.build_absolute_uri()
    payload = url + "".join(f"{key}{request.POST[key]}" for key in sorted(request.POST))
    expected = base64.b64encode(hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()).decode()
    return hmac.compare_digest(expected, request.headers.get("X-Twilio-Signature", ""))


@csrf_exempt
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    """Replies to our texts. STOP (and the other standard words) opts the sender out of texts."""
    if not _twilio_signature_valid(request):
        return HttpResponse(status=403)
    body = request.POST.get("Body", "").strip().lower()
    sender = request.POST.get("From", "")
    if body in STOP_WORDS and sender:
        for patient in Patient.objects.filter(phone=sender):
            patient_opt_out(patient=patient, channel="sms")
    return HttpResponse('<?xml version="1.0" encoding="UTF-8"?><Response></Response>', content_type="text/xml")
