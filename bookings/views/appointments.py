"""One appointment: its page, the visit's actions, cancel, move; and phone bookings."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..forms import (
    CancelForm,
    DeskBookingForm,
    MoveForm,
    NewPatientForm,
)
from ..models import Appointment, Patient, Source
from ..schedules import patients_search
from ..selectors import locations_active, slots_available
from ..services import (
    BookingError,
    BookingInvalid,
    PatientDetails,
    SlotUnavailable,
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_complete,
    appointment_confirm,
    appointment_no_show,
    appointment_reschedule,
)
from .access import CAN_ACT, back, day_url, own_provider, parse_date, require, staff_required


def _appointment(reference: str) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related("patient", "service", "provider__user", "location"), reference=reference
    )


@staff_required
def appointment_detail(request: HttpRequest, reference: str) -> HttpResponse:
    appointment = _appointment(reference)
    own = own_provider(request)
    if own is not None and appointment.provider_id != own.pk:
        raise PermissionDenied
    events = appointment.events.select_related("actor")
    return render(
        request,
        "bookings/staff/appointment.html",
        {
            "appointment": appointment,
            "events": events,
            "cancel_form": CancelForm(),
            "can_act": own is None,
            "day_url": day_url(appointment),
            "started": timezone.now() >= appointment.start,
        },
    )


ACTIONS = {
    "confirm": (appointment_confirm, "Confirmed."),
    "check-in": (appointment_check_in, "Checked in."),
    "complete": (appointment_complete, "Completed."),
    "no-show": (appointment_no_show, "Marked as a no-show."),
}


@require_POST
@staff_required
def appointment_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    require(request, CAN_ACT)
    appointment = _appointment(reference)
    if action not in ACTIONS:
        raise PermissionDenied
    service, done = ACTIONS[action]
    try:
        service(appointment=appointment, actor=request.user, now=timezone.now())
    except BookingError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, f"{appointment.patient.full_name}: {done}")
    return back(request, day_url(appointment))


@require_POST
@staff_required
def appointment_cancel_view(request: HttpRequest, reference: str) -> HttpResponse:
    require(request, CAN_ACT)
    appointment = _appointment(reference)
    form = CancelForm(request.POST)
    if not form.is_valid():
        events = appointment.events.select_related("actor")
        return render(
            request,
            "bookings/staff/appointment.html",
            {"appointment": appointment, "events": events, "cancel_form": form, "can_act": True,
             "day_url": day_url(appointment), "started": timezone.now() >= appointment.start},
            status=400,
        )  # fmt: skip
    try:
        appointment_cancel(
            appointment=appointment,
            now=timezone.now(),
            by_patient=False,
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
    except BookingError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, f"Cancelled {appointment.patient.full_name}'s {appointment.service.name}.")
    return redirect(day_url(appointment))


def _slots_for(form_data: dict, *, service, ignore: int | None = None) -> list:
    return slots_available(
        service=service,
        start_date=form_data["date"],
        days=1,
        now=timezone.now(),
        location=form_data.get("location"),
        provider=form_data.get("provider"),
        online=False,
        min_notice=timedelta(0),  # front desk may book at short notice, never onto busy time
        ignore_appointment_id=ignore,
    )


@staff_required
def appointment_move(request: HttpRequest, reference: str) -> HttpResponse:
    require(request, CAN_ACT)
    appointment = _appointment(reference)
    data = request.POST if request.method == "POST" else request.GET
    form = MoveForm(data or None, initial={"date": appointment.local_start.date()})
    slots: list = []
    if form.is_bound and form.is_valid():
        provider = form.cleaned_data.get("provider") or appointment.provider
        slots = _slots_for(
            {"date": form.cleaned_data["date"], "provider": provider, "location": None},
            service=appointment.service,
            ignore=appointment.pk,
        )
        start = form.cleaned_data.get("start")
        if request.method == "POST" and start:
            try:
                appointment_reschedule(
                    appointment=appointment,
                    start=start,
                    now=timezone.now(),
                    by_patient=False,
                    provider=provider,
                    min_notice=timedelta(0),
                    actor=request.user,
                )
            except SlotUnavailable:
                messages.error(request, "That time was just taken. Here are the times still free.")
                slots = _slots_for(
                    {"date": form.cleaned_data["date"], "provider": provider, "location": None},
                    service=appointment.service,
                    ignore=appointment.pk,
                )
            except BookingInvalid as exc:
                for field, errors in exc.errors.items():
                    form.add_error(field if field in form.fields else None, errors)
            except BookingError as exc:
                messages.error(request, exc.detail)
            else:
                appointment.refresh_from_db()
                when = f"{appointment.local_start:%a %b %-d, %-I:%M %p %Z}"
                messages.success(request, f"Moved {appointment.patient.full_name} to {when}.")
                return redirect(day_url(appointment))
    return render(request, "bookings/staff/move.html", {"appointment": appointment, "form": form, "slots": slots})


# Phone bookings


@staff_required
def book(request: HttpRequest) -> HttpResponse:
    """Book by phone: choose service, where, who and day; pick a free time; find or add the patient."""
    require(request, CAN_ACT)
    data = request.POST if request.method == "POST" else request.GET
    locations = locations_active()
    initial = {
        "date": parse_date(data.get("date"), timezone.localdate()),
        "location": next((loc for loc in locations if str(loc.pk) == data.get("location")), None)
        or (locations[0] if locations else None),
        "provider": data.get("provider") or None,
    }
    form = DeskBookingForm(data if data.get("service") else None, initial=initial)
    query = data.get("q", "")
    found = patients_search(query) if query else []
    chosen_patient = None
    if data.get("patient"):
        chosen_patient = Patient.objects.filter(pk=data.get("patient")).first()
    new_patient = NewPatientForm(request.POST if request.method == "POST" and not chosen_patient else None,
                                 prefix="new")  # fmt: skip
    slots: list = []
    ready = form.is_bound and form.is_valid()  # service, place and day chosen: show times and patient
    if ready:
        slots = _slots_for(form.cleaned_data, service=form.cleaned_data["service"])
        start = form.cleaned_data.get("start")
        if request.method == "POST":
            if not start:
                form.add_error(None, "Pick a time from the list.")
            elif chosen_patient is None and not new_patient.is_valid():
                pass  # the new-patient form shows its own errors
            else:
                result = _book_by_phone(request, form, start, chosen_patient, new_patient)
                if isinstance(result, Appointment):
                    messages.success(
                        request,
                        f"Booked {result.patient.full_name}: {result.service.name} with {result.provider.name}, "
                        f"{result.local_start:%a %b %-d, %-I:%M %p %Z}.",
                    )
                    return redirect(day_url(result))
                slots = _slots_for(form.cleaned_data, service=form.cleaned_data["service"])
    return render(
        request,
        "bookings/staff/book.html",
        {
            "form": form,
            "ready": ready,
            "slots": slots,
            "query": query,
            "found": found,
            "chosen_patient": chosen_patient,
            "new_patient": new_patient,
        },
    )


def _book_by_phone(request, form, start, patient, new_patient) -> Appointment | None:
    details = None
    if patient is None:
        data = new_patient.cleaned_data
        details = PatientDetails(data["first_name"], data["last_name"], data["email"], data["phone"],
                                 data["date_of_birth"])  # fmt: skip
    try:
        return appointment_book(
            service=form.cleaned_data["service"],
            start=start,
            now=timezone.now(),
            source=Source.DESK,
            patient=patient,
            details=details,
            provider=form.cleaned_data.get("provider"),
            location=form.cleaned_data.get("location"),
            areas=form.cleaned_data.get("areas") or (),
            booked_by=request.user,
            min_notice=timedelta(0),
        )
    except SlotUnavailable:
        messages.error(request, "That time was just taken by another booking. Here are the times still free.")
    except BookingInvalid as exc:
        for field, errors in exc.errors.items():
            form.add_error(field if field in form.fields else None, errors)
    except BookingError as exc:
        messages.error(request, exc.detail)
    return None
