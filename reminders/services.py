"""Writes of reminders: plan an appointment's messages, re-time or skip them, and send what is due.

Sending is exactly-once as far as a database can make it: each message is sent inside its own
transaction holding the row lock (select_for_update(skip_locked=True)); a worker killed mid-send
rolls back and the message is still pending for the next sweep, and two workers never hold the
same row. Far-away messages are rows with a due time, swept every minute; never Celery ETAs.
"""

import re
import time as clock
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.utils import timezone

from bookings.models import Appointment, AppointmentStatus, IdentityCode, Patient

from .aftercare import invites_rebooking, visit_aftercare
from .channels import ChannelError, Outgoing, channel_for
from .models import Message, MessageChannel, MessageState
from .render import render
from .timelines import Planned, Visit, aftercare_timeline, booking_timeline

LIVE = (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED)


def visit_of(appointment: Appointment) -> Visit:
    return Visit(
        appointment_id=appointment.pk,
        start=appointment.start,
        end=appointment.end,
        zone=appointment.location.zone,
        is_toxin_treatment=appointment.service.is_toxin_treatment,
    )


def messages_plan(*, appointment: Appointment, items: Iterable[Planned]) -> None:
    """Create the planned messages that do not exist yet: the dedupe key makes a second run a no-op."""
    Message.objects.bulk_create(
        [
            Message(
                patient_id=appointment.patient_id,
                appointment=appointment,
                kind=item.kind,
                step=item.step,
                channel=item.channel,
                due_at=item.due_at,
                dedupe_key=item.key(appointment.pk),
            )
            for item in items
        ],
        ignore_conflicts=True,
    )


def timeline_on_booked(*, appointment: Appointment, now: datetime) -> None:
    messages_plan(appointment=appointment, items=booking_timeline(visit_of(appointment), now))


def timeline_on_rescheduled(*, appointment: Appointment, now: datetime) -> None:
    """Re-time what is pending to the new time, skip what no longer applies, and say it moved.

    The notice goes the way the patient asked (text or email, as consent and opt-outs allow) and,
    by email, carries the calendar file with the raised SEQUENCE. One notice per move, keyed by
    that sequence; an earlier move's notice still waiting (quiet hours) is superseded by this one.
    """
    planned = {item.key(appointment.pk): item for item in booking_timeline(visit_of(appointment), now)}
    pending = Message.objects.filter(
        appointment=appointment, state=MessageState.PENDING, kind__in=["pre-care", "intake", "reminder", "moved"]
    )
    for message in pending.select_for_update():
        item = planned.get(message.dedupe_key)
        if message.kind == "moved":
            message.state, message.last_error = MessageState.SKIPPED, "A later move's notice replaces it"
        elif item is None:
            message.state, message.last_error = MessageState.SKIPPED, "The appointment moved"
        else:
            message.due_at = item.due_at
        message.save(update_fields=["state", "last_error", "due_at", "updated_at"])
    moved = Planned("moved", f"seq{appointment.ics_sequence}", now)
    messages_plan(appointment=appointment, items=[moved, *planned.values()])


def timeline_on_cancelled(*, appointment: Appointment, now: datetime) -> None:
    """Nothing more about this appointment, but the notice that it is cancelled (on the patient's
    channel; by email with the calendar file that removes the event)."""
    Message.objects.filter(appointment=appointment, state=MessageState.PENDING).update(
        state=MessageState.SKIPPED, last_error="The appointment was cancelled", updated_at=now
    )
    messages_plan(appointment=appointment, items=[Planned("cancelled", "cancelled", now)])


def timeline_on_completed(*, appointment: Appointment, now: datetime, ended_at: datetime | None = None) -> None:
    """Aftercare timed from when the visit really ended (`ended_at`, else its booked end), from the
    signed chart when there is one (see `aftercare.visit_aftercare`).

    A visit where toxin was given replaces the rebook invitations still waiting from the patient's
    earlier visits: the next treatment's earliest day now counts from this one.
    """
    plan = visit_aftercare(appointment)
    visit = visit_of(appointment)
    if ended_at is not None:
        visit = replace(visit, end=ended_at)
    items = aftercare_timeline(visit, [(key, s.offset, s.channel) for key, s in plan.steps], now)
    if plan.toxin:
        earlier = Message.objects.filter(
            patient_id=appointment.patient_id, kind="aftercare", state=MessageState.PENDING,
            appointment__end__lte=appointment.end,
        ).exclude(appointment=appointment)  # fmt: skip
        rebooks = [message.pk for message in earlier if invites_rebooking(message.step)]
        Message.objects.filter(pk__in=rebooks).update(
            state=MessageState.SKIPPED, last_error="A later treatment's aftercare replaces it", updated_at=now
        )
    messages_plan(appointment=appointment, items=items)


def identity_code_plan(*, appointment: Appointment, identity_code, now: datetime) -> None:
    """The one-time code goes now, by email to the address on file (never to one a form gave)."""
    item = Planned("identity-code", str(identity_code.pk), now, channel=MessageChannel.EMAIL)
    messages_plan(appointment=appointment, items=[item])


def channel_resolve(message: Message, patient: Patient) -> str | None:
    """The channel to use now: the one asked for, else the other, if the patient agreed and did not opt out."""
    email_ok = bool(patient.email) and patient.consent_email and not patient.opted_out_email
    sms_ok = bool(patient.phone) and patient.consent_sms and not patient.opted_out_sms
    wanted = patient.preferred_channel if message.channel == "preferred" else message.channel
    if wanted == MessageChannel.SMS and sms_ok:
        return MessageChannel.SMS
    if email_ok:
        return MessageChannel.EMAIL
    return MessageChannel.SMS if sms_ok and message.channel == "preferred" else None


