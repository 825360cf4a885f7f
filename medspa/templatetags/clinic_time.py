"""Times in the zone they belong to, whatever the server's or the request's current zone.

Django's `date` and `time` filters convert an aware datetime to the *current* time zone before
formatting it, so `appointment.local_start|time` quietly undoes the conversion to the location's
zone. These filters format a datetime in the zone they are given (a Location, a ZoneInfo or an
IANA name) and never in the current one:

    {% load clinic_time %}
    {{ appointment.start|in_zone:appointment.location|wallclock:"D M j, g:i A T" }}
    {% time_range appointment.start appointment.end appointment.location %}  → 11:15 AM–12:00 PM EST
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils import dateformat

register = template.Library()


def zone_of(where) -> ZoneInfo:
    """A ZoneInfo from a Location (anything with `.zone` or `.timezone`), a ZoneInfo or a name."""
    if isinstance(where, ZoneInfo):
        return where
    zone = getattr(where, "zone", None)
    if isinstance(zone, ZoneInfo):
        return zone
    name = getattr(where, "timezone", where)
    return ZoneInfo(str(name))


@register.filter(expects_localtime=False)
def in_zone(value: datetime | None, where) -> datetime | None:
    """The same instant in the zone of `where`."""
    if not isinstance(value, datetime) or where in (None, ""):
        return value
    return value.astimezone(zone_of(where))


@register.filter(expects_localtime=False)
def wallclock(value: datetime | None, fmt: str = "D M j, g:i A T") -> str:
    """Format with Django's date characters in the datetime's own zone (never the current one)."""
    if not isinstance(value, datetime):
        return ""
    return dateformat.format(value, fmt)


def time_range_text(start: datetime, end: datetime, zone: ZoneInfo | None = None, *, with_zone: bool = True) -> str:
    """'9:00–9:45 AM MST', '11:15 AM–12:00 PM EST': the meridiem is repeated only when it changes."""
    if zone is not None:
        start, end = start.astimezone(zone), end.astimezone(zone)
    same_half = dateformat.format(start, "A") == dateformat.format(end, "A") and start.date() == end.date()
    first = dateformat.format(start, "g:i" if same_half else "g:i A")
    second = dateformat.format(end, "g:i A T" if with_zone else "g:i A")
    return f"{first}–{second}"


@register.simple_tag
def time_range(start: datetime, end: datetime, where=None, with_zone: bool = True) -> str:
    """A visit's times in the zone of `where` (or the datetimes' own zone)."""
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        return ""
    return time_range_text(start, end, None if where in (None, "") else zone_of(where), with_zone=with_zone)
