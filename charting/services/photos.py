"""Writes of photos: a set of re-encoded photos for a visit, and their renditions (the Celery task's work).

The bytes that reach the storage are always `charting.imaging`'s output: re-encoded, upright and
without metadata. The renditions are made after the rows commit, by id, and making them twice
leaves the same two files.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import transaction

from bookings.models import Appointment

from ..imaging import SCREEN_SIDE, THUMB_SIDE, Encoded, ImageRefused, photo_rendition
from ..photo_models import Phase, Photo, photo_storage


@dataclass(frozen=True)
class PhotoInput:
    """One photo to keep: its pose (an Expression value, or "" for a free photo) and the clean JPEG."""

    expression: str
    encoded: Encoded
    caption: str = ""


def _name(kind: str) -> str:
    # Random names: nothing in a path says whose face it is, and no path can be guessed.
    return f"{uuid.uuid4().hex}-{kind}.jpg"


def photos_add(
    *, appointment: Appointment, phase: str, photos: Sequence[PhotoInput], actor: AbstractBaseUser, now: datetime
) -> list[Photo]:
    """Keep a set of photos of one visit, then (after commit) ask the worker for their renditions.

    All or nothing: a failure while storing removes the files already written.
    """
    if phase not in Phase.values:
        raise ValueError(f"Unknown phase {phase!r}")
    storage = photo_storage()
    written: list[str] = []
    try:
        with transaction.atomic():
            created = []
            for item in photos:
                name = storage.save(_name("image"), ContentFile(item.encoded.data))
                written.append(name)
                created.append(
                    Photo.objects.create(
                        appointment=appointment,
                        phase=phase,
                        expression=item.expression,
                        caption=item.caption[:120],
                        image=name,
                        width=item.encoded.width,
                        height=item.encoded.height,
                        taken_by=actor,
                        uploaded_at=now,
                    )
                )
            ids = [photo.pk for photo in created]
            transaction.on_commit(lambda: _enqueue(ids))
    except BaseException:
        for name in written:
            storage.delete(name)
        raise
    return created


def _enqueue(ids: list[int]) -> None:
    from ..tasks import photo_renditions

    for pk in ids:
        photo_renditions.delay(pk)


def photo_renditions_make(photo_id: int) -> bool:
    """Make the screen-size copy and the thumbnail of a photo; False when there was nothing to do.

    Safe to run twice (a redelivered task): a photo that has both keeps them; a run that died
    halfway is finished, the half-written files of the earlier run replaced under the same names.
    """
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None or photo.ready:
        return False
    storage = photo_storage()
    with storage.open(photo.image.name, "rb") as source:
        data = source.read()
    stem = photo.image.name.rsplit("/", 1)[-1].removesuffix("-image.jpg").removesuffix(".jpg")
    folder = photo.image.name.rsplit("/", 1)[0] + "/" if "/" in photo.image.name else ""
    names = {}
    try:
        for field, side in (("screen", SCREEN_SIDE), ("thumb", THUMB_SIDE)):
            name = f"{folder}{stem}-{field}.jpg"
            if storage.exists(name):
                storage.delete(name)
            names[field] = storage.save(name, ContentFile(photo_rendition(data, side).data))
    except ImageRefused:  # the stored image is ours and readable; if not, there is nothing to make
        return False
    updated = Photo.objects.filter(pk=photo_id, screen="", thumb="").update(**names)
    if not updated:  # another run finished first: keep its files, drop ours if they differ
        current = Photo.objects.filter(pk=photo_id).values_list("screen", "thumb").first() or ()
        for name in names.values():
            if name not in current:
                storage.delete(name)
    return bool(updated)


def photos_erase(*, patient) -> int:
    """Remove every photo of a patient who is being erased (the rows now, the files after commit)."""
    photos = Photo.objects.filter(appointment__patient=patient)
    names = [name for row in photos.values_list("image", "screen", "thumb") for name in row if name]
    count, _ = photos.delete()
    storage = photo_storage()

    def remove() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove)
    return count
