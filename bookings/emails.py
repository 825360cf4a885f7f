"""Booking emails. They carry times, place and links, never anything about the patient's health."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone

from .calendar import appointment_ics
from .models import Appointment, AppointmentStatus
from .policy import booking_policy
from .tokens import manage_path, manage_token


def confirmation_send(*, appointment_id: int) -> bool:
    """Send the confirmation unless it already went. Returns whether it sent one.

    The row is locked while sending, so two deliveries of the task (or the task and the sweep)
    cannot both send; whoever finds it locked leaves it to the other.
    """
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("patient", "service", "location", "provider__user")
            .filter(pk=appointment_id, confirmation_sent_at__isnull=True)
            .first()
        )
        if appointment is None:
            return False
        context = {
            "appointment": appointment,
            "clinic_name": settings.CLINIC_NAME,
            "clinic_phone": settings.CLINIC_PHONE,
            "manage_url": settings.SITE_URL + manage_path(appointment),
            "token": manage_token(appointment),
            "site_url": settings.SITE_URL,
            "start": appointment.local_start,
            "cancel_hours": f"{booking_policy().cancel_window.total_seconds() / 3600:g}",
        }
        when = dateformat.format(appointment.local_start, r"D M j \a\t g:i A T")
        message = EmailMultiAlternatives(
            subject=f"Booked: {appointment.service.name}, {when}",
            body=render_to_string("bookings/email/confirmation.txt", context),
            to=[appointment.patient.email],
        )
        message.attach_alternative(render_to_string("bookings/email/confirmation.html", context), "text/html")
        message.attach(f"appointment-{appointment.reference}.ics", appointment_ics(appointment), "text/calendar")
        message.send()
        appointment.confirmation_sent_at = timezone.now()
        appointment.save(update_fields=["confirmation_sent_at"])
    return True


def confirmations_pending(*, now: datetime) -> list[int]:
    """Bookings of the last two days whose confirmation has not gone a minute after booking.

    The minute leaves the task enqueued at commit time to do its job first.
    """
    return list(
        Appointment.objects.filter(
            confirmation_sent_at__isnull=True,
            status__in=(AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED),
            start__gt=now,
            created_at__lt=now - timedelta(minutes=1),
            created_at__gt=now - timedelta(days=2),
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:200]
    )


def waitlist_offer_send(*, entry_id: int) -> bool:
    """Email a waitlist offer once per offered time. Returns whether it sent one."""
    from .models import WaitlistEntry, WaitlistStatus
    from .tokens import waitlist_offer_token

    with transaction.atomic():
        entry = (
            WaitlistEntry.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("patient", "service", "offered_location", "offered_provider__user")
            .filter(pk=entry_id, status=WaitlistStatus.OFFERED)
            .first()
        )
        if entry is None or entry.offered_start is None or entry.offer_emailed_for == entry.offered_start:
            return False
        start = entry.offered_start.astimezone(entry.offered_location.zone)
        context = {
            "entry": entry,
            "start": start,
            "clinic_name": settings.CLINIC_NAME,
            "clinic_phone": settings.CLINIC_PHONE,
            "offer_url": settings.SITE_URL + reverse("bookings:waitlist-offer", args=[waitlist_offer_token(entry)]),
        }
        when = dateformat.format(start, r"D M j \a\t g:i A T")
        message = EmailMultiAlternatives(
            subject=f"A time just opened: {entry.service.name}, {when}",
            body=render_to_string("bookings/email/waitlist_offer.txt", context),
            to=[entry.patient.email],
        )
        message.attach_alternative(render_to_string("bookings/email/waitlist_offer.html", context), "text/html")
        message.send()
        entry.offer_emailed_for = entry.offered_start
        entry.save(update_fields=["offer_emailed_for"])
    return True
