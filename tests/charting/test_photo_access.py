"""Photos are health data: anonymous visitors and front desk get nothing from any photo URL, no
path into the storage answers anything (not /media/, not the folder's own name), every showing of
a page or a file is written to the access log, and nothing is cached."""

import pytest
from django.urls import reverse

from intake.models import AccessLog
from tests.charting.photo_helpers import phone_jpeg, upload
from tests.factories import ConsentFactory, PhotoFactory

pytestmark = pytest.mark.django_db

SIZES = ("thumb", "screen", "full")


@pytest.fixture
def photo(visit, photo_store):
    shot = PhotoFactory(appointment=visit)
    ConsentFactory(appointment=visit, photo_use="marketing")
    return shot


def photo_urls(photo) -> list[tuple[str, str]]:
    visit = photo.appointment
    return [
        ("get", reverse("charting:photos", args=[visit.reference])),
        ("post", reverse("charting:photos", args=[visit.reference])),
        *(("get", reverse("charting:photo-file", args=[photo.pk, size])) for size in SIZES),
        ("get", reverse("charting:photo-compare", args=[visit.patient_id])),
        ("get", reverse("charting:photos-marketing")),
        ("get", reverse("charting:photos-marketing-zip")),
    ]


def guessed_paths(photo) -> list[str]:
    name = photo.image.name
    return [f"/media/{name}", f"/media/photos/{name}", f"/photos/{name}", f"/var/photos/{name}",
            f"/static/{name}", f"/static/../var/photos/{name}", f"/staff/photos/{name}",
            f"/staff/photos/{photo.pk}/{name}", f"/staff/photos/{photo.pk}/../../{name}"]  # fmt: skip


def test_anonymous_visitors_get_nothing_from_any_photo_url(client, photo):
    for method, url in photo_urls(photo):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    assert not AccessLog.objects.exists()


def test_front_desk_is_refused_on_every_photo_url(client, front_desk_user, photo):
    client.force_login(front_desk_user)
    for method, url in photo_urls(photo):
        data = {"phase": "before", "rest": upload(phone_jpeg())} if method == "post" else None
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
        assert response.status_code == 403, url
        assert b"\xff\xd8" not in response.content[:4]
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("who", ["anonymous", "front_desk_user", "injector_user", "manager_user"])
def test_guessing_a_storage_path_gives_nothing_to_anyone(client, photo, photo_store, request, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert (photo_store / photo.image.name).is_file()  # the file is there, under its random name
    for path in guessed_paths(photo):
        response = client.get(path, follow=True)  # through any slash-appending redirect
        assert response.status_code in (200, 403, 404), path
        assert b"\xff\xd8" not in response.content[:4], path  # never the JPEG
        if response.status_code == 200:  # only ever the sign-in page, for a stranger
            assert who == "anonymous" and "/login/" in response.redirect_chain[-1][0], path


def test_an_injector_gets_each_size_as_a_jpeg_never_cached_and_each_view_is_logged(client, injector_user, photo):
    client.force_login(injector_user)
    for number, size in enumerate(SIZES, start=1):
        response = client.get(reverse("charting:photo-file", args=[photo.pk, size]))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert AccessLog.objects.filter(actor=injector_user, patient=photo.appointment.patient,
                                        what=f"photo ({size})", object_id=str(photo.pk)).count() == 1  # fmt: skip
        assert AccessLog.objects.count() == number


def test_the_same_photo_opened_twice_is_logged_twice(client, manager_user, photo):
    client.force_login(manager_user)
    url = reverse("charting:photo-file", args=[photo.pk, "thumb"])
    client.get(url)
    client.get(url)
    assert AccessLog.objects.filter(what="photo (thumb)", actor=manager_user).count() == 2


def test_every_photo_page_is_logged_and_not_cached(client, manager_user, photo):
    client.force_login(manager_user)
    pages = {
        reverse("charting:photos", args=[photo.appointment.reference]): "photos",
        reverse("charting:photo-compare", args=[photo.appointment.patient_id]): "photo comparison",
        reverse("charting:photos-marketing"): "photos (marketing list)",
        reverse("charting:photos-marketing-zip"): "photos (marketing export)",
    }
    for url, what in pages.items():
        before = AccessLog.objects.count()
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert AccessLog.objects.count() == before + 1, url
        entry = AccessLog.objects.order_by("-pk").first()
        assert (entry.what, entry.actor, entry.patient) == (what, manager_user, photo.appointment.patient)


def test_an_unknown_size_or_photo_is_a_404_and_not_logged(client, injector_user, photo):
    client.force_login(injector_user)
    assert client.get(reverse("charting:photo-file", args=[photo.pk, "original"])).status_code == 404
    assert client.get(reverse("charting:photo-file", args=[photo.pk + 1000, "thumb"])).status_code == 404
    assert client.get(f"/staff/photos/{photo.pk}/thumb/../full/").status_code == 404
    assert not AccessLog.objects.exists()


def test_a_file_missing_from_the_storage_is_a_404(client, injector_user, photo, photo_store):
    (photo_store / photo.image.name).unlink()
    client.force_login(injector_user)
    assert client.get(reverse("charting:photo-file", args=[photo.pk, "full"])).status_code == 404


def test_an_injector_cannot_export_for_marketing(client, injector_user, photo):
    client.force_login(injector_user)
    assert client.get(reverse("charting:photos-marketing")).status_code == 403
    assert client.get(reverse("charting:photos-marketing-zip")).status_code == 403
