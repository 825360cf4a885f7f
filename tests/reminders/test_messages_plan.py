"""messages_plan writes the outbox's rows as one INSERT … VALUES (reminders/services.py): each must be
what Message.objects.bulk_create(…, ignore_conflicts=True) wrote, and planning twice adds nothing."""

from datetime import timedelta

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from reminders.models import Message, MessageState, Recipient
from reminders.services import messages_plan
from reminders.timelines import Planned
from tests.bookings.conftest import at, booked_at, next_weekday

pytestmark = pytest.mark.django_db

VARYING = {"id", "dedupe_key", "link_key", "created_at", "updated_at", "appointment"}


def test_the_rows_are_those_bulk_create_wrote_and_a_second_plan_adds_none(clinic):
    mine = booked_at(clinic, at(next_weekday(0), 10))
    other = booked_at(clinic, at(next_weekday(0), 11), patient=mine.patient)
    now = timezone.now()
    items = [
        Planned("confirmation", "booked", now, channel="email"),
        Planned("reminder", "24h", now + timedelta(days=3)),
        Planned("intake", "48h", now + timedelta(days=2), channel="sms"),
    ]
    before = timezone.now()
    messages_plan(appointment=mine, items=items)
    messages_plan(appointment=mine, items=[*items, Planned("moved", "seq1", now)])  # only the new one
    Message.objects.bulk_create(
        [Message(patient_id=other.patient_id, appointment=other, kind=i.kind, step=i.step, channel=i.channel,
                 due_at=i.due_at, dedupe_key=i.key(other.pk)) for i in [*items, Planned("moved", "seq1", now)]],
        ignore_conflicts=True,
    )  # fmt: skip
    written = list(Message.objects.filter(appointment=mine).order_by("pk"))
    reference = list(Message.objects.filter(appointment=other).order_by("pk"))
    assert [m.dedupe_key for m in written] == [i.key(mine.pk) for i in items] + [f"a{mine.pk}:moved:seq1"]
    for ours, theirs in zip(written, reference, strict=True):
        assert {k: v for k, v in model_to_dict(ours).items() if k not in VARYING} == {
            k: v for k, v in model_to_dict(theirs).items() if k not in VARYING
        }
        assert ours.state == MessageState.PENDING and ours.recipient == Recipient.PATIENT and ours.attempts == 0
        assert before <= ours.created_at <= ours.updated_at <= timezone.now()
        assert len(ours.link_key) >= 16
    assert len({m.link_key for m in written + reference}) == len(written) * 2


def test_nothing_planned_writes_nothing(clinic, django_assert_num_queries):
    appointment = booked_at(clinic, at(next_weekday(0), 10))
    with django_assert_num_queries(0):
        messages_plan(appointment=appointment, items=[])
