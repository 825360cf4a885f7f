"""Booking endpoints of the public API (DESIGN.md, Public JSON API v1)."""

import functools
import json
from collections.abc import Callable
from datetime import datetime, timedelta

import orjson
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status

from treatments.models import Service, TreatmentArea

from .api_schemas import (
    AvailabilityOut,
    AvailabilityQuery,
    BookingIn,
    BookingOut,
    ErrorOut,
    ErrorsOut,
    LocationOut,
    ProviderOut,
    RescheduleIn,
)
from .models import Appointment, Location, Provider, Source
from .selectors import (
    availability_find,
    availability_online,
    locations_active,
    provider_with_user,
    providers_for,
    service_by_slug,
)
from .services import (
    BookingError,
    BookingInvalid,
    PatientDetails,
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    cancel_deadline,
)
from .throttles import booking_throttled
from .tokens import ManageLinkExpired, ManageLinkInvalid, appointment_from_token, manage_path

router = Router(tags=["bookings"])


# Answered before the view for any write (medspa.middleware): a body over the size limit, or not JSON.
WRITE_REFUSALS = {413: ErrorOut, 415: ErrorOut}
# The per-address limits on availability and every token link (medspa.ratelimit), with Retry-After.
RATE_LIMITED = {429: ErrorOut}
# A booking by its link, and what may be refused: 400 also for control characters in the link.
BY_LINK = {400: ErrorsOut, 404: ErrorOut, 410: ErrorOut, **RATE_LIMITED}


def _booking_out(request: HttpRequest, appointment: Appointment, status: int = 200) -> HttpResponse:
    """The booking as BookingOut documents it, built as plain data and encoded once: byte for byte
    what validating it through the schema and encoding it with ninja's encoder (json.dumps, its
    default separators and ASCII escapes) wrote, without the schema's per-object validation.
    Times are in the location's zone, written as that encoder writes them (_json_time)."""
    zone = appointment.location.zone
    service, provider, location = appointment.service, appointment.provider, appointment.location
    body = {
        "reference": appointment.reference,
        "service": {"slug": service.slug, "name": service.name},
        "provider": {"id": provider.pk, "name": provider.name, "title": provider.title},
        "location": {
            "slug": location.slug,
            "name": location.name,
            "address": location.address,
            "timezone": location.timezone,
        },
        "start": _json_time(appointment.start.astimezone(zone)),
        "end": _json_time(appointment.end.astimezone(zone)),
        "status": str(appointment.status),
        "manage_url": request.build_absolute_uri(manage_path(appointment)),
        "cancellable_until": _json_time(cancel_deadline(appointment).astimezone(zone)),
    }
    return HttpResponse(json.dumps(body), status=status, content_type="application/json; charset=utf-8")


def _invalid(**errors: str) -> Status:
    return Status(400, {"errors": {field: [message] for field, message in errors.items()}})


def _refused(exc: BookingError) -> Status:
    if isinstance(exc, BookingInvalid):
        return Status(400, {"errors": exc.errors})
    return Status(exc.status, {"error": exc.code, "detail": exc.detail})


def _online_providers():
    return Provider.objects.filter(is_active=True, bookable_online=True)


def _service(slug: str, *, online: bool = True) -> Service | None:
    return service_by_slug(slug, online=online)


@router.get("/locations", response=list[LocationOut], summary="Locations")
def locations_list(request: HttpRequest) -> list[Location]:
    return locations_active()


def one_value_each(view: Callable) -> Callable:
    """A query parameter given more than once is a 400 on that parameter: each takes one value, and
    which of several counts would be a guess (Django keeps the last, so `days=abc&days=2` passed)."""

    @functools.wraps(view)
    def checked(request: HttpRequest, *args, **kwargs):
        repeated = sorted(key for key, values in request.GET.lists() if len(values) > 1)
        if repeated:
            return _invalid(**dict.fromkeys(repeated, "Give this parameter once."))
        return view(request, *args, **kwargs)

    return checked


@router.get("/providers", response={200: list[ProviderOut], 400: ErrorsOut}, summary="Providers offering a service")
@one_value_each
def providers_list(request: HttpRequest, service: str, location: str | None = None):
    found = _service(service)
    if found is None:
        return _invalid(service="Unknown service.")
    where = None
    if location:
        where = Location.objects.filter(slug=location, is_active=True).first()
        if where is None:
            return _invalid(location="Unknown location.")
    return [
        {"id": p.pk, "name": p.name, "title": p.title}
        for p in providers_for(service=found, location=where, online=True)
    ]


