"""Reads of the front office, one module per noun; import them from here."""

from .availability import (
    Availability,
    Slot,
    SlotCheck,
    _free_slots,
    _grid_at,
    availability_find,
    availability_online,
    last_bookable_day,
    slot_check,
    slots_available,
)
from .embed import embed_origins, embed_origins_forget
from .people import (
    locations_active,
    online_bookings_open,
    patient_find,
    provider_offers,
    provider_with_user,
    providers_for,
    review_service,
)
from .rows import schedule_rows, service_by_slug
from .schedule import _Schedule

__all__ = [
    "Availability",
    "Slot",
    "SlotCheck",
    "_Schedule",
    "_free_slots",
    "_grid_at",
    "availability_find",
    "availability_online",
    "embed_origins",
    "embed_origins_forget",
    "last_bookable_day",
    "locations_active",
    "online_bookings_open",
    "patient_find",
    "provider_offers",
    "provider_with_user",
    "providers_for",
    "review_service",
    "schedule_rows",
    "service_by_slug",
    "slot_check",
    "slots_available",
]
