"""Booking endpoints of the public API (DESIGN.md, Public JSON API v1)."""

from datetime import date, datetime, timedelta
from typing import Literal

import orjson
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, StrictBool, ValidationInfo, field_validator

from medspa.middleware import CONTROL_MESSAGE, has_control_characters
from medspa.staff import LARGEST_ID
from treatments.models import Service, TreatmentArea

from .forms import normalise_phone
from .models import SMS_CONSENT_TEXT, Appointment, Location, Provider, Source
from .selectors import availability_find, locations_active, providers_for
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

MAX_DAYS = 31
MIN_AGE_YEARS = 18


class Strict(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value):
        values = value if isinstance(value, list) else [value]
        if any(isinstance(item, str) and has_control_characters(item) for item in values):
            raise ValueError(CONTROL_MESSAGE)
        return value


class LocationOut(Schema):
    slug: str
    name: str
    address: str
    timezone: str = Field(description="IANA zone; slot times carry its offset.")


class ProviderOut(Schema):
    id: int
    name: str
    title: str


class SlotOut(Schema):
    start: datetime
    end: datetime
    provider: int = Field(description="Provider id (see /providers).")
    location: str = Field(description="Location slug (see /locations).")


class AvailabilityOut(Schema):
    slots: list[SlotOut]
    closed: list[date] = Field(
        description="Dates in the range on which no one offering the service works (at the location, "
        "or the provider, when given), up to the booking horizon. A date with no slots that is not "
        "listed is open but has no free time: fully booked, or too soon to book online."
    )


class ServiceRef(Schema):
    slug: str
    name: str


