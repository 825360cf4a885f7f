"""Reads of intake for the clinical screens."""

from datetime import datetime

from bookings.models import BLOCKING_STATUSES, Appointment, IntakeStatus

from .models import FollowUp, MedicalHistory
from .screening import RULES


def review_queue(*, now: datetime, limit: int = 200) -> list[Appointment]:
    """Upcoming appointments whose intake is flagged or not done, soonest first. One query."""
    return list(
        Appointment.objects.filter(
            start__gte=now,
            status__in=BLOCKING_STATUSES,
            intake_status__in=[IntakeStatus.FLAGGED, IntakeStatus.NOT_STARTED],
        )
        .select_related("patient", "service", "provider__user", "location")
        .order_by("start")[:limit]
    )


def _label(value: object) -> str:
    return {"yes": "Yes", "no": "No", "": "—", None: "—"}.get(value, str(value))  # type: ignore[arg-type]


def history_diff(previous: MedicalHistory | None, current: MedicalHistory) -> list[dict]:
    """Each question with the answer now and, when given, before; `changed` marks the differences.

    With no previous version, every answer is listed (the review page's table).
    """
    rows = []
    for rule in RULES:
        keys = [rule.code, *(f"{rule.code}.{f.name}" for f in rule.follow_ups)]
        now = [current.answers.get(key, "") for key in keys]
        before = [previous.answers.get(key, "") for key in keys] if previous else None
        if previous is not None and now == before:
            continue
        details = [f"{f.label} {current.answers.get(f'{rule.code}.{f.name}', '')}" for f in rule.follow_ups
                   if current.answers.get(rule.code) == "yes"]  # fmt: skip
        rows.append({
            "code": rule.code,
            "question": rule.question,
            "answer": _label(current.answers.get(rule.code)),
            "details": details,
            "before": _label(previous.answers.get(rule.code)) if previous else None,
            "changed": previous is not None,
        })  # fmt: skip
    return rows


def urgent_follow_ups() -> list[FollowUp]:
    """Urgent follow-ups nobody has handled yet, newest first. One query."""
    return list(
        FollowUp.objects.filter(urgent=True, acknowledged_at__isnull=True)
        .select_related("appointment__patient", "appointment__service", "appointment__location")
        .order_by("-submitted_at")
    )
