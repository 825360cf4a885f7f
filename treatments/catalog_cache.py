"""The catalog pages' cache: what they show changes only when someone edits the catalog.

Everything cached is keyed by the catalog's version, a counter in the database that every save
or delete of an area, product, service or aftercare step bumps (the admin's included: it saves
through the models), so a cached page is never older than the catalog, in any web process. One
small query a page reads the version. Availability is never cached here.
"""

import functools
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from .models import AftercareStep, CatalogVersion, Product, Service, TreatmentArea

CATALOG_MODELS = (TreatmentArea, Product, Service, AftercareStep)
TIMEOUT = 24 * 60 * 60
T = TypeVar("T")


def catalog_version() -> int:
    """The catalog's version: plain SQL, as it is read on every catalog page and availability
    request (the ORM would spend more time writing the query than the database answering it)."""
    with connection.cursor() as cursor:
        cursor.execute(_version_sql(connection.vendor))
        row = cursor.fetchone()
    return (row[0] if row else 0) or 0


@functools.lru_cache(maxsize=4)
def _version_sql(vendor: str) -> str:
    """The ORM's SQL for the version, written once: it has no parameters (LIMIT is written in)."""
    return CatalogVersion.objects.order_by("pk").values_list("number")[:1].query.sql_with_params()[0]


def catalog_changed(**kwargs: Any) -> None:
    """Receiver of every catalog write (connected in TreatmentsConfig.ready)."""
    if kwargs.get("raw"):  # fixtures being loaded
        return
    if not CatalogVersion.objects.update(number=F("number") + 1):
        CatalogVersion.objects.create(number=1)


def cached(name: str, version: int, build: Callable[[], T]) -> T:
    """`build()`, kept in the cache for this catalog version."""
    key = f"catalog:{version}:{name}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT)
    return value


def whole_page(
    request: HttpRequest, name: str, version: int, render_page: Callable[[], HttpResponse], *vary: object
) -> HttpResponse:
    """The page of a visitor who sends no cookie and no query (no session, no messages: every such
    visitor is shown the same page), kept whole under the catalog's version, the clinic's details
    and `vary` (whatever else the page shows); anyone else's is rendered. Either way it varies on
    the cookie, as a rendered page does."""
    if request.COOKIES or request.GET:
        return render_page()
    details = "\n".join(map(str, (settings.CLINIC_NAME, settings.CLINIC_PHONE, settings.CLINIC_EMAIL, *vary)))
    key = f"page:{name}:{hashlib.sha256(details.encode()).hexdigest()[:16]}"
    response = HttpResponse(cached(key, version, lambda: render_page().content))
    patch_vary_headers(response, ["Cookie"])
    return response
