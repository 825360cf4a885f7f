"""The outbox: one message row, planned the way reminders plans it (kind, step and dedupe key)."""

from datetime import timedelta

import factory

from reminders.models import Message, MessageKind, MessageState


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
