"""Reads about people and places: who offers a service, where, and what we know of a patient."""

from datetime import date, datetime
from functools import lru_cache

from django.db import connection

from treatments.models import Service, ServiceKind

from ..models import Appointment, AppointmentStatus, Location, Patient, Provider, Source
from .rows import _instance


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


# The two reads every online booking makes about its patient, as plain SQL written once per
# database (the ORM's query building was most of their cost): the SQL the ORM wrote for them,
# `email__iexact` included (UPPER(email::text) = UPPER(%s) on PostgreSQL, a LIKE on SQLite).
PATIENT_FIELDS = [field.attname for field in Patient._meta.concrete_fields]


def _column(model, name: str) -> str:
    quote = connection.ops.quote_name
    return f"{quote(model._meta.db_table)}.{quote(model._meta.get_field(name).column)}"


def _email_is() -> str:
    """The patient's `email__iexact`: the column cast as the backend casts it, then its operator
    (parameter: the email through _email_param)."""
    column = connection.ops.lookup_cast("iexact", "EmailField") % _column(Patient, "email")
    return f"{column} {connection.operators['iexact'] % '%s'}"


def _email_param(email: str) -> str:
    return connection.ops.prep_for_iexact_query(email.strip())


@lru_cache(maxsize=4)
def _patient_sql(vendor: str) -> str:
    fields = ", ".join(_column(Patient, name) for name in PATIENT_FIELDS)
    order = ", ".join(f"{_column(Patient, name.lstrip('-'))} {'DESC' if name[0] == '-' else 'ASC'}"
                      for name in Patient._meta.ordering)  # fmt: skip
    table = connection.ops.quote_name(Patient._meta.db_table)
    return (
        f"SELECT {fields} FROM {table} WHERE {_email_is()} AND {_column(Patient, 'date_of_birth')} = %s "  # noqa: S608
        f"ORDER BY {order} LIMIT 1"
    )


def patient_find(*, email: str, date_of_birth: date) -> Patient | None:
    """The patient with this email (any case) and date of birth, if we know them (the first by
    name, should two records match). One query."""
    params = [_email_param(email), connection.ops.adapt_datefield_value(date_of_birth)]
    with connection.cursor() as cursor:
        cursor.execute(_patient_sql(connection.vendor), params)
        row = cursor.fetchone()
    return None if row is None else _instance(Patient, PATIENT_FIELDS, row)


PROVIDER_FIELDS = [field.attname for field in Provider._meta.concrete_fields]
USER_FIELDS = [field.attname for field in Provider.user.field.related_model._meta.concrete_fields]


@lru_cache(maxsize=4)
def _provider_sql(vendor: str, online: bool) -> str:
    user = Provider.user.field.related_model
    fields = [_column(Provider, name) for name in PROVIDER_FIELDS] + [_column(user, name) for name in USER_FIELDS]
    where = f"{_column(Provider, 'id')} = %s"
    if online:
        where += f" AND {_column(Provider, 'is_active')} = %s AND {_column(Provider, 'bookable_online')} = %s"
    return (
        f"SELECT {', '.join(fields)} FROM {connection.ops.quote_name(Provider._meta.db_table)} "  # noqa: S608
        f"INNER JOIN {connection.ops.quote_name(user._meta.db_table)} "
        f"ON {_column(Provider, 'user')} = {_column(user, 'id')} WHERE {where}"
    )


def provider_with_user(provider_id: int, *, online: bool) -> Provider | None:
    """The provider with this id (online: active and bookable online), with their user (name and
    all) as select_related("user") reads it, or None. One query: booking names the provider in
    its answer."""
    params = [provider_id, True, True] if online else [provider_id]
    with connection.cursor() as cursor:
        cursor.execute(_provider_sql(connection.vendor, online), params)
        row = cursor.fetchone()
    if row is None:
        return None
    provider = _instance(Provider, PROVIDER_FIELDS, row[: len(PROVIDER_FIELDS)])
    provider.user = _instance(Provider.user.field.related_model, USER_FIELDS, row[len(PROVIDER_FIELDS) :])
    return provider


@lru_cache(maxsize=4)
def _offers_sql(vendor: str) -> str:
    offers = Provider.services.through
    return (
        f"SELECT 1 FROM {connection.ops.quote_name(offers._meta.db_table)} "  # noqa: S608
        f"WHERE {_column(offers, 'provider')} = %s AND {_column(offers, 'service')} = %s"
    )


def provider_offers(*, provider_id: int, service_id: int) -> bool:
    """Whether the provider offers the service (`provider.services`), whatever either's state. One
    query, written once: booking a named provider asks."""
    with connection.cursor() as cursor:
        cursor.execute(_offers_sql(connection.vendor), [provider_id, service_id])
        return cursor.fetchone() is not None


def review_service() -> Service | None:
    """The service a two-week review is booked as (the catalog's first active review)."""
    return Service.objects.active().filter(kind=ServiceKind.REVIEW).order_by("sort_order", "pk").first()


def online_bookings_open(*, email: str, date_of_birth: date, now: datetime) -> int:
    """How many upcoming appointments were booked online for these details (email in any case and
    date of birth): someone who knows only an email cannot use up another patient's bookings."""
    params = [
        connection.ops.adapt_datetimefield_value(now),
        connection.ops.adapt_datefield_value(date_of_birth),
        _email_param(email),
        Source.ONLINE.value,
        *OPEN_STATUSES,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_open_sql(connection.vendor), params)
        return cursor.fetchone()[0]


OPEN_STATUSES = (AppointmentStatus.BOOKED.value, AppointmentStatus.CONFIRMED.value)


@lru_cache(maxsize=4)
def _open_sql(vendor: str) -> str:
    appointments, patients = (connection.ops.quote_name(m._meta.db_table) for m in (Appointment, Patient))
    return (
        f"SELECT COUNT(*) FROM {appointments} INNER JOIN {patients} "  # noqa: S608
        f"ON {_column(Appointment, 'patient')} = {_column(Patient, 'id')} "
        f"WHERE {_column(Appointment, 'end')} > %s AND {_column(Patient, 'date_of_birth')} = %s "
        f"AND {_email_is()} AND {_column(Appointment, 'source')} = %s "
        f"AND {_column(Appointment, 'status')} IN ({', '.join(['%s'] * len(OPEN_STATUSES))})"
    )
