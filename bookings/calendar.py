"""The .ics file for an appointment: "Add to calendar", and the file every confirmation, move and
cancellation email carries.

One appointment is one calendar event for its whole life: the UID never changes (it does not
depend on the port the site runs on) and SEQUENCE is the appointment's `ics_sequence`, raised by
every move and the cancel, so a calendar that already holds the event replaces it rather than
keeping the old time. Emails send it as an iTIP REQUEST (booked, moved) or CANCEL; the download
from the manage page is a PUBLISH of the same event with the same SEQUENCE.
"""

from urllib.parse import urlsplit

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText

from .models import Appointment, AppointmentStatus
from .tokens import manage_path

METHODS = ("PUBLISH", "REQUEST", "CANCEL")


def appointment_uid(appointment: Appointment) -> str:
    return f"{appointment.reference}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}"


def _clinic(address: str, name: str) -> vCalAddress:
    person = vCalAddress(f"mailto:{address}")
    person.params["cn"] = vText(name)
    return person


def appointment_ics(appointment: Appointment, *, method: str = "PUBLISH") -> bytes:
    """One VEVENT in the location's zone (calendars show it at the right local time). No health details.

    `method` CANCEL marks the event cancelled whatever the appointment's status.
    """
    if method not in METHODS:
        raise ValueError(f"Unknown iCalendar method {method!r}")
    location = appointment.location
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.CLINIC_NAME}//Bookings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", appointment_uid(appointment))
    event.add("sequence", appointment.ics_sequence)
    event.add("summary", f"{appointment.service.name} at {settings.CLINIC_NAME} {location.name}")
    event.add("dtstart", appointment.local_start)
    event.add("dtend", appointment.local_end)
    event.add("dtstamp", appointment.updated_at or appointment.created_at)
    event.add("location", f"{settings.CLINIC_NAME} {location.name}, {location.address}")
    manage_url = settings.SITE_URL + manage_path(appointment)
    event.add(
        "description",
        f"With {appointment.provider.name}. Booking reference {appointment.reference}.\n"
        f"{settings.CLINIC_NAME} {location.name}, {location.address}. Phone {location.contact_phone}.\n"
        f"To view, reschedule or cancel: {manage_url}",
    )
    event.add("url", manage_url)
    cancelled = method == "CANCEL" or appointment.status == AppointmentStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if method != "PUBLISH":
        # iTIP (RFC 5546) asks for an organizer and the attendee in a REQUEST or CANCEL; the
        # attendee has already accepted, so calendars do not ask them to reply.
        event.add("organizer", _clinic(settings.CLINIC_EMAIL, settings.CLINIC_NAME))
        attendee = vCalAddress(f"mailto:{appointment.patient.email}")
        attendee.params["cn"] = vText(appointment.patient.full_name)
        attendee.params["partstat"] = vText("ACCEPTED")
        attendee.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