def _with_offset(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("Give the time with its UTC offset, like 2027-03-15T09:00:00-04:00.")
    return value


class PatientIn(Strict):
    first_name: str = Field(min_length=1, max_length=80)
    last_name: str = Field(min_length=1, max_length=80)
    email: str = Field(max_length=254)
    phone: str = Field(max_length=32)
    date_of_birth: date
    sms_consent: StrictBool = Field(
        False,
        description=(
            "The patient ticked an unticked box worded: " + SMS_CONSENT_TEXT + " Kept, with the time and "
            "'Online booking' as its source, for a patient this booking creates; a booking that matches a "
            "patient already on file (email and date of birth) leaves their consent and channel as they are."
        ),
    )
    preferred_channel: Literal["email", "sms"] = Field(
        "email",
        description="How reminders and aftercare are sent. 'sms' needs sms_consent. Same rule as sms_consent.",
    )

    @field_validator("preferred_channel")
    @classmethod
    def _texts_need_consent(cls, value: str, info: ValidationInfo) -> str:
        if value == "sms" and not info.data.get("sms_consent"):
            raise ValueError("To get texts, tick the box agreeing to text messages, or choose email.")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError("Enter a valid email address, like name@example.com.") from None
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        try:
            return normalise_phone(value)
        except DjangoValidationError as exc:
            raise ValueError(exc.messages[0]) from None

    @field_validator("date_of_birth")
    @classmethod
    def _adult(cls, value: date) -> date:
        today = timezone.localdate()
        if value > today:
            raise ValueError("Date of birth can't be in the future.")
        age = today.year - value.year - ((today.month, today.day) < (value.month, value.day))
        if age < MIN_AGE_YEARS:
            raise ValueError(f"You must be {MIN_AGE_YEARS} or older to book.")
        if age > 120:
            raise ValueError("Please check the year of birth.")
        return value


class BookingIn(Strict):
    service: str = Field(description="Service slug.")
    start: datetime = Field(description="A slot's start, ISO 8601 with offset.")
    location: str | None = Field(None, description="Location slug; optional with one location.")
    provider: int | None = Field(None, ge=1, le=LARGEST_ID, description="Provider id; omit for anyone.")
    areas: list[str] = Field(default_factory=list, description="Treatment area slugs.")
    accept_policy: bool = Field(description="The patient accepts the cancellation policy.")
    patient: PatientIn

    @field_validator("start")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return _with_offset(value)

    @field_validator("accept_policy")
    @classmethod
    def _accepted(cls, value: bool) -> bool:
        if not value:
            raise ValueError("Please accept the cancellation policy to book.")
        return value


class RescheduleIn(Strict):
    start: datetime = Field(description="A slot's start, ISO 8601 with offset.")
    provider: int | None = Field(None, ge=1, le=LARGEST_ID, description="Provider id; omit to keep the same provider.")

    @field_validator("start")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return _with_offset(value)


class BookingOut(Schema):
    reference: str
    service: ServiceRef
    provider: ProviderOut
    location: LocationOut
    start: datetime
    end: datetime
    status: str
    manage_url: str
    cancellable_until: datetime = Field(description="Changes online are possible until then.")


class ErrorOut(Schema):
    error: str
    detail: str


class ErrorsOut(Schema):
    errors: dict[str, list[str]]


def _booking_out(request: HttpRequest, appointment: Appointment) -> dict:
    zone = appointment.location.zone
    provider = appointment.provider
    return {
        "reference": appointment.reference,
        "service": appointment.service,
        "provider": {"id": provider.pk, "name": provider.name, "title": provider.title},
        "location": appointment.location,
        "start": appointment.start.astimezone(zone),
        "end": appointment.end.astimezone(zone),
        "status": appointment.status,
        "manage_url": request.build_absolute_uri(manage_path(appointment)),
        "cancellable_until": cancel_deadline(appointment).astimezone(zone),
    }


def _invalid(**errors: str) -> Status:
    return Status(400, {"errors": {field: [message] for field, message in errors.items()}})


def _refused(exc: BookingError) -> Status:
    if isinstance(exc, BookingInvalid):
        return Status(400, {"errors": exc.errors})
    return Status(exc.status, {"error": exc.code, "detail": exc.detail})


def _online_providers():
    return Provider.objects.filter(is_active=True, bookable_online=True)


def _service(slug: str, *, online: bool = True) -> Service | None:
    services = Service.objects.active()
    if online:
        services = services.filter(bookable_online=True)
    return services.filter(slug=slug).first()


@router.get("/locations", response=list[LocationOut], summary="Locations")
def locations_list(request: HttpRequest) -> list[Location]:
    return locations_active()


@router.get("/providers", response={200: list[ProviderOut], 400: ErrorsOut}, summary="Providers offering a service")
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


class AvailabilityQuery(Schema):
    service: str
    date: date
    days: int = Field(1, ge=1, le=MAX_DAYS)
    location: str | None = None
    provider: int | None = Field(None, ge=1, le=LARGEST_ID)  # a bigger number is no id: 400, not a database error


@router.get("/availability", response={200: AvailabilityOut, 400: ErrorsOut}, summary="Free slots")
def availability(request: HttpRequest, query: Query[AvailabilityQuery]):
    """Free slots from `date` for `days` days; each time in its location's zone and offset."""
    found = _service(query.service)
    if found is None:
        return _invalid(service="Unknown service.")
    where = None
    if query.location:
        where = Location.objects.filter(slug=query.location, is_active=True).first()
        if where is None:
            return _invalid(location="Unknown location.")
    now = timezone.now()
    # A day is in the past once it is over everywhere: the last zone to finish a day is UTC-12.
    if query.date < (now - timedelta(hours=12)).date():
        return _invalid(date="That date has passed.")
    available = availability_find(
        service=found, start_date=query.date, days=query.days, now=now, location=where, provider=query.provider
    )
    slots = available.slots
    # An unknown provider simply has no hours; tell it apart only when nothing was found.
    if not slots and query.provider is not None and not _online_providers().filter(pk=query.provider).exists():
        return _invalid(provider="Unknown provider.")
    # Plain data encoded once: the slots are known to fit AvailabilityOut (which documents the
    # shape), so they skip its per-object validation on the way out.
    body = {
        "slots": [
            {
                "start": _json_time(s.start),
                "end": _json_time(s.end),
                "provider": s.provider_id,
                "location": s.location.slug,
            }
            for s in slots
        ],
        "closed": [day.isoformat() for day in available.closed],
    }
    return HttpResponse(orjson.dumps(body), content_type="application/json; charset=utf-8")


def _json_time(value: datetime) -> str:
    """A time as the API's encoder writes it (Django's JSON form): milliseconds at most, Z for UTC."""
    text = value.isoformat()
    if value.microsecond:
        text = text[:23] + text[26:]
    return text[:-6] + "Z" if text.endswith("+00:00") else text


@router.post(
    "/bookings",
    response={201: BookingOut, 400: ErrorsOut, 409: ErrorOut, 429: ErrorOut},
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
        provider = _online_providers().filter(pk=payload.provider).first()
        if provider is None:
            return _invalid(provider="Unknown provider.")
    areas = list(TreatmentArea.objects.active().filter(slug__in=payload.areas))
    unknown = sorted(set(payload.areas) - {area.slug for area in areas})
    if unknown:
        return _invalid(areas=f"Unknown area: {', '.join(unknown)}.")
    try:
        appointment = appointment_book(
            service=service,
            start=payload.start,
            now=timezone.now(),
            source=Source.ONLINE,
            details=PatientDetails(**payload.patient.model_dump()),
            provider=provider,
            location=location,
            areas=areas,
        )
    except BookingError as exc:
        return _refused(exc)
    return Status(201, _booking_out(request, _reload(appointment)))


def _by_token(token: str) -> tuple[Appointment | None, Status | None]:
    try:
        return appointment_from_token(token, now=timezone.now()), None
    except ManageLinkInvalid:
        return None, Status(404, {"error": "not_found", "detail": "We couldn't find that booking."})
    except ManageLinkExpired:
        return None, Status(410, {"error": "link_expired", "detail": "This appointment is over; the link has expired."})


@router.get(
    "/bookings/{token}", response={200: BookingOut, 404: ErrorOut, 410: ErrorOut}, summary="A booking by its link"
)
def booking_read(request: HttpRequest, token: str):
    appointment, error = _by_token(token)
    return error or Status(200, _booking_out(request, appointment))


@router.post(
    "/bookings/{token}/cancel",
    response={200: BookingOut, 404: ErrorOut, 409: ErrorOut, 410: ErrorOut},
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
    return Status(200, _booking_out(request, _reload(appointment)))


@router.post(
    "/bookings/{token}/reschedule",
    response={200: BookingOut, 400: ErrorsOut, 404: ErrorOut, 409: ErrorOut, 410: ErrorOut},
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
    return Status(200, _booking_out(request, _reload(appointment)))


def _reload(appointment: Appointment) -> Appointment:
    return Appointment.objects.select_related("service", "location", "provider__user").get(pk=appointment.pk)
