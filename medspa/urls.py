from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from . import views
from .api import api

admin.site.site_header = f"{settings.CLINIC_NAME} — admin"
admin.site.site_title = settings.CLINIC_NAME
admin.site.index_title = "Clinic settings and catalog"

urlpatterns = [
    path("", include("treatments.urls")),
    path("", include("bookings.urls")),
    path("", include("intake.urls")),
    path("", include("reminders.urls")),
    path("", include("audit.urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/", views.api_not_found),
    path("staff/login/", views.ThrottledLoginView.as_view(), name="login"),
    path("staff/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
