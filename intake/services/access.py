"""The access log: every read of health data is written down (charting's reads too)."""

import ipaddress

from django.http import HttpRequest
from django.utils import timezone

from bookings.models import Patient
from medspa.http import client_ip

from ..models import AccessLog


def ip_address_or_none(value: str | None) -> str | None:
    """An address fit for the audit record, or None: a header can carry anything (a script tag,
    say), and SQLite stores whatever a GenericIPAddressField is given."""
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def access_log_record(*, request: HttpRequest, patient: Patient, what: str, object_id: object = "") -> AccessLog:
    """Write down a read of health data. Every clinical read path calls this (charting too)."""
    return AccessLog.objects.create(
        actor=request.user,
        patient=patient,
        what=what,
        object_id=str(object_id),
        at=timezone.now(),
        ip_address=ip_address_or_none(client_ip(request)),
        path=request.get_full_path()[:300],
    )
