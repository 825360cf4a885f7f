"""Reads of the audit trail: the change history of the tracked records and the access log."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Model, QuerySet

from bookings.models import Appointment, Patient
from intake.models import AccessLog, Consent, ScreeningDecision

from .models import TRACKED

# Bookkeeping that changes on every save and tells a reader nothing.
QUIET_FIELDS = {"updated_at", "created_at", "busy_from", "busy_until"}
# Values that come from screening: reading them is a clinical read (logged by the views).
CLINICAL_FIELDS = {("patient", "treatment_hold_reason"), ("screening decision", "note")}
KIND = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass
class Change:
    at: datetime
    user: str  # "" when the patient (online) or the system made the change
    record: str  # "patient", "appointment"…
    object_id: int
    patient_id: int | None
    action: str  # created / changed / deleted
    reason: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (field, before, after)

    @property
    def clinical(self) -> bool:
        return any((self.record, name) in CLINICAL_FIELDS and (old or new) for name, old, new in self.fields)


def day_bounds(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """[start of `since`, start of the day after `until`) in the clinic's zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.combine(since, time(), zone) if since else None
    end = datetime.combine(until + timedelta(days=1), time(), zone) if until else None
    return start, end


def _in_range(qs: QuerySet, name: str, since: date | None, until: date | None) -> QuerySet:
    start, end = day_bounds(since, until)
    if start:
        qs = qs.filter(**{f"{name}__gte": start})
    if end:
        qs = qs.filter(**{f"{name}__lt": end})
    return qs


def _of_patient(model: type[Model], history: QuerySet, patient: Patient) -> QuerySet:
    if model is Patient:
        return history.filter(id=patient.pk)
    if model is ScreeningDecision:
        return history.filter(appointment_id__in=Appointment.objects.filter(patient=patient).values("pk"))
    return history.filter(patient_id=patient.pk)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _patient_id(model: type[Model], row: Model, appointment_patients: dict[int, int]) -> int | None:
    if model is Patient:
        return row.id
    if model is ScreeningDecision:
        return appointment_patients.get(row.appointment_id)
    return row.patient_id


def change_history(
    *, patient: Patient | None = None, since: date | None = None, until: date | None = None, limit: int = 500
) -> list[Change]:
    """Changes to patients, appointments, consents and screening decisions, newest first.

    Two queries per tracked model: the rows in range, then every earlier row of the same records
    to diff against (a row's `prev_record` would be one query per row).
    """
    changes: list[Change] = []
    for model, label in TRACKED:
        history = _in_range(model.audit_history.select_related("history_user"), "history_date", since, until)
        if patient is not None:
            history = _of_patient(model, history, patient)
        rows = list(history.order_by("-history_date", "-history_id")[:limit])
        if not rows:
            continue
        names = [f.attname for f in model._meta.concrete_fields if f.name not in QUIET_FIELDS]
        names = [n for n in names if hasattr(rows[0], n)]
        earlier: dict[int, list[Model]] = {}
        for row in model.audit_history.filter(id__in={r.id for r in rows}).order_by("history_date", "history_id"):
            earlier.setdefault(row.id, []).append(row)
        appointment_patients: dict[int, int] = {}
        if model is ScreeningDecision:
            appointment_patients = dict(
                Appointment.objects.filter(pk__in={r.appointment_id for r in rows}).values_list("pk", "patient_id")
            )
        for row in rows:
            versions = earlier[row.id]
            index = next(i for i, v in enumerate(versions) if v.history_id == row.history_id)
            before = versions[index - 1] if index else None
            fields = []
            for name in names:
                new = _text(getattr(row, name))
                old = _text(getattr(before, name)) if before is not None else ""
                if row.history_type == "-":
                    continue
                if before is None and new == "":
                    continue
                if old != new:
                    fields.append((name.removesuffix("_id") if name.endswith("_id") else name, old, new))
            changes.append(
                Change(
                    at=row.history_date,
                    user=row.history_user.get_username() if row.history_user else "",
                    record=label,
                    object_id=row.id,
                    patient_id=_patient_id(model, row, appointment_patients),
                    action=KIND[row.history_type],
                    reason=row.history_change_reason or "",
                    fields=fields,
                )
            )
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes[:limit]


def access_entries(
    *, patient: Patient | None = None, since: date | None = None, until: date | None = None
) -> QuerySet[AccessLog]:
    entries = _in_range(AccessLog.objects.select_related("actor", "patient"), "at", since, until)
    if patient is not None:
        entries = entries.filter(patient=patient)
    return entries.order_by("-at", "-pk")


def consent_of(patient: Patient) -> QuerySet[Consent]:
    return Consent.objects.filter(patient=patient).select_related("text", "appointment__location")
