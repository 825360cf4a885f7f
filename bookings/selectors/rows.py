"""Availability's reads as plain SQL: who works when for a service, and everyone's busy time.

They run on every availability request and every booking, so they skip the ORM's query building
(most of their cost): the SQL is written once per shape from the models' own table and column
names, and the rows come back as tuples. Nothing here is cached: each call reads the database as
it is now, so a slot booked a moment ago is busy in the next answer. Portable between SQLite and
PostgreSQL (parameters for every value, datetimes adapted by the backend).
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, time
from functools import lru_cache

from django.db import connection
from django.utils.dateparse import parse_datetime, parse_time

from treatments.models import Service

from ..models import BLOCKING_STATUSES, Appointment, Device, Location, Provider, Room, TimeOff, WorkingHours


@dataclass(frozen=True, slots=True)
class Block:
    """A block of a provider's week (WorkingHours' fields that availability reads)."""

    provider_id: int
    weekday: int
    start: time
    end: time
    location: Location


# Each table's short name in these statements: the SQL stays under psycopg's 4 KB limit for
# caching its parsed form, which it otherwise parses again on every execution.
_ALIASES = {
    WorkingHours: "h",
    Location: "l",
    Provider.services.through: "o",
    Provider: "p",
    Service: "s",
    TimeOff: "t",
    Appointment: "a",
    Room: "r",
    Device: "d",
}


def _table(model) -> str:
    """The model's table under its short name, for FROM and JOIN."""
    return f"{connection.ops.quote_name(model._meta.db_table)} {_ALIASES[model]}"


def _columns(model, *names: str) -> list[str]:
    alias = _ALIASES[model]
    return [f"{alias}.{connection.ops.quote_name(model._meta.get_field(name).column)}" for name in names]


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


def _service_where(online: bool) -> str:
    """The service by its slug: active, and bookable online when `online` (parameters: slug, True[, True])."""
    slug, active, online_field = _columns(Service, "slug", "is_active", "bookable_online")
    return f"{slug} = %s AND {active} = %s" + (f" AND {online_field} = %s" if online else "")


def _with(online: bool, providers: int, by_slug: bool) -> str:
    """The statement's common parts, each read once: `svc`, the service named by its slug, with
    its fields (by slug only); `offering(provider)`, the ids of the providers offering the
    service: active, bookable online when `online`, among `providers` ids when any. Parameters:
    the slug's (by slug) or the service's id, then True[, True], then the ids."""
    offers = Provider.services.through
    o_provider, o_service = _columns(offers, "provider", "service")
    (p_id,) = _columns(Provider, "id")
    common = []
    service = "%s"
    if by_slug:
        fields = ", ".join(_columns(Service, *SERVICE_FIELDS))
        common.append(f"svc AS (SELECT {fields} FROM {_table(Service)} WHERE {_service_where(online)})")  # noqa: S608
        service = f"(SELECT {_svc('id')} FROM svc)"  # noqa: S608
    where = f"{o_service} = {service} AND {_columns(Provider, 'is_active')[0]} = %s"
    if online:
        where += f" AND {_columns(Provider, 'bookable_online')[0]} = %s"
    if providers:
        where += f" AND {o_provider} IN ({_marks(providers)})"
    common.append(
        f"offering(provider) AS (SELECT {o_provider} FROM {_table(offers)} "  # noqa: S608
        f"INNER JOIN {_table(Provider)} ON {o_provider} = {p_id} WHERE {where})"
    )
    return f"WITH {', '.join(common)} "


def _svc(name: str) -> str:
    """A column of the `svc` part (the service by its slug)."""
    return f"svc.{connection.ops.quote_name(Service._meta.get_field(name).column)}"


OFFERING = "(SELECT provider FROM offering)"


@dataclass(frozen=True, slots=True)
class Resources:
    """The rooms (or devices) a service can take, by location: (id, busy intervals in UTC) each,
    in the order booking tries them."""

    by_location: dict[int, list[tuple[int, list[tuple[datetime, datetime]]]]]


# The kinds of rows: hours, time off, blocking appointments, the service, a room (with one of its
# blocking appointments or none), a device (likewise).
HOURS, TIME_OFF, BOOKED, SERVICE, ROOM, DEVICE = range(6)


def _nulls(count: int) -> str:
    return ",NULL" * count


