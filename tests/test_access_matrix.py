"""Who may open what: every URL of the project against every kind of visitor.

The table below names each URL pattern (and each model in the admin) with what each visitor
may do: a stranger, a patient holding their own signed link, front desk, an injector (who is
the provider of the appointment used) and a manager. The test walks the URLconf and fails when
a URL is missing from the table, so a new page cannot ship without saying who may see it.

Allowed means 200/201/302 (not to sign-in), or a 400/409 answer to an empty form that got
past the door; denied means 401/403/404/410 or a redirect to sign-in, and the page then shows
nothing of the patient. Nothing answers 500.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time, timedelta
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from bookings.models import EmbedOrigin, Source
from bookings.services import appointment_book
from bookings.tokens import manage_token
from intake.tokens import follow_up_token
from reminders.models import Message
from reminders.tokens import opt_out_token
from tests.bookings.conftest import next_weekday, week_hours
from tests.factories import (
    ConsentFactory,
    ConsentTextFactory,
    ContactProposalFactory,
    LocationFactory,
    PatientFactory,
    PhotoFactory,
    ProviderFactory,
    ServiceFactory,
    WaitlistEntryFactory,
    WebhookDeliveryFactory,
    WebhookEndpointFactory,
)
from treatments.models import ServiceKind

pytestmark = pytest.mark.django_db

VISITORS = ("anonymous", "patient", "front desk", "injector", "manager")
FORGED = "forged.token-value"


@dataclass(frozen=True)
class Row:
    """How to reach a URL, and who may ('Y') or may not ('N') in VISITORS order."""

    url: Callable[[SimpleNamespace, bool], str]  # (world, holds the patient's own link) -> path
    expect: str
    method: str = "get"
    json: dict | None = None  # the JSON body to post, for the API
    signs_out: bool = False  # a redirect to sign-in is what success looks like


def token_url(name: str, make: Callable[[SimpleNamespace], str], *tail: str) -> Callable:
    """A patient-link URL: the patient uses their own token, everyone else a forged one."""
    return lambda w, own: reverse(name, args=[make(w) if own else FORGED, *tail])


def plain(name: str, *args: Callable[[SimpleNamespace], object], query: str = "") -> Callable:
    return lambda w, own: reverse(name, args=[arg(w) for arg in args]) + query


def manage(w) -> str:
    return manage_token(w.appointment)


def ref(w) -> str:
    return w.appointment.reference


def patient_pk(w) -> int:
    return w.appointment.patient_id


MATRIX: dict[str, Row] = {
    # The public site and the booking page
    "treatments:home": Row(plain("treatments:home"), "YYYYY"),
    "treatments:area-list": Row(plain("treatments:area-list"), "YYYYY"),
    "treatments:area-detail": Row(lambda w, own: reverse("treatments:area-detail", args=["masseter"]), "YYYYY"),
    "bookings:book": Row(plain("bookings:book"), "YYYYY"),
    "bookings:waitlist-join": Row(plain("bookings:waitlist-join"), "YYYYY"),
    # The booking embedded in the clinic's own site, and its demo page
    "bookings:embed-book": Row(plain("bookings:embed-book"), "YYYYY"),
    "bookings:embed-demo": Row(plain("bookings:embed-demo"), "YYYYY"),
    "login": Row(plain("login"), "YYYYY"),
    "logout": Row(plain("logout"), "YYYYY", method="post", signs_out=True),
    # A signed-in member of staff who owes no code is sent on from these; nobody else gets in.
    "two-factor-verify": Row(plain("two-factor-verify"), "NNYYY"),
    "two-factor-enrol": Row(plain("two-factor-enrol"), "NNYYY"),
    # A patient's own links
    "bookings:manage": Row(token_url("bookings:manage", manage), "NYNNN"),
    "bookings:manage-ics": Row(token_url("bookings:manage-ics", manage), "NYNNN"),
    "bookings:manage-cancel": Row(token_url("bookings:manage-cancel", manage), "NYNNN", method="post"),
    "bookings:manage-confirm": Row(token_url("bookings:manage-confirm", manage), "NYNNN", method="post"),
    "bookings:waitlist-offer": Row(token_url("bookings:waitlist-offer", lambda w: w.offer_token), "NYNNN"),
    "intake:start": Row(token_url("intake:start", manage), "NYNNN"),
    "intake:step": Row(token_url("intake:step", manage, "contact"), "NYNNN"),
    "intake:done": Row(token_url("intake:done", manage), "NYNNN"),
    "intake:correct": Row(token_url("intake:correct", manage), "NYNNN"),
    "intake:verify": Row(token_url("intake:verify", manage), "NYNNN"),
    "intake:follow-up": Row(token_url("intake:follow-up", lambda w: follow_up_token(w.appointment)), "NYNNN"),
    "reminders:opt-out": Row(token_url("reminders:opt-out", lambda w: w.opt_out_token), "NYNNN"),
    "reminders:sms-inbound": Row(plain("reminders:sms-inbound"), "NNNNN", method="post"),  # Twilio-signed only
    # The public API
    "api-v1:openapi-json": Row(plain("api-v1:openapi-json"), "YYYYY"),
    "api-v1:openapi-view": Row(plain("api-v1:openapi-view"), "YYYYY"),
    "api-v1:api-root": Row(plain("api-v1:api-root"), "NNNNN"),  # no such thing: a JSON 404
    "api-v1:areas_list": Row(plain("api-v1:areas_list"), "YYYYY"),
    "api-v1:services_list": Row(plain("api-v1:services_list"), "YYYYY"),
    "api-v1:locations_list": Row(plain("api-v1:locations_list"), "YYYYY"),
    "api-v1:providers_list": Row(plain("api-v1:providers_list", query="?service=treatment"), "YYYYY"),
    "api-v1:availability": Row(
        lambda w, own: reverse("api-v1:availability") + f"?service=treatment&date={w.day}", "YYYYY"
    ),
    "api-v1:booking_create": Row(plain("api-v1:booking_create"), "YYYYY", method="post", json={}),
    "api-v1:booking_read": Row(token_url("api-v1:booking_read", manage), "NYNNN"),
    "api-v1:booking_cancel": Row(token_url("api-v1:booking_cancel", manage), "NYNNN", method="post", json={}),
    "api-v1:booking_reschedule": Row(
        token_url("api-v1:booking_reschedule", manage),
        "NYNNN",
        method="post",
        json={"start": "2030-01-07T09:00:00-07:00"},
    ),
    # Front desk's screens
    "bookings:staff-day": Row(plain("bookings:staff-day"), "NNYYY"),
    "bookings:staff-week": Row(plain("bookings:staff-week"), "NNYYY"),
    "bookings:staff-schedule-css": Row(plain("bookings:staff-schedule-css"), "NNYYY"),
    "bookings:staff-sheet": Row(lambda w, own: reverse("bookings:staff-sheet") + f"?provider={w.provider.pk}", "NNYYY"),
    "bookings:staff-book": Row(plain("bookings:staff-book"), "NNYNY"),
    "bookings:staff-appointment": Row(plain("bookings:staff-appointment", ref), "NNYYY"),
    "bookings:staff-appointment-move": Row(plain("bookings:staff-appointment-move", ref), "NNYNY"),
    "bookings:staff-appointment-cancel": Row(plain("bookings:staff-appointment-cancel", ref), "NNYNY", method="post"),
    "bookings:staff-appointment-action": Row(
        lambda w, own: reverse("bookings:staff-appointment-action", args=[w.appointment.reference, "confirm"]),
        "NNYNY",
        method="post",
    ),
    "bookings:staff-patients": Row(plain("bookings:staff-patients"), "NNYYY"),
    "bookings:staff-patient": Row(plain("bookings:staff-patient", patient_pk), "NNYYY"),
    "bookings:staff-contact-proposal": Row(
        plain("bookings:staff-contact-proposal", patient_pk, lambda w: w.proposal.pk), "NNYNY", method="post"
    ),
    "bookings:staff-waitlist-add": Row(plain("bookings:staff-waitlist-add", patient_pk), "NNYNY"),
    "bookings:staff-providers": Row(plain("bookings:staff-providers"), "NNNNY"),
    "bookings:staff-provider-hours": Row(plain("bookings:staff-provider-hours", lambda w: w.provider.pk), "NNNNY"),
    "bookings:staff-waitlist": Row(plain("bookings:staff-waitlist"), "NNYYY"),
    # The websites allowed to frame the booking: managers only
    "bookings:staff-embed-origins": Row(plain("bookings:staff-embed-origins"), "NNNNY"),
    "bookings:staff-embed-origin-remove": Row(
        plain("bookings:staff-embed-origin-remove", lambda w: w.embed_origin.pk), "NNNNY", method="post"
    ),
    # Clinical screens: injectors and managers
    "intake:queue": Row(plain("intake:queue"), "NNNYY"),
    "intake:review": Row(plain("intake:review", ref), "NNNYY"),
    "intake:patient-answers": Row(plain("intake:patient-answers", patient_pk), "NNNYY"),
    "intake:consent-signature": Row(plain("intake:consent-signature", lambda w: w.consent.pk), "NNNYY"),
    "intake:follow-ups": Row(plain("intake:follow-ups"), "NNYYY"),
    "intake:access-log": Row(plain("intake:access-log"), "NNNNY"),
    # Charting: injectors and managers (the lot recall: managers only); front desk gets 403 on every URL
    # (an empty post is a 400/409)
    "charting:chart": Row(plain("charting:chart", ref), "NNNYY"),
    "charting:chart-start": Row(plain("charting:chart-start", ref), "NNNYY", method="post"),
    "charting:chart-not-treated": Row(plain("charting:chart-not-treated", ref), "NNNYY", method="post"),
    "charting:chart-addendum": Row(plain("charting:chart-addendum", ref), "NNNYY", method="post"),
    "charting:assessment": Row(plain("charting:assessment", ref), "NNNYY"),
    "charting:history": Row(plain("charting:history", patient_pk), "NNNYY"),
    "charting:print": Row(plain("charting:print", patient_pk), "NNNYY"),
    "charting:recall": Row(plain("charting:recall", query="?lot=C7001C3"), "NNNNY"),
    "charting:photos": Row(plain("charting:photos", ref), "NNNYY"),
    "charting:photo-file": Row(plain("charting:photo-file", lambda w: w.photo.pk, lambda w: "screen"), "NNNYY"),
    "charting:photo-compare": Row(plain("charting:photo-compare", patient_pk), "NNNYY"),
    "charting:photos-marketing": Row(plain("charting:photos-marketing"), "NNNNY"),
    "charting:photos-marketing-zip": Row(plain("charting:photos-marketing-zip"), "NNNNY"),
    # Audit: managers only
    "audit:trail": Row(plain("audit:trail"), "NNNNY"),
    "audit:changes-csv": Row(plain("audit:changes-csv"), "NNNNY"),
    "audit:reads-csv": Row(plain("audit:reads-csv"), "NNNNY"),
    "audit:patient-record": Row(plain("audit:patient-record", patient_pk), "NNNNY"),
    "audit:patient-record-json": Row(plain("audit:patient-record-json", patient_pk), "NNNNY"),
    "audit:patient-erase": Row(plain("audit:patient-erase", patient_pk), "NNNNY"),
    # Reports: managers only
    "reports:reports": Row(plain("reports:reports"), "NNNNY"),
    "reports:reports-csv": Row(plain("reports:reports-csv"), "NNNNY"),
    # Messages
    "reminders:outbox": Row(plain("reminders:outbox"), "NNYYY"),
    "reminders:patient-messages": Row(plain("reminders:patient-messages", patient_pk), "NNYYY"),
    "reminders:resend": Row(plain("reminders:resend", lambda w: w.message.pk), "NNYNY", method="post"),
    # Webhooks: managers only
    "reminders:webhooks": Row(plain("reminders:webhooks"), "NNNNY"),
    "reminders:webhook-new": Row(plain("reminders:webhook-new"), "NNNNY"),
    "reminders:webhook": Row(plain("reminders:webhook", lambda w: w.webhook.pk), "NNNNY"),
    "reminders:webhook-rotate": Row(plain("reminders:webhook-rotate", lambda w: w.webhook.pk), "NNNNY", method="post"),
    "reminders:webhook-test": Row(plain("reminders:webhook-test", lambda w: w.webhook.pk), "NNNNY", method="post"),
    "reminders:webhook-resend": Row(
        plain("reminders:webhook-resend", lambda w: w.webhook_delivery.pk), "NNNNY", method="post"
    ),
}

# Each model in the admin: who may open its list (Y) in VISITORS order.
ADMIN: dict[str, str] = {
    "treatments.treatmentarea": "NNYYY",
    "treatments.product": "NNYYY",
    "treatments.service": "NNYYY",
    "treatments.aftercarestep": "NNYYY",
    "bookings.location": "NNYYY",
    "bookings.provider": "NNYYY",
    "bookings.room": "NNYYY",
    "bookings.device": "NNYYY",
    "bookings.patient": "NNYYY",
    "bookings.appointment": "NNYYY",
    "intake.consenttext": "NNNYY",
    "intake.accesslog": "NNNNY",
    "auth.user": "NNNNN",
    # Two-factor devices: only a superuser resets someone's (none of the roles may).
    "otp_totp.totpdevice": "NNNNN",
    "otp_static.staticdevice": "NNNNN",
    "auth.group": "NNNNN",
}


def url_names() -> set[str]:
    """Every named URL of the project (the admin is covered model by model below)."""
    names: set[str] = set()

    def walk(patterns, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                inner = pattern.namespace and (f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace)
                walk(pattern.url_patterns, inner or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


def test_every_url_is_in_the_table():
    missing = url_names() - set(MATRIX)
    assert not missing, f"URLs with no row in the access matrix: {sorted(missing)}"
    stale = set(MATRIX) - url_names()
    assert not stale, f"rows for URLs that no longer exist: {sorted(stale)}"


def test_every_admin_model_is_in_the_table():
    registered = {f"{model._meta.app_label}.{model._meta.model_name}" for model in admin.site._registry}
    assert registered == set(ADMIN), {"missing": registered - set(ADMIN), "stale": set(ADMIN) - registered}


@pytest.fixture
def world(db, injector_user):
    service = ServiceFactory(slug="treatment", name="Masseter treatment", kind=ServiceKind.TREATMENT,
                             duration_minutes=45)  # fmt: skip
    location = LocationFactory(slug="scottsdale", name="Scottsdale", timezone="America/Phoenix")
    provider = ProviderFactory(services=[service], user=injector_user)
    week_hours(provider, location, weekdays=range(7), blocks=((time(9), time(17)),))
    day = next_weekday(0, at_least=3)
    patient = PatientFactory(first_name="Rosalind", last_name="Quennell", email="rosalind.q@example.com")
    start = timezone.datetime.combine(day, time(9), tzinfo=location.zone)
    appointment = appointment_book(service=service, start=start, now=timezone.now(), source=Source.DESK,
                                   patient=patient, provider=provider, min_notice=timedelta(0))  # fmt: skip
    message = Message.objects.filter(appointment=appointment).first()
    from bookings.models import WaitlistStatus
    from bookings.tokens import waitlist_offer_token

    entry = WaitlistEntryFactory(
        patient=patient, service=service, earliest=day, latest=day, status=WaitlistStatus.OFFERED,
        source=Source.ONLINE, offered_start=start + timedelta(hours=2), offered_provider=provider,
        offered_location=location, offered_at=timezone.now(),
    )  # fmt: skip
    text = ConsentTextFactory(service=service, title="Consent", body="I agree.")  # version 1
    consent = ConsentFactory(appointment=appointment, text=text, typed_name="Rosalind Quennell",
                             signed_at=timezone.now(), user_agent="test")  # fmt: skip
    proposal = ContactProposalFactory(appointment=appointment, first_name="Rosa", last_name="Quennell",
                                      email="x@example.com", phone="+14805550100")  # fmt: skip
    webhook = WebhookEndpointFactory(url="https://hooks.example.com/medspa")  # after the booking: no deliveries
    return SimpleNamespace(
        webhook=webhook,
        webhook_delivery=WebhookDeliveryFactory(endpoint=webhook),
        appointment=appointment,
        embed_origin=EmbedOrigin.objects.create(origin="https://www.seaside.example"),
        photo=PhotoFactory(appointment=appointment),
        consent=consent,
        proposal=proposal,
        provider=provider,
        day=day,
        message=message,
        offer_token=waitlist_offer_token(entry),
        opt_out_token=opt_out_token(message, "email"),
    )


ALLOWED = {200, 201, 204, 302, 303, 400, 409}
DENIED = {401, 403, 404, 405, 410}


def visit(client, row: Row, url: str):
    if row.method == "post":
        if row.json is not None:
            return client.post(url, data=json.dumps(row.json), content_type="application/json")
        return client.post(url, {})
    return client.get(url)


def is_sign_in_redirect(response) -> bool:
    location = response.get("Location", "")
    return response.status_code in (302, 303) and (
        location.startswith(reverse("login")) or location.startswith(reverse("admin:login"))
    )


@pytest.fixture
def visitors(front_desk_user, injector_user, manager_user):
    return {"anonymous": None, "patient": None, "front desk": front_desk_user, "injector": injector_user,
            "manager": manager_user}  # fmt: skip


def check_cell(client, visitor: str, user, row: Row, url: str, world) -> str | None:
    cache.clear()  # the rate limits count every request from the test's one address; this tests the doors
    client.logout()
    if user is not None:
        client.force_login(user)
    response = visit(client, row, url)
    status = response.status_code
    if status >= 500:
        return f"{status} (server error)"
    allowed = row.expect[VISITORS.index(visitor)] == "Y"
    if allowed:
        if status not in ALLOWED or (is_sign_in_redirect(response) and not row.signs_out):
            return f"expected allowed, got {status} {response.get('Location', '')}"
        return None
    if not (status in DENIED or is_sign_in_redirect(response)):
        return f"expected denied, got {status}"
    body = response.content.decode(errors="replace")
    if "Quennell" in body or "rosalind.q@example.com" in body:
        return "denied, but the page shows the patient"
    return None


def test_every_cell_of_the_matrix(client, world, visitors):
    failures = []
    counts = {visitor: [0, 0] for visitor in VISITORS}  # allowed, denied
    for name, row in sorted(MATRIX.items()):
        for visitor, user in visitors.items():
            # A patient's cancel in an earlier cell must not close the links of the next one.
            type(world.appointment).objects.filter(pk=world.appointment.pk).update(status="booked")
            url = row.url(world, visitor == "patient")
            problem = check_cell(client, visitor, user, row, url, world)
            counts[visitor][0 if row.expect[VISITORS.index(visitor)] == "Y" else 1] += 1
            if problem:
                failures.append(f"{name} as {visitor}: {url} → {problem}")
    print("\naccess matrix (allowed, denied):", {v: tuple(c) for v, c in counts.items()})
    assert not failures, "\n".join(failures)


def test_every_admin_list_by_role(client, world, visitors):
    failures = []
    for label, expect in sorted(ADMIN.items()):
        app_label, model_name = label.split(".")
        url = reverse(f"admin:{app_label}_{model_name}_changelist")
        for visitor, user in visitors.items():
            row = Row(lambda w, own, url=url: url, expect)
            problem = check_cell(client, visitor, user, row, url, world)
            if problem:
                failures.append(f"admin {label} as {visitor}: {problem}")
    assert not failures, "\n".join(failures)


def test_an_injector_cannot_open_another_providers_appointment(client, world, injector_user):
    other = ProviderFactory(services=[world.appointment.service])
    week_hours(other, world.appointment.location, weekdays=range(7), blocks=((time(9), time(17)),))
    theirs = appointment_book(
        service=world.appointment.service, start=world.appointment.start, now=timezone.now(), source=Source.DESK,
        patient=PatientFactory(last_name="Quennell"), provider=other, min_notice=timedelta(0),
    )  # fmt: skip
    client.force_login(injector_user)
    response = client.get(reverse("bookings:staff-appointment", args=[theirs.reference]))
    assert response.status_code == 403 and "Quennell" not in response.content.decode()
