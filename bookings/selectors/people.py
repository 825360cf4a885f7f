"""Reads about people and places: who offers a service, where, and what we know of a patient."""

from datetime import date, datetime

from django.db.models import Q

from treatments.models import Service, ServiceKind

from ..models import Appointment, AppointmentStatus, Location, Patient, Provider, Source


def providers_for(*, service: Service, location: Location | None = None, online: bool = True) -> list[Provider]:
    """Active providers offering a service (at a location, when given), in display order."""
    providers = Provider.objects.filter(is_active=True, services=service).select_related("user")
    if online:
        providers = providers.filter(bookable_online=True)
    if location is not None:
        providers = providers.filter(working_hours__location=location)
    return list(providers.distinct())


def locations_active() -> list[Location]:
    return list(Location.objects.filter(is_active=True))


def patient_find(*, email: str, date_of_birth: date) -> Patient | None:
    """The patient with this email (any case) and date of birth, if we know them."""
    return Patient.objects.filter(Q(email__iexact=email.strip()), date_of_birth=date_of_birth).first()


def review_service() -> Service | None:
    """The service a two-week review is booked as (the catalog's first active review)."""
    return Service.objects.active().filter(kind=ServiceKind.REVIEW).order_by("sort_order", "pk").first()


def online_bookings_open(*, email: str, date_of_birth: date, now: datetime) -> int:
    """How many upcoming appointments were booked online for these details (email in any case and
    date of birth): someone who knows only an email cannot use up another patient's bookings."""
    return Appointment.objects.filter(
        patient__email__iexact=email.strip(),
        patient__date_of_birth=date_of_birth,
        source=Source.ONLINE,
        status__in=(AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED),
        end__gt=now,
    ).count()
