"""What a webhook says: ids, times and statuses. Never a name, a contact detail or a health detail.

Every key of every payload is on an allow-list below (tests/reminders/test_webhooks.py checks each
event against it), so a new field is a decision made here and not a slip elsewhere. The patient is
an opaque id (stable while SECRET_KEY is): the receiver can tell one patient's appointments apart
and learns nothing else.
"""

import json
from datetime import UTC, datetime
from typing import Any

from django.utils.crypto import salted_hmac

from bookings.models import Appointment

ENVELOPE_KEYS = frozenset({"id", "event", "created", "data"})
APPOINTMENT_KEYS = frozenset(
    {"appointment", "patient", "status", "start", "end", "time_zone", "location", "provider", "service", "source"}
)
MOVED_KEYS = frozenset({"previous_start", "previous_provider"})
TEST_KEYS = frozenset({"endpoint"})
DATA_KEYS = APPOINTMENT_KEYS | MOVED_KEYS | TEST_KEYS


def utc_iso(moment: datetime) -> str:
    """'2026-03-09T16:00:00Z': ISO 8601 in UTC, to the second."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def patient_opaque_id(patient_id: int) -> str:
    """'pt_…': the same for one patient in every event, and not their record number."""
    return "pt_" + salted_hmac("reminders.webhooks.patient", str(patient_id), algorithm="sha256").hexdigest()[:24]


def appointment_data(appointment: Appointment, **extra: Any) -> dict[str, Any]:
    """An appointment as webhooks describe it; times in UTC, with its location's zone to show them in."""
    data = {
        "appointment": appointment.reference,
        "patient": patient_opaque_id(appointment.patient_id),
        "status": appointment.status,
        "start": utc_iso(appointment.start),
        "end": utc_iso(appointment.end),
        "time_zone": appointment.location.timezone,
        "location": appointment.location_id,
        "provider": appointment.provider_id,
        "service": appointment.service_id,
        "source": appointment.source,
        **extra,
    }
    return _checked(data)


def _checked(data: dict[str, Any]) -> dict[str, Any]:
    unexpected = set(data) - DATA_KEYS
    if unexpected:
        raise ValueError(f"Not allowed in a webhook payload: {sorted(unexpected)}")
    return data


def payload_body(*, event_id: str, event: str, created: datetime, data: dict[str, Any]) -> str:
    """The exact text that is signed and sent (compact JSON, keys in order)."""
    envelope = {"id": event_id, "event": event, "created": utc_iso(created), "data": _checked(data)}
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True)
