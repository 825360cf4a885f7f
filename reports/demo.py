"""A past year of visits for the demo clinic, so the reports page has something to show.

Seed data, called by `manage.py demo_seed` (DEBUG only) and by the reports benchmark: the reports
app itself writes nothing. Rows are bulk-inserted as the services would have left them (a signed
record with lots and sites for each treatment, a medical history submitted before most visits),
without the signals: no reminder goes out for a visit that is over.

Patients follow a plausible path: most start with a consultation, a treatment follows, a two-week
review often, and the next treatment three to five months later for most of them (often booked at
the visit). Each patient keeps their injector, areas and product. Times are placed inside the
providers' working hours, on a 15-minute grid, never overlapping anything already booked.
"""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from bookings.models import (
    Appointment,
    AppointmentStatus,
    ChartState,
    IntakeStatus,
    Location,
    Patient,
    Provider,
    Source,
    WorkingHours,
)
from charting.models import InjectionSite, LotUse, RecordStatus, TreatmentRecord
from intake.models import MedicalHistory
from treatments.models import Product, Service, TreatmentArea

DOMAIN = "example.org"  # the history's patients; the other demo patients are @example.com
FIRST = ["Ava", "Mia", "Zoe", "Lena", "Nora", "Ines", "Ruth", "Tara", "Jade", "Cleo", "Iris", "Maya", "Omar", "Luis",
         "Noah", "Kai", "Eli", "Sam", "Rosa", "Vera", "Alma", "Dana", "Hana", "Priya"]  # fmt: skip
LAST = ["Silva", "Khan", "Reed", "Nakamura", "Okafor", "Berg", "Costa", "Walsh", "Dubois", "Haddad", "Novak", "Ortiz",
        "Lindqvist", "Moreau", "Adeyemi", "Keller", "Ito", "Fischer", "Byrne", "Rossi"]  # fmt: skip
# Areas a patient's plan is drawn from (weights), and products (weights).
AREAS = {"glabella": 6, "forehead": 5, "crows-feet": 5, "masseter": 4, "dao": 3, "lip-flip": 2, "platysma": 1,
         "bunny-lines": 1, "mentalis": 1}  # fmt: skip
PRODUCTS = {"botox-cosmetic": 12, "dysport": 4, "xeomin": 3, "daxxify": 1}
SOURCES = {"online": 55, "desk": 35, "embed": 10}  # only those bookings.Source knows are used
GRID = timedelta(minutes=15)


@dataclass
class Plan:
    """One patient's habits: their injector, what they have treated, with what, and how they book."""

    patient: Patient
    provider: Provider
    areas: list[TreatmentArea]
    product: Product
    source: str
    visits: int = 0
    history_versions: int = 0


@dataclass
class Diary:
    """Where each provider works on each weekday, and what is already taken (UTC busy ranges)."""

    blocks: dict[int, dict[int, list[tuple[Location, time, time]]]]
    taken: dict[tuple[int, date], list[tuple[datetime, datetime]]] = field(default_factory=lambda: defaultdict(list))

    def place(
        self, rng: random.Random, provider: Provider, day: date, service: Service, *, after: datetime | None = None
    ) -> tuple[Location, datetime] | None:
        """A free start for `service` on the first of the next ten days `provider` works with room."""
        for offset in range(10):
            when = day + timedelta(days=offset)
            blocks = self.blocks[provider.pk].get(when.weekday(), [])
            for location, start, end in rng.sample(blocks, k=len(blocks)):
                starts = self._free(provider, when, location, start, end, service, after)
                if starts:
                    chosen = rng.choice(starts)
                    self.take(
                        provider, when, chosen - service.buffer_before, chosen + service.duration + service.buffer_after
                    )
                    return location, chosen
        return None

    def _free(self, provider, day, location, start, end, service, after) -> list[datetime]:
        zone = location.zone
        duration, before, after_buffer = service.duration, service.buffer_before, service.buffer_after
        last = datetime.combine(day, end, tzinfo=zone) - duration
        candidate = datetime.combine(day, start, tzinfo=zone)
        taken = self.taken[(provider.pk, day)]
        free = []
        while candidate <= last:
            low, high = candidate - before, candidate + duration + after_buffer
            if (after is None or candidate >= after) and not any(a < high and low < b for a, b in taken):
                free.append(candidate)
            candidate += GRID
        return free

    def take(self, provider: Provider, day: date, start: datetime, end: datetime) -> None:
        self.taken[(provider.pk, day)].append((start, end))


def _weighted(rng: random.Random, weights: dict[str, int], allowed: set[str] | None = None) -> str:
    names = [name for name in weights if allowed is None or name in allowed]
    return rng.choices(names, weights=[weights[name] for name in names])[0]


