from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from . import views
from .api import api
from .signin import views as signin

admin.site.site_header = f"{settings.CLINIC_NAME} — admin"
admin.site.site_title = settings.CLINIC_NAME
admin.site.index_title = "Clinic settings and catalog"
# One sign-in for the staff pages and the admin: its throttle and its second step.
admin.site.login = signin.admin_login

handler400 = "medspa.views.bad_request"

urlpatterns = [
    # The API first: its calls (availability above all) are the most frequent, and no page lives
    # under /api/, so they need not be tried against every page's pattern before their own.
    path("api/v1/", api.urls),
    re_path(r"^api/", views.api_not_found),
    path("", include("treatments.urls")),
    path("", include("bookings.urls")),
    path("", include("intake.urls")),
    path("", include("charting.urls")),
    path("", include("reminders.urls")),
    path("", include("audit.urls")),
    path("", include("reports.urls")),
    path("staff/login/", signin.SignInView.as_view(), name="login"),
    path("staff/login/code/", signin.two_factor_verify, name="two-factor-verify"),
    path("staff/two-factor/setup/", signin.two_factor_enrol, name="two-factor-enrol"),
    path("staff/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
