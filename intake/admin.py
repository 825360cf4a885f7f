from django.contrib import admin
from django.db.models import Max

from medspa.admin import ReadOnlyAdminMixin

from .models import AccessLog, ConsentText


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    """Versions are never edited: a change is a new version, and older signatures keep theirs."""

    list_display = ("title", "service", "version", "created_at")
    list_filter = ("service",)
    fields = ("service", "title", "body", "version")
    readonly_fields = ("version",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        latest = ConsentText.objects.filter(service=obj.service).aggregate(v=Max("version"))["v"] or 0
        obj.version = latest + 1
        super().save_model(request, obj, form, change)


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "actor", "patient", "what", "object_id", "ip_address")
    list_filter = ("what",)
    date_hierarchy = "at"
