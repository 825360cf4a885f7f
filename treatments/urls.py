from django.urls import path

from . import views

app_name = "treatments"

urlpatterns = [
    path("", views.home, name="home"),
    path("treatments/", views.area_list, name="area-list"),
    path("treatments/<slug:slug>/", views.area_detail, name="area-detail"),
]
