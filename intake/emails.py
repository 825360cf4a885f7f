"""Intake's emails. None carries a health detail: they say where to look, on the staff site."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .models import FollowUp


def urgent_alert_send(*, follow_up_id: int) -> bool:
    """Tell the clinic a follow-up needs a call now; once per follow-up."""
    with transaction.atomic():
        follow_up = (
            FollowUp.objects.select_for_update(skip_locked=True)
            .filter(pk=follow_up_id, urgent=True, alert_sent_at__isnull=True)
            .first()
        )
        if follow_up is None:
            return False
        send_mail(
            subject="Urgent: a patient needs a call back now",
            message=(
                "A patient reported an urgent symptom in their two-week follow-up and has been told to seek care.\n"
                f"Please call them now. Details (staff sign-in): {settings.SITE_URL}{reverse('intake:follow-ups')}\n"
            ),
            from_email=None,
            recipient_list=[settings.CLINIC_EMAIL],
        )
        follow_up.alert_sent_at = timezone.now()
        follow_up.save(update_fields=["alert_sent_at"])
    return True
