from django.urls import path

from .views import appointments, embed, hours, people, public, schedule

app_name = "bookings"

urlpatterns = [
    # Patients
    path("book/", public.book, name="book"),
    path("book/waitlist/", public.waitlist_join, name="waitlist-join"),
    path("waitlist/<str:token>/", public.waitlist_offer, name="waitlist-offer"),
    path("my/<str:token>/", public.manage, name="manage"),
    path("my/<str:token>/calendar.ics", public.manage_ics, name="manage-ics"),
    path("my/<str:token>/cancel/", public.manage_cancel, name="manage-cancel"),
    path("my/<str:token>/confirm/", public.manage_confirm, name="manage-confirm"),
    # The booking embedded in the clinic's own website (framed: see views/embed.py)
    path("embed/book/", embed.book_embed, name="embed-book"),
    path("embed/demo/", embed.embed_demo, name="embed-demo"),
    # Front desk
    path("staff/", schedule.day, name="staff-day"),
    path("staff/week/", schedule.week, name="staff-week"),
    path("staff/schedule.css", schedule.schedule_css, name="staff-schedule-css"),
    path("staff/sheet/", schedule.sheet, name="staff-sheet"),
    path("staff/book/", appointments.book, name="staff-book"),
    path("staff/appointments/<str:reference>/", appointments.appointment_detail, name="staff-appointment"),
    path("staff/appointments/<str:reference>/move/", appointments.appointment_move, name="staff-appointment-move"),
    path(
        "staff/appointments/<str:reference>/cancel/",
        appointments.appointment_cancel_view,
        name="staff-appointment-cancel",
    ),
    path(
        "staff/appointments/<str:reference>/<slug:action>/",
        appointments.appointment_action,
        name="staff-appointment-action",
    ),
    path("staff/patients/", people.patients, name="staff-patients"),
    path("staff/patients/<id:pk>/", people.patient_detail, name="staff-patient"),
    path(
        "staff/patients/<id:pk>/proposals/<id:proposal_pk>/",
        people.contact_proposal_decide_view,
        name="staff-contact-proposal",
    ),
    path("staff/patients/<id:patient_pk>/waitlist/", people.waitlist_add_view, name="staff-waitlist-add"),
    path("staff/providers/", hours.providers, name="staff-providers"),
    path("staff/providers/<id:pk>/hours/", hours.provider_hours, name="staff-provider-hours"),
    path("staff/waitlist/", people.waitlist, name="staff-waitlist"),
    path("staff/embed/", embed.embed_origins_page, name="staff-embed-origins"),
    path("staff/embed/<id:pk>/remove/", embed.embed_origin_remove_view, name="staff-embed-origin-remove"),
]
