"""The two-week follow-up questionnaire and the clinic's handling of urgent answers."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from bookings.models import Appointment

from ..models import FollowUp
from ..signals import follow_up_urgent

URGENT_SYMPTOMS = (
    ("swallowing", "Trouble swallowing"),
    ("speaking", "Trouble speaking or a change in your voice"),
    ("breathing", "Trouble breathing"),
    ("neck-weakness", "Weakness in your neck"),
    ("vision", "Double or blurred vision"),
    ("general-weakness", "Weakness elsewhere in your body"),
)


def follow_up_submit(*, appointment: Appointment, answers: dict, now: datetime) -> tuple[FollowUp, bool]:
    """Keep the two-week answers once; an urgent symptom alerts the clinic at once (no details by email).

    Returns the follow-up and whether it is new: a second submission keeps the first and alerts no one.
    """
    urgent = bool(set(answers.get("urgent", [])) & {code for code, _ in URGENT_SYMPTOMS})
    with transaction.atomic():
        Appointment.objects.select_for_update().get(pk=appointment.pk)  # one submission at a time
        earlier = FollowUp.objects.filter(appointment=appointment).order_by("submitted_at", "pk").first()
        if earlier is not None:
            return earlier, False
        alerted = now if urgent else None
        follow_up = FollowUp.objects.create(
            appointment=appointment, answers=answers, urgent=urgent, submitted_at=now, alert_sent_at=alerted
        )
        if urgent:
            # Reminders writes the clinic's alert into the outbox in this transaction (no details in it).
            follow_up_urgent.send(sender=FollowUp, follow_up=follow_up, now=now)
    return follow_up, True


def follow_up_acknowledge(*, follow_up: FollowUp, actor: AbstractBaseUser, now: datetime) -> FollowUp:
    FollowUp.objects.filter(pk=follow_up.pk, acknowledged_at__isnull=True).update(acknowledged_by=actor,
                                                                                  acknowledged_at=now)  # fmt: skip
    follow_up.refresh_from_db()
    return follow_up