@router.get("/availability", response={200: AvailabilityOut, 400: ErrorsOut, **RATE_LIMITED}, summary="Free slots")
@one_value_each
def availability(request: HttpRequest, query: Query[AvailabilityQuery]):
    """Free slots from `date` for `days` days; each time in its location's zone and offset."""
    now = timezone.now()
    # A day is in the past once it is over everywhere: the last zone to finish a day is UTC-12.
    past = query.date < (now - timedelta(hours=12)).date()
    if query.location or past:
        found = _service(query.service)
        if found is None:
            return _invalid(service="Unknown service.")
        where = None
        if query.location:
            where = Location.objects.filter(slug=query.location, is_active=True).first()
            if where is None:
                return _invalid(location="Unknown location.")
        if past:
            return _invalid(date="That date has passed.")
        available = availability_find(
            service=found, start_date=query.date, days=query.days, now=now, location=where, provider=query.provider
        )
    else:  # the common request: the service is read with the schedule, in one query
        found, available = availability_online(
            slug=query.service, start_date=query.date, days=query.days, now=now, provider=query.provider
        )
        if found is None:
            return _invalid(service="Unknown service.")
    # An unknown provider simply has no hours; tell it apart only when nothing was found.
    if not available.rows and query.provider is not None and not _online_providers().filter(pk=query.provider).exists():
        return _invalid(provider="Unknown provider.")
    # Plain data encoded once: the slots are known to fit AvailabilityOut (which documents the
    # shape), so they skip its per-object validation on the way out. orjson writes a time as the
    # schema did (offset, Z for UTC) but with every digit of a fraction of a second, which the
    # schema cut to milliseconds: slots on the grid have none, others go through _json_time.
    slots = available.plain()
    if any(slot["start"].microsecond or slot["end"].microsecond for slot in slots):
        for slot in slots:
            slot["start"], slot["end"] = _json_time(slot["start"]), _json_time(slot["end"])
    body = {"slots": slots, "closed": available.closed}
    return HttpResponse(orjson.dumps(body, option=orjson.OPT_UTC_Z), content_type="application/json; charset=utf-8")


def _json_time(value: datetime) -> str:
    """A time as the API's encoder writes it (Django's JSON form): milliseconds at most, Z for UTC."""
    text = value.isoformat()
    if value.microsecond:
        text = text[:23] + text[26:]
    return text[:-6] + "Z" if text.endswith("+00:00") else text


@router.post(
    "/bookings",
    response={201: BookingOut, 400: ErrorsOut, 409: ErrorOut, 429: ErrorOut, **WRITE_REFUSALS},
    summary="Book a slot",
)
@booking_throttled
def booking_create(request: HttpRequest, payload: BookingIn):
    service = _service(payload.service)
    if service is None:
        return _invalid(service="Unknown service.")
    location = None
    if payload.location:
        location = Location.objects.filter(slug=payload.location, is_active=True).first()
        if location is None:
            return _invalid(location="Unknown location.")
    provider = None
    if payload.provider is not None:
        provider = provider_with_user(payload.provider, online=True)
        if provider is None:
            return _invalid(provider="Unknown provider.")
    areas = list(TreatmentArea.objects.active().filter(slug__in=payload.areas)) if payload.areas else []
    unknown = sorted(set(payload.areas) - {area.slug for area in areas})
    if unknown:
        return _invalid(areas=f"Unknown area: {', '.join(unknown)}.")
    try:
        appointment = appointment_book(
            service=service,
            start=payload.start,
            now=timezone.now(),
            source=Source(payload.source),
            details=PatientDetails(**payload.patient.model_dump()),
            provider=provider,
            location=location,
            areas=areas,
        )
    except BookingError as exc:
        return _refused(exc)
    return _booking_out(request, _as_booked(appointment, provider), status=201)


def _as_booked(appointment: Appointment, named: Provider | None) -> Appointment:
    """The new appointment with what the answer shows, without reading it back: its service and
    location are the very objects it was booked with; its provider (with their name) is the one
    the patient named, else read (one query)."""
    if named is None or named.pk != appointment.provider_id:
        named = provider_with_user(appointment.provider_id, online=False)
    appointment.provider = named
    return appointment


def _by_token(token: str) -> tuple[Appointment | None, Status | None]:
    try:
        return appointment_from_token(token, now=timezone.now()), None
    except ManageLinkInvalid:
        return None, Status(404, {"error": "not_found", "detail": "We couldn't find that booking."})
    except ManageLinkExpired:
        return None, Status(410, {"error": "link_expired", "detail": "This appointment is over; the link has expired."})


@router.get(
    "/bookings/{token}",
    response={200: BookingOut, **BY_LINK},
    summary="A booking by its link",
)
def booking_read(request: HttpRequest, token: str):
    appointment, error = _by_token(token)
    return error or _booking_out(request, appointment)


@router.post(
    "/bookings/{token}/cancel",
    response={200: BookingOut, 409: ErrorOut, **BY_LINK, **WRITE_REFUSALS},
    summary="Cancel a booking",
)
def booking_cancel(request: HttpRequest, token: str):
    appointment, error = _by_token(token)
    if error:
        return error
    try:
        appointment = appointment_cancel(appointment=appointment, now=timezone.now(), by_patient=True)
    except BookingError as exc:
        return _refused(exc)
    return _booking_out(request, _reload(appointment))


@router.post(
    "/bookings/{token}/reschedule",
    response={200: BookingOut, 409: ErrorOut, **BY_LINK, **WRITE_REFUSALS},
    summary="Move a booking",
)
def booking_reschedule(request: HttpRequest, token: str, payload: RescheduleIn):
    appointment, error = _by_token(token)
    if error:
        return error
    provider = None
    if payload.provider is not None:
        provider = _online_providers().filter(pk=payload.provider).first()
        if provider is None:
            return _invalid(provider="Unknown provider.")
    try:
        appointment = appointment_reschedule(
            appointment=appointment, start=payload.start, now=timezone.now(), by_patient=True, provider=provider
        )
    except BookingError as exc:
        return _refused(exc)
    return _booking_out(request, _reload(appointment))


def _reload(appointment: Appointment) -> Appointment:
    return Appointment.objects.select_related("service", "location", "provider__user").get(pk=appointment.pk)
