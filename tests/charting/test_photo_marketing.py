"""Only photos the patient allowed for marketing can be exported, by a Manager: the latest signed
choice holds (a later "clinical record only" withdraws it), an unproven signature speaks only for
its own visit, and the ZIP holds clean JPEGs named by photo, never the patient's name."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from PIL import Image

from charting.selectors import marketing_photos, photo_use_of
from tests.factories import DEFAULT_START, AppointmentFactory, ConsentFactory, PatientFactory, PhotoFactory

pytestmark = pytest.mark.django_db


def _visit(patient, hours: int, *, verified=True):
    return AppointmentFactory(patient=patient, start=DEFAULT_START + timedelta(hours=hours), identity_verified=verified)


@pytest.fixture
def world(photo_store):
    yes = PatientFactory(first_name="Yes", last_name="Marketing")
    no = PatientFactory(first_name="No", last_name="Clinical")
    withdrawn = PatientFactory(first_name="Withdrawn", last_name="Later")
    unproven = PatientFactory(first_name="Unproven", last_name="Link")
    shots = {}
    v = _visit(yes, 0)
    ConsentFactory(appointment=v, photo_use="marketing")
    shots["yes"] = PhotoFactory(appointment=v)
    v = _visit(no, 1)
    ConsentFactory(appointment=v, photo_use="clinical")
    shots["no"] = PhotoFactory(appointment=v)
    first, second = _visit(withdrawn, 2), _visit(withdrawn, 3)
    ConsentFactory(appointment=first, photo_use="marketing")
    ConsentFactory(appointment=second, photo_use="clinical")  # signed later: withdraws
    shots["withdrawn"] = PhotoFactory(appointment=first)
    proven, through_link = _visit(unproven, 4), _visit(unproven, 5, verified=False)
    ConsentFactory(appointment=proven, photo_use="clinical")
    ConsentFactory(appointment=through_link, photo_use="marketing")  # counts for its own visit only
    shots["unproven-other"] = PhotoFactory(appointment=proven)
    shots["unproven-own"] = PhotoFactory(appointment=through_link)
    PhotoFactory(appointment=_visit(PatientFactory(first_name="Never", last_name="Signed"), 6))
    return shots


def test_only_photos_with_marketing_consent_are_listed(world):
    assert {p.pk for p in marketing_photos()} == {world["yes"].pk, world["unproven-own"].pk}
    assert photo_use_of(world["withdrawn"].appointment.patient) == "clinical"
    assert photo_use_of(world["unproven-own"].appointment.patient) == "clinical"
    assert photo_use_of(world["unproven-own"].appointment.patient, world["unproven-own"].appointment) == "marketing"


def test_the_manager_downloads_a_zip_of_only_those_clean_and_without_names(client, manager_user, world):
    client.force_login(manager_user)
    page = client.get(reverse("charting:photos-marketing"))
    assert page.status_code == 200 and "Download 2 photos (ZIP)" in page.content.decode()
    response = client.get(reverse("charting:photos-marketing-zip"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = sorted(archive.namelist())
    expected = [f"photo-{world[key].pk}-before-rest.jpg" for key in ("yes", "unproven-own")]
    assert names == sorted([*expected, "photos.csv"])
    listing = archive.read("photos.csv").decode()
    for shot in world.values():
        assert shot.appointment.patient.first_name not in listing
    for name in (n for n in names if n.endswith(".jpg")):
        with Image.open(io.BytesIO(archive.read(name))) as image:
            assert image.format == "JPEG" and not image.getexif()


def test_the_photo_page_shows_the_patients_choice(client, injector_user, world):
    client.force_login(injector_user)
    text = client.get(reverse("charting:photos", args=[world["yes"].appointment.reference])).content.decode()
    assert "Photo consent: May also be used in the clinic" in text
    text = client.get(reverse("charting:photos", args=[world["no"].appointment.reference])).content.decode()
    assert "Photo consent: Clinical record only" in text
