"""Writes of charting, one module per noun; import them from here."""

from .assessment import MAX_MUSCLES, MUSCLE_MAX_LENGTH, AssessmentError, RowInput, assessment_locked, assessment_save
from .photos import PhotoInput, photo_renditions_make, photos_add, photos_erase
from .record import (
    ChartingError,
    RecordContent,
    RecordLocked,
    addendum_add,
    record_not_treated,
    record_save,
    record_sign,
    record_start,
)

__all__ = [
    "MAX_MUSCLES",
    "MUSCLE_MAX_LENGTH",
    "AssessmentError",
    "ChartingError",
    "PhotoInput",
    "RecordContent",
    "RecordLocked",
    "RowInput",
    "addendum_add",
    "assessment_locked",
    "assessment_save",
    "photo_renditions_make",
    "photos_add",
    "photos_erase",
    "record_not_treated",
    "record_save",
    "record_sign",
    "record_start",
]
