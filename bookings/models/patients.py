"""For whom: the patient, matched on email and date of birth for online bookings."""

from django.db import models
from django.db.models.functions import Lower, Upper


class PreferredChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


# The texting opt-in's wording, shown beside an unticked box wherever a patient may agree to texts.
SMS_CONSENT_TEXT = (
    "Text me appointment reminders and aftercare at this number. "
    "Message and data rates may apply. Reply STOP to opt out."
)


class Patient(models.Model):
    """A patient, matched on email and date of birth for online bookings."""

    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    date_of_birth = models.DateField()
    email = models.EmailField()
    phone = models.CharField(max_length=20, help_text="E.164, e.g. +19415550142.")
    preferred_channel = models.CharField(max_length=8, choices=PreferredChannel.choices, default=PreferredChannel.EMAIL)
    consent_email = models.BooleanField(default=True, help_text="Agreed to appointment and aftercare email.")
    consent_sms = models.BooleanField(default=False, help_text="Agreed to text messages.")
    # When and where the patient ticked the texting opt-in (the wording is on the booking page).
    consent_sms_at = models.DateTimeField(null=True, blank=True)
    consent_sms_source = models.CharField(
        max_length=40, blank=True, help_text="Where the patient agreed to texts, e.g. online booking."
    )
    opted_out_email = models.BooleanField(default=False, help_text="Asked for no more email (by a message's link).")
    opted_out_sms = models.BooleanField(default=False, help_text="Asked for no more texts (link, or STOP).")
    treatment_hold = models.BooleanField(
        default=False, help_text="No neuromodulator treatment may be booked online until an injector clears it."
    )
    treatment_hold_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), "date_of_birth", name="patient_unique_email_and_birth_date"),
        ]
        # Every online booking looks its patient up by email in any case (`email__iexact`, which
        # PostgreSQL writes as UPPER(email) = UPPER(%s)) and date of birth: without this index that
        # and the open-bookings throttle read the whole table.
        indexes = [models.Index(Upper("email"), "date_of_birth", name="patient_email_upper_birth")]
        # The hold's reason comes from screening answers: clinical staff only (front desk sees the hold).
        permissions = [("view_clinical", "Can see clinical details such as why treatment is on hold")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"
