"""Two middlewares after OTPMiddleware: an idle staff session ends; an unproven one reaches only
the sign-in pages."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from .two_factor import pending_step

LAST_SEEN = "last_seen"
# The session is written again at most this often, not on every request; the cookie and the
# stored session expire SESSION_COOKIE_AGE after that write.
TOUCH_EVERY_SECONDS = 60


def on_sign_in(sender: object, request: HttpRequest | None, user: object, **kwargs: object) -> None:
    """At sign-in (user_logged_in): the idle clock starts, and whether a second step is owed is
    settled now, so the pages after it read both from the session without writing it."""
    if request is None or not hasattr(request, "session"):
        return
    request.session[LAST_SEEN] = timezone.now().timestamp()
    request.user = user
    pending_step(request)


class IdleSessionMiddleware:
    """A signed-in session that made no request for SESSION_IDLE_MINUTES is signed out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            last_seen = request.session.get(LAST_SEEN)
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
                messages.info(
                    request,
                    f"You were signed out after {settings.SESSION_IDLE_MINUTES} minutes without activity.",
                )
                return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
            if last_seen is None or now - last_seen >= TOUCH_EVERY_SECONDS:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


class TwoFactorMiddleware:
    """A session that signed in with a password but still owes a code (or has yet to set up an
    app its role requires) is sent to that step from every page but the sign-in pages: the
    staff pages, the admin and everything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._open_paths: tuple[str, ...] | None = None

    def open_paths(self) -> tuple[str, ...]:
        if self._open_paths is None:
            self._open_paths = (
                reverse("login"),
                reverse("logout"),
                reverse("two-factor-verify"),
                reverse("two-factor-enrol"),
                reverse("admin:logout"),
                settings.STATIC_URL,
            )
        return self._open_paths

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and not request.path.startswith(self.open_paths()):
            step = pending_step(request)
            if step is not None:
                target = reverse("two-factor-verify" if step == "verify" else "two-factor-enrol")
                return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
