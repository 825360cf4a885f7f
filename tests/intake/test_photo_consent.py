"""The photo choice is signed with the consent: clinical record only (the default, also when the
form says nothing) or marketing too; anything else is a field error and nothing is signed."""

import re

import pytest

from intake.models import Consent, PhotoUse
from tests.factories import ConsentTextFactory
from tests.intake.conftest import png_data_url
from tests.intake.test_intake_flow import history_post, step_url

pytestmark = pytest.mark.django_db


def sign(client, token, **extra):
    client.post(step_url(token, "contact"), {"email": "ada@example.com", "phone": "941-555-0199"})
    client.post(step_url(token, "history"), history_post())
    client.post(step_url(token, "goals"), {"areas": [], "stronger_side": "left", "notes": ""})
    form = {"agree": "on", "typed_name": "Ada Park", "signature": png_data_url(), "strokes": "3", **extra}
    return client.post(step_url(token, "consent"), form)


@pytest.fixture
def text(clinic):
    return ConsentTextFactory(service=clinic.service)


def test_the_consent_step_asks_about_photos_with_clinical_only_chosen(client, booked, text):
    _appointment, token = booked()
    sign(client, token, agree="")  # stops at the consent step, which shows the choice
    page = client.get(step_url(token, "consent")).content.decode()
    assert "Your before-and-after photos" in page
    radios = {
        m.group(1): "checked" in m.group(0)
        for m in re.finditer(r'<input[^>]*name="photo_use"[^>]*value="(\w+)"[^>]*>', page)
    }
    assert radios == {"clinical": True, "marketing": False}
    assert "May also be used in the clinic&#x27;s marketing" in page


@pytest.mark.parametrize(("posted", "kept"), [("marketing", PhotoUse.MARKETING), ("clinical", PhotoUse.CLINICAL),
                                              (None, PhotoUse.CLINICAL)])  # fmt: skip
def test_the_choice_is_kept_with_the_signature(client, booked, text, posted, kept):
    appointment, token = booked()
    response = sign(client, token, **({"photo_use": posted} if posted else {}))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Consent.objects.get(appointment=appointment).photo_use == kept


def test_an_unknown_choice_is_a_field_error_and_nothing_is_signed(client, booked, text):
    appointment, token = booked()
    response = sign(client, token, photo_use="billboards")
    assert response.status_code == 400
    assert "photo_use" in response.context["form"].errors
    assert not Consent.objects.filter(appointment=appointment).exists()
