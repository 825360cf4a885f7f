"""Reminders listens to bookings and intake: each change writes its messages into the outbox, in the same
transaction as the change, and asks a worker to look at the outbox once it commits."""

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from bookings import signals as bookings
from intake import signals as intake

from . import services
from .models import WebhookEvent
from .webhooks.payloads import utc_iso
from .webhooks.services import webhook_on_appointment


def _send_soon() -> None:
    from .tasks import messages_send

    transaction.on_commit(lambda: messages_send.delay(), robust=True)


@receiver(bookings.appointment_booked, dispatch_uid="reminders.booked")
def on_booked(sender, appointment, **kwargs) -> None:
    services.timeline_on_booked(appointment=appointment, now=timezone.now())
    _send_soon()


@receiver(bookings.appointment_rescheduled, dispatch_uid="reminders.rescheduled")
def on_rescheduled(sender, appointment, **kwargs) -> None:
    services.timeline_on_rescheduled(appointment=appointment, now=timezone.now())
    _send_soon()


@receiver(bookings.appointment_cancelled, dispatch_uid="reminders.cancelled")
def on_cancelled(sender, appointment, **kwargs) -> None:
    services.timeline_on_cancelled(appointment=appointment, now=timezone.now())
    _send_soon()


@receiver(bookings.appointment_completed, dispatch_uid="reminders.completed")
def on_completed(sender, appointment, ended_at=None, now=None, **kwargs) -> None:
    services.timeline_on_completed(appointment=appointment, now=now or timezone.now(), ended_at=ended_at)
    _send_soon()


@receiver(bookings.identity_code_requested, dispatch_uid="reminders.identity_code")
def on_identity_code(sender, appointment, identity_code, **kwargs) -> None:
    services.identity_code_plan(appointment=appointment, identity_code=identity_code, now=timezone.now())
    _send_soon()


@receiver(bookings.waitlist_offer_made, dispatch_uid="reminders.waitlist_offer")
def on_waitlist_offer(sender, entry, now, **kwargs) -> None:
    services.waitlist_offer_plan(entry=entry, now=now)
    _send_soon()


@receiver(intake.follow_up_urgent, dispatch_uid="reminders.follow_up_urgent")
def on_follow_up_urgent(sender, follow_up, now, **kwargs) -> None:
    services.urgent_follow_up_alert_plan(follow_up=follow_up, now=now)
    _send_soon()


# Webhooks: one delivery row per endpoint that asked for the event, in the same transaction.


@receiver(bookings.appointment_booked, dispatch_uid="reminders.webhook.booked")
def webhook_on_booked(sender, appointment, **kwargs) -> None:
    webhook_on_appointment(
        event=WebhookEvent.APPOINTMENT_BOOKED, appointment=appointment, about=f"a{appointment.pk}", now=timezone.now()
    )


@receiver(bookings.appointment_rescheduled, dispatch_uid="reminders.webhook.moved")
def webhook_on_moved(sender, appointment, previous_start=None, previous_provider_id=None, **kwargs) -> None:
    extra = {"previous_provider": previous_provider_id}
    if previous_start is not None:
        extra["previous_start"] = utc_iso(previous_start)
    webhook_on_appointment(
        event=WebhookEvent.APPOINTMENT_MOVED,
        appointment=appointment,
        about=f"a{appointment.pk}:seq{appointment.ics_sequence}",  # each move raises the sequence
        now=timezone.now(),
        **extra,
    )


@receiver(bookings.appointment_cancelled, dispatch_uid="reminders.webhook.cancelled")
def webhook_on_cancelled(sender, appointment, **kwargs) -> None:
    webhook_on_appointment(
        event=WebhookEvent.APPOINTMENT_CANCELLED, appointment=appointment, about=f"a{appointment.pk}",
        now=timezone.now(),
    )  # fmt: skip


@receiver(bookings.appointment_checked_in, dispatch_uid="reminders.webhook.checked_in")
def webhook_on_checked_in(sender, appointment, event, now, **kwargs) -> None:
    webhook_on_appointment(
        event=WebhookEvent.APPOINTMENT_CHECKED_IN, appointment=appointment, about=f"e{event.pk}", now=now
    )


@receiver(bookings.appointment_no_show, dispatch_uid="reminders.webhook.no_show")
def webhook_on_no_show(sender, appointment, event, now, **kwargs) -> None:
    webhook_on_appointment(event=WebhookEvent.APPOINTMENT_NO_SHOW, appointment=appointment, about=f"e{event.pk}",
                           now=now)  # fmt: skip


@receiver(bookings.appointment_completed, dispatch_uid="reminders.webhook.completed")
def webhook_on_completed(sender, appointment, now=None, **kwargs) -> None:
    webhook_on_appointment(
        event=WebhookEvent.APPOINTMENT_COMPLETED, appointment=appointment, about=f"a{appointment.pk}",
        now=now or timezone.now(),
    )  # fmt: skip


@receiver(intake.intake_completed, dispatch_uid="reminders.webhook.intake_completed")
def webhook_on_intake_completed(sender, appointment, now, **kwargs) -> None:
    webhook_on_appointment(
        event=WebhookEvent.INTAKE_COMPLETED, appointment=appointment, about=f"a{appointment.pk}", now=now
    )
