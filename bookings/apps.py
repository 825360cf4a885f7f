from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


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
        # Availability answers are kept under the availability version: every write that can
        # change a free slot replaces its token, in the writing transaction (availability_cache).
        from treatments.models import Service

        from .availability_cache import appointment_changed, availability_changed
        from .models import Appointment, Device, Provider, Room, TimeOff, WorkingHours

        for model in (Location, Provider, WorkingHours, TimeOff, Room, Device, Service):
            name = model.__name__
            post_save.connect(availability_changed, sender=model, dispatch_uid=f"availability-save-{name}")
            post_delete.connect(availability_changed, sender=model, dispatch_uid=f"availability-delete-{name}")
        post_save.connect(appointment_changed, sender=Appointment, dispatch_uid="availability-save-Appointment")
        post_delete.connect(availability_changed, sender=Appointment, dispatch_uid="availability-delete-Appointment")
        m2m_changed.connect(
            availability_changed, sender=Provider.services.through, dispatch_uid="availability-provider-services"
        )
