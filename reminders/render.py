"""What each message says. General advice and links only: never anything about the patient's health.

The words are templates, one per kind (templates/reminders/messages/kinds/<kind>.txt), in four
parts split by a line "---": the subject, the paragraphs (split by blank lines), the links
("label | url", one a line) and, when the subject is not enough for a text message, its words.
Python only gathers the facts the templates use. One email layout and one SMS layout for patients;
the clinic's alerts have their own plain layout (no opt-out link: they go to the clinic).
"""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone

from bookings.calendar import appointment_ics
from bookings.models import IdentityCode, IntakeStatus, WaitlistEntry
from bookings.tokens import identity_code_value, manage_token, waitlist_offer_token
from intake.tokens import follow_up_token
from medspa.context_processors import phone_href

from .aftercare import earliest_rebook, is_rebook, visit_aftercare
from .models import Message, MessageKind, Recipient
from .tokens import opt_out_token


@dataclass
class Content:
    subject: str
    paragraphs: list[str]
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, absolute url)
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)
    sms: str = ""  # the text message's words, when shorter than the subject is not enough


SMS_LIMIT = 480  # three segments: a longer text is split, arrives out of order or costs more
# Typography outside the GSM alphabet turns a whole text into UCS-2 (70 characters a segment).
SMS_PLAIN = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "≥": ">="})


# Messages sent before the visit: while the booking is not proven to be the patient's, they say
# only the facts (templates/reminders/messages/kinds/unproven.txt).
BEFORE_THE_VISIT = ("confirmation", "pre-care", "intake", "reminder", "moved", "cancelled")
# The calendar file each kind carries, as an iTIP method.
CALENDAR_METHOD = {"confirmation": "REQUEST", "moved": "REQUEST", "cancelled": "CANCEL"}


def _url(path: str) -> str:
    return settings.SITE_URL + path


def _when(moment, zone) -> str:
    """'Monday, March 15 at 9:00 AM MST': always with the location's zone label."""
    return dateformat.format(moment.astimezone(zone), r"l, F j \a\t g:i A T")


def _short(moment, zone) -> str:
    return dateformat.format(moment.astimezone(zone), r"D M j \a\t g:i A T")


def _ics(appointment, method: str) -> tuple[str, bytes, str]:
    """The calendar file, sent as an iTIP method so the patient's calendar adds, moves or removes the event."""
    return (
        f"appointment-{appointment.reference}.ics",
        appointment_ics(appointment, method=method),
        f"text/calendar; method={method}",
    )


def _from_template(template: str, context: dict) -> Content:
    """Subject, paragraphs, links and SMS words from a kind's template (parts split by '---' lines)."""
    try:
        text = render_to_string(template, context)
    except TemplateDoesNotExist as exc:
        raise ValueError(f"No words for this kind of message ({exc})") from exc
    parts = [*re.split(r"^---[ \t]*$", text, flags=re.MULTILINE), "", "", ""]
    paragraphs = [" ".join(p.split()) for p in parts[1].split("\n\n") if p.strip()]
    links = [tuple(part.strip() for part in line.split(" | ", 1)) for line in parts[2].splitlines() if " | " in line]
    return Content(" ".join(parts[0].split()), paragraphs, links, sms=" ".join(parts[3].split()))


def _appointment_facts(message: Message) -> dict:
    appointment = message.appointment
    zone = appointment.location.zone
    token = manage_token(appointment)
    return {
        "appointment": appointment,
        "service": appointment.service.name,
        "provider": appointment.provider.name,
        "location": appointment.location,
        "when": _when(appointment.start, zone),
        "short": _short(appointment.start, zone),
        "time": dateformat.format(appointment.start.astimezone(zone), "g:i A T"),
        "manage_url": _url(reverse("bookings:manage", args=[token])),
        "intake_url": _url(reverse("intake:start", args=[token])),
        "book_url": _url(reverse("bookings:book")),
    }


def _kind_facts(message: Message, facts: dict) -> dict:
    """What one kind needs beyond the appointment's facts (a code, an aftercare step, an offer)."""
    appointment = message.appointment
    if message.kind == MessageKind.IDENTITY_CODE:
        code = IdentityCode.objects.filter(pk=message.step, appointment=appointment).first()
        if code is None:
            raise ValueError("The identity code is gone")
        return {"code": identity_code_value(code.nonce)}
    if message.kind == MessageKind.INTAKE:
        # Two days before: anything new since the forms, always; and the forms, when not done.
        return {"forms_done": appointment.intake_status != IntakeStatus.NOT_STARTED}
    if message.kind == MessageKind.AFTERCARE:
        return _aftercare_facts(message, facts)
    return {}


