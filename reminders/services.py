"""Writes of reminders: plan an appointment's messages, re-time or skip them, and send what is due.

Sending is exactly-once as far as a database and the receiving side can make it: a sender takes a
message under its row lock (select_for_update(skip_locked=True)), marks it "sending" and commits,
so two workers never take the same row; it calls the provider outside any transaction, with a
Message-ID (or SMS idempotency key) that is the same on every try; then it marks it sent. A worker
killed before the provider accepted, or after it accepted and before the last write, leaves the
row "sending": after MESSAGE_IN_DOUBT_AFTER it is "in doubt", shown so to staff, and sent again with
the same id, so the receiving side can drop the repeat. Far-away messages are rows with a due
time, swept every minute; never Celery ETAs.
"""

import re
import time as clock
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.db.models.constants import OnConflict
from django.utils import timezone

from bookings.models import (
    Appointment,
    AppointmentStatus,
    IdentityCode,
    Patient,
    WaitlistEntry,
    WaitlistStatus,
)

from .aftercare import invites_rebooking, visit_aftercare
from .channels import ChannelError, Outgoing, channel_for
from .models import Message, MessageChannel, MessageKind, MessageState, Recipient
from .outbox import after_failure, next_row
from .render import render
from .timelines import Planned, Visit, aftercare_timeline, booking_timeline
from .webhooks.sending import webhook_send_next

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
    _insert_new(
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
        ]
    )


# The outbox's columns but its id, in the model's order (those bulk_create writes).
MESSAGE_FIELDS = [field for field in Message._meta.concrete_fields if field is not Message._meta.auto_field]


