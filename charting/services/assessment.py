"""Writes of the assessment: how each muscle pulls, left and right, at one visit.

Kept apart from the treatment record's services (charting/services.py re-exports these). The
assessment belongs to the visit's chart: once the treatment record is signed or marked "not
treated" it is part of a closed record and is never changed again.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from bookings.models import Appointment, AppointmentStatus
from treatments.models import TreatmentArea

from ..models import Assessment, AssessmentRow, Expression, RecordStatus, Side, TreatmentRecord

MAX_MUSCLES = 40
MUSCLE_MAX_LENGTH = AssessmentRow._meta.get_field("muscle").max_length
SCORES = (0, 1, 2, 3)


class AssessmentError(Exception):
    """The assessment was not saved; `errors` maps a field (or "__all__") to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(message for messages in errors.values() for message in messages))


@dataclass(frozen=True)
class RowInput:
    """One muscle on one side; a score of None means "not assessed"."""

    muscle: str
    side: str
    area: TreatmentArea | None = None
    scores: dict[str, int | None] = field(default_factory=dict)  # expression value → 0–3 or None
    dominant: bool = False

    @property
    def is_blank(self) -> bool:
        return not self.dominant and all(self.scores.get(e) is None for e in Expression.values)


def assessment_locked(appointment: Appointment) -> bool:
    """True once the visit's treatment record is signed or marked "not treated"."""
    return TreatmentRecord.objects.filter(appointment=appointment).exclude(status=RecordStatus.DRAFT).exists()


def _validate(rows: Sequence[RowInput], notes: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    seen: set[tuple[str, str]] = set()
    muscles = {row.muscle.strip().lower() for row in rows}
    if len(muscles) > MAX_MUSCLES:
        errors.setdefault("__all__", []).append(f"Assess at most {MAX_MUSCLES} muscles at one visit.")
    for row in rows:
        name = row.muscle.strip()
        key = f"{name}/{row.side}"
        if not name:
            errors.setdefault(key, []).append("Name the muscle.")
        elif len(name) > MUSCLE_MAX_LENGTH:
            errors.setdefault(key, []).append(f"A muscle's name is at most {MUSCLE_MAX_LENGTH} characters.")
        if row.side not in (Side.LEFT, Side.RIGHT):
            errors.setdefault(key, []).append("The side is left or right.")
        if (name.lower(), row.side) in seen:
            errors.setdefault(key, []).append("This muscle and side are assessed twice.")
        seen.add((name.lower(), row.side))
        for expression in Expression.values:
            score = row.scores.get(expression)
            if score is not None and score not in SCORES:
                errors.setdefault(f"{key}/{expression}", []).append("Choose 0, 1, 2 or 3, or leave it blank.")
    if len(notes) > 5000:
        errors.setdefault("notes", []).append("Keep the notes under 5,000 characters.")
    return errors


def assessment_save(
    *,
    appointment: Appointment,
    rows: Sequence[RowInput],
    notes: str,
    actor: AbstractBaseUser,
    now: datetime,
) -> Assessment:
    """Keep this visit's assessment: the rows given replace the earlier ones, in one transaction.

    Blank rows (no score, not dominant) are not kept. Refused (AssessmentError, nothing written)
    when a row is invalid, when the appointment was cancelled or missed, or once the treatment
    record is signed or marked "not treated".
    """
    errors = _validate(rows, notes)
    if errors:
        raise AssessmentError(errors)
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.status in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW):
            raise AssessmentError({"__all__": ["This appointment was cancelled or missed: nothing to assess."]})
        if assessment_locked(appointment):
            raise AssessmentError(
                {"__all__": ["The treatment record is signed: the assessment can't change. Add an addendum instead."]}
            )
        assessment, created = Assessment.objects.get_or_create(
            appointment=appointment,
            defaults={"notes": notes, "assessed_by": actor, "created_at": now, "updated_at": now},
        )
        if not created:
            assessment.notes, assessment.assessed_by, assessment.updated_at = notes, actor, now
            assessment.save(update_fields=["notes", "assessed_by", "updated_at"])
            assessment.rows.all().delete()
        AssessmentRow.objects.bulk_create(
            AssessmentRow(
                assessment=assessment,
                area=row.area,
                muscle=row.muscle.strip(),
                side=row.side,
                dominant=row.dominant,
                **{expression: row.scores.get(expression) for expression in Expression.values},
            )
            for row in rows
            if not row.is_blank
        )
    return assessment
