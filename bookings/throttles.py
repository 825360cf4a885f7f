"""Limits on online booking beyond the per-address one (medspa.ratelimit.RateLimitMiddleware):
per email, and at most BOOKING_MAX_OPEN_ONLINE upcoming online bookings per email.

The answer is the same 429 whichever limit was reached, so it says nothing about whether the
email belongs to a patient of the clinic.
"""

import functools
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from medspa.ratelimit import limit_exceeded, rate_limited_response

from .selectors import online_bookings_open

OPEN_BOOKINGS_RETRY_SECONDS = 3600


def booking_throttled(view: Callable) -> Callable:
    """Wraps the API's booking endpoint, whose validated `payload` carries `patient.email`."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, payload, **kwargs):
        email = payload.patient.email.strip().lower()
        detail = (
            "We can't take more online bookings for these details just now. "
            f"Please call us on {settings.CLINIC_PHONE} to book."
        )
        wait = limit_exceeded("booking-email", email, settings.RATE_LIMIT_BOOKING_PER_EMAIL)
        if wait is not None:
            return rate_limited_response(request, wait, detail)
        most = settings.BOOKING_MAX_OPEN_ONLINE  # 0: no cap
        if most and online_bookings_open(email=email, date_of_birth=payload.patient.date_of_birth,
                                         now=timezone.now()) >= most:  # fmt: skip
            return rate_limited_response(request, OPEN_BOOKINGS_RETRY_SECONDS, detail)
        return view(request, *args, payload=payload, **kwargs)

    return wrapper
