"""The patient's side: the intake steps behind the booking's signed link, and the two-week follow-up.

Who holds the link? An online booking that matched an existing patient by email and date of birth
has proved nothing (appointment.identity_verified is False): its pages start blank, show nothing
of the record (not even the name on file), sign consent for this appointment, keep the answers as
an unverified submission and turn contact changes into proposals for front desk, until the person
enters the code sent to the email on file (the verify page).
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from bookings.models import Appointment, AppointmentStatus, ContactProposal, Source
from bookings.services import CodeCheck, identity_code_check, identity_code_send
from medspa.context_processors import clinic_location_set
from medspa.http import client_ip

from ..forms import ConsentForm, ContactForm, FollowUpForm, GoalsForm, HistoryForm, IdentityCodeForm
from ..selectors import (
    consent_current,
    consent_text_for,
    consent_visible_to_link,
    draft_for,
    follow_up_received,
    goals_in_words,
    history_correctable,
    history_diff,
    history_outcome,
    history_previous,
    history_submitted_here,
    history_visible_to_link,
)
from ..services import (
    ANSWER_STEPS,
    STEPS,
    IntakeError,
    Signature,
    draft_save,
    follow_up_submit,
    history_correct,
    intake_submit,
)
from ..tokens import ManageLinkExpired, ManageLinkInvalid, appointment_for_follow_up, appointment_from_token

TITLES = {"contact": "Your details", "history": "Medical history", "goals": "Your goals", "consent": "Consent"}
CLOSED = (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW)


def _appointment(request: HttpRequest, token: str, *, follow_up: bool = False) -> Appointment | HttpResponse:
    """The token's appointment, or the page that says the link is wrong or over (and shows nothing)."""
    try:
        if follow_up:
            appointment = appointment_for_follow_up(token, now=timezone.now())
        else:
            appointment = appointment_from_token(token, now=timezone.now())
    except ManageLinkInvalid as exc:
        raise Http404("No such link") from exc
    except ManageLinkExpired:
        return render(request, "intake/link_expired.html", status=410)
    if appointment.status in CLOSED:
        return render(request, "intake/link_closed.html", status=410)
    clinic_location_set(request, appointment.location)  # the pages give its location's phone
    return appointment


def _proposal(appointment: Appointment) -> ContactProposal | None:
    return ContactProposal.objects.filter(appointment=appointment).first()


def _as_booked(appointment: Appointment) -> dict:
    """The name and contact details this link may show: the record's once proven, else what the booking said."""
    if appointment.identity_verified:
        patient = appointment.patient
        return {"first_name": patient.first_name, "full_name": patient.full_name, "email": patient.email,
                "phone": patient.phone, "date_of_birth": patient.date_of_birth}  # fmt: skip
    proposal = _proposal(appointment)
    if proposal is None:
        return {"first_name": "", "full_name": "", "email": "", "phone": "", "date_of_birth": None}
    return {"first_name": proposal.first_name, "full_name": proposal.full_name, "email": proposal.email,
            "phone": proposal.phone, "date_of_birth": appointment.patient.date_of_birth}  # fmt: skip


def _can_verify(appointment: Appointment) -> bool:
    """Offered on every online booking not yet proven by a code, so the page looks the same whether
    or not the booking matched an existing patient."""
    return appointment.source == Source.ONLINE and appointment.identity_verified_at is None


def start(request: HttpRequest, token: str) -> HttpResponse:
    appointment = _appointment(request, token)
    if isinstance(appointment, HttpResponse):
        return appointment
    if history_submitted_here(appointment):
        return redirect("intake:done", token=token)
    done = draft_for(appointment).steps_done
    step = next((s for s in STEPS if s not in done), STEPS[-1])
    return redirect("intake:step", token=token, step=step)


