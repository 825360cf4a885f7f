"""What every outbox row shares, whatever it carries (a message to a patient, a webhook delivery).

A row is pending until due, "sending" once a sender took it (committed before the network is
touched), then sent, failed, skipped, or pending again later with a backoff. One sender drains every
kind of row (`services.messages_send_due`, the `messages_send` task), taking each with the claim
below, so the rules for taking, retrying and giving up are written once.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Model, QuerySet

from .models import MessageState


def next_row(select: QuerySet, *, now: datetime) -> tuple[Model, bool] | None:
    """Inside the caller's transaction: the row to send next, locked, and whether it is in doubt.

    `select` is the model's `select_for_update(skip_locked=True)` queryset, so two senders never
    take the same row and neither waits for the other. First a row in doubt (taken more than
    MESSAGE_IN_DOUBT_AFTER ago and never finished: its sender died), then the earliest pending one
    that is due. Both queries walk a partial index in the order they ask for.
    """
    cutoff = now - settings.MESSAGE_IN_DOUBT_AFTER
    row = select.filter(state=MessageState.SENDING, sending_started_at__lte=cutoff).order_by("sending_started_at", "pk")
    found = row.first()
    if found is not None:
        return found, True
    found = select.filter(state=MessageState.PENDING, due_at__lte=now).order_by("due_at", "pk").first()
    return (found, False) if found is not None else None


def backoff(attempts: int) -> timedelta:
    """How long after its `attempts`-th failed try a row is tried again: 2, 4, 8 … 256 minutes."""
    return timedelta(minutes=2 ** min(attempts, 8))


def after_failure(attempts: int, now: datetime, *, permanent: bool = False) -> tuple[str, datetime | None]:
    """(state, due_at) after a failed try: again later with backoff, or failed for good after
    MESSAGE_MAX_ATTEMPTS tries (or at once, for a failure no retry can mend). due_at None: unchanged."""
    if permanent or attempts >= settings.MESSAGE_MAX_ATTEMPTS:
        return MessageState.FAILED, None
    return MessageState.PENDING, now + backoff(attempts)
