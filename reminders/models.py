"""The outbox: one row per message to send. The row is the truth; the broker only carries ids."""

import secrets
import uuid

from django.conf import settings
from django.db import models

from bookings.models import Appointment, Patient


class MessageState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class MessageChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class MessageKind(models.TextChoices):
    """What a message is; its words are in templates/reminders/messages/kinds/<value>.txt."""

    CONFIRMATION = "confirmation", "Booking confirmation"
    PRE_CARE = "pre-care", "Before treatment"
    INTAKE = "intake", "Before the visit: forms and anything new"
    REMINDER = "reminder", "Appointment reminder"
    MOVED = "moved", "Appointment moved"
    CANCELLED = "cancelled", "Appointment cancelled"
    IDENTITY_CODE = "identity-code", "Identity code"
    AFTERCARE = "aftercare", "Aftercare"
    FOLLOW_UP = "follow-up", "Follow-up"
    WAITLIST_OFFER = "waitlist-offer", "Waitlist offer"
    URGENT_FOLLOW_UP = "urgent-follow-up", "Urgent follow-up alert (to the clinic)"


class Recipient(models.TextChoices):
    PATIENT = "patient", "The patient"
    CLINIC = "clinic", "The clinic"  # CLINIC_EMAIL; never a health detail, only a link to the staff site


# How staff read a message's kind and step in the outbox and the message log.
KIND_LABELS = dict(MessageKind.choices)
STEP_LABELS = {
    ("pre-care", "booked"): "on booking",
    ("pre-care", "week"): "a week before",
    ("intake", "48h"): "two days before",
    ("reminder", "24h"): "the day before",
    ("aftercare", "sheet"): "aftercare sheet",
    ("aftercare", "upright"): "4 hours: upright",
    ("aftercare", "day-1"): "1 day",
    ("aftercare", "day-2"): "2 days: exercise",
    ("aftercare", "results"): "3 days: results",
    ("aftercare", "two-week"): "2 weeks: review",
    ("aftercare", "rebook"): "rebook",
    ("aftercare", "six-month"): "6 months",
}


def new_link_key() -> str:
    """The random key the message's opt-out link names it by (never the patient's sequential id)."""
    return secrets.token_urlsafe(16)


class Message(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="messages")
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, null=True, related_name="messages")
    kind = models.CharField(max_length=40, choices=MessageKind.choices)
    step = models.CharField(max_length=40, blank=True)  # which one of that kind: "24h", "upright"…
    # Who it goes to: the patient (by consent and opt-out) or the clinic's own address.
    recipient = models.CharField(max_length=8, choices=Recipient.choices, default=Recipient.PATIENT)
    # The channel wanted ("preferred" follows the patient's choice at send time).
    channel = models.CharField(max_length=10, default="preferred")
    sent_channel = models.CharField(max_length=10, choices=MessageChannel.choices, blank=True)
    due_at = models.DateTimeField()
    state = models.CharField(max_length=8, choices=MessageState.choices, default=MessageState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When a sender took it (committed before the provider is called): "sending" for longer than
    # MESSAGE_IN_DOUBT_AFTER means the sender died mid-send; staff see it "in doubt" and it is retried
    # with the same Message-ID / idempotency key.
    sending_started_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=100, blank=True, help_text="The email Message-ID or the SMS id.")
    # What went out, for the message log (bodies never carry health details: they link to the site).
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    # (appointment, kind, step): rebuilding a timeline twice creates nothing twice.
    dedupe_key = models.CharField(max_length=120, unique=True)
    # Named by the opt-out link in this message; messages sent before it existed have none (NULL,
    # not "", so the unique constraint allows many).
    link_key = models.CharField(max_length=32, unique=True, null=True, default=new_link_key, editable=False)  # noqa: DJ001
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            # The sender's "next due" query: the index is already in (due_at, id) order, so taking
            # the first unlocked row costs the same with ten or ten thousand waiting.
            models.Index(fields=["due_at", "id"], condition=models.Q(state="pending"), name="message_pending_due"),
            models.Index(fields=["patient", "-due_at"], name="message_patient_log"),
            models.Index(
                fields=["sending_started_at", "id"], condition=models.Q(state="sending"), name="message_sending_since"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.step} for patient {self.patient_id} ({self.state})"

    def in_doubt(self, now) -> bool:
        """Taken by a sender that never said how it went: it may or may not have reached the patient."""
        return (
            self.state == MessageState.SENDING
            and self.sending_started_at is not None
            and self.sending_started_at <= now - settings.MESSAGE_IN_DOUBT_AFTER
        )

    @property
    def label(self) -> str:
        """'Aftercare · 4 hours: upright', 'Appointment moved': for people, not codes."""
        kind = KIND_LABELS.get(self.kind, self.kind.replace("-", " ").capitalize())
        step = STEP_LABELS.get((self.kind, self.step))
        if step is None and self.kind == "aftercare" and self.step:
            step = self.step.replace("-", " ")
        return f"{kind} · {step}" if step else kind


