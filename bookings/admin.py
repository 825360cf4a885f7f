from django.contrib import admin

from medspa.admin import ReadOnlyAdminMixin
from medspa.templatetags.clinic_time import time_range_text

from .models import Appointment, Location, Patient, Provider, TimeOff, WorkingHours


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("name", "address", "timezone", "is_active")
    prepopulated_fields = {"slug": ("name",)}


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    extra = 0


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("__str__", "title", "bookable_online", "is_active")
    list_filter = ("is_active", "bookable_online", "services")
    filter_horizontal = ("services",)
    inlines = [WorkingHoursInline, TimeOffInline]
    list_select_related = ("user",)


CLINICAL = "bookings.view_clinical"
# The hold comes from screening answers and an injector's decision: only clinical staff read the
# reason or change either. Front desk sees that a hold exists (to call before booking), no more.
CLINICAL_FIELDS = ("treatment_hold", "treatment_hold_reason")


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    """Intake's admin module registers a subclass of this that access-logs reads of the reason."""

    list_display = ("last_name", "first_name", "date_of_birth", "email", "phone", "treatment_hold")
    search_fields = ("last_name", "first_name", "email", "phone")
    list_filter = ("treatment_hold", "preferred_channel")

    def get_exclude(self, request, obj=None):
        return () if request.user.has_perm(CLINICAL) else ("treatment_hold_reason",)

    def get_readonly_fields(self, request, obj=None):
        return () if request.user.has_perm(CLINICAL) else ("treatment_hold",)

    def save_model(self, request, obj, form, change):
        """Without the clinical permission a save never writes the hold, whatever was posted."""
        if request.user.has_perm(CLINICAL):
            return super().save_model(request, obj, form, change)
        if not change:
            obj.treatment_hold, obj.treatment_hold_reason = False, ""
            return super().save_model(request, obj, form, change)
        stored = Patient.objects.filter(pk=obj.pk).values(*CLINICAL_FIELDS).get()
        for name, value in stored.items():
            setattr(obj, name, value)  # so the change history records the truth
        other = [f.name for f in Patient._meta.concrete_fields if not f.primary_key and f.name not in CLINICAL_FIELDS]
        obj.save(update_fields=other)


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: appointments change through the booking services, which keep the guarantees."""

    list_display = ("reference", "when", "service", "provider", "location", "status", "intake_status", "source")
    list_filter = ("status", "intake_status", "source", "location", "provider")
    search_fields = ("reference", "patient__last_name", "patient__email")
    list_select_related = ("service", "provider__user", "location")
    date_hierarchy = "start"
    readonly_fields = ("when",)

    @admin.display(description="When (location's time)", ordering="start")
    def when(self, appointment: Appointment) -> str:
        """In the location's zone with its label: the admin would show the server's zone."""
        times = time_range_text(appointment.start, appointment.end, appointment.location.zone)
        return f"{appointment.local_start:%a %b %-d, %Y}, {times}"
