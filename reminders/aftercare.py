"""What a completed visit's aftercare is: the steps, and the earliest day the patient may book again.

The signed chart decides when there is one: the products given choose the rebook (Dysport about
4 months, Daxxify about 6, the others 3–4), the areas treated add their own steps beside it (a
lip flip's 8-week rebook no longer replaces the masseters'), and a two-week review where units
were given gets the treatment's aftercare without a second review invitation. Without a signed
record (visits charted before charting existed) it is what the booking said, as before.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max

from bookings.models import Appointment, ChartState
from charting.selectors import treatment_given
from treatments.models import AftercareStep, Product, Service
from treatments.selectors import aftercare_for_visit, aftercare_plan, toxin_treatment_service

# The review invitation: a top-up at the review does not get a second one.
REVIEW_KEY = "two-week"


@dataclass(frozen=True)
class VisitAftercare:
    steps: list[tuple[str, AftercareStep]]  # (message step, catalog step), by offset
    toxin: bool  # a neuromodulator was (or, without a chart, was booked to be) given
    min_retreatment_days: int
    rebook_service: Service | None  # what the rebook link books

    def step(self, name: str) -> AftercareStep | None:
        return next((step for key, step in self.steps if key == name), None)


def is_rebook(step_name: str) -> bool:
    """ "rebook", and an area's own beside it ("rebook-lip-flip")."""
    return step_name == "rebook" or step_name.startswith("rebook-")


def invites_rebooking(step_name: str) -> bool:
    """Steps that invite the next treatment: a later toxin visit's aftercare replaces them."""
    return is_rebook(step_name) or step_name == "six-month"


def earliest_rebook(appointment: Appointment, days: int) -> date:
    """The first day on the location's calendar that is `days` days after the visit's day.

    Counted in calendar days in the visit's zone, never as 24-hour periods from a UTC time: across
    a change to winter time, 90 × 24 hours after 00:30 lands on the evening of day 89.
    """
    return appointment.end.astimezone(appointment.location.zone).date() + timedelta(days=days)


def _strictest_interval(products) -> int:
    values = [product.min_retreatment_days for product in products]
    if not values:  # nothing charted: the longest interval any product in the catalog asks for
        values = [Product.objects.filter(is_active=True).aggregate(days=Max("min_retreatment_days"))["days"] or 90]
    return max(values)


def visit_aftercare(appointment: Appointment) -> VisitAftercare:
    """The aftercare of a completed visit, from its signed chart when there is one. Three queries or so."""
    service = appointment.service
    if appointment.chart_state == ChartState.NOT_TREATED:
        # The injector decided not to treat: no aftercare for an injection that was not given.
        return VisitAftercare([], False, _strictest_interval(()), None)
    given = treatment_given(appointment)
    toxin = service.is_toxin_treatment or appointment.toxin_given
    toxin_service = service if service.is_toxin_treatment else (toxin_treatment_service() if toxin else None)
    if given is None:
        if appointment.toxin_given and not service.is_toxin_treatment and toxin_service is not None:
            steps = [(s.key, s) for s in aftercare_plan(service=toxin_service, areas=appointment.areas.all())]
        else:  # as before charting: the service's own steps, the booked areas' overrides replacing them
            steps = [(s.key, s) for s in aftercare_plan(service=service, areas=appointment.areas.all())]
        products: tuple = ()
    else:
        toxin = True
        toxin_service = toxin_service or toxin_treatment_service()
        steps = (
            aftercare_for_visit(service=toxin_service, products=given.products, areas=given.areas)
            if toxin_service
            else []
        )
        products = given.products
    if toxin and not service.is_toxin_treatment:
        steps = [(key, step) for key, step in steps if step.key != REVIEW_KEY]
    return VisitAftercare(steps, toxin, _strictest_interval(products), toxin_service)
