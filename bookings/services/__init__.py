"""Writes of the front office, one module per noun; import them from here."""

from .booking import (
    BookingError,
    BookingInvalid,
    PatientDetails,
    SlotUnavailable,
    TooLateToChange,
    TooLateToReschedule,
    TreatmentOnHold,
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    cancel_deadline,
    patient_match_or_create,
)

__all__ = [
    "BookingError",
    "BookingInvalid",
    "PatientDetails",
    "SlotUnavailable",
    "TooLateToChange",
    "TooLateToReschedule",
    "TreatmentOnHold",
    "appointment_book",
    "appointment_cancel",
    "appointment_reschedule",
    "cancel_deadline",
    "patient_match_or_create",
]
