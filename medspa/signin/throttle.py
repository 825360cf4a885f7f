"""How many wrong passwords staff sign-in lets through, counted in Django's cache.

Every failure is counted four ways, and the sign-in is refused (429, with when to retry) while
any count that applies is over its limit:

- one username from one address: 5 in 15 minutes, then a pause until the window ends;
- one address, any usernames (spraying one password over many names): 30 in 15 minutes;
- one username from anywhere: after 10 in an hour each further try waits 30 s, 1 min, 2 min…
  (at most 15 minutes) after the last failure. It slows a distributed guesser down; it never
  locks the person out for good;
- everything: 300 in 5 minutes, for the whole site.

The address is `client_ip`, so a forged X-Forwarded-For can neither buy extra guesses nor spend
someone else's. A browser that has completed a sign-in for this username before (it holds a
signed device cookie) is exempt from the last three counts: strangers' failures, however many,
never keep staff out of their own workstation. A refused attempt checks no password and counts
nothing, so hammering does not extend the wait.

Set CACHE_URL to Redis when several web processes serve sign-in, so they share the counts.
"""

import hashlib
import ipaddress
import math
from dataclasses import dataclass

from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

DEVICE_COOKIE = "staff_device"
DEVICE_COOKIE_SALT = "medspa.signin.device"
DEVICE_COOKIE_DAYS = 180


@dataclass(frozen=True)
class Window:
    """At most `failures` in `seconds`; then wait until the window that started with the first ends."""

    name: str
    failures: int
    seconds: int


PAIR = Window("pair", failures=5, seconds=15 * 60)
ADDRESS = Window("address", failures=30, seconds=15 * 60)
OVERALL = Window("overall", failures=300, seconds=5 * 60)
# One username from anywhere: free failures in the window, then a delay doubling from base to cap.
USERNAME_WINDOW_SECONDS = 60 * 60
USERNAME_FREE_FAILURES = 10
USERNAME_DELAY_BASE = 30
USERNAME_DELAY_CAP = 15 * 60


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def address_bucket(ip: str | None) -> str:
    """IPv6 callers get whole /64 networks, so count the network, not the address."""
    if not ip:
        return "unknown"
    address = ipaddress.ip_address(ip)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return ip


def normalise(username: str) -> str:
    return username.strip().lower()[:150]


class SignInThrottle:
    """The counts for one attempt: this username from this address, at `now` (Unix seconds)."""

    def __init__(self, *, ip: str | None, username: str, now: float, trusted: bool = False) -> None:
        self.now = now
        self.trusted = trusted
        user, address = _digest(normalise(username)), _digest(address_bucket(ip))
        self.keys = {
            PAIR: f"signin:{PAIR.name}:{address}:{user}",
            ADDRESS: f"signin:{ADDRESS.name}:{address}",
            OVERALL: f"signin:{OVERALL.name}",
        }
        self.username_key = f"signin:username:{user}"

    def windows(self) -> list[Window]:
        return [PAIR] if self.trusted else [PAIR, ADDRESS, OVERALL]

    def wait_seconds(self) -> int:
        """0 if this attempt may check its password, else how many seconds until it may."""
        keys = [self.keys[w] for w in self.windows()] + [self.username_key]
        values = cache.get_many(keys + [f"{k}:start" for k in keys] + [f"{self.username_key}:last"])
        waits = [0.0]
        for window in self.windows():
            if self._count_in_window(values, self.keys[window], window.seconds) >= window.failures:
                waits.append(values[f"{self.keys[window]}:start"] + window.seconds - self.now)
        if not self.trusted:
            count = self._count_in_window(values, self.username_key, USERNAME_WINDOW_SECONDS)
            if (excess := count - USERNAME_FREE_FAILURES) >= 0:
                delay = min(USERNAME_DELAY_BASE * 2**excess, USERNAME_DELAY_CAP)
                waits.append(values.get(f"{self.username_key}:last", self.now) + delay - self.now)
        return max(0, math.ceil(max(waits)))

    def _count_in_window(self, values: dict, key: str, seconds: int) -> int:
        """The count, if its window is still open (the cache may keep a key a little past it)."""
        start = values.get(f"{key}:start")
        return values.get(key, 0) if start is not None and 0 <= self.now - start < seconds else 0

    def failed(self) -> None:
        for window, key in self.keys.items():
            _count(key, window.seconds, self.now)
        _count(self.username_key, USERNAME_WINDOW_SECONDS, self.now)
        cache.set(f"{self.username_key}:last", self.now, USERNAME_WINDOW_SECONDS)

    def succeeded(self) -> None:
        """The right password: this address's own count for the username starts again."""
        cache.delete_many([self.keys[PAIR], f"{self.keys[PAIR]}:start"])


def _count(key: str, seconds: int, now: float) -> int:
    """One more failure in the window that `key:start` opened; a closed window starts again."""
    start = cache.get(f"{key}:start")
    if start is not None and not 0 <= now - start < seconds:
        cache.delete_many([f"{key}:start", key])
    cache.add(f"{key}:start", now, seconds)  # add: of two processes opening a window, one wins
    cache.add(key, 0, seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set_many({f"{key}:start": now, key: 1}, seconds)
        return 1


def wait_message(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    when = f"{seconds} seconds" if seconds < 60 else f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"Too many attempts. Please try again in {when}, or ask a manager to reset your password."


def trusted_usernames(request: HttpRequest) -> list[str]:
    """The usernames this browser has completed a sign-in for (from its signed device cookie)."""
    value = request.COOKIES.get(DEVICE_COOKIE)
    if not value:
        return []
    try:
        names = signing.loads(value, salt=DEVICE_COOKIE_SALT, max_age=DEVICE_COOKIE_DAYS * 24 * 3600)
    except signing.BadSignature:
        return []
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def remember_device(request: HttpRequest, response: HttpResponse, username: str) -> None:
    """After a complete sign-in: this browser is trusted for this username (the last five kept)."""
    from django.conf import settings

    names = [normalise(username)] + [n for n in trusted_usernames(request) if n != normalise(username)]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps(names[:5], salt=DEVICE_COOKIE_SALT),
        max_age=DEVICE_COOKIE_DAYS * 24 * 3600,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )
