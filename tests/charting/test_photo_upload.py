"""Taking a visit's photos: each expression in one post, free photos, JPEG/PNG/HEIC accepted; what
is stored carries no EXIF at all (no location, no device) and is turned upright; anything not a
photo, too many bytes or too many pixels is refused on its field with nothing stored; the
thumbnail and screen-size copies are made by the task, after commit, and a second run changes nothing."""

import io
from unittest import mock

import pytest
from django.urls import reverse
from PIL import Image

from charting.imaging import SCREEN_SIDE, THUMB_SIDE
from charting.models import Expression, Photo
from charting.tasks import photo_renditions
from tests.charting.photo_helpers import (
    DEVICE,
    GPS_IFD,
    heic_bytes,
    phone_heic,
    phone_jpeg,
    png_bytes,
    stored_files,
    upload,
)
from tests.factories import PhotoFactory

pytestmark = pytest.mark.django_db


def photos_url(appointment) -> str:
    return reverse("charting:photos", args=[appointment.reference])


def post_set(client, appointment, phase="before", **files):
    return client.post(photos_url(appointment), {"phase": phase, **files})


def test_each_expression_is_uploaded_in_one_post(client, injector_user, visit, photo_store):
    client.force_login(injector_user)
    files = {value: upload(phone_jpeg(colour=(100 + 20 * i, 150, 140)), f"{value}.jpg")
             for i, value in enumerate(Expression.values)}  # fmt: skip
    response = post_set(client, visit, **files)
    assert response.status_code == 302, response.content.decode()[:2000]
    photos = Photo.objects.filter(appointment=visit, phase="before")
    assert sorted(photos.values_list("expression", flat=True)) == sorted(Expression.values)
    assert len(stored_files(photo_store)) == 6  # the re-encoded images; renditions come from the task
    page = client.get(photos_url(visit))
    assert page.status_code == 200
    text = page.content.decode()
    assert "all six" in text
    for label in Expression.labels:
        assert label in text
    for photo in photos:
        assert reverse("charting:photo-file", args=[photo.pk, "thumb"]) in text


def test_one_expression_at_a_time_and_free_photos_with_a_caption(client, injector_user, visit, photo_store):
    client.force_login(injector_user)
    assert post_set(client, visit, phase="after", smile=upload(phone_jpeg())).status_code == 302
    free = [upload(phone_jpeg(), "a.jpg"), upload(png_bytes(), "b.png")]
    response = client.post(photos_url(visit), {"phase": "after", "caption": "Profile, left", "free": free})
    assert response.status_code == 302
    rows = Photo.objects.filter(appointment=visit).order_by("pk").values_list("phase", "expression", "caption")
    assert list(rows) == [("after", "smile", ""), ("after", "", "Profile, left"), ("after", "", "Profile, left")]


def test_the_camera_fields_open_the_camera_with_the_expression_named_and_the_guide(client, injector_user, visit):
    client.force_login(injector_user)
    text = client.get(photos_url(visit)).content.decode()
    assert text.count('accept="image/*"') == 7  # six expressions and the free photos
    assert text.count('capture="environment"') == 6  # the free photos may come from the gallery too
    assert "multiple" in text and 'enctype="multipart/form-data"' in text
    assert text.count('class="photo-guide"') == 6
    assert '<span class="photo-frame-label">Raising the brows</span>' in text


@pytest.mark.parametrize("kind", ["jpeg", "png", "heic"])
def test_jpeg_png_and_heic_are_accepted_and_stored_as_jpeg(client, injector_user, visit, photo_store, kind):
    data = {"jpeg": phone_jpeg, "png": png_bytes, "heic": heic_bytes}[kind]()
    if data is None:
        pytest.skip("this pillow-heif cannot encode HEIC")
    client.force_login(injector_user)
    assert post_set(client, visit, rest=upload(data, f"rest.{kind}", f"image/{kind}")).status_code == 302
    (path,) = stored_files(photo_store)
    with Image.open(path) as stored:
        assert stored.format == "JPEG"


