from django.urls import path

from .views import record

app_name = "charting"

urlpatterns = [
    # The treatment record of one appointment (keep these together).
    path("staff/chart/<str:reference>/", record.chart, name="chart"),
    path("staff/chart/<str:reference>/start/", record.start, name="chart-start"),
    path("staff/chart/<str:reference>/not-treated/", record.not_treated, name="chart-not-treated"),
    path("staff/chart/<str:reference>/addendum/", record.addendum, name="chart-addendum"),
]
