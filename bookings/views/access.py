"""Who may open the front-desk screens, and small helpers they share."""

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from ..models import Appointment, Provider

CAN_ACT = "bookings.change_appointment"


def staff_required(view: Callable) -> Callable:
    """Signed-in staff only; anyone else signed in gets 403."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def own_provider(request: HttpRequest) -> Provider | None:
    """An injector without front-desk rights sees only their own schedule."""
    if request.user.has_perm(CAN_ACT):
        return None
    provider = Provider.objects.filter(user=request.user).first()
    if provider is None:
        raise PermissionDenied
    return provider


# What staff may do to an appointment (whether its status and time allow it is the services'
# and the page's question). Front desk and managers run the whole visit; an injector completes
# their own visit and books its two-week review, nothing else.
DESK_ACTIONS = frozenset(
    {"confirm", "check-in", "undo-check-in", "complete", "no-show", "undo-no-show", "move", "cancel", "book-review"}
)
INJECTOR_ACTIONS = frozenset({"complete", "book-review"})


def visit_actions(request: HttpRequest, appointment: Appointment) -> frozenset[str]:
    """The actions this staff member may take on `appointment`; 403 for another provider's appointment."""
    if request.user.has_perm(CAN_ACT):
        return DESK_ACTIONS
    own = own_provider(request)
    if own is None or appointment.provider_id != own.pk:
        raise PermissionDenied
    return INJECTOR_ACTIONS


def require_action(request: HttpRequest, appointment: Appointment, action: str) -> None:
    if action not in visit_actions(request, appointment):
        raise PermissionDenied


# Dates the staff screens accept from a query string; anything else means "the default day".
# Far enough either way for any diary, and clear of date.min/date.max, where a day ± 1 overflows.
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def parse_date(value: str | None, default: date) -> date:
    try:
        parsed = date.fromisoformat(value) if value else default
    except ValueError:
        return default
    return parsed if EARLIEST_DAY <= parsed <= LATEST_DAY else default


def back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect(fallback)


def day_url(appointment: Appointment) -> str:
    return f"{reverse('bookings:staff-day')}?location={appointment.location.slug}&date={appointment.local_start.date()}"
