"""The change history of the records that matter (who changed what, when) and erasure tombstones.

The historical tables live here, not in the apps that own the models: audit sits above every
app (it may import them all; none imports it), so tracking a model adds no migration to its
app. django-simple-history writes a row on every save() and delete() of a tracked model, with
the signed-in user from HistoryRequestMiddleware (None: the patient online, or the system).
A queryset .update() writes no row, so the services that change these models save() instead.

When a tracked model gains a field, run `makemigrations audit`: its history table follows.
"""

import functools

import simple_history
from django.conf import settings
from django.db import models
from simple_history.manager import HistoryManager

from bookings.models import Appointment, Patient
from intake.models import Consent, ScreeningDecision


class AuditHistoryManager(HistoryManager):
    """The library's manager, its class with the queryset's methods made once: the library's
    descriptor asks for that class on every access, and every save of a tracked model writes its
    history row through it (building a class each time was a tenth of a booking's CPU time)."""

    @classmethod
    @functools.cache
    def from_queryset(cls, queryset_class: type, class_name: str | None = None) -> type:
        return super().from_queryset(queryset_class, class_name)


# Each tracked model gets an `audit_history` manager (`patient.audit_history.all()`): the library's
# default name, `history`, is a field of ScreeningDecision (the medical history decided on).
HISTORY = "audit_history"
TRACKING = {"app": "audit", "manager_name": HISTORY, "history_manager": AuditHistoryManager}
simple_history.register(Patient, **TRACKING)
simple_history.register(Appointment, **TRACKING)
# The drawn signature is kept once, on the consent itself (it never changes).
simple_history.register(Consent, **TRACKING, excluded_fields=["signature_png"])
# Its `history` field would also clash with the history row's own id (`history_id`); decisions
# are never edited, so the decision row itself keeps which medical history it was made on.
simple_history.register(ScreeningDecision, **TRACKING, excluded_fields=["history"])

# What the audit page lists, in its order: (model, what a reader calls it).
TRACKED = ((Patient, "patient"), (Appointment, "appointment"), (Consent, "consent"),
           (ScreeningDecision, "screening decision"))  # fmt: skip


class Erasure(models.Model):
    """A tombstone: this patient's personal data was erased, by whom and when.

    The patient row stays (anonymised) so that appointments, the access log and this entry keep
    pointing at something; nothing on it identifies the person any more.
    """

    patient = models.OneToOneField(Patient, on_delete=models.PROTECT, related_name="+")
    erased_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    erased_at = models.DateTimeField()
    cancelled_appointments = models.JSONField(default=list, help_text="References of future visits cancelled.")

    class Meta:
        ordering = ["-erased_at"]
        permissions = [
            ("view_audit_trail", "Can view and export the change history and the access log"),
            ("export_patient_record", "Can export a patient's complete record"),
            ("erase_patient", "Can erase a patient's personal data"),
        ]

    def __str__(self) -> str:
        return f"Patient {self.patient_id} erased at {self.erased_at:%Y-%m-%d %H:%M} UTC"
