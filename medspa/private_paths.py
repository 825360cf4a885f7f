"""Which URLs carry a patient's token, and which hold personal or health data.

One list, read by the log filter (tokens never reach a log), the rate limits (every token
endpoint is limited) and the no-store middleware (no cache keeps these pages).
"""

import re

# A path segment that is a signed token follows one of these prefixes.
TOKEN_PREFIXES = ("my", "intake", "follow-up", "waitlist", "messages/stop", "api/v1/bookings")

# "/my/<token>/…": the prefix (group 1) and the token (group 2). The token stops at "/", "?",
# whitespace or a quote, so it also matches inside a log line ("GET /my/abc.def/ HTTP/1.1").
_PREFIXES = "|".join(re.escape(prefix) for prefix in TOKEN_PREFIXES)
TOKEN_IN_PATH = re.compile(rf"(/(?:{_PREFIXES})/)([^/?#\s\"']+)")

# Pages and answers about a person: staff screens and exports, the admin, every token page, and
# the public endpoints that take a patient's details and answer with a booking.
NO_STORE_PATH = re.compile(r"^/(?:staff|admin|book/waitlist|api/v1/bookings)(?:/|$)|" + TOKEN_IN_PATH.pattern)


def has_token(path: str) -> bool:
    """True when the path opens something by a patient's token (not /book/waitlist/ or /api/v1/bookings)."""
    return TOKEN_IN_PATH.match(path) is not None


def mask_tokens(text: str) -> str:
    return TOKEN_IN_PATH.sub(r"\1[token]", text)
