"""Texts carry the advice, not only a subject (the day-3 urgent symptoms above all), within three
GSM segments and without anything about the patient's treatment; the 48-hour message asks what is
new whether or not the forms are done."""

from datetime import datetime, timedelta

import pytest
import time_machine

from bookings.models import AppointmentStatus, IntakeStatus, Patient
from reminders.aftercare import visit_aftercare
from reminders.channels import sms as sms_channels
from reminders.models import Message, MessageState
from reminders.services import messages_send_due, timeline_on_booked
from tests.factories import AppointmentFactory, LocationFactory, MessageFactory
from treatments.models import Service

from .chart import NEW_YORK, Given, chart, complete, visit, words

pytestmark = pytest.mark.django_db

MORNING = datetime(2027, 3, 3, 10, tzinfo=NEW_YORK)
PHONE = "+1 941 555 0177"
# The GSM 03.38 basic alphabet: any other character makes the whole text UCS-2, 70 characters a segment.
GSM = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
URGENT = ("swallowing", "speaking", "breathing", "neck", "general weakness", "double or blurred vision",
          "seek medical care now")  # fmt: skip


@pytest.fixture
def texts(settings):
    settings.SMS_BACKEND = "reminders.channels.sms.MemorySMS"
    settings.SMS_QUIET_HOURS = (21, 8)
    sms_channels.outbox.clear()
    return sms_channels.outbox


def texting_patient(appointment) -> None:
    Patient.objects.filter(pk=appointment.patient_id).update(preferred_channel="sms", consent_sms=True)


def fits_three_segments(text: str) -> bool:
    return len(text) <= 480 and set(text) <= GSM


def test_the_day_3_text_says_how_to_report_problems_and_the_urgent_symptoms(texts):
    location = LocationFactory(slug="sarasota-east", phone=PHONE)
    appointment = visit(MORNING, location=location)
    chart(
        appointment,
        Given("botox-cosmetic", "platysma", "left", "15"),
        Given("botox-cosmetic", "platysma", "right", "15"),
    )
    texting_patient(appointment)
    results = complete(appointment)["results"]
    with time_machine.travel(results.due_at, tick=False):
        messages_send_due()
    results.refresh_from_db()
    assert results.state == MessageState.SENT and results.sent_channel == "sms"
    text = next(t.text for t in texts if t.message_id.startswith(f"<a{appointment.pk}.aftercare.results"))
    for words_needed in (*URGENT, PHONE, "Something not right? Call"):
        assert words_needed in text, words_needed
    assert fits_three_segments(text), (len(text), set(text) - GSM)
    for private in ("Botox", "platysma", "Neck bands", "units", " U "):
        assert private not in text


def test_every_aftercare_text_of_a_charted_visit_carries_its_advice_within_three_segments():
    appointment = visit(MORNING)
    chart(appointment, Given("dysport", "lip-flip", units="10"), Given("dysport", "masseter", "left", "60"),
          Given("dysport", "masseter", "right", "50"))  # fmt: skip
    planned = complete(appointment)
    assert len(planned) >= 9
    plan = visit_aftercare(appointment)
    for step, message in planned.items():
        text = words(message, "sms")
        assert fits_three_segments(text), (step, len(text), set(text) - GSM)
        assert "Dysport" not in text and "lip" not in text.lower() and "masseter" not in text.lower(), step
        if step in ("sheet", "upright", "day-1", "day-2", "results"):
            # The advice itself, not only the title: the advice's first sentence is in the text.
            first_sentence = plan.step(step).body.split(". ")[0].replace("–", "-")
            assert first_sentence in text, step


@pytest.mark.parametrize("forms", [IntakeStatus.NOT_STARTED, IntakeStatus.COMPLETE, IntakeStatus.FLAGGED])
@pytest.mark.parametrize("channel", ["email", "sms"])
def test_the_48_hour_message_goes_whether_or_not_the_forms_are_done(forms, channel, texts, mailoutbox):
    start = datetime(2027, 3, 10, 10, tzinfo=NEW_YORK)
    now = start - timedelta(days=9)
    appointment = AppointmentFactory(service=Service.objects.get(slug="neuromodulator-treatment"), start=start,
                                     status=AppointmentStatus.CONFIRMED, intake_status=forms,
                                     location=LocationFactory(slug="naples", phone=PHONE))  # fmt: skip
    if channel == "sms":
        texting_patient(appointment)
    with time_machine.travel(now, tick=False):
        timeline_on_booked(appointment=appointment, now=now)
        Message.objects.exclude(kind="intake").update(state=MessageState.SKIPPED)
    due = Message.objects.get(appointment=appointment, kind="intake").due_at
    assert due == start - timedelta(days=2)
    with time_machine.travel(due, tick=False):
        assert messages_send_due() == 1
    sent = Message.objects.get(appointment=appointment, kind="intake")
    assert sent.state == MessageState.SENT and sent.sent_channel == channel
    text = texts[-1].text if channel == "sms" else mailoutbox[-1].body
    for asked in ("new medicine", "pregnan", "infection", "elsewhere", "last 3 months", PHONE):
        assert asked in text, asked
    done = forms != IntakeStatus.NOT_STARTED
    assert ("/intake/" in text) is not done  # the forms link only while they are not done
    assert ("fill in your" in text.lower()) is not done
    if channel == "sms":
        assert fits_three_segments(text), len(text)


def test_the_pre_care_text_carries_the_advice_within_three_segments():
    appointment = visit(MORNING)
    message = MessageFactory(appointment=appointment, kind="pre-care", step="week", due_at=MORNING - timedelta(days=7),
                             dedupe_key="pre-care-text")  # fmt: skip
    text = words(message, "sms")
    assert "aspirin" in text and "unless a doctor prescribed them" in text and "never stop a prescribed" in text
    assert fits_three_segments(text), (len(text), set(text) - GSM)
