"""The .ics file for an appointment: "Add to calendar" and the confirmation email's attachment."""

from django.conf import settings
from icalendar import Calendar, Event

from .models import Appointment
from .tokens import manage_path


def appointment_ics(appointment: Appointment) -> bytes:
    """One VEVENT in the location's zone (calendars show it at the right local time). No health details."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.CLINIC_NAME}//Bookings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{appointment.reference}@{settings.SITE_URL.split('://')[-1]}")
    event.add("summary", f"{appointment.service.name} at {settings.CLINIC_NAME}")
    event.add("dtstart", appointment.local_start)
    event.add("dtend", appointment.local_end)
    event.add("dtstamp", appointment.updated_at or appointment.created_at)
    event.add("location", f"{appointment.location.name}, {appointment.location.address}")
    manage_url = settings.SITE_URL + manage_path(appointment)
    event.add(
        "description",
        f"With {appointment.provider.name}. Booking reference {appointment.reference}.\n"
        f"To view, reschedule or cancel: {manage_url}",
    )
    event.add("url", manage_url)
    event.add("status", "CANCELLED" if appointment.status == "cancelled" else "CONFIRMED")
    event.add("sequence", int(appointment.updated_at.timestamp()) if appointment.updated_at else 0)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
