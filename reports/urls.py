from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("staff/reports/", views.reports_page, name="reports"),
    path("staff/reports/export.csv", views.reports_csv, name="reports-csv"),
]
