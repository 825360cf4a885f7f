"""The outbox: one row per message to send. The row is the truth; the broker only carries ids."""

import secrets

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