def step(request: HttpRequest, token: str, step: str) -> HttpResponse:
    appointment = _appointment(request, token)
    if isinstance(appointment, HttpResponse):
        return appointment
    if step not in STEPS:
        raise Http404("No such step")
    if history_submitted_here(appointment):
        return redirect("intake:done", token=token)
    draft = draft_for(appointment)
    patient = appointment.patient
    verified = appointment.identity_verified
    person = _as_booked(appointment)
    index = STEPS.index(step)
    posted = request.method == "POST"
    data = request.POST if posted else None
    context = {
        "appointment": appointment,
        "person": person,
        "can_verify": _can_verify(appointment),
        "token": token,
        "step": step,
        "number": index + 1,
        "step_list": [(key, TITLES[key]) for key in STEPS],
        "previous_step": STEPS[index - 1] if index else None,
    }

    def advance(answers: dict) -> HttpResponse:
        draft_save(appointment=appointment, step=step, answers=answers)
        return redirect("intake:step", token=token, step=STEPS[index + 1])

    if step == "contact":
        saved = draft.answers.get("contact", {})
        form = ContactForm(data, initial={"email": saved.get("email", person["email"]),
                                          "phone": saved.get("phone", person["phone"])})  # fmt: skip
        if posted and form.is_valid():
            return advance({"contact": form.cleaned_data})
    elif step == "history":
        previous = history_previous(patient, now=timezone.now()) if verified else None
        if posted and data.get("unchanged") == "1" and previous:
            return advance({"history": previous.answers, "unchanged": True})
        initial = draft.answers.get("history") or (previous.answers if previous else {})
        form = HistoryForm(data, initial=initial)
        context["previous"] = previous if "history" not in draft.steps_done else None
        if posted and form.is_valid():
            return advance({"history": form.answers(), "unchanged": False})
    elif step == "goals":
        saved = draft.answers.get("goals") or {"areas": list(appointment.areas.values_list("slug", flat=True))}
        form = GoalsForm(data, initial=saved)
        if posted and form.is_valid():
            return advance({"goals": form.goals()})
    else:
        missing = [s for s in ANSWER_STEPS if s not in draft.steps_done]
        if missing:
            return redirect("intake:step", token=token, step=missing[0])
        text = consent_text_for(appointment.service)
        # Never skipped on the strength of a signature given through another, proven link.
        signed = consent_current(patient, text) if text and verified else None
        form = ConsentForm(data, full_name=person["full_name"])
        context |= {"text": text, "signed": signed}
        if posted and (signed or text is None or form.is_valid()):
            signature = None
            if text and not signed:
                signature = Signature(typed_name=form.cleaned_data["typed_name"],
                                      signature_png=form.cleaned_data["signature"], ip_address=client_ip(request),
                                      user_agent=request.META.get("HTTP_USER_AGENT", ""),
                                      method=form.cleaned_data["signature_method"],
                                      photo_use=form.cleaned_data["photo_use"])  # fmt: skip
            try:
                intake_submit(appointment=appointment, signature=signature, now=timezone.now())
            except IntakeError as exc:  # a step undone in another tab, or a text published meanwhile
                messages.error(request, exc.detail)
                return redirect("intake:step", token=token, step=exc.field if exc.field in ANSWER_STEPS else step)
            return redirect("intake:done", token=token)
    context["form"] = form
    return render(request, f"intake/step_{step}.html", context, status=400 if posted and form.errors else 200)


