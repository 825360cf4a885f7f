from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class TreatmentsConfig(AppConfig):
    name = "treatments"
    verbose_name = "Treatment catalog"

    def ready(self) -> None:
        # Cache invalidation only (no business logic): every catalog write bumps its version.
        from .catalog_cache import CATALOG_MODELS, catalog_changed

        for model in CATALOG_MODELS:
            post_save.connect(catalog_changed, sender=model, dispatch_uid=f"catalog-save-{model.__name__}")
            post_delete.connect(catalog_changed, sender=model, dispatch_uid=f"catalog-delete-{model.__name__}")
