from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("staff/audit/", views.trail, name="trail"),
    path("staff/audit/changes.csv", views.changes_csv, name="changes-csv"),
    path("staff/audit/reads.csv", views.reads_csv, name="reads-csv"),
    path("staff/audit/patients/<id:pk>/", views.patient_record_page, name="patient-record"),
    path("staff/audit/patients/<id:pk>/record.json", views.patient_record_json, name="patient-record-json"),
    path("staff/audit/patients/<id:pk>/erase/", views.patient_erase_view, name="patient-erase"),
]
