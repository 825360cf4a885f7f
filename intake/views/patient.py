"""The patient's side: the intake steps behind the booking's signed link, and the two-week follow-up."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from bookings.models import Appointment
from bookings.services import patient_contact_update
from medspa.context_processors import clinic_location_set
from medspa.http import client_ip

from ..forms import ConsentForm, ContactForm, FollowUpForm, GoalsForm, HistoryForm
from ..models import MedicalHistory
from ..screening import CALL_YOU, NOT_NOW, WE_REVIEW, Severity
from ..services import (
    consent_current,
    consent_sign,
    consent_text_for,
    draft_for,
    draft_save,
    follow_up_submit,
    history_previous,
    history_submit,
)
from ..tokens import ManageLinkExpired, ManageLinkInvalid, appointment_for_follow_up, appointment_from_token

STEPS = ("contact", "history", "goals", "consent")
TITLES = {"contact": "Your details", "history": "Medical history", "goals": "Your goals", "consent": "Consent"}


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
    clinic_location_set(request, appointment.location)  # the pages give its location's phone
    return appointment


def _submitted(appointment: Appointment) -> MedicalHistory | None:
    return MedicalHistory.objects.filter(appointment=appointment).order_by("-version").first()


def start(request: HttpRequest, token: str) -> HttpResponse:
    appointment = _appointment(request, token)
    if isinstance(appointment, HttpResponse):
        return appointment
    if _submitted(appointment):
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
    if _submitted(appointment):
        return redirect("intake:done", token=token)
    draft = draft_for(appointment)
    patient = appointment.patient
    index = STEPS.index(step)
    posted = request.method == "POST"
    data = request.POST if posted else None
    context = {
        "appointment": appointment,
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
        form = ContactForm(data, initial={"email": saved.get("email", patient.email),
                                          "phone": saved.get("phone", patient.phone)})  # fmt: skip
        if posted and form.is_valid():
            return advance({"contact": form.cleaned_data})
    elif step == "history":
        previous = history_previous(patient, now=timezone.now())
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
        missing = [s for s in STEPS[:-1] if s not in draft.steps_done]
        if missing:
            return redirect("intake:step", token=token, step=missing[0])
        text = consent_text_for(appointment.service)
        signed = consent_current(patient, text) if text else None
        form = ConsentForm(data, full_name=patient.full_name)
        context |= {"text": text, "signed": signed}
        if posted and (signed or text is None or form.is_valid()):
            if text and not signed:
                consent_sign(
                    appointment=appointment, text=text, typed_name=form.cleaned_data["typed_name"],
                    signature_png=form.cleaned_data["signature"], ip_address=client_ip(request),
                    user_agent=request.META.get("HTTP_USER_AGENT", ""), now=timezone.now(),
                )  # fmt: skip
            contact = draft.answers.get("contact", {})
            if contact:
                patient_contact_update(patient=patient, email=contact["email"], phone=contact["phone"])
            history_submit(
                appointment=appointment,
                answers=draft.answers.get("history", {}),
                goals=draft.answers.get("goals", {}),
                unchanged=bool(draft.answers.get("unchanged")),
                now=timezone.now(),
            )
            return redirect("intake:done", token=token)
    context["form"] = form
    return render(request, f"intake/step_{step}.html", context, status=400 if posted and form.errors else 200)


def done(request: HttpRequest, token: str) -> HttpResponse:
    appointment = _appointment(request, token)
    if isinstance(appointment, HttpResponse):
        return appointment
    history = _submitted(appointment)
    if history is None:
        return redirect("intake:start", token=token)
    severities = {hit.severity for hit in history.hits.all()}
    if Severity.ABSOLUTE in severities:
        outcome = CALL_YOU
    elif Severity.DEFER in severities:
        outcome = NOT_NOW
    else:
        outcome = WE_REVIEW if severities else ""
    blocked = bool(severities & {Severity.ABSOLUTE, Severity.DEFER})
    return render(request, "intake/done.html", {"appointment": appointment, "outcome": outcome, "blocked": blocked})


def follow_up(request: HttpRequest, token: str) -> HttpResponse:
    appointment = _appointment(request, token, follow_up=True)
    if isinstance(appointment, HttpResponse):
        return appointment
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        answers = {**form.cleaned_data}
        submitted = follow_up_submit(appointment=appointment, answers=answers, now=timezone.now())
        template = "intake/follow_up_urgent.html" if submitted.urgent else "intake/follow_up_thanks.html"
        return render(request, template, {"appointment": appointment})
    return render(request, "intake/follow_up.html", {"appointment": appointment, "form": form},
                  status=400 if form.errors else 200)  # fmt: skip
