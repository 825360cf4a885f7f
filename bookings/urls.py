from django.urls import path

from .views import public, staff

app_name = "bookings"

urlpatterns = [
    # Patients
    path("book/", public.book, name="book"),
    path("book/waitlist/", public.waitlist_join, name="waitlist-join"),
    path("waitlist/<str:token>/", public.waitlist_offer, name="waitlist-offer"),
    path("my/<str:token>/", public.manage, name="manage"),
    path("my/<str:token>/calendar.ics", public.manage_ics, name="manage-ics"),
    path("my/<str:token>/cancel/", public.manage_cancel, name="manage-cancel"),
    # Front desk
    path("staff/", staff.day, name="staff-day"),
    path("staff/week/", staff.week, name="staff-week"),
    path("staff/sheet/", staff.sheet, name="staff-sheet"),
    path("staff/book/", staff.book, name="staff-book"),
    path("staff/appointments/<str:reference>/", staff.appointment_detail, name="staff-appointment"),
    path("staff/appointments/<str:reference>/move/", staff.appointment_move, name="staff-appointment-move"),
    path("staff/appointments/<str:reference>/cancel/", staff.appointment_cancel_view, name="staff-appointment-cancel"),
    path(
        "staff/appointments/<str:reference>/<slug:action>/", staff.appointment_action, name="staff-appointment-action"
    ),
    path("staff/patients/", staff.patients, name="staff-patients"),
    path("staff/patients/<int:pk>/", staff.patient_detail, name="staff-patient"),
    path("staff/patients/<int:patient_pk>/waitlist/", staff.waitlist_add_view, name="staff-waitlist-add"),
    path("staff/providers/", staff.providers, name="staff-providers"),
    path("staff/providers/<int:pk>/hours/", staff.provider_hours, name="staff-provider-hours"),
    path("staff/waitlist/", staff.waitlist, name="staff-waitlist"),
]
