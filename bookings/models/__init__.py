"""The front office: where, who, for whom and when; one module per noun, every name importable
from here (`from bookings.models import Appointment`).

Times are stored in UTC and shown in the location's zone. An appointment keeps the busy range
it blocks (its start and end widened by the service's buffers at booking time), and on
PostgreSQL an exclusion constraint (migration 0002) refuses two overlapping busy ranges for
one provider among the blocking statuses, whatever the code above it does.
"""

from .appointments import (
    BLOCKING_STATUSES,
    REFERENCE_ALPHABET,
    Appointment,
    AppointmentEvent,
    AppointmentQuerySet,
    AppointmentStatus,
    ChartState,
    EventKind,
    IntakeStatus,
    NeedsCall,
    NotReady,
    Source,
    new_reference,
)
from .embed import EmbedOrigin, origin_normalise
from .identity import ContactProposal, IdentityCode, ProposalStatus
from .locations import Location, default_time_zone, validate_time_zone
from .patients import SMS_CONSENT_TEXT, Patient, PreferredChannel
from .providers import Provider, TimeOff, Weekday, WorkingHours
from .rooms import Device, Room
from .versions import AvailabilityVersion
from .waitlist import WaitlistEntry, WaitlistStatus

__all__ = [
    "BLOCKING_STATUSES",
    "REFERENCE_ALPHABET",
    "SMS_CONSENT_TEXT",
    "Appointment",
    "AppointmentEvent",
    "AppointmentQuerySet",
    "AppointmentStatus",
    "AvailabilityVersion",
    "ChartState",
    "ContactProposal",
    "Device",
    "EmbedOrigin",
    "EventKind",
    "IdentityCode",
    "IntakeStatus",
    "Location",
    "NeedsCall",
    "NotReady",
    "Patient",
    "PreferredChannel",
    "ProposalStatus",
    "Provider",
    "Room",
    "Source",
    "TimeOff",
    "WaitlistEntry",
    "WaitlistStatus",
    "Weekday",
    "WorkingHours",
    "default_time_zone",
    "new_reference",
    "origin_normalise",
    "validate_time_zone",
]
