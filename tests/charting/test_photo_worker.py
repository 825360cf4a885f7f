"""A real Celery worker makes the thumbnail and the screen-size copy of photos uploaded through
the page, after the upload commits (the broker the environment names: Redis in CI)."""

import time
from unittest import mock

import pytest
from django.conf import settings
from django.urls import reverse
from PIL import Image

from charting.models import Photo
from charting.photo_models import photo_storage
from charting.tasks import photo_renditions
from tests.charting.photo_helpers import phone_jpeg, upload
from tests.conftest import celery_worker, database_url

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_real_worker_makes_the_renditions_after_the_upload_commits(client, injector_user, visit):
    client.force_login(injector_user)
    with celery_worker(DATABASE_URL=database_url(), VAR_DIR=str(settings.VAR_DIR)) as worker:
        # The page enqueues on the default queue; this worker listens on its own.
        send = lambda pk: photo_renditions.apply_async((pk,), queue=worker.queue)  # noqa: E731
        with mock.patch("charting.tasks.photo_renditions.delay", side_effect=send):
            files = {"rest": upload(phone_jpeg()), "smile": upload(phone_jpeg())}
            response = client.post(reverse("charting:photos", args=[visit.reference]), {"phase": "before", **files})
        assert response.status_code == 302
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and Photo.objects.filter(appointment=visit, thumb="").exists():
            time.sleep(0.5)
    photos = list(Photo.objects.filter(appointment=visit))
    assert len(photos) == 2 and all(photo.ready for photo in photos)
    storage = photo_storage()
    for photo in photos:
        for name in (photo.image.name, photo.screen.name, photo.thumb.name):
            with storage.open(name, "rb") as file, Image.open(file) as image:
                assert image.format == "JPEG" and not image.getexif()
        storage.delete(photo.image.name)
        storage.delete(photo.screen.name)
        storage.delete(photo.thumb.name)