def _insert_new(messages: list[Message]) -> None:
    """Message.objects.bulk_create(messages, ignore_conflicts=True), each value made by its field
    as bulk_create makes it (pre_save, then get_db_prep_save: defaults, the link key, the times),
    written as INSERT … VALUES: on PostgreSQL bulk_create sends each column as an array to UNNEST,
    which cost this process three times the insert itself for the few rows a change plans."""
    if not messages:
        return
    quote, ops = connection.ops.quote_name, connection.ops
    columns = ", ".join(quote(field.column) for field in MESSAGE_FIELDS)
    row = f"({', '.join(['%s'] * len(MESSAGE_FIELDS))})"
    size = max(1, ops.bulk_batch_size(MESSAGE_FIELDS, messages))
    for first in range(0, len(messages), size):
        batch = messages[first : first + size]
        params = [
            field.get_db_prep_save(field.pre_save(message, True), connection)
            for message in batch
            for field in MESSAGE_FIELDS
        ]
        sql = (
            f"{ops.insert_statement(on_conflict=OnConflict.IGNORE)} {quote(Message._meta.db_table)} ({columns}) "
            f"VALUES {', '.join([row] * len(batch))} "
            f"{ops.on_conflict_suffix_sql(MESSAGE_FIELDS, OnConflict.IGNORE, None, None)}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    for message in messages:
        message._state.adding, message._state.db = False, connection.alias


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
    email_ok, sms_ok = _allowed(patient, MessageChannel.EMAIL), _allowed(patient, MessageChannel.SMS)
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
    if message.kind == MessageKind.WAITLIST_OFFER:
        entry = WaitlistEntry.objects.filter(pk=message.step.split("-")[0]).first()
        if entry is None or entry.status != WaitlistStatus.OFFERED or entry.offered_start is None:
            return "The offer is no longer open"
        if f"{entry.pk}-{int(entry.offered_start.timestamp())}" != message.step or entry.offered_start <= now:
            return "The offer is no longer open"
        return ""
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


def message_id_for(message: Message) -> str:
    """The email Message-ID (and SMS idempotency key): the same on every try, so a repeat can be dropped."""
    domain = settings.SITE_URL.split("://")[-1].split("/")[0].split(":")[0]
    return f"<{message.dedupe_key.replace(':', '.')}@{domain}>"


def _zone(message: Message) -> ZoneInfo:
    if message.appointment is not None:
        return message.appointment.location.zone
    if message.kind == MessageKind.WAITLIST_OFFER:
        entry = WaitlistEntry.objects.select_related("offered_location").filter(pk=message.step.split("-")[0]).first()
        if entry is not None and entry.offered_location is not None:
            return entry.offered_location.zone
    return ZoneInfo(settings.CLINIC_TIME_ZONE)


def _allowed(patient: Patient, channel: str) -> bool:
    if channel == MessageChannel.EMAIL:
        return bool(patient.email) and patient.consent_email and not patient.opted_out_email
    return bool(patient.phone) and patient.consent_sms and not patient.opted_out_sms


def _channel(message: Message, in_doubt: bool) -> str | None:
    """The clinic's alerts go to its address; a patient's message by consent and opt-out. A retry of a
    message in doubt keeps the first try's channel while it is allowed, so the same id can dedupe."""
    if message.recipient == Recipient.CLINIC:
        return MessageChannel.EMAIL if settings.CLINIC_EMAIL else None
    if in_doubt and message.sent_channel and _allowed(message.patient, message.sent_channel):
        return message.sent_channel
    return channel_resolve(message, message.patient)


def message_claim(*, now: datetime) -> tuple[Message, str] | None:
    """Take the next message to send and COMMIT it as "sending" (with its start time and channel).

    First a message in doubt (taken more than MESSAGE_IN_DOUBT_AFTER ago and never finished: its
    sender died), then the earliest pending one that is due. What should no longer go is skipped;
    an SMS in quiet hours waits for the morning. Returns (message, channel) to send, the message
    alone in a finished state, or None when nothing is due.
    """
    select = Message.objects.select_for_update(skip_locked=True, of=("self",)).select_related(
        "patient", "appointment__location", "appointment__service", "appointment__provider__user"
    )
    with transaction.atomic():
        found = next_row(select, now=now)
        if found is None:
            return None
        message, in_doubt = found
        reason = _why_not(message, now)
        channel = _channel(message, in_doubt) if not reason else None
        if not reason and channel is None:
            reason = "The patient has no channel we may use (consent or opt-out)"
        if reason:
            doubt = "In doubt (it may have been sent); then: " if in_doubt else ""
            message.state, message.last_error = MessageState.SKIPPED, (doubt + reason)[:300]
            message.save(update_fields=["state", "last_error", "updated_at"])
            return message, ""
        if channel == MessageChannel.SMS and (morning := quiet_until(now, _zone(message))):
            message.state, message.due_at = MessageState.PENDING, morning
            message.save(update_fields=["state", "due_at", "updated_at"])
            return message, ""
        message.state, message.attempts, message.sending_started_at = MessageState.SENDING, message.attempts + 1, now
        message.sent_channel, message.provider_id = channel, message_id_for(message)[:100]
        if in_doubt:
            message.last_error = "In doubt: the sender stopped mid-send; sent again with the same Message-ID"
        message.save(
            update_fields=["state", "attempts", "sending_started_at", "sent_channel", "provider_id", "last_error",
                           "updated_at"]
        )  # fmt: skip
    return message, channel


def _address(message: Message, channel: str) -> str:
    if message.recipient == Recipient.CLINIC:
        return settings.CLINIC_EMAIL
    return message.patient.email if channel == MessageChannel.EMAIL else message.patient.phone


def message_send_next(*, now: datetime, email_connection=None) -> Message | None:
    """Send the next due message, if any. Returns it, or None.

    Three steps, never a transaction open during the provider's call: claim it ("sending",
    committed), send it with its stable Message-ID / idempotency key, then write how it went.
    A sender killed between the provider accepting and the last step leaves it "sending": after
    MESSAGE_IN_DOUBT_AFTER it shows as in doubt and is sent again with the same id.
    """
    claimed = message_claim(now=now)
    if claimed is None:
        return None
    message, channel = claimed
    if not channel:
        return message
    try:
        subject, text, html, attachments = render(message, channel)
        sender = channel_for(channel, email_connection=email_connection)
        outgoing = Outgoing(_address(message, channel), subject, text, html, message.provider_id, attachments)
        provider_id = sender.send(outgoing)
    except (ChannelError, ValueError) as exc:
        message.last_error = str(exc)[:300]
        message.state, due_at = after_failure(message.attempts, now, permanent=isinstance(exc, ValueError))
        message.due_at = due_at or message.due_at
        fields = {"state": message.state, "due_at": message.due_at, "last_error": message.last_error}
    else:
        message.state, message.sent_at = MessageState.SENT, now
        message.provider_id, message.subject = provider_id[:100], subject[:200]
        message.body, message.last_error = _loggable(message, text), ""
        fields = {"state": message.state, "sent_at": now, "provider_id": message.provider_id,
                  "subject": message.subject, "body": message.body, "last_error": ""}  # fmt: skip
    # Only while it is still this sender's: a message erased or re-taken meanwhile is not overwritten.
    Message.objects.filter(pk=message.pk, state=MessageState.SENDING, sending_started_at=now).update(
        **fields, updated_at=timezone.now()
    )
    return message


def messages_send_due(*, now_fn=None, limit: int = 1000, seconds: float = 50.0) -> int:
    """Send due messages and webhook deliveries one by one until none is due, `limit` are sent or
    `seconds` pass. Returns how many were sent."""
    now_fn = now_fn or timezone.now
    started, sent = clock.monotonic(), 0
    messages_left = webhooks_left = True
    # One SMTP session for the sweep, opened on the first email and closed at the end.
    connection = mail.get_connection()
    try:
        # Messages and webhook deliveries take turns, so a slow receiver cannot hold back the
        # patients' messages for long; each queue is asked until it has nothing due.
        while (messages_left or webhooks_left) and sent < limit and clock.monotonic() - started < seconds:
            if messages_left:
                message = message_send_next(now=now_fn(), email_connection=connection)
                messages_left = message is not None
                sent += messages_left and message.state == MessageState.SENT
            if webhooks_left:
                delivery = webhook_send_next(now=now_fn())
                webhooks_left = delivery is not None
                sent += webhooks_left and delivery.state == MessageState.SENT
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


def waitlist_offer_plan(*, entry: WaitlistEntry, now: datetime) -> None:
    """The offer of a freed time goes now, the way the patient agreed to hear from us; once per offered time."""
    stamp = int(entry.offered_start.timestamp())
    Message.objects.bulk_create(
        [
            Message(
                patient_id=entry.patient_id,
                kind=MessageKind.WAITLIST_OFFER,
                step=f"{entry.pk}-{stamp}",
                due_at=now,
                dedupe_key=f"w{entry.pk}:{MessageKind.WAITLIST_OFFER}:{stamp}",
            )
        ],
        ignore_conflicts=True,
    )


def urgent_follow_up_alert_plan(*, follow_up, now: datetime) -> None:
    """The clinic hears at once that a follow-up needs a call (to CLINIC_EMAIL, no health details)."""
    Message.objects.bulk_create(
        [
            Message(
                patient_id=follow_up.appointment.patient_id,
                appointment_id=follow_up.appointment_id,
                kind=MessageKind.URGENT_FOLLOW_UP,
                step=str(follow_up.pk),
                recipient=Recipient.CLINIC,
                channel=MessageChannel.EMAIL,
                due_at=now,
                dedupe_key=f"f{follow_up.pk}:{MessageKind.URGENT_FOLLOW_UP}",
            )
        ],
        ignore_conflicts=True,
    )
