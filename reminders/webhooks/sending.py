"""Sending a webhook delivery, for the outbox's one sender (`services.messages_send_due`).

The same three steps as a message: claim the row under SKIP LOCKED and commit it as "sending";
POST it outside any transaction, signed now, with the row's delivery id; write how it went, only
while the row is still this sender's. A sender that dies mid-POST leaves it "sending": after
MESSAGE_IN_DOUBT_AFTER it is taken again and sent with the same X-Medspa-Delivery, so the receiver
can drop the repeat.
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..channels.webhook import WebhookChannel, WebhookFailed, WebhookRequest
from ..models import MessageState, WebhookDelivery, WebhookEvent
from ..outbox import after_failure, next_row
from .addresses import AddressRefused


def webhook_claim(*, now: datetime) -> WebhookDelivery | None:
    """Take the next delivery to send and commit it as "sending"; a delivery to an endpoint switched
    off since is skipped (a test event goes anyway). None when nothing is due."""
    if not _anything_due(now):  # the usual answer, in one query and no transaction
        return None
    select = WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",)).select_related("endpoint")
    with transaction.atomic():
        found = next_row(select, now=now)
        if found is None:
            return None
        delivery, in_doubt = found
        if not delivery.endpoint.is_active and delivery.event != WebhookEvent.TEST:
            delivery.state, delivery.last_error = MessageState.SKIPPED, "The endpoint was switched off"
            delivery.save(update_fields=["state", "last_error", "updated_at"])
            return delivery
        delivery.state, delivery.attempts, delivery.sending_started_at = (
            MessageState.SENDING,
            delivery.attempts + 1,
            now,
        )
        if in_doubt:
            delivery.last_error = "In doubt: the sender stopped mid-send; sent again with the same delivery id"
        delivery.save(update_fields=["state", "attempts", "sending_started_at", "last_error", "updated_at"])
    return delivery


def _anything_due(now: datetime) -> bool:
    cutoff = now - settings.MESSAGE_IN_DOUBT_AFTER
    due = Q(state=MessageState.PENDING, due_at__lte=now) | Q(state=MessageState.SENDING, sending_started_at__lte=cutoff)
    return WebhookDelivery.objects.filter(due).exists()


def webhook_send_next(*, now: datetime, channel: WebhookChannel | None = None) -> WebhookDelivery | None:
    """Send the next due delivery, if any, and return it (None when nothing is due)."""
    delivery = webhook_claim(now=now)
    if delivery is None or delivery.state != MessageState.SENDING:
        return delivery
    request = WebhookRequest(
        url=delivery.endpoint.url,
        body=delivery.body,
        secret=delivery.endpoint.secret,
        event=delivery.event,
        delivery_id=str(delivery.delivery_id),
        timestamp=int(now.timestamp()),
    )
    try:
        answer = (channel or WebhookChannel()).send(request)
    except AddressRefused as exc:
        delivery.state, delivery.last_error = MessageState.FAILED, f"Not sent: {exc}"[:300]
        fields = {"state": delivery.state, "last_error": delivery.last_error}
    except WebhookFailed as exc:
        delivery.state, due_at = after_failure(delivery.attempts, now)
        delivery.due_at = due_at or delivery.due_at
        delivery.last_status, delivery.last_response, delivery.last_error = exc.status, exc.response, str(exc)[:300]
        fields = {"state": delivery.state, "due_at": delivery.due_at, "last_status": exc.status,
                  "last_response": exc.response, "last_error": delivery.last_error}  # fmt: skip
    else:
        delivery.state, delivery.sent_at = MessageState.SENT, now
        delivery.last_status, delivery.last_response, delivery.last_error = answer.status, answer.response, ""
        fields = {"state": delivery.state, "sent_at": now, "last_status": answer.status,
                  "last_response": answer.response, "last_error": ""}  # fmt: skip
    WebhookDelivery.objects.filter(pk=delivery.pk, state=MessageState.SENDING, sending_started_at=now).update(
        **fields, updated_at=timezone.now()
    )
    return delivery