def _resource_part(model, field: str, kind: int, *, location: bool, ignoring: bool, where: str, after: int) -> str:
    """A location's rooms (or devices) that `where` keeps, each with its blocking appointments that
    the appointments' part has not read already (those of providers not offering the service):
    one row per such appointment (kind: id, location id, from, until), or one with no times for a
    free resource; `after` NULLs end the row. Parameters: the statuses, high, low[, the ignored
    appointment], then True, True[, location], `where`'s."""
    r_id, r_location, r_active = _columns(model, "id", "location", "is_active")
    (l_id,) = _columns(Location, "id")
    l_active = _columns(Location, "is_active")[0]
    a_resource, a_provider, a_from, a_until, a_status, a_id = _columns(
        Appointment, field, "provider", "busy_from", "busy_until", "status", "id"
    )
    return (
        f"SELECT {kind}, {r_id}, {r_location}, NULL, NULL, {a_from}, {a_until}"  # noqa: S608
        f"{_nulls(len(LOCATION_FIELDS) + after)} "
        f"FROM {_table(model)} INNER JOIN {_table(Location)} ON {r_location} = {l_id} "
        f"LEFT OUTER JOIN {_table(Appointment)} ON {a_resource} = {r_id} "
        f"AND {a_status} IN ({_marks(len(BLOCKING_STATUSES))}) AND {a_from} < %s AND {a_until} > %s"
        + (f" AND {a_id} <> %s" if ignoring else "")
        + f" AND {a_provider} NOT IN {OFFERING}"
        + f" WHERE {r_active} = %s AND {l_active} = %s"
        + (f" AND {r_location} = %s" if location else "")
        + where
    )


@lru_cache(maxsize=256)
def _schedule_sql(
    vendor: str,
    weekdays: int,
    online: bool,
    location: bool,
    providers: int,
    ignoring: bool,
    by_slug: bool,
    rooms: bool = False,
    devices: bool = False,
) -> str:
    """Working hours (kind 0), time off (1) and blocking appointments (2) in one statement: one
    round trip. Columns: kind, provider, weekday, start, end (hours), from, until (busy), then the
    location's fields (hours). `by_slug`: the service is named by its slug, and its row comes too
    (kind 3, its fields after the location's). `rooms`/`devices`: the rooms (4) or devices of the
    service's kind (5), in the provider and weekday columns their id and location, with their
    blocking appointments' busy time (those the appointments' part has not read); the room
    (device) of each appointment read then ends every row. By slug both parts are always there,
    each kept to a service that takes a room (a device of a kind) by a condition on its row, so
    one statement answers whatever the service needs."""
    # With rooms (devices): the room (device) of each appointment read, at the end of every row, so
    # an appointment holding both a provider's time and a room is read once.
    taking = [name for name, needed in (("room", rooms), ("device", devices)) if needed]
    # The hours' part comes first, then the service's: PostgreSQL settles a UNION's column types
    # pair by pair from the left, and would take two untyped NULLs for text, so the first part
    # types the columns neither of the first two fills.
    timestamp = Appointment._meta.get_field("busy_from").cast_db_type(connection)
    tail_types = [Appointment._meta.get_field(name).target_field.cast_db_type(connection) for name in taking]
    typed = "".join(f", CAST(NULL AS {kind})" for kind in [timestamp, timestamp])
    services = len(SERVICE_FIELDS) if by_slug else 0
    if not by_slug:  # the time off's part is second: it leaves the tail empty too
        typed_after = "".join(f", CAST(NULL AS {kind})" for kind in tail_types)
    else:  # the service's part types its own fields
        typed_after = _nulls(services) + "".join(f", CAST(NULL AS {kind})" for kind in tail_types)
    h_provider, h_weekday, h_location, h_start, h_end = _columns(
        WorkingHours, "provider", "weekday", "location", "start", "end"
    )
    (l_id,) = _columns(Location, "id")
    place = _columns(Location, *LOCATION_FIELDS)
    hours = (
        f"SELECT 0, {h_provider}, {h_weekday}, {h_start}, {h_end}{typed}, {', '.join(place)}{typed_after} "  # noqa: S608 (names from the models; values are parameters)
        f"FROM {_table(WorkingHours)} INNER JOIN {_table(Location)} ON {h_location} = {l_id} "
        f"WHERE {h_provider} IN {OFFERING} AND {_columns(Location, 'is_active')[0]} = %s "
        f"AND {h_weekday} IN ({_marks(weekdays)})" + (f" AND {h_location} = %s" if location else "")
    )
    t_provider, t_start, t_end = _columns(TimeOff, "provider", "start", "end")
    time_off = (
        f"SELECT 1, {t_provider}, NULL, NULL, NULL, {t_start}, {t_end}"  # noqa: S608
        f"{_nulls(len(place) + services + len(taking))} "
        f"FROM {_table(TimeOff)} WHERE {t_provider} IN {OFFERING} AND {t_start} < %s AND {t_end} > %s"
    )
    a_provider, a_from, a_until, a_status, a_id = _columns(
        Appointment, "provider", "busy_from", "busy_until", "status", "id"
    )
    held = "".join(f", {column}" for column in _columns(Appointment, *taking))
    appointments = (
        f"SELECT 2, {a_provider}, NULL, NULL, NULL, {a_from}, {a_until}{_nulls(len(place) + services)}{held} "  # noqa: S608
        f"FROM {_table(Appointment)} WHERE {a_provider} IN {OFFERING} "
        f"AND {a_status} IN ({_marks(len(BLOCKING_STATUSES))}) AND {a_from} < %s AND {a_until} > %s"
        + (f" AND {a_id} <> %s" if ignoring else "")
    )
    sql = f"{_with(online, providers, by_slug)}{hours}"
    if by_slug:
        fields = ",".join(_svc(name) for name in SERVICE_FIELDS)
        sql += f" UNION ALL SELECT 3{_nulls(6 + len(place))},{fields}{_nulls(len(taking))} FROM svc"  # noqa: S608
    sql += f" UNION ALL {time_off} UNION ALL {appointments}"
    kept = {"location": location, "ignoring": ignoring, "after": services + len(taking)}
    if rooms:
        # By slug: only when the service takes a room (parameter: True).
        needs = f" AND EXISTS (SELECT 1 FROM svc WHERE {_svc('needs_room')} = %s)" if by_slug else ""  # noqa: S608
        sql += " UNION ALL " + _resource_part(Room, "room", ROOM, where=needs, **kept)
    if devices:
        # The service's kind: given (by id), or its row's (by slug; no device has a blank kind).
        kind = f"(SELECT {_svc('device_kind')} FROM svc)" if by_slug else "%s"  # noqa: S608
        sql += " UNION ALL " + _resource_part(
            Device, "device", DEVICE, where=f" AND {_columns(Device, 'kind')[0]} = {kind}", **kept
        )
    return sql


