"""Proving who holds a booking's link: one-time codes, and details proposed through an unproven link."""

from django.conf import settings
from django.db import models

from .appointments import Appointment
from .patients import Patient


class IdentityCode(models.Model):
    """A one-time code sent to the contact details on file, to prove who holds a booking's link.

    Only a hash of the code is kept. The message that carries it derives the code again from the
    random nonce and the SECRET_KEY (bookings.tokens.identity_code_value), like a signed link.
    """

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="identity_codes")
    nonce = models.CharField(max_length=32, unique=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Identity code for {self.appointment_id} at {self.created_at:%Y-%m-%d %H:%M} UTC"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", "Waiting for front desk"
    ACCEPTED = "accepted", "Accepted"
    DISMISSED = "dismissed", "Dismissed"


class ContactProposal(models.Model):
    """Details given through a link that has not proved it is the patient's: front desk decides.

    One per appointment: what the online booking said, then what its intake's contact step said.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="contact_proposals")
    appointment = models.OneToOneField(
        Appointment, on_delete=models.CASCADE, null=True, blank=True, related_name="contact_proposal"
    )
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    email = models.EmailField()
    phone = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return f"Contact proposal for patient {self.patient_id} ({self.status})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def changes(self) -> list[tuple[str, str, str]]:
        """(field label, on file, proposed) for each detail that differs from the record."""
        patient = self.patient
        rows = [
            ("Name", patient.full_name, self.full_name),
            ("Email", patient.email, self.email),
            ("Phone", patient.phone, self.phone),
        ]
        return [(label, old, new) for label, old, new in rows if " ".join(old.split()).casefold()
                != " ".join(new.split()).casefold()]  # fmt: skip
