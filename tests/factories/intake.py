"""What the patient tells us: the intake draft, medical histories and their screening hits, the
injector's decisions, consent texts and signatures, the follow-up and the access log.

Each row hangs off an appointment and takes its patient from it: give the appointment. They are
written directly; tests of intake's own rules go through `intake.services`.
"""

import struct
import zlib
from datetime import timedelta

import factory
from django.db.models import Max
from django.utils import timezone

from bookings.models import AppointmentStatus
from intake.models import (
    AccessLog,
    Consent,
    ConsentText,
    Decision,
    FollowUp,
    IntakeDraft,
    MedicalHistory,
    ScreeningDecision,
    ScreeningHit,
)
from intake.screening import RULES, RULES_BY_CODE
from intake.selectors import consent_text_for
from intake.services import FORM_VERSION

from .bookings import AppointmentFactory, PatientFactory
from .users import UserFactory


def png_bytes() -> bytes:
    """A real 2×2 PNG, the kind the signature pad sends."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\x00\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))  # fmt: skip


def all_no() -> dict:
    return {rule.code: "no" for rule in RULES}


class IntakeDraftFactory(factory.django.DjangoModelFactory):
    """Answers saved after the first step (contact details) of the appointment's intake."""

    class Meta:
        model = IntakeDraft

    appointment = factory.SubFactory(AppointmentFactory)
    answers = factory.LazyAttribute(lambda d: {"contact": {"email": d.appointment.patient.email,
                                                           "phone": d.appointment.patient.phone}})  # fmt: skip
    steps_done = factory.LazyFunction(lambda: ["contact"])


def _next_history_version(history) -> int:
    if history.patient.pk is None:
        return 1
    return (history.patient.medical_histories.aggregate(v=Max("version"))["v"] or 0) + 1


class MedicalHistoryFactory(factory.django.DjangoModelFactory):
    """The patient's next version, submitted the day before the appointment, "no" to everything."""

    class Meta:
        model = MedicalHistory

    appointment = factory.SubFactory(AppointmentFactory)
    patient = factory.LazyAttribute(lambda h: h.appointment.patient)
    version = factory.LazyAttribute(_next_history_version)
    form_version = FORM_VERSION
    answers = factory.LazyFunction(all_no)
    goals = factory.LazyFunction(lambda: {"areas": [], "stronger_side": "left", "notes": "Softer frown lines"})
    unverified = factory.LazyAttribute(lambda h: not h.appointment.identity_verified)
    submitted_at = factory.LazyAttribute(lambda h: h.appointment.start - timedelta(days=1))


class ScreeningHitFactory(factory.django.DjangoModelFactory):
    """A hit of one of screening's rules (bleeding, for review), on a history that said yes to it."""

    class Meta:
        model = ScreeningHit

    history = factory.SubFactory(
        MedicalHistoryFactory, answers=factory.LazyAttribute(lambda h: {**all_no(), h.factory_parent.code: "yes"})
    )
    code = "bleeding"
    severity = factory.LazyAttribute(lambda h: RULES_BY_CODE[h.code].severity)
    detail = "Aspirin"


class ScreeningDecisionFactory(factory.django.DjangoModelFactory):
    """The appointment's injector clears its history an hour after it came in."""

    class Meta:
        model = ScreeningDecision

    appointment = factory.SubFactory(AppointmentFactory)
    history = factory.SubFactory(MedicalHistoryFactory, appointment=factory.SelfAttribute("..appointment"))
    decision = Decision.CLEARED
    note = "Spoke with the patient."
    decided_by = factory.LazyAttribute(lambda d: d.appointment.provider.user)
    decided_at = factory.LazyAttribute(lambda d: d.history.submitted_at + timedelta(hours=1))


def _next_text_version(text) -> int:
    service = text.service
    if service is not None and service.pk is None:
        return 1
    return (ConsentText.objects.filter(service=service).aggregate(v=Max("version"))["v"] or 0) + 1


class ConsentTextFactory(factory.django.DjangoModelFactory):
    """The next version of a service's consent (`service=None`: of the general one)."""

    class Meta:
        model = ConsentText

    service = factory.SubFactory("tests.factories.treatments.ServiceFactory")
    version = factory.LazyAttribute(_next_text_version)
    title = "Consent to treatment"
    body = "I agree to be treated."


def _published_text(consent) -> ConsentText:
    """The text patients of the appointment's service sign now, published first if there is none."""
    service = consent.appointment.service
    return consent_text_for(service) or ConsentTextFactory(service=service)


class ConsentFactory(factory.django.DjangoModelFactory):
    """The patient's signature of the consent text in force for the appointment's service."""

    class Meta:
        model = Consent

    appointment = factory.SubFactory(AppointmentFactory)
    patient = factory.LazyAttribute(lambda c: c.appointment.patient)
    text = factory.LazyAttribute(_published_text)
    typed_name = factory.LazyAttribute(lambda c: c.patient.full_name)
    signature_png = factory.LazyFunction(png_bytes)
    signed_at = factory.LazyAttribute(lambda c: c.appointment.start - timedelta(days=1))
    ip_address = "198.51.100.7"
    user_agent = "Phone Safari"
    unverified = factory.LazyAttribute(lambda c: not c.appointment.identity_verified)


class AccessLogFactory(factory.django.DjangoModelFactory):
    """A staff member read a patient's medical history on the staff site."""

    class Meta:
        model = AccessLog

    actor = factory.SubFactory(UserFactory, is_staff=True)
    patient = factory.SubFactory(PatientFactory)
    what = "medical history"
    at = factory.LazyFunction(timezone.now)
    ip_address = "198.51.100.7"
    path = factory.LazyAttribute(lambda a: f"/staff/patients/{a.patient.pk}/")


class FollowUpFactory(factory.django.DjangoModelFactory):
    """The two-week answers after a completed treatment: all well (`urgent=[…]` answers for an alert)."""

    class Meta:
        model = FollowUp

    appointment = factory.SubFactory(AppointmentFactory, status=AppointmentStatus.COMPLETED, toxin_given=True)
    answers = factory.LazyFunction(
        lambda: {"looks": "great", "side_effects": [], "urgent": [], "satisfaction": 5, "touch_up": "no",
                 "comments": ""}
    )  # fmt: skip
    urgent = False
    submitted_at = factory.LazyAttribute(lambda f: f.appointment.end + timedelta(days=14))
