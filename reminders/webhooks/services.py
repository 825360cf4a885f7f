"""Writes of webhooks: endpoints (managers), and the deliveries each event writes in its own transaction.

A delivery row is written by the signal receiver inside the transaction of the change, so it
exists exactly when the change does; the sender is asked to look once that commits. One row per
endpoint per event: the dedupe key names what the event is about, so a signal sent twice (or a
double click that reaches the service twice) writes nothing twice.
"""

import uuid
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction

from bookings.models import Appointment

from ..models import MessageState, WebhookDelivery, WebhookEndpoint, WebhookEvent, new_webhook_secret
from .payloads import appointment_data, payload_body


def webhook_endpoint_save(
    *,
    endpoint: WebhookEndpoint | None = None,
    name: str,
    url: str,
    events: Iterable[str],
    is_active: bool,
    actor: AbstractBaseUser | None,
) -> WebhookEndpoint:
    """Create or change an endpoint. The URL was checked by the form (`addresses.url_problem`), and is
    checked again at every send."""
    endpoint = endpoint or WebhookEndpoint(created_by=actor)
    endpoint.name, endpoint.url, endpoint.is_active = name, url.strip(), is_active
    endpoint.events = [event for event, _ in WebhookEvent.choices if event in set(events)]
    endpoint.save()
    return endpoint


def webhook_secret_rotate(*, endpoint: WebhookEndpoint, now: datetime) -> WebhookEndpoint:
    """A new secret at once: every try from now on, retries of earlier events too, is signed with it."""
    endpoint.secret, endpoint.secret_rotated_at = new_webhook_secret(), now
    endpoint.save(update_fields=["secret", "secret_rotated_at", "updated_at"])
    return endpoint


def send_soon() -> None:
    """Ask a worker to run the sender once the current transaction commits."""
    from ..tasks import messages_send

    transaction.on_commit(lambda: messages_send.delay(), robust=True)


def webhook_deliveries_plan(*, event: str, about: str, data: dict[str, Any], reference: str, now: datetime) -> int:
    """One delivery per active endpoint that asked for `event`, all with one body and event id.

    `about` says which occurrence of the event this is ("a42" for appointment 42's booking,
    "a42:seq3" for its third move): the dedupe key. Returns how many endpoints want it.
    """
    endpoints = [pk for pk, events in _active_endpoints() if event in events]
    if not endpoints:
        return 0
    event_id = "evt_" + uuid.uuid4().hex
    body = payload_body(event_id=event_id, event=event, created=now, data=data)
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint_id=endpoint,
                event=event,
                event_id=event_id,
                reference=reference,
                body=body,
                due_at=now,
                dedupe_key=f"wh{endpoint}:{event}:{about}",
            )
            for endpoint in endpoints
        ],
        ignore_conflicts=True,
    )
    send_soon()
    return len(endpoints)


@lru_cache(maxsize=4)
def _active_sql(vendor: str) -> str:
    quote, meta = connection.ops.quote_name, WebhookEndpoint._meta
    pk, events, active = (quote(meta.get_field(name).column) for name in ("id", "events", "is_active"))
    return f"SELECT {pk}, {events} FROM {quote(meta.db_table)} WHERE {active} = %s ORDER BY {pk}"  # noqa: S608


def _active_endpoints() -> list[tuple[int, list[str]]]:
    """(id, events) of each active endpoint, by id: every booking, move and cancellation asks, so
    the statement is written once and only the events are converted (as the ORM converts them)."""
    field = WebhookEndpoint._meta.get_field("events")
    column = field.get_col(WebhookEndpoint._meta.db_table)
    converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
    with connection.cursor() as cursor:
        cursor.execute(_active_sql(connection.vendor), [True])
        rows = cursor.fetchall()
    found = []
    for pk, events in rows:
        for convert in converters:
            events = convert(events, column, connection)
        found.append((pk, events))
    return found


def webhook_on_appointment(*, event: str, appointment: Appointment, about: str, now: datetime, **extra: Any) -> int:
    return webhook_deliveries_plan(
        event=event,
        about=about,
        data=appointment_data(appointment, **extra),
        reference=appointment.reference,
        now=now,
    )


def webhook_test_send(*, endpoint: WebhookEndpoint, now: datetime) -> WebhookDelivery:
    """A test event to this endpoint now (active or not), so the manager can see the receiver answer."""
    event_id = "evt_" + uuid.uuid4().hex
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=WebhookEvent.TEST,
        event_id=event_id,
        body=payload_body(event_id=event_id, event=WebhookEvent.TEST, created=now, data={"endpoint": endpoint.pk}),
        due_at=now,
        dedupe_key=f"wh{endpoint.pk}:{WebhookEvent.TEST}:{event_id}",
    )
    send_soon()
    return delivery


class ResendRefused(Exception):
    pass


def webhook_delivery_resend(*, delivery: WebhookDelivery, now: datetime) -> WebhookDelivery:
    """The same event (body and event id) again, as a new delivery with a new delivery id, due now.

    The earlier row keeps its log. While a delivery of this event to this endpoint is still waiting
    or being sent, a resend is refused: two tabs or a double click queue it once.
    """
    with transaction.atomic():
        original = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        same_event = WebhookDelivery.objects.filter(endpoint_id=original.endpoint_id, event_id=original.event_id)
        if same_event.filter(state__in=[MessageState.PENDING, MessageState.SENDING]).exists():
            raise ResendRefused("This event is already waiting to be sent to this endpoint.")
        try:
            with transaction.atomic():
                copy = WebhookDelivery.objects.create(
                    endpoint_id=original.endpoint_id,
                    event=original.event,
                    event_id=original.event_id,
                    reference=original.reference,
                    body=original.body,
                    due_at=now,
                    resend_of=original,
                    dedupe_key=f"wh{original.endpoint_id}:{original.event_id}:resend{same_event.count()}",
                )
        except IntegrityError as exc:  # another resend of the same event won the race
            raise ResendRefused("This event is already waiting to be sent to this endpoint.") from exc
        send_soon()
    return copy
