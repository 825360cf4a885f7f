from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from .catalog_cache import cached, catalog_version, whole_page
from .models import TreatmentArea
from .selectors import aftercare_plan, areas_by_region, toxin_treatment_service


def home(request: HttpRequest) -> HttpResponse:
    version = catalog_version()

    def page() -> HttpResponse:
        regions = cached("regions", version, areas_by_region)
        return render(request, "treatments/home.html", {"regions": regions, "catalog_version": version})

    return whole_page(request, "home", version, page)


def area_list(request: HttpRequest) -> HttpResponse:
    version = catalog_version()

    def page() -> HttpResponse:
        regions = cached("regions", version, areas_by_region)
        return render(request, "treatments/area_list.html", {"regions": regions, "catalog_version": version})

    return whole_page(request, "areas", version, page)


def _area_page(slug: str) -> dict:
    area = TreatmentArea.objects.active().filter(slug=slug).first()
    if area is None:
        return {}
    service = toxin_treatment_service()
    aftercare = aftercare_plan(service=service, areas=[area]) if service else []
    return {"area": area, "service": service, "aftercare": aftercare}


def area_detail(request: HttpRequest, slug: str) -> HttpResponse:
    version = catalog_version()
    page = cached(f"area:{slug}", version, lambda: _area_page(slug))
    if not page:
        raise Http404("No such treatment area.")
    return whole_page(
        request,
        f"area:{page['area'].pk}",
        version,
        lambda: render(request, "treatments/area_detail.html", {**page, "catalog_version": version}),
    )
