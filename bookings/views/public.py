from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from medspa.context_processors import clinic_location_set
from medspa.staff import errors_to_form
from treatments.models import Service
from treatments.selectors import areas_by_region

from ..calendar import appointment_ics
from ..forms import NewPatientForm, WaitlistForm
from ..models import SMS_CONSENT_TEXT, Appointment, Location, Provider
from ..policy import booking_policy
from ..selectors import locations_active
from ..services import (
    BookingError,
    BookingInvalid,
    PatientDetails,
    appointment_cancel,
    appointment_confirm,
    cancel_deadline,
    waitlist_join_online,
    waitlist_offer_accept,
)
from ..tokens import (
    ManageLinkExpired,
    ManageLinkInvalid,
    appointment_from_token,
    manage_token,
    waitlist_entry_from_token,
)


def book(request: HttpRequest) -> HttpResponse:
    """The booking page: a phone-first flow over the public API (static/bookings/booking.js)."""
    from treatments.catalog_cache import catalog_version, whole_page

    version = catalog_version()
    extra = book_page_extra()

    def page() -> HttpResponse:
        context = {"config": book_page_config(request, version), **extra}
        return render(request, "bookings/book.html", context)

    return whole_page(request, "book", version, page, extra["cancel_hours"])


def book_page_config(request: HttpRequest, version: int | None = None) -> dict:
    """What booking.js is given: the catalog's offer (cached) and what the link preselects."""
    from treatments.catalog_cache import cached, catalog_version

    return {
        **cached("book-page", catalog_version() if version is None else version, _book_config),
        "clinicPhone": settings.CLINIC_PHONE,
        "preselect": {
            "service": request.GET.get("service", ""),
            "area": request.GET.get("area", ""),
            "date": request.GET.get("date", ""),  # the rebook message starts the calendar on day 90
            "location": request.GET.get("location", ""),
            "provider": request.GET.get("provider", ""),
        },
    }


def book_page_extra() -> dict:
    """The booking form's wording: the cancellation window and the text-message consent."""
    return {"cancel_hours": _hours(booking_policy().cancel_window), "sms_consent_text": SMS_CONSENT_TEXT}


def _book_config() -> dict:
    """What the booking page offers: locations, services and areas, cached under the catalog's
    version (every catalog write and every location's bumps it)."""
    return {
        "api": "/api/v1",
        "locations": [
            {
                "slug": loc.slug,
                "name": loc.name,
                "address": loc.address,
                "timezone": loc.timezone,
                "phone": loc.contact_phone,
            }
            for loc in locations_active()
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
            for s in Service.objects.active().filter(bookable_online=True)
        ],
        "regions": [
            {"label": label, "areas": [{"slug": a.slug, "name": a.name, "concern": a.concern} for a in areas]}
            for label, areas in areas_by_region()
        ],
        "daysPerPage": 14,
    }


def _hours(delta) -> str:
    return f"{delta.total_seconds() / 3600:g}"


def _appointment_or_page(request: HttpRequest, token: str) -> Appointment | HttpResponse:
    try:
        appointment = appointment_from_token(token, now=timezone.now())
    except ManageLinkInvalid as exc:
        raise Http404("No such booking") from exc
    except ManageLinkExpired:
        return render(request, "bookings/manage_expired.html", status=410)
    clinic_location_set(request, appointment.location)  # its phone in the page, header and footer
    return appointment


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
def manage_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The patient confirms they are coming (the day-before reminder links here)."""
    appointment = _appointment_or_page(request, token)
    if isinstance(appointment, HttpResponse):
        return appointment
    try:
        appointment_confirm(appointment=appointment, actor=None, now=timezone.now())
    except BookingError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, "Thank you: you're confirmed. See you then.")
    return redirect("bookings:manage", token=token)


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


def waitlist_join(request: HttpRequest) -> HttpResponse:
    """Online, when no time suits: leave details and the dates that would work."""
    today = timezone.localdate()
    initial = {
        "service": request.GET.get("service") and Service.objects.filter(slug=request.GET["service"]).first(),
        "location": request.GET.get("location") and Location.objects.filter(slug=request.GET["location"]).first(),
        "earliest": today,
        "latest": today + timedelta(days=14),
    }
    form = WaitlistForm(request.POST or None, initial=initial)
    form.fields["service"].queryset = Service.objects.active().filter(bookable_online=True)
    form.fields["provider"].queryset = Provider.objects.filter(is_active=True, bookable_online=True).select_related(
        "user"
    )
    patient_form = NewPatientForm(request.POST or None, prefix="patient")
    if request.method == "POST" and form.is_valid() and patient_form.is_valid():
        data = patient_form.cleaned_data
        details = PatientDetails(data["first_name"], data["last_name"], data["email"], data["phone"],
                                 data["date_of_birth"])  # fmt: skip
        try:
            waitlist_join_online(details=details, today=today, **form.cleaned_data)
        except BookingInvalid as exc:
            errors_to_form(form, exc.errors)
        else:
            # The address as typed: a matched record's own is not shown to whoever typed it.
            return render(request, "bookings/waitlist_joined.html", {"email": data["email"]})
    return render(request, "bookings/waitlist_join.html", {"form": form, "patient_form": patient_form})


def waitlist_offer(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a waitlist offer: book the time if it is still free."""
    try:
        entry = waitlist_entry_from_token(token)
    except ManageLinkInvalid as exc:
        raise Http404("No such offer") from exc
    except ManageLinkExpired:
        return render(request, "bookings/waitlist_offer.html", {"stale": True}, status=410)
    if entry.offered_location is not None:
        clinic_location_set(request, entry.offered_location)
    if request.method == "POST":
        try:
            appointment = waitlist_offer_accept(entry=entry, now=timezone.now())
        except BookingError as exc:
            return render(request, "bookings/waitlist_offer.html", {"taken": exc.detail}, status=409)
        return redirect(reverse("bookings:manage", args=[manage_token(appointment)]) + "?booked=1")
    start = entry.offered_start.astimezone(entry.offered_location.zone)
    return render(request, "bookings/waitlist_offer.html", {"entry": entry, "start": start})