@never_cache
def done(request: HttpRequest, token: str) -> HttpResponse:
    """Thanks, what happens next, and a read-only copy of what the patient told us."""
    appointment = _appointment(request, token)
    if isinstance(appointment, HttpResponse):
        return appointment
    history = history_visible_to_link(appointment) if history_submitted_here(appointment) else None
    if history is None:
        return redirect("intake:start", token=token)
    outcome = history_outcome(history)
    text = consent_text_for(appointment.service)
    return render(
        request,
        "intake/done.html",
        {
            "appointment": appointment,
            "token": token,
            "outcome": outcome.message,
            "blocked": outcome.blocked,
            "visit_minutes": int(appointment.duration.total_seconds() // 60),
            "history": history,
            "rows": history_diff(None, history),
            "goals": goals_in_words(history.goals),
            "consent": consent_visible_to_link(appointment, text),
            "correctable": history_correctable(appointment),
            "person": _as_booked(appointment),
        },
    )


@never_cache
def correct(request: HttpRequest, token: str) -> HttpResponse:
    """The patient edits their submitted answers; sending them makes a new version for the injector."""
    appointment = _appointment(request, token)
    if isinstance(appointment, HttpResponse):
        return appointment
    history = history_visible_to_link(appointment) if history_submitted_here(appointment) else None
    if history is None:
        return redirect("intake:start", token=token)
    if not history_correctable(appointment):
        return redirect("intake:done", token=token)
    data = request.POST if request.method == "POST" else None
    history_form = HistoryForm(data, initial=history.answers)
    goals_form = GoalsForm(data, initial=history.goals)
    if data is not None and history_form.is_valid() and goals_form.is_valid():
        try:
            history_correct(appointment=appointment, answers=history_form.answers(), goals=goals_form.goals(),
                            now=timezone.now())  # fmt: skip
        except IntakeError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, "Thank you. Your corrected answers have been sent to your injector.")
        return redirect("intake:done", token=token)
    errors = bool(history_form.errors or goals_form.errors)
    return render(
        request,
        "intake/correct.html",
        {"appointment": appointment, "token": token, "form": history_form, "goals_form": goals_form,
         "errors": errors},
        status=400 if errors else 200,
    )  # fmt: skip


def verify(request: HttpRequest, token: str) -> HttpResponse:
    """Prove this is the patient's booking: a code sent to the email on file brings back their answers.

    Says the same to everyone (the code goes to "the email we have on file"), so it tells a
    stranger nothing about whether a record matched.
    """
    appointment = _appointment(request, token)
    if isinstance(appointment, HttpResponse):
        return appointment
    if not _can_verify(appointment):
        return redirect("intake:start", token=token)
    form = IdentityCodeForm(request.POST if request.POST.get("action") == "check" else None)
    status = 200
    if request.method == "POST" and request.POST.get("action") == "send":
        sent = identity_code_send(appointment=appointment, now=timezone.now())
        if sent.sent:
            messages.success(request, "We've sent a 6-digit code to the email address we have on file.")
        else:
            minutes = max(1, round(sent.wait.total_seconds() / 60))
            messages.error(request, f"A code was sent a moment ago. You can ask for another in {minutes} minute"
                                    f"{'' if minutes == 1 else 's'}.")  # fmt: skip
        return redirect("intake:verify", token=token)
    if request.method == "POST" and form.is_valid():
        result = identity_code_check(appointment=appointment, code=form.cleaned_data["code"], now=timezone.now())
        if result == CodeCheck.VERIFIED:
            messages.success(request, "Thank you: that's confirmed. Your earlier answers are back.")
            return redirect("intake:start", token=token)
        form.add_error("code", {
            CodeCheck.WRONG: "That code isn't right. Please check the email and try again.",
            CodeCheck.EXPIRED: "That code has expired or was replaced by a newer one. Please ask for a new code.",
            CodeCheck.LOCKED: "Too many tries. Please ask for a new code.",
        }[result])  # fmt: skip
    if form.errors:
        status = 400
    return render(request, "intake/verify.html", {"appointment": appointment, "token": token, "form": form},
                  status=status)  # fmt: skip


def follow_up(request: HttpRequest, token: str) -> HttpResponse:
    appointment = _appointment(request, token, follow_up=True)
    if isinstance(appointment, HttpResponse):
        return appointment
    if follow_up_received(appointment):
        return render(request, "intake/follow_up_received.html", {"appointment": appointment})
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        answers = {**form.cleaned_data}
        submitted, new = follow_up_submit(appointment=appointment, answers=answers, now=timezone.now())
        if not new:  # a second tab or a double tap: the first answers stand, no second alert
            return render(request, "intake/follow_up_received.html", {"appointment": appointment})
        template = "intake/follow_up_urgent.html" if submitted.urgent else "intake/follow_up_thanks.html"
        return render(request, template, {"appointment": appointment})
    return render(request, "intake/follow_up.html", {"appointment": appointment, "form": form},
                  status=400 if form.errors else 200)  # fmt: skip
