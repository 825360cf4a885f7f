"""Writes of intake, one module per noun; import them from here.

Intake sits above bookings: it keeps the appointment's intake status and the patient's treatment
hold up to date through bookings' services, and bookings never imports intake.
"""

from .access import access_log_record, ip_address_or_none
from .consent import Signature, consent_sign, consent_text_publish
from .decisions import screening_decide
from .errors import IntakeError
from .follow_ups import URGENT_SYMPTOMS, follow_up_acknowledge, follow_up_submit
from .history import FORM_VERSION, history_correct, history_submit, intake_identity_verified
from .readiness import READY_STATUSES, treatment_ready_refresh, treatment_ready_refresh_all
from .submission import (
    ANSWER_STEPS,
    STEPS,
    IntakeSubmitted,
    draft_save,
    intake_drafts_discard,
    intake_submit,
)

__all__ = [
    "ANSWER_STEPS",
    "FORM_VERSION",
    "READY_STATUSES",
    "STEPS",
    "URGENT_SYMPTOMS",
    "IntakeError",
    "IntakeSubmitted",
    "Signature",
    "access_log_record",
    "consent_sign",
    "consent_text_publish",
    "draft_save",
    "follow_up_acknowledge",
    "follow_up_submit",
    "history_correct",
    "history_submit",
    "intake_drafts_discard",
    "intake_identity_verified",
    "intake_submit",
    "ip_address_or_none",
    "screening_decide",
    "treatment_ready_refresh",
    "treatment_ready_refresh_all",
]
