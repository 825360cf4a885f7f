"""The public API's bodies: what the booking endpoints take and give (DESIGN.md, Public JSON API v1).

Incoming bodies are validated strictly (unknown fields and control characters refused); outgoing
ones document the answers (the availability answer is built as plain data that fits them).
"""

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils import timezone
from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import ConfigDict, ModelWrapValidatorHandler, StrictBool, ValidationInfo, field_validator, model_validator

from medspa.middleware import CONTROL_MESSAGE, has_control_characters
from medspa.staff import LARGEST_ID

from .forms import normalise_phone
from .models import SMS_CONSENT_TEXT

MAX_DAYS = 31
MIN_AGE_YEARS = 18


class Strict(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values: Any, handler: ModelWrapValidatorHandler, info: ValidationInfo) -> Any:
        """Ninja's own, but a JSON object is validated once: ninja validates a schema that forbids
        unknown fields twice, the raw value (for the extra check) and then the same value read
        through its DjangoGetter (for model instances and resolvers), and a nested schema twice on
        each pass, so a booking's patient was validated four times. A dict read through the getter
        gives the very values the first pass validated (a body has no resolvers, no managers)."""
        if type(values) is dict:
            return handler(values)
        handler(values)
        return handler(DjangoGetter(values, cls, info.context))

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
    source: Literal["online", "embed"] = Field(
        "online", description="Where they booked: our booking page, or the booking embedded in the clinic's site."
    )

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


class AvailabilityQuery(Schema):
    service: str
    date: date
    days: int = Field(1, ge=1, le=MAX_DAYS)
    location: str | None = None
    provider: int | None = Field(None, ge=1, le=LARGEST_ID)  # a bigger number is no id: 400, not a database error
