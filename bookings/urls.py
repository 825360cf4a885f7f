from django.urls import path

from .views import public

app_name = "bookings"

urlpatterns = [
    path("book/", public.book, name="book"),
    path("my/<str:token>/", public.manage, name="manage"),
    path("my/<str:token>/calendar.ics", public.manage_ics, name="manage-ics"),
    path("my/<str:token>/cancel/", public.manage_cancel, name="manage-cancel"),
]