# Webhooks: the clinic's other systems hear of bookings and intake. Deliveries are outbox rows of their
# own (no patient to address, no consent to check, a signed HTTP POST), sent by the same sender as the
# messages above: one task, one sweep, one claim under SKIP LOCKED, one backoff, one "in doubt" rule.


class WebhookEvent(models.TextChoices):
    APPOINTMENT_BOOKED = "appointment.booked", "Appointment booked"
    APPOINTMENT_MOVED = "appointment.moved", "Appointment moved"
    APPOINTMENT_CANCELLED = "appointment.cancelled", "Appointment cancelled"
    APPOINTMENT_CHECKED_IN = "appointment.checked_in", "Patient checked in"
    APPOINTMENT_COMPLETED = "appointment.completed", "Visit completed"
    APPOINTMENT_NO_SHOW = "appointment.no_show", "No-show"
    INTAKE_COMPLETED = "intake.completed", "Intake completed"
    TEST = "webhook.test", "Test event"


SUBSCRIBABLE = [choice for choice in WebhookEvent.choices if choice[0] != WebhookEvent.TEST]


def new_webhook_secret() -> str:
    """32 random bytes, shown to the manager to copy into the receiving system."""
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """A URL of the clinic's other systems that is told of the events it asks for (managers keep these)."""

    name = models.CharField(max_length=80, blank=True, help_text="What it is, e.g. “Practice CRM”.")
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)  # WebhookEvent values, never "webhook.test"
    is_active = models.BooleanField(default=True)
    secret = models.CharField(max_length=80, default=new_webhook_secret, editable=False)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name or self.url

    @property
    def event_labels(self) -> list[str]:
        labels = dict(WebhookEvent.choices)
        return [labels.get(event, event) for event in self.events]


class WebhookDelivery(models.Model):
    """One event for one endpoint: the body is fixed when the event happens, and signed at each try.

    `delivery_id` is the X-Medspa-Delivery header, the same on every try of this row (retries and a
    retry of a try in doubt), so the receiver can drop a repeat; a manager's resend is a new row with
    a new delivery id and the same event id in the body.
    """

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    event_id = models.CharField(max_length=40)  # the body's "id": one event, whatever the endpoint or resend
    delivery_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=8, blank=True)  # the appointment's, for the log
    body = models.TextField()  # the exact JSON that is signed and sent
    due_at = models.DateTimeField()
    state = models.CharField(max_length=8, choices=MessageState.choices, default=MessageState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    sending_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)  # the receiver's HTTP status
    last_response = models.CharField(max_length=500, blank=True)  # the start of its answer
    last_error = models.CharField(max_length=300, blank=True)
    # (endpoint, event, what it is about): a signal sent twice writes one row.
    dedupe_key = models.CharField(max_length=120, unique=True)
    resend_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="resends")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(fields=["due_at", "id"], condition=models.Q(state="pending"), name="webhook_pending_due"),
            models.Index(
                fields=["sending_started_at", "id"], condition=models.Q(state="sending"), name="webhook_sending_since"
            ),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_endpoint_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event} to endpoint {self.endpoint_id} ({self.state})"

    def in_doubt(self, now) -> bool:
        return (
            self.state == MessageState.SENDING
            and self.sending_started_at is not None
            and self.sending_started_at <= now - settings.MESSAGE_IN_DOUBT_AFTER
        )
