"""What the patient tells us: medical history (versioned), screening hits and decisions, consent,
the two-week follow-up, and the log of who read any of it."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from bookings.models import Appointment, Patient
from treatments.models import Service

from .screening import Severity


class IntakeDraft(models.Model):
    """Answers saved step by step before the patient submits; one per appointment."""

    appointment = models.OneToOneField(Appointment, on_delete=models.CASCADE, related_name="intake_draft")
    answers = models.JSONField(default=dict)
    steps_done = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Draft for {self.appointment.reference}"


class MedicalHistory(models.Model):
    """One submitted version of a patient's medical history. Versions are never edited."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="medical_histories")
    appointment = models.ForeignKey(Appointment, on_delete=models.SET_NULL, null=True, related_name="+")
    version = models.PositiveIntegerField()
    form_version = models.CharField(max_length=20)
    answers = models.JSONField()
    goals = models.JSONField(default=dict)
    confirmed_unchanged = models.BooleanField(default=False, help_text="The patient said nothing had changed.")
    # Submitted through a link that has not proved it is the patient's (an online booking that
    # matched them by email and date of birth): kept for the injector, clearly labelled, but never
    # the patient's current history (the one screening decisions and later intakes rely on).
    unverified = models.BooleanField(default=False)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["patient", "-version"]
        verbose_name_plural = "medical histories"
        constraints = [models.UniqueConstraint(fields=["patient", "version"], name="history_version_unique")]

    def __str__(self) -> str:
        return f"Medical history v{self.version} of patient {self.patient_id}"


class ScreeningHit(models.Model):
    history = models.ForeignKey(MedicalHistory, on_delete=models.CASCADE, related_name="hits")
    code = models.CharField(max_length=40)
    severity = models.CharField(max_length=10, choices=[(s.value, s.value.title()) for s in Severity])
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["history", "pk"]

    def __str__(self) -> str:
        return f"{self.code} ({self.severity})"


class Decision(models.TextChoices):
    CLEARED = "cleared", "Cleared to treat"
    CONSULTATION = "consultation", "Consultation needed first"
    DO_NOT_TREAT = "do_not_treat", "Do not treat"


class ScreeningDecision(models.Model):
    """An injector's decision on an appointment's screening."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="screening_decisions")
    history = models.ForeignKey(MedicalHistory, on_delete=models.PROTECT, related_name="decisions")
    decision = models.CharField(max_length=14, choices=Decision.choices)
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} for {self.appointment_id}"


class ConsentText(models.Model):
    """A version of the consent a patient signs, for one service or, without one, for all."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=120)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["service_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["service", "version"], name="consent_text_version_unique"),
            models.UniqueConstraint(
                fields=["version"], condition=Q(service__isnull=True), name="consent_text_general_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class ImmutableError(Exception):
    pass


class SignatureMethod(models.TextChoices):
    DRAWN = "drawn", "Drawn"
    TYPED = "typed", "Typed name"  # the keyboard's way: the typed name drawn into the image


class PhotoUse(models.TextChoices):
    """What the patient allows the clinic to do with their before-and-after photos (asked at signing)."""

    CLINICAL = "clinical", "Clinical record only"
    MARKETING = "marketing", "May also be used in the clinic's marketing"


class Consent(models.Model):
    """A signed consent. Immutable: a new text version means a new signature, never an edit."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    appointment = models.ForeignKey(Appointment, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="consents")
    typed_name = models.CharField(max_length=160)
    signature_png = models.BinaryField()
    signature_method = models.CharField(max_length=5, choices=SignatureMethod.choices, default=SignatureMethod.DRAWN)
    signed_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True)
    user_agent = models.CharField(max_length=400)
    # Signed through an unproven link: it counts for its own appointment only, never for later ones.
    unverified = models.BooleanField(default=False)
    # The photo choice signed with it; the latest signature's choice is the one that holds.
    photo_use = models.CharField(max_length=10, choices=PhotoUse.choices, default=PhotoUse.CLINICAL)

    class Meta:
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return f"Consent {self.text} by patient {self.patient_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("A signed consent cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("A signed consent cannot be deleted.")


class AccessLog(models.Model):
    """Who read which patient's health data, when and from where."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    what = models.CharField(max_length=40)  # e.g. "medical history", "consent", "chart"
    object_id = models.CharField(max_length=40, blank=True)
    at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True)
    path = models.CharField(max_length=300)

    class Meta:
        ordering = ["-at"]
        permissions = [("export_accesslog", "Can view and export the access log")]

    def __str__(self) -> str:
        return f"{self.actor_id} read {self.what} of patient {self.patient_id} at {self.at:%Y-%m-%d %H:%M}"


class FollowUp(models.Model):
    """The two-week questionnaire after a treatment."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="follow_ups")
    answers = models.JSONField()
    urgent = models.BooleanField(default=False)
    submitted_at = models.DateTimeField()
    alert_sent_at = models.DateTimeField(null=True, blank=True)  # when the clinic alert was put in the outbox
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"Follow-up for {self.appointment_id}{' (urgent)' if self.urgent else ''}"
