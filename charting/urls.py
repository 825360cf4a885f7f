from django.urls import path

from . import views_assessment, views_history, views_recall

app_name = "charting"

urlpatterns = [
    path("staff/chart/<str:reference>/assessment/", views_assessment.assessment, name="assessment"),
    path("staff/patients/<int:pk>/chart/", views_history.history, name="history"),
    path("staff/patients/<int:pk>/chart/print/", views_history.history_print, name="print"),
    path("staff/recall/", views_recall.recall, name="recall"),
]