def test_no_exif_survives_in_any_stored_file_and_the_photo_is_upright(client, injector_user, visit, photo_store):
    client.force_login(injector_user)
    original = phone_jpeg(size=(400, 300))
    assert DEVICE.encode() in original  # the phone's file does say it
    heic = upload(phone_heic(), "IMG_0001.HEIC", "image/heic")
    free = [upload(phone_jpeg(size=(800, 600))), heic]
    assert post_set(client, visit, rest=upload(original), free=free).status_code == 302
    for photo in Photo.objects.filter(appointment=visit):
        assert photo_renditions(photo.pk) is True  # the task's function, as the worker runs it
    files = stored_files(photo_store)
    assert len(files) == 9  # three photos, each image + screen + thumb
    turned = {getattr(Photo.objects.get(expression="rest"), f).name for f in ("image", "screen", "thumb")}
    turned |= {getattr(Photo.objects.get(caption="", expression="", width__gt=400), f).name
               for f in ("image", "screen", "thumb")}  # fmt: skip
    for path in files:
        raw = path.read_bytes()
        assert DEVICE.encode() not in raw and b"SpyCorp" not in raw and b"Exif" not in raw, path.name
        with Image.open(path) as image:
            assert image.format == "JPEG"
            assert not image.getexif(), path.name
            assert not image.getexif().get_ifd(GPS_IFD)
            assert "exif" not in image.info and "icc_profile" not in image.info and "xmp" not in image.info
            if path.name not in turned:  # the HEIC was upright already
                continue
            # Orientation 6 means "turn clockwise": the landscape file becomes a portrait photo.
            assert image.height > image.width, path.name
            # ...with the dark corner now at the top right.
            rgb = image.convert("RGB")
            assert sum(rgb.getpixel((image.width - 3, 2))) < 150 and sum(rgb.getpixel((2, 2))) > 300


def test_a_file_that_is_not_a_photo_is_refused_on_its_field_and_nothing_is_stored(client, injector_user, visit,
                                                                                    photo_store):  # fmt: skip
    client.force_login(injector_user)
    response = post_set(client, visit, rest=upload(phone_jpeg()),
                        frown=upload(b"%PDF-1.7 not a photo at all", "frown.jpg", "image/jpeg"),
                        smile=upload(b"GIF89a" + b"\0" * 40, "smile.gif", "image/gif"))  # fmt: skip
    assert response.status_code == 400
    form = response.context["form"]
    assert "not a photo we can read" in form.errors["frown"][0]
    assert "smile" in form.errors and "rest" not in form.errors
    assert 'id="id_frown-error"' in response.content.decode()
    assert not Photo.objects.exists()
    assert stored_files(photo_store) == []


def test_a_gif_that_pillow_reads_is_still_refused(client, injector_user, visit, photo_store):
    out = io.BytesIO()
    Image.new("RGB", (20, 20)).save(out, format="GIF")
    client.force_login(injector_user)
    response = post_set(client, visit, rest=upload(out.getvalue(), "rest.gif", "image/gif"))
    assert response.status_code == 400
    assert "GIF files are not accepted" in response.context["form"].errors["rest"][0]
    assert not Photo.objects.exists() and stored_files(photo_store) == []


def test_a_file_over_20_mb_is_refused_with_its_size_and_nothing_is_stored(client, injector_user, visit, photo_store):
    client.force_login(injector_user)
    big = phone_jpeg() + b"\0" * (20 * 1024 * 1024)
    response = post_set(client, visit, clench=upload(big, "clench.jpg"), rest=upload(phone_jpeg()))
    assert response.status_code == 400
    message = response.context["form"].errors["clench"][0]
    assert "a photo may be at most 20 MB" in message and "“clench.jpg” is 20" in message
    assert not Photo.objects.exists() and stored_files(photo_store) == []


def test_a_decompression_bomb_is_refused_from_its_header(client, injector_user, visit, photo_store):
    out = io.BytesIO()
    Image.new("1", (10_000, 6_000)).save(out, format="PNG")  # 60 megapixels in a few kilobytes
    assert len(out.getvalue()) < 200_000
    client.force_login(injector_user)
    response = post_set(client, visit, rest=upload(out.getvalue(), "rest.png", "image/png"))
    assert response.status_code == 400
    assert "too large" in response.context["form"].errors["rest"][0]
    assert not Photo.objects.exists() and stored_files(photo_store) == []


def test_a_truncated_photo_is_refused(client, injector_user, visit, photo_store):
    client.force_login(injector_user)
    response = post_set(client, visit, rest=upload(phone_jpeg()[:400]))
    assert response.status_code == 400 and "rest" in response.context["form"].errors
    assert not Photo.objects.exists()