def _time(value) -> time:
    return parse_time(value) if isinstance(value, str) else value


def _instant(value) -> datetime:
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def schedule_rows(
    *,
    service_id: int | None = None,
    service_slug: str | None = None,
    weekdays: Collection[int],
    location_id: int | None,
    provider_ids: Collection[int] | None,
    online: bool,
    low: datetime,
    high: datetime,
    ignore_appointment_id: int | None = None,
    service: Service | None = None,
) -> tuple[Service | None, list[Block], list[tuple[int, datetime, datetime, bool]], Resources | None, Resources | None]:
    """In one query: the working hours, on these weekdays, of every active provider offering the
    service (online: bookable online), at active locations (or at `location_id`); and (provider id,
    from, until, is a booking) of those providers' time off and blocking appointments (buffers
    included) that touch [low, high), in UTC. The busy time may include providers with no hours
    on those days (the query does not wait for the hours to know whose time to read).

    The service is named by `service_id`, or by `service_slug` (active, and bookable online when
    `online`), whose row then comes in the same query: the first item, None when no such service
    (and then nothing else). By id, the first item is None.

    The last two items: the rooms, and the devices of its kind, the service takes (`service`, the
    service named by id, says which; by slug its row does), at the active locations (or at
    `location_id`), with their blocking appointments touching [low, high); None when it takes none.
    By id, a service that takes none reads nothing more; by slug the statement reads them when the
    service's row says it takes them. One query either way."""
    by_slug = service_slug is not None
    if provider_ids is not None and not provider_ids:
        return (service_by_slug(service_slug, online=online) if by_slug else None), [], [], None, None
    rooms = by_slug or (service is not None and service.needs_room)
    devices = by_slug or (service is not None and bool(service.device_kind))
    weekdays = sorted(set(weekdays))
    ids = sorted(set(provider_ids or ()))
    sql = _schedule_sql(
        connection.vendor, len(weekdays), online, location_id is not None, len(ids),
        ignore_appointment_id is not None, by_slug, rooms, devices,
    )  # fmt: skip
    adapt = connection.ops.adapt_datetimefield_value
    low, high = adapt(low), adapt(high)
    params: list = [service_slug, True] if by_slug else [service_id]
    params += [*([True] if online and by_slug else []), True, *([True] if online else []), *ids]
    params += [True, *weekdays, *([location_id] if location_id is not None else [])]
    params += [high, low]
    after = [*BLOCKING_STATUSES, high, low, *([ignore_appointment_id] if ignore_appointment_id is not None else [])]
    params += after
    place = [True, True, *([location_id] if location_id is not None else [])]
    if rooms:
        params += [*after, *place, *([True] if by_slug else [])]
    if devices:
        params += [*after, *place, *([] if by_slug else [service.device_kind])]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    service = None
    locations: dict[int, Location] = {}
    blocks: list[Block] = []
    busy: list[tuple[int, datetime, datetime, bool]] = []
    width = 7 + len(LOCATION_FIELDS)
    found: dict[int, dict[int, tuple[int, list]]] = {ROOM: {}, DEVICE: {}}  # id: (location id, busy)
    taken: dict[int, list[tuple[int, datetime, datetime]]] = {ROOM: [], DEVICE: []}
    held = [kind for kind, needed in ((ROOM, rooms), (DEVICE, devices)) if needed]
    for row in rows:
        kind, provider_id, weekday, start, end, begins, ends = row[:7]
        if kind == BOOKED:
            begins, ends = _instant(begins), _instant(ends)
            busy.append((provider_id, begins, ends, True))
            for resource_kind, resource_id in zip(held, row[len(row) - len(held) :], strict=True):
                if resource_id is not None:
                    taken[resource_kind].append((resource_id, begins, ends))
        elif kind == SERVICE:
            service = _instance(Service, SERVICE_FIELDS, row[width : width + len(SERVICE_FIELDS)])
        elif kind in (ROOM, DEVICE):
            _resource_row(row, found, taken)
        elif kind:
            busy.append((provider_id, _instant(begins), _instant(ends), False))
        else:
            place = row[7:width]
            location = locations.get(place[0])
            if location is None:
                location = locations[place[0]] = _instance(Location, LOCATION_FIELDS, place)
            blocks.append(Block(provider_id, weekday, _time(start), _time(end), location))
    needs = (rooms, devices)
    if by_slug:
        needs = (False, False) if service is None else (service.needs_room, bool(service.device_kind))
    resources = [
        _resources(found[kind], taken[kind]) if need else None for kind, need in zip((ROOM, DEVICE), needs, strict=True)
    ]
    return service, blocks, busy, resources[0], resources[1]


