from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from treatments.models import Service
from treatments.selectors import areas_by_region

from ..calendar import appointment_ics
from ..models import Appointment
from ..policy import booking_policy
from ..selectors import locations_active
from ..services import BookingError, appointment_cancel, cancel_deadline
from ..tokens import ManageLinkExpired, ManageLinkInvalid, appointment_from_token


def book(request: HttpRequest) -> HttpResponse:
    """The booking page: a phone-first flow over the public API (static/bookings/booking.js)."""
    locations = locations_active()
    services = list(Service.objects.active().filter(bookable_online=True))
    regions = areas_by_region()
    policy = booking_policy()
    config = {
        "api": "/api/v1",
        "locations": [
            {"slug": loc.slug, "name": loc.name, "address": loc.address, "timezone": loc.timezone} for loc in locations
        ],
        "services": [
            {
                "slug": s.slug,
                "name": s.name,
                "kind": s.kind,
                "summary": s.summary,
                "duration_minutes": s.duration_minutes,
                "price_note": s.price_note,
                "new_patients_online": s.new_patients_online,
            }
            for s in services
        ],
        "regions": [
            {"label": label, "areas": [{"slug": a.slug, "name": a.name, "concern": a.concern} for a in areas]}
            for label, areas in regions
        ],
        "preselect": {"service": request.GET.get("service", ""), "area": request.GET.get("area", "")},
        "daysPerPage": 14,
        "clinicPhone": settings.CLINIC_PHONE,
    }
    return render(request, "bookings/book.html", {"config": config, "cancel_hours": _hours(policy.cancel_window)})


def _hours(delta) -> str:
    return f"{delta.total_seconds() / 3600:g}"


def _appointment_or_page(request: HttpRequest, token: str) -> Appointment | HttpResponse:
    try:
        return appointment_from_token(token, now=timezone.now())
    except ManageLinkInvalid as exc:
        raise Http404("No such booking") from exc
    except ManageLinkExpired:
        return render(request, "bookings/manage_expired.html", status=410)


def manage(request: HttpRequest, token: str) -> HttpResponse:
    """A patient's own booking, opened by the signed link from their confirmation."""
    appointment = _appointment_or_page(request, token)
    if isinstance(appointment, HttpResponse):
        return appointment
    deadline = cancel_deadline(appointment)
    changeable = appointment.status in ("booked", "confirmed") and timezone.now() < deadline
    return render(
        request,
        "bookings/manage.html",
        {
            "appointment": appointment,
            "token": token,
            "just_booked": request.GET.get("booked") == "1",
            "changeable": changeable,
            "deadline": deadline,
            "cancel_hours": _hours(booking_policy().cancel_window),
            "config": {
                "api": "/api/v1",
                "token": token,
                "service": appointment.service.slug,
                "provider": appointment.provider_id,
                "location": {
                    "slug": appointment.location.slug,
                    "name": appointment.location.name,
                    "timezone": appointment.location.timezone,
                },
                "daysPerPage": 14,
            },
        },
    )


def manage_ics(request: HttpRequest, token: str) -> HttpResponse:
    appointment = _appointment_or_page(request, token)
    if isinstance(appointment, HttpResponse):
        return appointment
    response = HttpResponse(appointment_ics(appointment), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.reference}.ics"'
    return response


@require_POST
def manage_cancel(request: HttpRequest, token: str) -> HttpResponse:
    """Cancel from the manage page (a plain form: works without JavaScript)."""
    appointment = _appointment_or_page(request, token)
    if isinstance(appointment, HttpResponse):
        return appointment
    try:
        appointment_cancel(appointment=appointment, now=timezone.now(), by_patient=True)
    except BookingError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, "Your appointment is cancelled. We hope to see you another time.")
    return redirect("bookings:manage", token=token)
