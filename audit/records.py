"""A patient's complete record, for the patient's right of access: one dict, for the JSON download
and the printable page alike. `when` formats each time in the zone it belongs to (an appointment's
location; the clinic's zone for everything else), so the two outputs cannot disagree."""

import base64
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import dateformat

from bookings.models import Appointment, Patient
from charting.models import Photo
from intake.models import FollowUp, IntakeDraft, MedicalHistory, ScreeningDecision
from reminders.models import Message

from .models import Erasure
from .selectors import access_entries, change_history, consent_of

When = Callable[[datetime | None, ZoneInfo], str]


def iso(value: datetime | None, zone: ZoneInfo) -> str:
    return value.astimezone(zone).isoformat() if value else ""


def readable(value: datetime | None, zone: ZoneInfo) -> str:
    return dateformat.format(value.astimezone(zone), "D M j, Y, g:i A T") if value else ""


def _user(user) -> str:
    return user.get_username() if user else ""


def patient_record(*, patient: Patient, when: When = iso) -> dict:
    clinic = ZoneInfo(settings.TIME_ZONE)
    appointments = list(
        Appointment.objects.filter(patient=patient)
        .select_related("service", "provider__user", "location", "booked_by")
        .prefetch_related("areas", "events__actor")
        .order_by("start")
    )
    zones = {a.pk: a.location.zone for a in appointments}
    references = {a.pk: a.reference for a in appointments}

    def zone_of(appointment_id: int | None) -> ZoneInfo:
        return zones.get(appointment_id, clinic)

    histories = MedicalHistory.objects.filter(patient=patient).prefetch_related("hits").order_by("version")
    erasure = Erasure.objects.filter(patient=patient).select_related("erased_by").first()
    return {
        "patient": {
            "id": patient.pk,
            "first_name": patient.first_name,
            "last_name": patient.last_name,
            "date_of_birth": patient.date_of_birth.isoformat(),
            "email": patient.email,
            "phone": patient.phone,
            "preferred_channel": patient.preferred_channel,
            "consent_email": patient.consent_email,
            "consent_sms": patient.consent_sms,
            "opted_out_email": patient.opted_out_email,
            "opted_out_sms": patient.opted_out_sms,
            "treatment_hold": patient.treatment_hold,
            "treatment_hold_reason": patient.treatment_hold_reason,
            "created_at": when(patient.created_at, clinic),
        },
        "appointments": [
            {
                "reference": a.reference,
                "service": a.service.name,
                "provider": str(a.provider),
                "location": a.location.name,
                "timezone": a.location.timezone,
                "start": when(a.start, a.location.zone),
                "end": when(a.end, a.location.zone),
                "status": a.get_status_display(),
                "intake_status": a.get_intake_status_display(),
                "source": a.get_source_display(),
                "areas": [area.name for area in a.areas.all()],
                "booked_by": _user(a.booked_by),
                "cancelled_at": when(a.cancelled_at, a.location.zone),
                "cancellation_reason": a.cancellation_reason,
                "events": [
                    {
                        "what": e.get_kind_display(),
                        "at": when(e.at, a.location.zone),
                        "by": _user(e.actor),
                        "note": e.note,
                    }
                    for e in a.events.all()
                ],
            }
            for a in appointments
        ],
        "medical_histories": [
            {
                "version": h.version,
                "form_version": h.form_version,
                "appointment": references.get(h.appointment_id, ""),
                "submitted_at": when(h.submitted_at, zone_of(h.appointment_id)),
                "confirmed_unchanged": h.confirmed_unchanged,
                "answers": h.answers,
                "goals": h.goals,
                "screening_hits": [{"code": x.code, "severity": x.severity, "detail": x.detail} for x in h.hits.all()],
            }
            for h in histories
        ],
        "intake_drafts": [
            {
                "appointment": references.get(d.appointment_id, ""),
                "answers": d.answers,
                "steps_done": d.steps_done,
                "updated_at": when(d.updated_at, zone_of(d.appointment_id)),
            }
            for d in IntakeDraft.objects.filter(appointment__patient=patient).order_by("pk")
        ],
        "screening_decisions": [
            {
                "appointment": references.get(d.appointment_id, ""),
                "medical_history_version": d.history.version,
                "decision": d.get_decision_display(),
                "note": d.note,
                "decided_by": _user(d.decided_by),
                "decided_at": when(d.decided_at, zone_of(d.appointment_id)),
            }
            for d in ScreeningDecision.objects.filter(appointment__patient=patient)
            .select_related("history", "decided_by")
            .order_by("decided_at")
        ],
        "consents": [
            {
                "title": c.text.title,
                "text_version": c.text.version,
                "text": c.text.body,
                "appointment": references.get(c.appointment_id, ""),
                "signed_at": when(c.signed_at, zone_of(c.appointment_id)),
                "typed_name": c.typed_name,
                "signature_method": c.signature_method,
                "ip_address": c.ip_address or "",
                "user_agent": c.user_agent,
                "signature_png_base64": base64.b64encode(bytes(c.signature_png)).decode(),
                "photo_use": c.get_photo_use_display(),
            }
            for c in consent_of(patient).order_by("signed_at")
        ],
        "follow_ups": [
            {
                "appointment": references.get(f.appointment_id, ""),
                "answers": f.answers,
                "urgent": f.urgent,
                "submitted_at": when(f.submitted_at, zone_of(f.appointment_id)),
            }
            for f in FollowUp.objects.filter(appointment__patient=patient).order_by("submitted_at")
        ],
        # The photos' particulars (the images themselves are shown to staff on the visit's photo page).
        "photos": [
            {
                "photo": p.pk,
                "appointment": references.get(p.appointment_id, ""),
                "phase": p.get_phase_display(),
                "expression": p.label,
                "taken_at": when(p.uploaded_at, zone_of(p.appointment_id)),
            }
            for p in Photo.objects.filter(appointment__patient=patient).order_by("uploaded_at", "pk")
        ],
        "messages": [
            {
                "kind": m.kind,
                "step": m.step,
                "appointment": references.get(m.appointment_id, ""),
                "channel": m.sent_channel or m.channel,
                "state": m.get_state_display(),
                "due_at": when(m.due_at, zone_of(m.appointment_id)),
                "sent_at": when(m.sent_at, zone_of(m.appointment_id)),
                "subject": m.subject,
                "body": m.body,
            }
            for m in Message.objects.filter(patient=patient).order_by("due_at", "pk")
        ],
        "access_log": [
            {
                "at": when(e.at, clinic),
                "by": e.actor.get_username(),
                "what": e.what,
                "record": e.object_id,
                "ip_address": e.ip_address or "",
                "path": e.path,
            }
            for e in access_entries(patient=patient).order_by("at", "pk")
        ],
        "change_history": [
            {
                **asdict(c),
                "at": when(c.at, clinic),
                "fields": [{"field": f, "before": b, "after": a} for f, b, a in c.fields],
            }
            for c in reversed(change_history(patient=patient, limit=10_000))
        ],
        "erasure": erasure
        and {
            "erased_at": when(erasure.erased_at, clinic),
            "erased_by": _user(erasure.erased_by),
            "cancelled_appointments": erasure.cancelled_appointments,
        },
    }
