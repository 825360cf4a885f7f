"""The demo clinic's front office: two locations in different zones with two treatment rooms each,
three providers, a few bookings. The consultation and the neuromodulator treatment take a room.

Called by `manage.py demo_seed`; idempotent.
"""

from datetime import time, timedelta

from django.db import transaction
from django.utils import timezone

from medspa.demo import demo_password, staff_user
from medspa.roles import INJECTOR
from treatments.models import Service, TreatmentArea

from .models import Appointment, Location, Patient, Provider, Room, Source, WorkingHours
from .selectors import slots_available
from .services import PatientDetails, appointment_book

LOCATIONS = [
    ("sarasota", "Sarasota", "1420 Main Street, Suite 200, Sarasota, FL 34236", "+1 941 555 0142", "America/New_York"),
    ("scottsdale", "Scottsdale", "7014 E Camelback Road, Suite 120, Scottsdale, AZ 85251", "+1 480 555 0178",
     "America/Phoenix"),
]  # fmt: skip

ROOMS = ["Treatment room 1", "Treatment room 2"]  # at each location
IN_A_ROOM = ["facial-balancing-consultation", "neuromodulator-treatment"]

MORNING_AFTERNOON = [(time(9), time(12, 30)), (time(13, 30), time(17))]
# username, first, last, title, credentials, colour, {location: {weekday: blocks}}
PROVIDERS = [
    ("injector", "Imani", "Osei", "Nurse injector", "RN", "#0f5257",
     {"sarasota": {0: MORNING_AFTERNOON, 1: MORNING_AFTERNOON, 3: MORNING_AFTERNOON},
      "scottsdale": {4: MORNING_AFTERNOON}}),
    ("dpark", "Daniel", "Park", "Medical director", "MD", "#7a4b94",
     {"sarasota": {2: [(time(10), time(13)), (time(14), time(18))], 3: [(time(10), time(13)), (time(14), time(18))],
                   4: [(time(10), time(13)), (time(14), time(18))]}}),
    ("lbrooks", "Lena", "Brooks", "Nurse practitioner", "NP", "#b45309",
     {"scottsdale": {d: [(time(8), time(12)), (time(13), time(16))] for d in range(4)}}),
]  # fmt: skip

PATIENTS = [
    PatientDetails("Maya", "Lopez", "maya.lopez@example.com", "+19415550101", timezone.datetime(1988, 4, 12).date()),
    PatientDetails("Grace", "Chen", "grace.chen@example.com", "+14805550102", timezone.datetime(1979, 9, 3).date()),
    PatientDetails("Owen", "Miller", "owen.miller@example.com", "+19415550103", timezone.datetime(1992, 1, 27).date()),
]


@transaction.atomic
def seed() -> list[str]:
    """Create what is missing; return the provider logins created for the demo."""
    locations = {}
    for order, (slug, name, address, phone, zone) in enumerate(LOCATIONS):
        locations[slug], _ = Location.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "address": address, "phone": phone, "timezone": zone, "sort_order": order},
        )
    for location in locations.values():
        for order, name in enumerate(ROOMS):
            Room.objects.get_or_create(location=location, name=name, defaults={"sort_order": order})
    for service in Service.objects.filter(slug__in=IN_A_ROOM, needs_room=False):
        service.needs_room = True
        service.save(update_fields=["needs_room"])  # a catalog write: pages built from it refresh
    services = list(Service.objects.filter(slug__in=[
        "facial-balancing-consultation", "neuromodulator-treatment", "two-week-review",
    ]))  # fmt: skip
    logins = []
    for order, (username, first, last, title, credentials, colour, week) in enumerate(PROVIDERS):
        user = staff_user(username=username, first_name=first, last_name=last, role=INJECTOR)
        logins.append(f"{username} / {demo_password(username)}")
        provider, created = Provider.objects.get_or_create(
            user=user, defaults={"title": title, "credentials": credentials, "color": colour, "sort_order": order}
        )
        if created:
            provider.services.set(services)
            for slug, days in week.items():
                for weekday, blocks in days.items():
                    for start, end in blocks:
                        WorkingHours.objects.create(
                            provider=provider, location=locations[slug], weekday=weekday, start=start, end=end
                        )
    _seed_appointments(services)
    return logins


def _seed_appointments(services: list[Service]) -> None:
    """A few bookings in the coming days, once."""
    if Appointment.objects.filter(patient__email__endswith="@example.com").exists():
        return
    consult = next(s for s in services if s.slug == "facial-balancing-consultation")
    now = timezone.now()
    areas = list(TreatmentArea.objects.filter(slug__in=["masseter", "dao"]))
    start_day = timezone.localdate() + timedelta(days=1)
    slots = slots_available(service=consult, start_date=start_day, days=7, now=now)
    # One booking on each of the first open days, mid-morning, so the week looks lived in.
    by_day: dict = {}
    for slot in slots:
        by_day.setdefault((slot.start.date(), slot.location.pk), []).append(slot)
    picks = [day_slots[min(4, len(day_slots) - 1)] for day_slots in by_day.values()]
    for details, slot in zip(PATIENTS, picks, strict=False):
        appointment = appointment_book(
            service=consult,
            start=slot.start,
            now=now,
            source=Source.DESK,
            details=details,
            location=slot.location,
            areas=areas[:1] if details.first_name == "Maya" else areas,
        )
        if details.first_name == "Grace":  # one patient who prefers texts, so the demo shows SMS too
            Patient.objects.filter(pk=appointment.patient_id).update(preferred_channel="sms", consent_sms=True)
