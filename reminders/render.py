"""What each message says. General advice and links only: never anything about the patient's health.

One email layout and one SMS layout; each kind supplies a subject, paragraphs and links.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat

from bookings.calendar import appointment_ics
from bookings.models import IdentityCode, IntakeStatus
from bookings.tokens import identity_code_value, manage_token
from intake.tokens import follow_up_token
from medspa.context_processors import phone_href

from .aftercare import earliest_rebook, is_rebook, visit_aftercare
from .models import Message
from .tokens import opt_out_token


@dataclass
class Content:
    subject: str
    paragraphs: list[str]
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, absolute url)
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)
    sms: str = ""  # the text message's words, when shorter than the subject is not enough


PRE_CARE = [
    "If you can, avoid aspirin, ibuprofen, naproxen, fish oil, vitamin E and ginkgo for the two weeks before "
    "(it means less bruising), unless a doctor prescribed them; never stop a prescribed medicine without asking "
    "the doctor who prescribed it. Tell us about it instead.",
    "Come with clean skin. The visit takes 10 to 30 minutes; results show in 3 to 5 days and are complete "
    "at about two weeks.",
]

PRE_CARE_SMS = (
    "if you can, skip aspirin, ibuprofen, naproxen, fish oil, vitamin E and ginkgo for 2 weeks (less bruising), "
    "unless a doctor prescribed them; never stop a prescribed medicine without asking. Come with clean skin."
)

# Two days before: what may have changed since the forms (screening questions on infection,
# pregnancy and recent toxin), asked whether or not the forms are done.
ANYTHING_NEW = (
    "started a new medicine, are or might be pregnant, have an infection or a skin problem where you'll be "
    "treated, or have had a Botox-type treatment elsewhere (another clinic, any part of the body) in the last "
    "3 months"
)
ANYTHING_NEW_SHORT = (
    "a new medicine, a pregnancy, an infection where you'll be treated, or a Botox-type treatment elsewhere "
    "in the last 3 months"
)
# The day-3 text: how to report a problem, and the symptoms that need care at once (boxed warning).
URGENT = (
    "Trouble swallowing, speaking or breathing, neck or general weakness, or double or blurred vision: "
    "seek medical care now, then call us."
)
SMS_LIMIT = 480  # three segments: a longer text is split, arrives out of order or costs more
# Typography outside the GSM alphabet turns a whole text into UCS-2 (70 characters a segment).
SMS_PLAIN = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "≥": ">="})


# Messages sent before the visit, and how their subject starts when the booking is not yet proven.
BEFORE_THE_VISIT = ("confirmation", "pre-care", "intake", "reminder", "moved", "cancelled")
UNPROVEN_SUBJECTS = {
    "confirmation": "A booking with your details",
    "pre-care": "Before your treatment",
    "intake": "Before your visit",
    "reminder": "Your visit tomorrow",
    "moved": "A booking with your details has moved",
    "cancelled": "A booking with your details is cancelled",
}
UNPROVEN_NEWS = {"confirmation": "is booked", "moved": "has moved to this time", "cancelled": "is cancelled"}


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


def content_for(message: Message) -> Content:
    """The words and links of one message, from its kind, step and appointment."""
    appointment = message.appointment
    name = message.patient.first_name
    if appointment is None:
        raise ValueError(f"No content for a message without an appointment ({message.kind})")
    zone = appointment.location.zone
    when = _when(appointment.start, zone)
    token = manage_token(appointment)
    manage = _url(reverse("bookings:manage", args=[token]))
    intake = _url(reverse("intake:start", args=[token]))
    service = appointment.service.name
    location = appointment.location
    where = f"{location.name}: {location.address}. Questions? Call {location.contact_phone}."
    short = _short(appointment.start, zone)

    if not appointment.identity_verified and message.kind in BEFORE_THE_VISIT:
        # Booked online with this patient's email and date of birth, and not yet proven to be them:
        # the email on file gets no link into the booking (the link is the booker's, who may be a
        # stranger, and a shared link would let each see what the other types), only the facts.
        return Content(
            f"{UNPROVEN_SUBJECTS[message.kind]}: {service}, {short}",
            [f"Hi {name}, a {service.lower()} at {location.name} on {when}, booked online with your email address "
             f"and date of birth, {UNPROVEN_NEWS.get(message.kind, 'is coming up')}.",
             "If it was you, use the page you booked on to see or change it and to fill in your forms.",
             f"If it wasn't you, please call us on {location.contact_phone}: nothing of your record has been "
             "shown or changed."],
            sms=f"A {service.lower()} at {location.name} on {short} was booked online with your details. "
                f"Not you? Call {location.contact_phone}.",
        )  # fmt: skip
    if message.kind == "confirmation":
        return Content(
            f"Booked: {service}, {short}",
            [f"Hi {name}, you're booked: {service} with {appointment.provider.name} on {when} "
             f"({location.name} time).", where,
             "Before your visit, please fill in a short medical history and consent form (about five minutes)."],
            [("Fill in your medical history", intake), ("See, move or cancel your booking", manage)],
            [_ics(appointment, "REQUEST")],
        )  # fmt: skip
    if message.kind == "pre-care":
        return Content("Before your treatment", [f"Hi {name}, your {service.lower()} is on {when}.", *PRE_CARE],
                       [("Your booking", manage)], sms=f"Before your visit on {short}: {PRE_CARE_SMS}")  # fmt: skip
    if message.kind == "intake":
        return _before_the_visit(name, appointment, when, short, intake)
    if message.kind == "reminder":
        return Content(
            f"See you tomorrow at {dateformat.format(appointment.start.astimezone(zone), 'g:i A T')}",
            [f"Hi {name}, a reminder of your {service.lower()} with {appointment.provider.name} on {when}.", where,
             "Need to change it? Use the link: it can still be moved or cancelled online until a day before."],
            [("Confirm I'm coming", manage + "#confirm"), ("Move or cancel", manage + "#change-heading")],
        )  # fmt: skip
    if message.kind == "moved":
        return Content(
            f"Your appointment has moved to {short}",
            [f"Hi {name}, your {service.lower()} with {appointment.provider.name} is now on {when} "
             f"({location.name} time).", where,
             "The calendar file attached replaces the one you had: open it to move the event in your calendar."],
            [("See your booking", manage)],
            [_ics(appointment, "REQUEST")],
            sms=f"Your {service.lower()} has moved to {short}. See or change it:",
        )  # fmt: skip
    if message.kind == "identity-code":
        code = IdentityCode.objects.filter(pk=message.step, appointment=appointment).first()
        if code is None:
            raise ValueError("The identity code is gone")
        # No link: the code is typed on the page that asked for it, so only whoever booked and also
        # reads this inbox can use it.
        return Content(
            "Your code to confirm it's you",
            [f"Hi {name}, someone booked {service} on {when} with your email address and date of birth, and "
             "asked to see your earlier answers before the visit.",
             f"If it was you, your code is {identity_code_value(code.nonce)}. Type it on the page where you "
             "asked for it; it works for 10 minutes.",
             "If it wasn't you, ignore this email: nothing of your record has been shown or changed. "
             f"You may like to call us on {location.contact_phone}."],
        )  # fmt: skip
    if message.kind == "cancelled":
        return Content(
            "Your appointment is cancelled",
            [f"Hi {name}, your {service.lower()} on {when} ({location.name} time) is cancelled. "
             "We hope to see you another time.",
             "The calendar file attached removes the event from your calendar.",
             f"Questions? Call {location.name} on {location.contact_phone}."],
            [("See your booking", manage), ("Book again", _url(reverse("bookings:book")))],
            [_ics(appointment, "CANCEL")],
            sms=f"Your {service.lower()} on {short} is cancelled. Details:",
        )  # fmt: skip
    if message.kind == "aftercare":
        return _aftercare(message, name, appointment)
    raise ValueError(f"Unknown message kind {message.kind!r}")


def _before_the_visit(name, appointment, when: str, short: str, intake: str) -> Content:
    """Two days before: anything new since the forms, always; and the forms, when not done."""
    phone = appointment.location.contact_phone
    forms_done = appointment.intake_status != IntakeStatus.NOT_STARTED
    paragraphs = [f"Hi {name}, your visit is on {when}."]
    if not forms_done:
        paragraphs.append(
            "Please fill in your medical history and consent before you come (about five minutes): "
            "it gives you more time with your injector."
        )
    paragraphs.append(
        f"Please call us on {phone} before your visit if you have {ANYTHING_NEW}. "
        "Some of these mean waiting a little before treatment; we'll talk it through with you."
    )
    sms = f"Your visit is on {short}. Please call {phone} before it if you have {ANYTHING_NEW_SHORT}."
    if forms_done:
        return Content("Before your visit: anything new?", paragraphs, sms=sms)
    return Content(
        "Two things before your visit", paragraphs, [("Fill in your forms now", intake)],
        sms=f"{sms} And please fill in your forms:",
    )  # fmt: skip


def _sms_fit(text: str, room: int) -> str:
    """As many whole sentences of `text` as fit in `room` characters (at least the first one, cut)."""
    kept = ""
    for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
        if len(kept) + len(sentence) + 1 > room:
            break
        kept = f"{kept} {sentence}".strip()
    return kept or text[: room - 3].rstrip() + "..."


def _aftercare(message: Message, name: str, appointment) -> Content:
    """One aftercare step. Texts carry the advice itself, not only its title; never what was given."""
    phone = appointment.location.contact_phone
    plan = visit_aftercare(appointment)
    step = plan.step(message.step)
    if step is None:
        raise ValueError(f"The aftercare step {message.step!r} is no longer in the catalog")
    paragraphs, links = [f"Hi {name},", step.body], []
    sms = ""
    if step.key == "two-week":
        follow_up = reverse("intake:follow-up", args=[follow_up_token(appointment)])
        links = [
            ("How does it look? (2 minutes)", _url(follow_up)),
            ("Book your two-week review", _url(reverse("bookings:book") + "?service=two-week-review")),
        ]
    elif is_rebook(message.step):
        earliest = earliest_rebook(appointment, plan.min_retreatment_days)
        day = dateformat.format(earliest, "l, F j")
        paragraphs.append(
            f"You can book your next treatment for any day from {day}: treatments need at least "
            f"{plan.min_retreatment_days} days between them."
        )
        query = f"?service={plan.rebook_service.slug}&date={earliest}" if plan.rebook_service else ""
        links = [(f"Book from {day}", _url(reverse("bookings:book") + query))]
        sms = f"Time to plan your next treatment: you can book any day from {day}. Book online:"
    elif step.key in ("six-month", "plan"):
        links = [("Book online", _url(reverse("bookings:book")))]
    if step.key == "results":
        sms = f"{_sms_fit(step.body, 100)} Something not right? Call {phone}. URGENT: {URGENT}"
        paragraphs.append(f"To tell us about anything, call {phone}.")
    elif not sms:
        # Room for the clinic's name, a link and the opt-out line within three segments.
        sms = f"{_sms_fit(step.body, SMS_LIMIT - 200)} Questions? Call {phone}."
    return Content(step.title, paragraphs, links, sms=sms)


def render(message: Message, channel: str) -> tuple[str, str, str, list]:
    """(subject, text, html, attachments) for the channel, with the opt-out link every message carries."""
    content = content_for(message)
    stop = _url(reverse("reminders:opt-out", args=[opt_out_token(message, channel)]))
    location = message.appointment.location
    context = {"content": content, "stop_url": stop, "clinic_name": settings.CLINIC_NAME, "location": location,
               "clinic_phone": location.contact_phone,
               "clinic_phone_href": phone_href(location.contact_phone)}  # fmt: skip
    if channel == "sms":
        text = render_to_string("reminders/messages/sms.txt", context).strip().translate(SMS_PLAIN)
        return content.subject, text, "", []
    text = render_to_string("reminders/messages/email.txt", context)
    html = render_to_string("reminders/messages/email.html", context)
    return content.subject, text, html, content.attachments