def quiet_until(moment: datetime, zone: ZoneInfo) -> datetime | None:
    """When SMS quiet hours (default 21:00–08:00 local) are on, the morning they end; else None."""
    start, end = settings.SMS_QUIET_HOURS
    local = moment.astimezone(zone)
    if start <= local.hour or local.hour < end:
        morning = local.date() + timedelta(days=1 if local.hour >= start else 0)
        return datetime(morning.year, morning.month, morning.day, end, tzinfo=zone)
    return None


def _why_not(message: Message, now: datetime) -> str:
    """A reason the message should no longer go, checked at send time; empty when it should."""
    appointment = message.appointment
    if appointment is None:
        return ""
    if message.kind in ("pre-care", "intake", "reminder", "confirmation", "moved") and appointment.status not in LIVE:
        return f"The appointment is {appointment.get_status_display().lower()}"
    if message.kind == "identity-code":
        if appointment.status not in LIVE:
            return f"The appointment is {appointment.get_status_display().lower()}"
        code = IdentityCode.objects.filter(pk=message.step, appointment=appointment).first()
        if code is None or code.used_at is not None or now >= code.expires_at:
            return "The code has expired or was used"
    return ""


def _loggable(message: Message, text: str) -> str:
    """What the message log keeps of a body: a one-time code is not kept."""
    if message.kind == "identity-code":
        return re.sub(r"\b\d{6}\b", "••••••", text)
    return text


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=2 ** min(attempts, 8))


def message_send_next(*, now: datetime, email_connection=None) -> Message | None:
    """Send the next due message, if any, in one transaction holding its row. Returns it, or None."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("patient", "appointment__location", "appointment__service", "appointment__provider__user")
            .filter(state=MessageState.PENDING, due_at__lte=now)
            .order_by("due_at", "pk")
            .first()
        )
        if message is None:
            return None
        reason = _why_not(message, now)
        channel = channel_resolve(message, message.patient) if not reason else None
        if not reason and channel is None:
            reason = "The patient has no channel we may use (consent or opt-out)"
        if reason:
            message.state, message.last_error = MessageState.SKIPPED, reason
            message.save(update_fields=["state", "last_error", "updated_at"])
            return message
        zone = message.appointment.location.zone if message.appointment else ZoneInfo(settings.CLINIC_TIME_ZONE)
        if channel == MessageChannel.SMS and (morning := quiet_until(now, zone)):
            message.due_at = morning
            message.save(update_fields=["due_at", "updated_at"])
            return message
        message.state, message.attempts = MessageState.SENDING, message.attempts + 1
        message.save(update_fields=["state", "attempts", "updated_at"])
        try:
            subject, text, html, attachments = render(message, channel)
            to = message.patient.email if channel == MessageChannel.EMAIL else message.patient.phone
            message_id = f"<{message.dedupe_key.replace(':', '.')}@{settings.SITE_URL.split('://')[-1].split(':')[0]}>"
            sender = channel_for(channel, email_connection=email_connection)
            provider_id = sender.send(Outgoing(to, subject, text, html, message_id, attachments))
        except (ChannelError, ValueError) as exc:
            message.last_error = str(exc)[:300]
            if message.attempts >= settings.MESSAGE_MAX_ATTEMPTS or isinstance(exc, ValueError):
                message.state = MessageState.FAILED
            else:
                message.state, message.due_at = MessageState.PENDING, now + _backoff(message.attempts)
        else:
            message.state, message.sent_at, message.sent_channel = MessageState.SENT, now, channel
            message.provider_id, message.subject = provider_id[:100], subject[:200]
            message.body = _loggable(message, text)
            message.last_error = ""
        message.save()
    return message


def messages_send_due(*, now_fn=None, limit: int = 1000, seconds: float = 50.0) -> int:
    """Send due messages one by one until none is due, `limit` are sent or `seconds` pass. Returns how many."""
    now_fn = now_fn or timezone.now
    started, sent = clock.monotonic(), 0
    # One SMTP session for the sweep, opened on the first email and closed at the end.
    connection = mail.get_connection()
    try:
        while sent < limit and clock.monotonic() - started < seconds:
            message = message_send_next(now=now_fn(), email_connection=connection)
            if message is None:
                break
            sent += message.state == MessageState.SENT
    finally:
        connection.close()
    return sent


def message_resend(*, message: Message, now: datetime) -> Message:
    """Give a failed message another go now."""
    Message.objects.filter(pk=message.pk, state=MessageState.FAILED).update(
        state=MessageState.PENDING, attempts=0, due_at=now, last_error="", updated_at=now
    )
    message.refresh_from_db()
    return message


def message_log_erase(*, patient: Patient, now: datetime) -> None:
    """For a patient being erased: nothing more is sent, and what was sent keeps no words.

    The rows stay (kind, channel, when, state), so the outbox still accounts for every message.
    """
    Message.objects.filter(patient=patient, state=MessageState.PENDING).update(
        state=MessageState.SKIPPED, last_error="The patient's data was erased", updated_at=now
    )
    Message.objects.filter(patient=patient).update(subject="", body="", updated_at=now)
