"""Signing with the typed name (the keyboard's way): the name is drawn into the signature image,
checked against the booking like any signature, and recorded as typed."""

from io import BytesIO

import pytest
from PIL import Image

from intake.models import Consent, MedicalHistory, SignatureMethod
from intake.typed_signature import typed_signature_png
from tests.intake.test_intake_flow import complete, step_url

pytestmark = pytest.mark.django_db


def test_the_typed_name_becomes_the_signature_and_is_recorded_as_typed(client, booked, consent_text):
    _appointment, token = booked()
    complete(client, token, sign=False)
    client.post(step_url(token, "consent"), {"agree": "on", "typed_name": "Ada Park", "sign_by_typing": "on"})
    consent = Consent.objects.get()
    assert consent.signature_method == SignatureMethod.TYPED and consent.typed_name == "Ada Park"
    image = Image.open(BytesIO(bytes(consent.signature_png)))
    assert (image.format, image.size) == ("PNG", (640, 200))
    assert image.convert("L").getextrema()[0] < 100  # there is ink: the name is drawn
    assert MedicalHistory.objects.exists()


def test_typing_still_needs_the_booked_name_and_the_agreement(client, booked, consent_text):
    _appointment, token = booked()
    complete(client, token, sign=False)
    url = step_url(token, "consent")
    wrong = client.post(url, {"agree": "on", "typed_name": "Someone Else", "sign_by_typing": "on"})
    assert wrong.status_code == 400
    assert "Type your full name as on your booking: Ada Park." in wrong.content.decode()
    unagreed = client.post(url, {"typed_name": "Ada Park", "sign_by_typing": "on"})
    assert unagreed.status_code == 400 and "Please tick to agree before signing." in unagreed.content.decode()
    assert not Consent.objects.exists()


def test_a_drawing_sent_alongside_is_ignored_when_typing_is_chosen(client, booked, consent_text):
    """Ticking "sign with my typed name" wins over whatever the box holds (a forged or stale image)."""
    _appointment, token = booked()
    complete(client, token, sign=False)
    client.post(step_url(token, "consent"), {"agree": "on", "typed_name": "Ada Park", "sign_by_typing": "on",
                                             "signature": "data:image/png;base64,AAAA", "strokes": "9"})  # fmt: skip
    consent = Consent.objects.get()
    assert consent.signature_method == SignatureMethod.TYPED
    assert bytes(consent.signature_png) == typed_signature_png("Ada Park")


def test_a_drawn_signature_is_recorded_as_drawn(client, booked, consent_text):
    _appointment, token = booked()
    complete(client, token)
    assert Consent.objects.get().signature_method == SignatureMethod.DRAWN


@pytest.mark.parametrize("name", ["A", "Ada Park", "Maria-José Fernández de la Cruz y Villanueva Santos " * 3])
def test_any_name_fits_the_box(name):
    image = Image.open(BytesIO(typed_signature_png(name)))
    assert image.size == (640, 200)
