"""The booking policy, read from settings at call time (so tests and managers can change it)."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings


@dataclass(frozen=True)
class BookingPolicy:
    min_notice: timedelta
    horizon_days: int
    slot_step: timedelta
    cancel_window: timedelta


def booking_policy() -> BookingPolicy:
    return BookingPolicy(
        min_notice=timedelta(minutes=settings.BOOKING_MIN_NOTICE_MINUTES),
        horizon_days=settings.BOOKING_HORIZON_DAYS,
        slot_step=timedelta(minutes=settings.BOOKING_SLOT_STEP_MINUTES),
        cancel_window=timedelta(hours=settings.BOOKING_CANCEL_WINDOW_HOURS),
    )