def _diary(providers: list[Provider], since: datetime) -> Diary:
    blocks: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for block in WorkingHours.objects.filter(provider__in=providers).select_related("location"):
        blocks[block.provider_id][block.weekday].append((block.location, block.start, block.end))
    diary = Diary(blocks=blocks)
    for appointment in Appointment.objects.filter(provider__in=providers, busy_until__gte=since).select_related(
        "location"
    ):
        diary.take(appointment.provider, appointment.local_start.date(), appointment.busy_from, appointment.busy_until)
    return diary


@dataclass
class Seeded:
    appointments: list[Appointment] = field(default_factory=list)
    created: list[datetime] = field(default_factory=list)  # each appointment's created_at
    records: list[tuple[Appointment, Plan]] = field(default_factory=list)
    histories: list[tuple[Appointment, Plan, datetime]] = field(default_factory=list)


def history_seed(
    *, providers: list[Provider], patients: int, first_day: date, now: datetime, seed: int = 14, ahead_days: int = 120
) -> int:
    """Patients starting between `first_day` and yesterday, and their visits up to `ahead_days` from
    now (the later ones booked, not yet held). Returns how many appointments were written."""
    rng = random.Random(seed)  # noqa: S311 (demo data, the same every time: not a secret)
    services = {
        s.kind: s
        for s in Service.objects.filter(
            slug__in=["facial-balancing-consultation", "neuromodulator-treatment", "two-week-review"]
        )
    }
    areas = {a.slug: a for a in TreatmentArea.objects.filter(slug__in=AREAS)}
    products = {p.slug: p for p in Product.objects.filter(slug__in=PRODUCTS)}
    sources = set(Source.values)
    today = now.date()
    horizon = now + timedelta(days=ahead_days)
    diary = _diary(providers, datetime.combine(first_day, time.min, tzinfo=UTC))

    people = Patient.objects.bulk_create(
        Patient(
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            date_of_birth=date(1965 + n % 35, 1 + n % 12, 1 + n % 28),
            email=f"patient{n}@{DOMAIN}",
            phone=f"+1941555{n % 10000:04d}",
            consent_email=True,
        )
        for n in range(patients)
    )
    seeded = Seeded()
    span = (today - first_day).days
    for person in people:
        plan = Plan(
            patient=person,
            provider=rng.choice(providers),
            areas=[areas[s] for s in dict.fromkeys(_weighted(rng, AREAS) for _ in range(rng.randint(1, 3)))],
            product=products[_weighted(rng, PRODUCTS)],
            source=_weighted(rng, SOURCES, sources),
        )
        day = first_day + timedelta(days=rng.randrange(max(span, 1)))
        booked_at = None
        if rng.random() < 0.7:  # new patients start with a consultation
            placed = _visit(rng, diary, seeded, plan, services["consultation"], day, now, booked_at=None)
            if placed is None:
                continue
            day = placed.date() + timedelta(days=rng.choice([0, 0, 7, 14, 21]))
            booked_at = placed + timedelta(hours=1)
        while True:
            treated = _visit(rng, diary, seeded, plan, services["treatment"], day, now, booked_at=booked_at)
            if treated is None or treated > horizon:
                break
            if rng.random() < 0.6:
                _visit(
                    rng,
                    diary,
                    seeded,
                    plan,
                    services["review"],
                    treated.date() + timedelta(days=14),
                    now,
                    booked_at=treated + timedelta(minutes=40),
                )
            if rng.random() > 0.7:  # does not come back
                break
            day = treated.date() + timedelta(days=rng.randint(95, 150))
            booked_at = treated + timedelta(minutes=40) if rng.random() < 0.55 else None
            if datetime.combine(day, time.min, tzinfo=UTC) > horizon:
                break
    return _write(rng, seeded, now)