def _resource_row(row, found: dict[int, dict], taken: dict[int, list]) -> None:
    kind, resource_id, location_id, _, _, begins, ends = row[:7]
    if resource_id not in found[kind]:
        found[kind][resource_id] = (location_id, [])
    if begins is not None:
        taken[kind].append((resource_id, _instant(begins), _instant(ends)))


def _resources(found: dict[int, tuple[int, list]], taken: list[tuple[int, datetime, datetime]]) -> Resources:
    for resource_id, begins, ends in taken:
        if resource_id in found:  # not a room elsewhere, or inactive (read with its provider's time)
            found[resource_id][1].append((begins, ends))
    by_location: dict[int, list[tuple[int, list[tuple[datetime, datetime]]]]] = {}
    for resource_id in sorted(found):
        location_id, intervals = found[resource_id]
        by_location.setdefault(location_id, []).append((resource_id, intervals))
    return Resources(by_location)


@lru_cache(maxsize=8)
def _service_sql(vendor: str, online: bool) -> str:
    fields = ", ".join(_columns(Service, *SERVICE_FIELDS))
    return f"SELECT {fields} FROM {_table(Service)} WHERE {_service_where(online)}"  # noqa: S608


def service_by_slug(slug: str, *, online: bool) -> Service | None:
    """The active service with this slug (online: bookable online), or None. One query."""
    params = [slug, True, True] if online else [slug, True]
    with connection.cursor() as cursor:
        cursor.execute(_service_sql(connection.vendor, online), params)
        row = cursor.fetchone()
    return None if row is None else _instance(Service, SERVICE_FIELDS, row)