def test_an_empty_post_asks_for_a_photo_and_an_unknown_phase_is_a_field_error(client, injector_user, visit,
                                                                             photo_store):  # fmt: skip
    client.force_login(injector_user)
    empty = post_set(client, visit)
    assert empty.status_code == 400 and "Take or choose at least one photo." in empty.content.decode()
    odd = post_set(client, visit, phase="during", rest=upload(phone_jpeg()))
    assert odd.status_code == 400 and "phase" in odd.context["form"].errors
    assert not Photo.objects.exists() and stored_files(photo_store) == []


def test_renditions_are_enqueued_by_id_after_commit(client, injector_user, visit, photo_store,
                                                    django_capture_on_commit_callbacks):  # fmt: skip
    client.force_login(injector_user)
    with mock.patch("charting.tasks.photo_renditions.delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            post_set(client, visit, rest=upload(phone_jpeg()), smile=upload(phone_jpeg()))
        assert not delay.called  # nothing before the commit
        for callback in callbacks:
            callback()
    ids = sorted(Photo.objects.values_list("pk", flat=True))
    assert sorted(call.args[0] for call in delay.call_args_list) == ids


def test_the_task_makes_a_thumbnail_and_a_screen_copy_and_a_second_run_changes_nothing(photo_store):
    photo = PhotoFactory()
    # A big stored image, as an upload from a phone leaves it.
    Image.new("RGB", (2400, 3200), (180, 150, 130)).save(photo_store / photo.image.name, format="JPEG")
    assert photo_renditions(photo.pk) is True
    photo.refresh_from_db()
    assert photo.ready
    with Image.open(photo_store / photo.thumb.name) as thumb, Image.open(photo_store / photo.screen.name) as screen:
        assert max(thumb.size) == THUMB_SIDE and max(screen.size) == SCREEN_SIDE
        assert not thumb.getexif() and not screen.getexif()
    files = {p.name: p.stat().st_mtime_ns for p in stored_files(photo_store)}
    assert photo_renditions(photo.pk) is False
    assert {p.name: p.stat().st_mtime_ns for p in stored_files(photo_store)} == files
    assert photo_renditions(10**9) is False  # a photo gone meanwhile: nothing to do


def test_a_run_that_died_after_writing_files_is_finished_without_leaving_extra_files(photo_store):
    photo = PhotoFactory()
    assert photo_renditions(photo.pk)
    names = sorted(p.name for p in stored_files(photo_store))
    Photo.objects.filter(pk=photo.pk).update(screen="", thumb="")  # as if the worker died before the update
    assert photo_renditions(photo.pk)
    assert sorted(p.name for p in stored_files(photo_store)) == names


def test_front_desk_cannot_upload(client, front_desk_user, visit, photo_store):
    client.force_login(front_desk_user)
    assert post_set(client, visit, rest=upload(phone_jpeg())).status_code == 403
    assert not Photo.objects.exists() and stored_files(photo_store) == []


def test_a_retake_or_a_second_tab_adds_rather_than_replaces_and_the_newest_is_shown(client, injector_user, visit,
                                                                                   photo_store):  # fmt: skip
    client.force_login(injector_user)
    assert post_set(client, visit, rest=upload(phone_jpeg())).status_code == 302
    assert post_set(client, visit, rest=upload(phone_jpeg())).status_code == 302  # the same post again
    first, second = Photo.objects.filter(appointment=visit, expression="rest").order_by("pk")
    page = client.get(photos_url(visit))
    (before,) = [s for s in page.context["sets"] if s.phase == "before"]
    assert {e: p for e, _, p in before.slots}["rest"] == second and before.earlier == [first]
    assert "1 earlier take kept" in page.content.decode()


def test_more_free_photos_than_allowed_are_refused_and_nothing_is_stored(client, injector_user, visit, photo_store):
    client.force_login(injector_user)
    response = post_set(client, visit, free=[upload(phone_jpeg(size=(40, 30)), f"{i}.jpg") for i in range(9)])
    assert response.status_code == 400 and "at most 8" in response.context["form"].errors["free"][0]
    assert not Photo.objects.exists() and stored_files(photo_store) == []


def test_an_unknown_visit_is_a_404(client, injector_user, photo_store):
    client.force_login(injector_user)
    assert client.get(reverse("charting:photos", args=["NOSUCHREF"])).status_code == 404
    assert client.post(reverse("charting:photos", args=["NOSUCHREF"]), {"phase": "before"}).status_code == 404
