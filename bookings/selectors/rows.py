"""Availability's reads as plain SQL: who works when for a service, and everyone's busy time.

They run on every availability request and every booking, so they skip the ORM's query building
(most of their cost): the SQL is written once per shape from the models' own table and column
names, and the rows come back as tuples. Nothing here is cached: each call reads the database as
it is now, so a slot booked a moment ago is busy in the next answer. Portable between SQLite and
PostgreSQL (parameters for every value, datetimes adapted by the backend).
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from functools import lru_cache

from django.db import connection
from django.utils.dateparse import parse_datetime, parse_time

from treatments.models import Service

from ..models import BLOCKING_STATUSES, Appointment, Location, Provider, TimeOff, WorkingHours


@dataclass(frozen=True, slots=True)
class Block:
    """A block of a provider's week (WorkingHours' fields that availability reads)."""

    provider_id: int
    weekday: int
    start: time
    end: time
    location: Location


def _columns(model, *names: str) -> list[str]:
    table = connection.ops.quote_name(model._meta.db_table)
    return [f"{table}.{connection.ops.quote_name(model._meta.get_field(name).column)}" for name in names]


def _marks(count: int) -> str:
    return ", ".join(["%s"] * count)


LOCATION_FIELDS = [field.attname for field in Location._meta.concrete_fields]
SERVICE_FIELDS = [field.attname for field in Service._meta.concrete_fields]


@lru_cache(maxsize=16)
def _converters(vendor: str, model, names: tuple[str, ...]) -> list[tuple[int, list, object]]:
    """The backend's and the fields' converters of these columns, as the ORM applies them."""
    found = []
    for i, name in enumerate(names):
        field = model._meta.get_field(name)
        column = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if converters:
            found.append((i, converters, column))
    return found


def _instance(model, names: list[str], row):
    """A model instance from a row of its columns, converted as the ORM would (booleans and
    decimals on SQLite, say), marked as loaded from the database."""
    values = list(row)
    for i, converters, column in _converters(connection.vendor, model, tuple(names)):
        for convert in converters:
            values[i] = convert(values[i], column, connection)
    return model.from_db(connection.alias, names, values)


@lru_cache(maxsize=256)
def _hours_sql(vendor: str, weekdays: int, online: bool, location: bool, providers: int) -> str:
    qn = connection.ops.quote_name
    hours, place, provider = (qn(m._meta.db_table) for m in (WorkingHours, Location, Provider))
    offers = Provider.services.through
    offered = qn(offers._meta.db_table)
    h_provider, h_weekday, h_location = _columns(WorkingHours, "provider", "weekday", "location")
    selected = [h_provider, h_weekday, *_columns(WorkingHours, "start", "end"), *_columns(Location, *LOCATION_FIELDS)]
    (l_id,) = _columns(Location, "id")
    (p_id,) = _columns(Provider, "id")
    o_provider, o_service = _columns(offers, "provider", "service")
    sql = [
        f"SELECT {', '.join(selected)} FROM {hours}",  # noqa: S608 (names from the models; values are parameters)
        f"INNER JOIN {place} ON {h_location} = {l_id}",
        f"INNER JOIN {provider} ON {h_provider} = {p_id}",
        f"INNER JOIN {offered} ON {o_provider} = {h_provider}",
        f"WHERE {o_service} = %s AND {_columns(Provider, 'is_active')[0]} = %s",
        f"AND {_columns(Location, 'is_active')[0]} = %s AND {h_weekday} IN ({_marks(weekdays)})",
    ]
    if online:
        sql.append(f"AND {_columns(Provider, 'bookable_online')[0]} = %s")
    if location:
        sql.append(f"AND {h_location} = %s")
    if providers:
        sql.append(f"AND {h_provider} IN ({_marks(providers)})")
    return " ".join(sql)


def _time(value) -> time:
    return parse_time(value) if isinstance(value, str) else value


def working_blocks(
    *,
    service_id: int,
    weekdays: Collection[int],
    location_id: int | None,
    provider_ids: Collection[int] | None,
    online: bool,
) -> list[Block]:
    """The working hours, on these weekdays, of every active provider offering the service (online:
    bookable online), at active locations (or at `location_id`). One query."""
    if provider_ids is not None and not provider_ids:
        return []
    weekdays = sorted(set(weekdays))
    sql = _hours_sql(
        connection.vendor, len(weekdays), online, location_id is not None, len(provider_ids or ())
    )  # fmt: skip
    params: list = [service_id, True, True, *weekdays]
    if online:
        params.append(True)
    if location_id is not None:
        params.append(location_id)
    if provider_ids:
        params.extend(provider_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    locations: dict[int, Location] = {}
    blocks = []
    for provider_id, weekday, start, end, *place in rows:
        location = locations.get(place[0])
        if location is None:
            location = locations[place[0]] = _instance(Location, LOCATION_FIELDS, place)
        blocks.append(Block(provider_id, weekday, _time(start), _time(end), location))
    return blocks


@lru_cache(maxsize=256)
def _busy_sql(vendor: str, providers: int, ignoring: bool) -> str:
    qn = connection.ops.quote_name
    t_provider, t_start, t_end = _columns(TimeOff, "provider", "start", "end")
    a_provider, a_from, a_until, a_status, a_id = _columns(
        Appointment, "provider", "busy_from", "busy_until", "status", "id"
    )
    ids = _marks(providers)
    sql = (
        f"SELECT {t_provider}, {t_start}, {t_end}, 0 FROM {qn(TimeOff._meta.db_table)} "  # noqa: S608 (as above)
        f"WHERE {t_provider} IN ({ids}) AND {t_start} < %s AND {t_end} > %s "
        "UNION ALL "
        f"SELECT {a_provider}, {a_from}, {a_until}, 1 FROM {qn(Appointment._meta.db_table)} "
        f"WHERE {a_provider} IN ({ids}) AND {a_status} IN ({_marks(len(BLOCKING_STATUSES))}) "
        f"AND {a_from} < %s AND {a_until} > %s"
    )
    return sql + (f" AND {a_id} <> %s" if ignoring else "")


def _instant(value) -> datetime:
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def busy_between(
    provider_ids: Iterable[int], low: datetime, high: datetime, *, ignore_appointment_id: int | None = None
) -> list[tuple[int, datetime, datetime, bool]]:
    """(provider id, from, until, is a booking) of the providers' time off and blocking appointments
    (buffers included) that touch [low, high), in UTC. One query."""
    ids = sorted(set(provider_ids))
    if not ids:
        return []
    adapt = connection.ops.adapt_datetimefield_value
    low, high = adapt(low), adapt(high)
    params = [*ids, high, low, *ids, *BLOCKING_STATUSES, high, low]
    if ignore_appointment_id is not None:
        params.append(ignore_appointment_id)
    with connection.cursor() as cursor:
        cursor.execute(_busy_sql(connection.vendor, len(ids), ignore_appointment_id is not None), params)
        rows = cursor.fetchall()
    return [(provider_id, _instant(begins), _instant(ends), bool(kind)) for provider_id, begins, ends, kind in rows]


@lru_cache(maxsize=8)
def _service_sql(vendor: str, online: bool) -> str:
    qn = connection.ops.quote_name
    slug, active, online_field = _columns(Service, "slug", "is_active", "bookable_online")
    sql = (
        f"SELECT {', '.join(_columns(Service, *SERVICE_FIELDS))} FROM {qn(Service._meta.db_table)} "  # noqa: S608
        f"WHERE {slug} = %s AND {active} = %s"
    )
    return sql + (f" AND {online_field} = %s" if online else "")


def service_by_slug(slug: str, *, online: bool) -> Service | None:
    """The active service with this slug (online: bookable online), or None. One query."""
    params = [slug, True, True] if online else [slug, True]
    with connection.cursor() as cursor:
        cursor.execute(_service_sql(connection.vendor, online), params)
        row = cursor.fetchone()
    return None if row is None else _instance(Service, SERVICE_FIELDS, row)
