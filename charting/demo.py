"""The demo clinic's chart: a returning patient with two charted, signed visits four months apart
(unequal masseter and DAO doses converging, and assessments whose left–right differences shrink),
and a treatment booked in the coming days, so a newcomer sees the history at once.

Called by `manage.py demo_seed` after the front office's demo; idempotent. Past visits are
written directly (seed data for a demo, not a way to chart).
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from bookings.models import Appointment, AppointmentStatus, ChartState, Location, Patient, Provider, Source
from bookings.selectors import slots_available
from bookings.services import appointment_book
from treatments.models import Product, Service, TreatmentArea

from .demo_photos import seed_photos
from .models import Assessment, AssessmentRow, InjectionSite, LotUse, RecordStatus, TreatmentRecord

EMAIL = "elena.marsh@example.com"
# days before today, lot, units {(area, side): (units, points)}, scores {(muscle, side): {expression: score}}, dominant
VISITS = [
    (
        220, "C8123C3",
        {("masseter", "left"): (30, 3), ("masseter", "right"): (22, 3),
         ("dao", "left"): (4, 1), ("dao", "right"): (2, 1)},
        {("masseter", "left"): {"rest": 1, "clench": 3}, ("masseter", "right"): {"rest": 0, "clench": 2},
         ("depressor anguli oris", "left"): {"rest": 2, "smile": 3, "frown": 2},
         ("depressor anguli oris", "right"): {"rest": 1, "smile": 1, "frown": 1}},
        {("masseter", "left"), ("depressor anguli oris", "left")},
        "Left jaw visibly bulkier; the left mouth corner pulls down on smiling. Under-treat, review at two weeks.",
    ),
    (
        100, "C9051C3",
        {("masseter", "left"): (26, 3), ("masseter", "right"): (22, 3),
         ("dao", "left"): (3, 1), ("dao", "right"): (3, 1)},
        {("masseter", "left"): {"rest": 0, "clench": 2}, ("masseter", "right"): {"rest": 0, "clench": 2},
         ("depressor anguli oris", "left"): {"rest": 1, "smile": 2, "frown": 1},
         ("depressor anguli oris", "right"): {"rest": 1, "smile": 1, "frown": 1}},
        {("depressor anguli oris", "left")},
        "Jaw close to even; a little left DAO pull remains on smiling.",
    ),
]  # fmt: skip


@transaction.atomic
def seed() -> None:
    patient, _ = Patient.objects.get_or_create(
        email=EMAIL,
        date_of_birth=date(1983, 2, 14),
        defaults={"first_name": "Elena", "last_name": "Marsh", "phone": "+19415550104"},
    )
    if Assessment.objects.filter(appointment__patient=patient).exists():
        _photos(patient)  # an older demo database gets the photo sets too
        return
    provider = Provider.objects.filter(user__username="injector").first()
    location = Location.objects.filter(slug="sarasota").first()
    service = Service.objects.filter(slug="neuromodulator-treatment").first()
    if provider is None or location is None or service is None:
        return
    areas = {a.slug: a for a in TreatmentArea.objects.filter(slug__in=["masseter", "dao"])}
    botox = Product.objects.get(slug="botox-cosmetic")
    today = timezone.localdate()
    for days_ago, lot_number, units, scores, dominant, notes in VISITS:
        start = datetime.combine(today - timedelta(days=days_ago), time(10), tzinfo=location.zone)
        end = start + timedelta(minutes=service.duration_minutes)
        appointment = Appointment.objects.create(
            patient=patient, provider=provider, location=location, service=service, start=start, end=end,
            busy_from=start, busy_until=end, status=AppointmentStatus.COMPLETED, source=Source.DESK,
            intake_status="complete", chart_state=ChartState.SIGNED, toxin_given=True, identity_verified=True,
        )  # fmt: skip
        appointment.areas.set(areas.values())
        assessment = Assessment.objects.create(
            appointment=appointment, notes=notes, assessed_by=provider.user, created_at=start, updated_at=start
        )
        for (muscle, side), values in scores.items():
            area = areas["masseter"] if muscle == "masseter" else areas["dao"]
            AssessmentRow.objects.create(assessment=assessment, area=area, muscle=muscle, side=side,
                                         dominant=(muscle, side) in dominant, **values)  # fmt: skip
        # Written as the injector would: a draft with its lot and sites, then signed (and then frozen).
        record = TreatmentRecord.objects.create(
            appointment=appointment, started_by=provider.user, started_at=start, notes="Tolerated well.",
        )  # fmt: skip
        lot = LotUse.objects.create(record=record, product=botox, lot_number=lot_number,
                                    expiry=start.date() + timedelta(days=400), dilution_ml=Decimal("2.5"))  # fmt: skip
        for (slug, side), (amount, points) in units.items():
            InjectionSite.objects.create(record=record, lot=lot, area=areas[slug], side=side,
                                         units=Decimal(amount), points=points)  # fmt: skip
        record.status, record.signed_by, record.signed_at = RecordStatus.SIGNED, provider.user, end
        record.save(update_fields=["status", "signed_by", "signed_at"])
    _photos(patient)
    _book_next(patient, provider, service, list(areas.values()))


def _photos(patient: Patient) -> None:
    """The "before" photo set of both charted visits: lopsided at the first, nearly even at the second."""
    visits = list(Appointment.objects.filter(patient=patient, assessment__isnull=False)
                  .select_related("provider__user").order_by("start"))  # fmt: skip
    asymmetry = [1.0, 0.25]
    if visits:
        seed_photos([(a, asymmetry[min(i, 1)]) for i, a in enumerate(visits)], actor=visits[0].provider.user)


def _book_next(patient: Patient, provider: Provider, service: Service, areas: list[TreatmentArea]) -> None:
    """Her next treatment, in the first free slot from tomorrow (over 90 days after the last one)."""
    now = timezone.now()
    slots = slots_available(service=service, start_date=timezone.localdate() + timedelta(days=1), days=14, now=now,
                            provider=provider, online=False)  # fmt: skip
    if slots:
        slot = slots[min(2, len(slots) - 1)]
        appointment_book(service=service, start=slot.start, now=now, source=Source.DESK, patient=patient,
                         provider=provider, location=slot.location, areas=areas)  # fmt: skip
