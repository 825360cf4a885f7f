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


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name", "date_of_birth", "email", "phone", "treatment_hold")
    search_fields = ("last_name", "first_name", "email", "phone")
    list_filter = ("treatment_hold", "preferred_channel")

    def get_exclude(self, request, obj=None):
        if request.user.has_perm("bookings.view_clinical"):
            return ()
        return ("treatment_hold_reason",)


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
