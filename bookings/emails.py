"""Booking emails. They carry times, place and links, never anything about the patient's health."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat


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
            "clinic_phone": entry.offered_location.contact_phone,
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