def _waitlist_facts(message: Message) -> dict:
    entry = (
        WaitlistEntry.objects.select_related("service", "offered_location", "offered_provider__user")
        .filter(pk=message.step.split("-")[0], offered_start__isnull=False)
        .first()
    )
    if entry is None or entry.offered_location is None or entry.offered_provider is None:
        raise ValueError("The waitlist offer is gone")
    zone = entry.offered_location.zone
    return {
        "entry": entry,
        "service": entry.service.name,
        "provider": entry.offered_provider.name,
        "location": entry.offered_location,
        "when": _when(entry.offered_start, zone),
        "short": _short(entry.offered_start, zone),
        "offer_url": _url(reverse("bookings:waitlist-offer", args=[waitlist_offer_token(entry)])),
        "book_url": _url(reverse("bookings:book")),
    }


def content_for(message: Message) -> Content:
    """The words and links of one message, from its kind's template, step and appointment or offer."""
    context = {"kind": message.kind, "name": message.patient.first_name, "clinic_name": settings.CLINIC_NAME}
    if message.recipient == Recipient.CLINIC:
        # To the clinic: that something needs attention and where, on the staff site; nothing else.
        context["staff_url"] = _url(reverse("intake:follow-ups"))
        return _from_template(f"reminders/messages/kinds/{message.kind}.txt", context)
    if message.kind == MessageKind.WAITLIST_OFFER:
        context.update(_waitlist_facts(message))
        return _from_template("reminders/messages/kinds/waitlist-offer.txt", context)
    if message.appointment is None:
        raise ValueError(f"No content for a message without an appointment ({message.kind})")
    if message.kind not in MessageKind.values:
        raise ValueError(f"Unknown message kind {message.kind!r}")
    context.update(_appointment_facts(message))
    if not message.appointment.identity_verified and message.kind in BEFORE_THE_VISIT:
        # Booked online with this patient's email and date of birth, and not yet proven to be them:
        # the email on file gets no link into the booking (the link is the booker's, who may be a
        # stranger, and a shared link would let each see what the other types), only the facts.
        return _from_template("reminders/messages/kinds/unproven.txt", context)
    context.update(_kind_facts(message, context))
    content = _from_template(f"reminders/messages/kinds/{message.kind}.txt", context)
    if method := CALENDAR_METHOD.get(message.kind):
        content.attachments = [_ics(message.appointment, method)]
    return content


def _sms_fit(text: str, room: int) -> str:
    """As many whole sentences of `text` as fit in `room` characters (at least the first one, cut)."""
    kept = ""
    for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
        if len(kept) + len(sentence) + 1 > room:
            break
        kept = f"{kept} {sentence}".strip()
    return kept or text[: room - 3].rstrip() + "..."


def _aftercare_facts(message: Message, facts: dict) -> dict:
    """One aftercare step of the visit's plan (from its signed chart when there is one). Texts carry
    the advice itself, not only its title; never what was given."""
    appointment = message.appointment
    plan = visit_aftercare(appointment)
    step = plan.step(message.step)
    if step is None:
        raise ValueError(f"The aftercare step {message.step!r} is no longer in the catalog")
    context = {
        "step": step,
        "phone": appointment.location.contact_phone,
        # Room for the clinic's name, a link and the opt-out line within three segments.
        "advice_sms": _sms_fit(step.body, SMS_LIMIT - 200),
        "results_sms": _sms_fit(step.body, 100),
        "follow_up_url": _url(reverse("intake:follow-up", args=[follow_up_token(appointment)])),
        "review_url": facts["book_url"] + "?service=two-week-review",
        "rebook_url": facts["book_url"],
        "rebook": is_rebook(message.step),
    }
    if context["rebook"]:
        earliest = earliest_rebook(appointment, plan.min_retreatment_days)
        today = timezone.now().astimezone(appointment.location.zone).date()
        query = f"?service={plan.rebook_service.slug}&date={earliest}" if plan.rebook_service else ""
        context |= {
            "earliest_day": dateformat.format(earliest, "l, F j"),
            "bookable_now": earliest <= today,  # sent on or after that day: no date in the past
            "min_days": plan.min_retreatment_days,
            "rebook_url": facts["book_url"] + query,
        }
    return context


def render(message: Message, channel: str) -> tuple[str, str, str, list]:
    """(subject, text, html, attachments) for the channel, with the opt-out link every patient message carries."""
    content = content_for(message)
    if message.recipient == Recipient.CLINIC:
        context = {"content": content, "clinic_name": settings.CLINIC_NAME}
        return content.subject, render_to_string("reminders/messages/clinic.txt", context), "", []
    stop = _url(reverse("reminders:opt-out", args=[opt_out_token(message, channel)]))
    location = message.appointment.location if message.appointment else _waitlist_facts(message)["location"]
    context = {"content": content, "stop_url": stop, "clinic_name": settings.CLINIC_NAME, "location": location,
               "clinic_phone": location.contact_phone,
               "clinic_phone_href": phone_href(location.contact_phone)}  # fmt: skip
    if channel == "sms":
        text = render_to_string("reminders/messages/sms.txt", context).strip().translate(SMS_PLAIN)
        return content.subject, text, "", []
    text = render_to_string("reminders/messages/email.txt", context)
    html = render_to_string("reminders/messages/email.html", context)
    return content.subject, text, html, content.attachments
