"""The origins allowed to frame the booking, read on every embed page: cached.

The list is kept in the cache and dropped on every write of an EmbedOrigin (receivers connected in
BookingsConfig.ready, so the admin's writes count too). With a shared cache (CACHE_URL) every web
process sees a change at once; with the in-process default, other processes within TIMEOUT.
"""

from django.core.cache import cache

from ..models import EmbedOrigin

CACHE_KEY = "bookings:embed-origins"
TIMEOUT = 60


def embed_origins() -> tuple[str, ...]:
    """Every allowed origin, sorted."""
    found = cache.get(CACHE_KEY)
    if found is None:
        found = tuple(EmbedOrigin.objects.order_by("origin").values_list("origin", flat=True))
        cache.set(CACHE_KEY, found, TIMEOUT)
    return found


def embed_origins_forget(**kwargs: object) -> None:
    """Receiver of every EmbedOrigin write: the next read goes to the database."""
    cache.delete(CACHE_KEY)
