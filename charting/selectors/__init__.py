"""Reads of charting: the record and its checks (`record`), the assessment screen, the history and
the lot recall (`history`); import them from here."""

from .history import (
    RecallHit,
    assessment_muscles,
    assessment_of,
    assessment_previous,
    lot_recall,
    patient_history,
    rows_by_muscle,
)
from .photos import PhotoComparison, PhotoSet, marketing_photos, photo_comparison, photo_sets, photo_use_of
from .record import (
    TreatmentGiven,
    record_check_for,
    record_entries,
    record_totals,
    touch_up_candidates,
    treatment_given,
)

__all__ = [
    "PhotoComparison",
    "PhotoSet",
    "RecallHit",
    "TreatmentGiven",
    "assessment_muscles",
    "assessment_of",
    "assessment_previous",
    "lot_recall",
    "marketing_photos",
    "patient_history",
    "photo_comparison",
    "photo_sets",
    "photo_use_of",
    "record_check_for",
    "record_entries",
    "record_totals",
    "rows_by_muscle",
    "touch_up_candidates",
    "treatment_given",
]
