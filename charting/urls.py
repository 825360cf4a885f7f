from django.urls import path

from .views import assessment, history, photos, recall, record

app_name = "charting"

urlpatterns = [
    # One appointment: the treatment record and the assessment.
    path("staff/chart/<str:reference>/", record.chart, name="chart"),
    path("staff/chart/<str:reference>/start/", record.start, name="chart-start"),
    path("staff/chart/<str:reference>/not-treated/", record.not_treated, name="chart-not-treated"),
    path("staff/chart/<str:reference>/addendum/", record.addendum, name="chart-addendum"),
    path("staff/chart/<str:reference>/assessment/", assessment.assessment, name="assessment"),
    # One patient: the history of their charts, and its printable copy.
    path("staff/patients/<id:pk>/chart/", history.history, name="history"),
    path("staff/patients/<id:pk>/chart/print/", history.history_print, name="print"),
    # Photos: a visit's sets, one photo's file (never a public URL), two visits compared.
    path("staff/chart/<str:reference>/photos/", photos.visit_photos, name="photos"),
    path("staff/photos/<id:pk>/<str:size>/", photos.photo_file, name="photo-file"),
    path("staff/patients/<id:pk>/photos/compare/", photos.compare, name="photo-compare"),
    # Photos patients allowed for marketing (Managers).
    path("staff/photos/marketing/", photos.marketing, name="photos-marketing"),
    path("staff/photos/marketing/export.zip", photos.marketing_zip, name="photos-marketing-zip"),
    # Every patient treated with a lot (Managers).
    path("staff/recall/", recall.recall, name="recall"),
]
