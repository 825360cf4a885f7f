from django.contrib import admin

from .models import AftercareStep, Product, Service, TreatmentArea


@admin.register(TreatmentArea)
class TreatmentAreaAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "muscles", "per_side", "typical_units_min", "typical_units_max", "is_active")
    list_filter = ("region", "per_side", "off_label", "is_active")
    search_fields = ("name", "slug", "muscles", "concern")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "slug", "region", "sort_order", "is_active")}),
        (
            "Anatomy and dose",
            {
                "fields": (
                    "muscles",
                    "per_side",
                    ("typical_units_min", "typical_units_max"),
                    "dose_note",
                    "injection_points",
                    "off_label",
                    "cautions",
                )
            },
        ),
        ("For patients", {"fields": ("concern", "summary", "effect_lasts", "expectations", "patient_cautions")}),
    )


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("brand", "generic_name", "duration", "min_retreatment_days", "max_units_per_period", "is_active")
    list_filter = ("is_active", "contains_human_albumin", "contains_milk_protein")
    search_fields = ("brand", "generic_name")
    prepopulated_fields = {"slug": ("brand",)}


class AftercareStepInline(admin.TabularInline):
    model = AftercareStep
    extra = 0
    fields = ("key", "offset", "channel", "title", "body", "product", "area", "is_active")
    autocomplete_fields = ("product", "area")


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "duration_minutes",
        "buffer_before_minutes",
        "buffer_after_minutes",
        "price",
        "needs_room",
        "device_kind",
        "bookable_online",
        "is_active",
    )
    list_filter = ("kind", "bookable_online", "is_toxin_treatment", "needs_room", "is_active")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [AftercareStepInline]


@admin.register(AftercareStep)
class AftercareStepAdmin(admin.ModelAdmin):
    list_display = ("title", "service", "key", "offset", "channel", "product", "area", "is_active")
    list_filter = ("service", "key", "channel", "is_active")
    search_fields = ("title", "body", "key")
    autocomplete_fields = ("product", "area")
