"""The origins allowed to frame the booking: a manager adds and removes them."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ..models import EmbedOrigin, origin_normalise
from .booking import BookingInvalid

# Every listed origin goes into the embed's Content-Security-Policy header; proxies refuse headers
# much over 8 KB, and 50 origins of 150 characters stay under it.
MAX_ORIGINS = 50


def embed_origin_add(*, origin: str, note: str = "", actor: object | None = None) -> EmbedOrigin:
    """Lists `origin` (normalised); BookingInvalid when it is not an origin or already listed."""
    try:
        value = origin_normalise(origin)
    except ValidationError as exc:
        raise BookingInvalid({"origin": exc.messages}) from exc
    if EmbedOrigin.objects.count() >= MAX_ORIGINS:
        raise BookingInvalid({"origin": [f"At most {MAX_ORIGINS} websites: remove one you no longer use first."]})
    try:
        with transaction.atomic():
            return EmbedOrigin.objects.create(origin=value, note=note.strip(), added_by=actor)
    except IntegrityError as exc:  # two tabs adding the same site: the second is told, not a 500
        raise BookingInvalid({"origin": [f"{value} is listed already."]}) from exc


def embed_origin_remove(*, origin: EmbedOrigin) -> None:
    origin.delete()