def _visit(
    rng: random.Random,
    diary: Diary,
    seeded: Seeded,
    plan: Plan,
    service: Service,
    day: date,
    now: datetime,
    *,
    booked_at: datetime | None,
) -> datetime | None:
    """Place one appointment of `plan`'s patient; its outcome by now. Returns its start (None: no room)."""
    placed = diary.place(rng, plan.provider, day, service, after=booked_at)
    if placed is None:
        return None
    location, start = placed
    start_utc, end = start.astimezone(UTC), (start + service.duration).astimezone(UTC)
    created = (
        booked_at if booked_at is not None else start_utc - timedelta(days=rng.randint(2, 25), hours=rng.randint(0, 9))
    )
    status, cancelled_at = AppointmentStatus.BOOKED, None
    if start_utc < now:
        roll = rng.random()
        if roll < 0.05:
            status = AppointmentStatus.NO_SHOW
        elif roll < 0.08:
            status, cancelled_at = AppointmentStatus.CANCELLED, start_utc - timedelta(hours=rng.randint(1, 20))
        elif roll < 0.13:
            status, cancelled_at = AppointmentStatus.CANCELLED, start_utc - timedelta(days=rng.randint(2, 8))
        else:
            status = AppointmentStatus.COMPLETED
    elif created > now:
        return None  # not booked yet
    source = plan.source if plan.visits == 0 else _weighted(rng, {"online": 45, "desk": 55}, set(Source.values))
    plan.visits += 1
    appointment = Appointment(
        patient=plan.patient,
        provider=plan.provider,
        location=location,
        service=service,
        start=start_utc,
        end=end,
        busy_from=start_utc - service.buffer_before,
        busy_until=end + service.buffer_after,
        status=status,
        source=source,
        identity_verified=True,
        cancelled_at=cancelled_at,
        cancellation_reason="Changed plans" if cancelled_at else "",
    )
    seeded.appointments.append(appointment)
    seeded.created.append(min(created, cancelled_at or created))
    if status in (AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW, AppointmentStatus.BOOKED):
        roll = rng.random()
        submitted = None
        if roll < 0.8:
            submitted = max(created + timedelta(minutes=10), start_utc - timedelta(hours=rng.randint(2, 96)))
        elif roll < 0.9 and status == AppointmentStatus.COMPLETED:
            submitted = start_utc + timedelta(minutes=3)  # on a tablet at the desk, once the visit began
        if submitted is not None and submitted < now:
            seeded.histories.append((appointment, plan, submitted))
            appointment.intake_status = IntakeStatus.COMPLETE
    if status == AppointmentStatus.COMPLETED and service.kind == "treatment":
        appointment.chart_state, appointment.toxin_given = ChartState.SIGNED, True
        seeded.records.append((appointment, plan))
    return start_utc


@transaction.atomic
def _write(rng: random.Random, seeded: Seeded, now: datetime) -> int:
    appointments = Appointment.objects.bulk_create(seeded.appointments, batch_size=500)
    # created_at is auto_now_add, which bulk_create fills with now: set when each was booked.
    column = Appointment._meta.get_field("created_at")
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {Appointment._meta.db_table} SET {column.column} = %s WHERE id = %s",  # noqa: S608 (our names)
            [
                (column.get_db_prep_value(created, connection), a.pk)
                for a, created in zip(appointments, seeded.created, strict=True)
            ],
        )

    histories = []
    for appointment, plan, submitted in sorted(seeded.histories, key=lambda h: h[2]):
        plan.history_versions += 1
        histories.append(
            MedicalHistory(
                patient=plan.patient,
                appointment=appointment,
                version=plan.history_versions,
                form_version="demo",
                answers={},
                confirmed_unchanged=plan.history_versions > 1,
                submitted_at=submitted,
            )
        )
    MedicalHistory.objects.bulk_create(histories, batch_size=500)

    records = TreatmentRecord.objects.bulk_create(
        [
            TreatmentRecord(
                appointment=a,
                status=RecordStatus.SIGNED,
                started_by=plan.provider.user,
                started_at=a.start,
                signed_by=plan.provider.user,
                signed_at=a.end,
                notes="Tolerated well.",
            )
            for a, plan in seeded.records
        ],
        batch_size=500,
    )
    lots = LotUse.objects.bulk_create(
        [
            LotUse(
                record=record,
                product=plan.product,
                lot_number=f"D{record.appointment.start:%y%m}{rng.randint(10, 99)}",
                expiry=record.appointment.start.date() + timedelta(days=400),
                dilution_ml=Decimal("2.5"),
            )
            for record, (_, plan) in zip(records, seeded.records, strict=True)
        ],
        batch_size=500,
    )
    sites = []
    for lot, (_, plan) in zip(lots, seeded.records, strict=True):
        scale = plan.product.units_per_botox_unit
        for area in plan.areas:
            for side in ("left", "right") if area.per_side else ("centre",):
                dose = Decimal(rng.randint(area.typical_units_min, area.typical_units_max)) * scale
                sites.append(
                    InjectionSite(
                        record=lot.record, lot=lot, area=area, side=side, units=dose.quantize(Decimal("1")), points=1
                    )
                )
    InjectionSite.objects.bulk_create(sites, batch_size=1000)
    return len(appointments)


def seed() -> None:
    """The demo clinic's past year, once (idempotent): a few hundred patients of its three injectors."""
    if Patient.objects.filter(email__endswith=f"@{DOMAIN}").exists():
        return
    providers = list(
        Provider.objects.filter(user__username__in=["injector", "dpark", "lbrooks"]).select_related("user")
    )
    if not providers:
        return
    now = timezone.now()
    history_seed(
        providers=providers, patients=800, first_day=timezone.localdate() - timedelta(days=450), now=now, ahead_days=60
    )
