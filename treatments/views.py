from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import TreatmentArea
from .selectors import aftercare_plan, areas_by_region, toxin_treatment_service


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "treatments/home.html", {"regions": areas_by_region()})


def area_list(request: HttpRequest) -> HttpResponse:
    return render(request, "treatments/area_list.html", {"regions": areas_by_region()})


def area_detail(request: HttpRequest, slug: str) -> HttpResponse:
    area = get_object_or_404(TreatmentArea.objects.active(), slug=slug)
    service = toxin_treatment_service()
    aftercare = aftercare_plan(service=service, areas=[area]) if service else []
    return render(
        request,
        "treatments/area_detail.html",
        {"area": area, "service": service, "aftercare": aftercare},
    )
