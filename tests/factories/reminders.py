"""The outbox: one message row, planned the way reminders plans it (kind, step and dedupe key)."""

from datetime import timedelta

import factory
from django.utils import timezone

from reminders.models import (
    SUBSCRIBABLE,
    Message,
    MessageKind,
    MessageState,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from reminders.webhooks.payloads import payload_body


class MessageFactory(factory.django.DjangoModelFactory):
    """The appointment's pending day-before reminder; its dedupe key is the timeline's (one row per
    appointment, kind and step), so a second message of one appointment needs another kind or step."""

    class Meta:
        model = Message

    appointment = factory.SubFactory("tests.factories.bookings.AppointmentFactory")
    patient = factory.LazyAttribute(lambda m: m.appointment.patient)
    kind = MessageKind.REMINDER
    step = "24h"
    due_at = factory.LazyAttribute(lambda m: m.appointment.start - timedelta(days=1))
    state = MessageState.PENDING
    dedupe_key = factory.LazyAttribute(lambda m: f"a{m.appointment.pk}:{m.kind}:{m.step}")


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    """A receiver that asked for every event (a public https URL; tests that send use a local one)."""

    class Meta:
        model = WebhookEndpoint

    name = factory.Sequence(lambda n: f"Receiver {n}")
    url = factory.Sequence(lambda n: f"https://hooks{n}.example.com/medspa")
    events = factory.LazyFunction(lambda: [value for value, _ in SUBSCRIBABLE])


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    """A test event waiting to go to its endpoint, written as `webhook_test_send` writes it."""

    class Meta:
        model = WebhookDelivery

    endpoint = factory.SubFactory(WebhookEndpointFactory)
    event = WebhookEvent.TEST
    event_id = factory.Sequence(lambda n: f"evt_{n:032x}")
    body = factory.LazyAttribute(
        lambda d: payload_body(event_id=d.event_id, event=d.event, created=timezone.now(),
                               data={"endpoint": d.endpoint.pk})
    )  # fmt: skip
    due_at = factory.LazyFunction(timezone.now)
    dedupe_key = factory.LazyAttribute(lambda d: f"wh{d.endpoint.pk}:{d.event}:{d.event_id}")
