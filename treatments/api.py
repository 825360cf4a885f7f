"""Catalog endpoints of the public API: /api/v1/areas and /api/v1/services."""

from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from .models import Service, ServiceKind, TreatmentArea

router = Router(tags=["catalog"])


class AreaOut(Schema):
    slug: str
    name: str
    muscles: list[str]
    concern: str
    per_side: bool = Field(description="The typical range is per side, and each side is dosed on its own.")
    typical_units_min: int = Field(description="Botox units.")
    typical_units_max: int = Field(description="Botox units.")

    @staticmethod
    def resolve_muscles(area: TreatmentArea) -> list[str]:
        return area.muscle_list


class ServiceOut(Schema):
    slug: str
    name: str
    kind: ServiceKind
    duration_minutes: int
    price: Decimal = Field(description="In the clinic's currency, as a decimal string.")
    bookable_online: bool
    new_patients_online: bool = Field(
        description="False: online only for returning patients; someone new books a consultation first."
    )


@router.get("/areas", response=list[AreaOut], summary="Treatment areas")
def areas_list(request: HttpRequest) -> list[TreatmentArea]:
    """The areas the clinic treats, with the muscles and the usual dose range."""
    return list(TreatmentArea.objects.active())


@router.get("/services", response=list[ServiceOut], summary="Bookable services")
def services_list(request: HttpRequest) -> list[Service]:
    """What can be booked: consultations, treatments and reviews."""
    return list(Service.objects.active())
