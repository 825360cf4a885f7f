from celery import shared_task
from django.utils import timezone


@shared_task
def waitlist_offer_freed_time(provider_id: int, location_id: int, start: str) -> int | None:
    """Offer a time that was just cancelled or moved away from to the first waiting patient."""
    from datetime import datetime

    from .services import waitlist_offer_freed_time as offer

    entry = offer(
        provider_id=provider_id, location_id=location_id, start=datetime.fromisoformat(start), now=timezone.now()
    )
    return entry.pk if entry else None
