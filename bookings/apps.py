from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = "Front office"

    def ready(self) -> None:
        # Cache invalidation only (no business logic): the booking page lists the locations and is
        # cached under the catalog's version, so a location's every write bumps it too.
        from treatments.catalog_cache import catalog_changed

        from .models import EmbedOrigin, Location
        from .selectors import embed_origins_forget

        post_save.connect(catalog_changed, sender=Location, dispatch_uid="catalog-save-Location")
        post_delete.connect(catalog_changed, sender=Location, dispatch_uid="catalog-delete-Location")
        # The origins allowed to frame the booking are cached; any write of one forgets the list.
        post_save.connect(embed_origins_forget, sender=EmbedOrigin, dispatch_uid="embed-origins-save")
        post_delete.connect(embed_origins_forget, sender=EmbedOrigin, dispatch_uid="embed-origins-delete")
