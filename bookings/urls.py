from django.urls import path

from . import views

app_name = "bookings"

urlpatterns = [
    path("book/", views.book, name="book"),
    path("my/<str:token>/", views.manage, name="manage"),
    path("my/<str:token>/calendar.ics", views.manage_ics, name="manage-ics"),
    path("my/<str:token>/cancel/", views.manage_cancel, name="manage-cancel"),
]
