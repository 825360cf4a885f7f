from typing import Any

from django.http import HttpRequest

from .models import FollowUp


def urgent_follow_ups(request: HttpRequest) -> dict[str, Any]:
    """How many urgent follow-ups are unhandled: the staff pages show a banner until someone acts."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return {}
    return {"urgent_follow_ups": FollowUp.objects.filter(urgent=True, acknowledged_at__isnull=True).count()}
