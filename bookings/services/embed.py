"""The origins allowed to frame the booking: a manager adds and removes them."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ..models import EmbedOrigin, origin_normalise
from .booking import BookingInvalid


def embed_origin_add(*, origin: str, note: str = "", actor: object | None = None) -> EmbedOrigin:
    """Lists `origin` (normalised); BookingInvalid when it is not an origin or already listed."""
    try:
        value = origin_normalise(origin)
    except ValidationError as exc:
        raise BookingInvalid({"origin": exc.messages}) from exc
    try:
        with transaction.atomic():
            return EmbedOrigin.objects.create(origin=value, note=note.strip(), added_by=actor)
    except IntegrityError as exc:  # two tabs adding the same site: the second is told, not a 500
        raise BookingInvalid({"origin": [f"{value} is listed already."]}) from exc


def embed_origin_remove(*, origin: EmbedOrigin) -> None:
    origin.delete()
