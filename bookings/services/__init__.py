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
    event_record,
    patient_match_or_create,
)
from .hours import (
    AppointmentsOrphaned,
    HoursRow,
    appointments_outside_hours,
    time_off_add,
    time_off_remove,
    working_hours_errors,
    working_hours_replace,
)
from .patients import (
    appointment_intake_status_set,
    patient_contact_update,
    patient_opt_out,
    patient_treatment_hold_set,
)
from .visits import appointment_check_in, appointment_complete, appointment_confirm, appointment_no_show
from .waitlist import waitlist_add, waitlist_offer_accept, waitlist_offer_freed_time, waitlist_remove

__all__ = [
    "AppointmentsOrphaned",
    "BookingError",
    "BookingInvalid",
    "HoursRow",
    "PatientDetails",
    "SlotUnavailable",
    "TooLateToChange",
    "TooLateToReschedule",
    "TreatmentOnHold",
    "appointment_book",
    "appointment_cancel",
    "appointment_check_in",
    "appointment_complete",
    "appointment_confirm",
    "appointment_intake_status_set",
    "appointment_no_show",
    "appointment_reschedule",
    "appointments_outside_hours",
    "cancel_deadline",
    "event_record",
    "patient_contact_update",
    "patient_match_or_create",
    "patient_opt_out",
    "patient_treatment_hold_set",
    "time_off_add",
    "time_off_remove",
    "waitlist_add",
    "waitlist_offer_accept",
    "waitlist_offer_freed_time",
    "waitlist_remove",
    "working_hours_errors",
    "working_hours_replace",
]
