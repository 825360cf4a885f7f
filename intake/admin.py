from django.contrib import admin
from django.utils import timezone

from bookings import admin as bookings_admin
from bookings.models import Patient
from medspa.admin import ReadOnlyAdminMixin

from .models import AccessLog, ConsentText
from .services import access_log_record, consent_text_publish


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
        """Through the service: the next version, and upcoming appointments that must sign it again."""
        published = consent_text_publish(service=obj.service, title=obj.title, body=obj.body, now=timezone.now())
        obj.pk, obj.version, obj.created_at = published.pk, published.version, published.created_at


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "actor", "patient", "what", "object_id", "ip_address")
    list_filter = ("what",)
    date_hierarchy = "at"


# The patient admin lives in bookings, which may not import intake; here it gains the one thing
# intake owns: an access-log entry when clinical staff open a form showing the hold's reason.
admin.site.unregister(Patient)


@admin.register(Patient)
class PatientAdmin(bookings_admin.PatientAdmin):
    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200 and request.user.has_perm(bookings_admin.CLINICAL):
            patient = self.get_object(request, object_id)
            if patient is not None:
                access_log_record(request=request, patient=patient, what="treatment hold", object_id=patient.pk)
        return response
