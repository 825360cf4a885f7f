from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from medspa.admin import ReadOnlyAdminMixin
from medspa.templatetags.clinic_time import time_range_text

from .models import Appointment, Device, Location, Patient, Provider, Room, TimeOff, WorkingHours


class RoomInline(admin.TabularInline):
    """A location's rooms: a service that needs a room is booked into one of them. A room with
    bookings can't be deleted (they keep it); make it inactive to take no new ones."""

    model = Room
    extra = 0
    fields = ("name", "is_active", "sort_order")


class DeviceInline(admin.TabularInline):
    model = Device
    extra = 0
    fields = ("name", "kind", "is_active", "sort_order")


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("name", "address", "timezone", "is_active")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [RoomInline, DeviceInline]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "location", "is_active", "sort_order")
    list_filter = ("location", "is_active")
    list_select_related = ("location",)


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "location", "is_active")
    list_filter = ("location", "kind", "is_active")
    list_select_related = ("location",)


class ShownNotEditedInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Hours and time off change on the manager's hours screen only: its services list the booked
    appointments a change would strand and ask first, which an admin formset would skip."""

    extra = 0


class WorkingHoursInline(ShownNotEditedInline):
    model = WorkingHours
    fields = ("weekday", "location", "start", "end")


class TimeOffInline(ShownNotEditedInline):
    model = TimeOff
    fields = ("start", "end", "reason")


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("__str__", "title", "bookable_online", "is_active")
    list_filter = ("is_active", "bookable_online", "services")
    filter_horizontal = ("services",)
    inlines = [WorkingHoursInline, TimeOffInline]
    list_select_related = ("user",)
    readonly_fields = ("hours_screen",)

    @admin.display(description="Working hours and time off")
    def hours_screen(self, provider: Provider) -> str:
        if provider.pk is None:
            return "Save the provider first, then set their hours on the hours screen."
        return format_html(
            '<a href="{}">Change working hours and time off on the hours screen</a> (it lists any booked '
            "appointment a change would leave outside working time).",
            reverse("bookings:staff-provider-hours", args=[provider.pk]),
        )


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

    list_display = (
        "reference", "when", "service", "provider", "location", "room", "status", "intake_status", "source",
    )  # fmt: skip
    list_filter = ("status", "intake_status", "source", "location", "provider", "room")
    search_fields = ("reference", "patient__last_name", "patient__email")
    list_select_related = ("service", "provider__user", "location", "room")
    date_hierarchy = "start"
    readonly_fields = ("when",)

    @admin.display(description="When (location's time)", ordering="start")
    def when(self, appointment: Appointment) -> str:
        """In the location's zone with its label: the admin would show the server's zone."""
        times = time_range_text(appointment.start, appointment.end, appointment.location.zone)
        return f"{appointment.local_start:%a %b %-d, %Y}, {times}"
