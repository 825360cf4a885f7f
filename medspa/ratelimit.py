"""Rate limits counted in Django's cache (Redis in production through CACHE_URL).

A rate is "N/period" with period s, m, h or d ("10/h"); several, comma-separated, all apply
("10/h,30/d"); an empty string turns a limit off. Each window is fixed (this hour, this day), so
a count is one INCR. Keys never hold what they count: an email is hashed first.

`RateLimitMiddleware` limits by address what every caller shares (booking, availability, every
token link); an endpoint limits by anything else with `limit_exceeded` and answers
`rate_limited_response`.
"""

import hashlib
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse

from .http import client_ip
from .private_paths import has_token

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int


def parse_rates(spec: str) -> list[Rate]:
    """ "10/h,30/d" → [Rate(10, 3600), Rate(30, 86400)]; "" → []. "5/10m" is five per ten minutes."""
    rates = []
    for part in filter(None, (p.strip() for p in (spec or "").split(","))):
        match = RATE.match(part)
        if not match:
            raise ValueError(f"Not a rate: {part!r} (write it like 10/h or 5/10m)")
        count, multiple, unit = match.groups()
        rates.append(Rate(int(count), int(multiple or 1) * PERIODS[unit]))
    return rates


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def limit_exceeded(scope: str, identity: str, spec: str, *, now: float | None = None) -> int | None:
    """Count one request of `identity` in `scope`; seconds until it may try again if over a rate, else None."""
    if not settings.RATE_LIMIT_ENABLED:
        return None
    now = time.time() if now is None else now
    wait = None
    for rate in parse_rates(spec):
        window = int(now // rate.seconds)
        key = f"rl:{scope}:{rate.limit}/{rate.seconds}:{_digest(identity)}:{window}"
        cache.add(key, 0, rate.seconds + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, rate.seconds + 1)
            count = 1
        if count > rate.limit:
            left = max(1, math.ceil((window + 1) * rate.seconds - now))
            wait = max(wait or 0, left)
    return wait


def rate_limited_response(request: HttpRequest, retry_after: int, detail: str | None = None) -> HttpResponse:
    """429 with Retry-After: JSON for the API, a page for people."""
    minutes = max(1, math.ceil(retry_after / 60))
    detail = detail or (
        f"Too many requests from here. Please try again in {minutes} minute{'s' if minutes != 1 else ''}."
    )
    if request.path.startswith("/api/"):
        response = JsonResponse({"error": "rate_limited", "detail": detail}, status=429)
    else:
        context = {"heading": "Please slow down", "detail": detail}
        response = TemplateResponse(request, "request_refused.html", context, status=429)
        response.render()
    response["Retry-After"] = str(retry_after)
    return response


@dataclass(frozen=True)
class Rule:
    scope: str
    setting: str  # the name of the setting that holds the rates
    applies: Callable[[HttpRequest], bool]


def _booking(request: HttpRequest) -> bool:
    if request.method != "POST":
        return False
    path = request.path.rstrip("/")
    if path == "/api/v1/bookings":
        # A write that is not JSON is refused (415) uncounted: a cross-site form posted from a
        # visitor's browser must not use up that address's bookings.
        return request.content_type == "application/json"
    return path == "/book/waitlist"


def _availability(request: HttpRequest) -> bool:
    return request.path.rstrip("/") == "/api/v1/availability"


RULES = (
    Rule("booking", "RATE_LIMIT_BOOKING_PER_ADDRESS", _booking),
    Rule("availability", "RATE_LIMIT_AVAILABILITY", _availability),
    Rule("token", "RATE_LIMIT_TOKEN_LINKS", lambda request: has_token(request.path)),
)


class RateLimitMiddleware:
    """Limits per client address the endpoints anyone can call: booking, availability, token links."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for rule in RULES:
            if rule.applies(request):
                address = client_ip(request) or "unknown"
                wait = limit_exceeded(rule.scope, address, getattr(settings, rule.setting))
                if wait is not None:
                    return rate_limited_response(request, wait)
        return self.get_response(request)
