"""What a staff member may do to bookings: their own schedule, the visit's actions.

The shell's helpers every app shares (staff_required, require, parse_date, back, ...) are in
medspa.staff.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse

from .models import Appointment, Provider

CAN_ACT = "bookings.change_appointment"


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


def day_url(appointment: Appointment) -> str:
    return f"{reverse('bookings:staff-day')}?location={appointment.location.slug}&date={appointment.local_start.date()}"


def staff_appointment(reference: str) -> Appointment:
    """The appointment a staff URL names by its reference, with what its pages show; 404 if none."""
    return get_object_or_404(
        Appointment.objects.select_related("patient", "service", "provider__user", "location", "room", "device"),
        reference=reference,
    )
