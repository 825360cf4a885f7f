"""Intake's part of the staff shell: the urgent follow-up banner (registered in IntakeConfig.ready)."""

from django.http import HttpRequest
from django.template.defaultfilters import pluralize
from django.urls import reverse

from medspa.staff import Banner

from .models import FollowUp


def urgent_follow_ups_banner(request: HttpRequest) -> Banner | None:
    """How many urgent follow-ups are unhandled: the staff pages show a banner until someone acts."""
    count = FollowUp.objects.filter(urgent=True, acknowledged_at__isnull=True).count()
    if not count:
        return None
    return Banner(
        strong="Urgent:",
        text=f"{count} patient{pluralize(count)} reported an urgent symptom after treatment. Call now.",
        link=reverse("intake:follow-ups"),
    )
