"""One appointment: its page, the visit's actions, cancel, move; and phone bookings."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from medspa.staff import back, errors_to_form, parse_date, parse_id, require, staff_required
from treatments.models import Service, ServiceKind

from ..access import CAN_ACT, day_url, require_action, staff_appointment, visit_actions
from ..forms import (
    ANYONE,
    CancelForm,
    DeskBookingForm,
    MoveForm,
    NewPatientForm,
)
from ..models import Appointment, AppointmentStatus, Patient, Provider, Source
from ..schedules import patients_search
from ..selectors import locations_active, review_service, slots_available
from ..services import (
    BookingError,
    BookingInvalid,
    PatientDetails,
    SlotUnavailable,
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_check_in_undo,
    appointment_complete,
    appointment_confirm,
    appointment_no_show,
    appointment_no_show_undo,
    appointment_reschedule,
)


def _detail(request: HttpRequest, appointment: Appointment, *, cancel_form=None, status: int = 200) -> HttpResponse:
    actions = visit_actions(request, appointment)
    now = timezone.now()
    review = None
    if (
        "book-review" in actions
        and appointment.status == AppointmentStatus.COMPLETED
        and appointment.service.kind == ServiceKind.TREATMENT
    ):
        review = review_service()
    return render(
        request,
        "bookings/staff/appointment.html",
        {
            "appointment": appointment,
            "events": appointment.events.select_related("actor"),
            "cancel_form": cancel_form or CancelForm(),
            "actions": actions,
            "day_url": day_url(appointment),
            "started": now >= appointment.start,
            # Check-in is offered on the appointment's own date, in its location's zone.
            "on_the_day": now.astimezone(appointment.location.zone).date() == appointment.local_start.date(),
            "review_service": review,
        },
        status=status,
    )


@staff_required
def appointment_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _detail(request, staff_appointment(reference))


ACTIONS = {
    "confirm": (appointment_confirm, "Confirmed."),
    "check-in": (appointment_check_in, "Checked in."),
    "undo-check-in": (appointment_check_in_undo, "Check-in undone."),
    "complete": (appointment_complete, "Completed."),
    "no-show": (appointment_no_show, "Marked as a no-show."),
    "undo-no-show": (appointment_no_show_undo, "No-show undone."),
}


@require_POST
@staff_required
def appointment_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    appointment = staff_appointment(reference)
    if action not in ACTIONS:
        raise PermissionDenied
    require_action(request, appointment, action)
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
    appointment = staff_appointment(reference)
    require_action(request, appointment, "cancel")
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _detail(request, appointment, cancel_form=form, status=400)
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
    appointment = staff_appointment(reference)
    require_action(request, appointment, "move")
    data = request.POST if request.method == "POST" else request.GET
    form = MoveForm(data or None, appointment=appointment, initial={"date": appointment.local_start.date()})
    slots: list = []
    chosen_start = None
    if form.is_bound and form.is_valid():
        choice = form.cleaned_data["provider"]
        anyone = choice == ANYONE
        provider = None if anyone else (choice or appointment.provider)
        where = {
            "date": form.cleaned_data["date"],
            "provider": provider,
            "location": appointment.location if anyone else None,
        }
        slots = _slots_for(where, service=appointment.service, ignore=appointment.pk)
        start = chosen_start = form.cleaned_data.get("start")
        if request.method == "POST" and start:
            try:
                appointment_reschedule(
                    appointment=appointment,
                    start=start,
                    now=timezone.now(),
                    by_patient=False,
                    provider=provider,
                    anyone=anyone,
                    min_notice=timedelta(0),
                    actor=request.user,
                )
            except SlotUnavailable:
                messages.error(request, "That time was just taken. Here are the times still free.")
                slots = _slots_for(where, service=appointment.service, ignore=appointment.pk)
                chosen_start = None
            except BookingInvalid as exc:
                errors_to_form(form, exc.errors)
                chosen_start = None
            except BookingError as exc:
                messages.error(request, exc.detail)
            else:
                appointment.refresh_from_db()
                when = f"{appointment.local_start:%a %b %-d, %-I:%M %p %Z}"
                who = appointment.provider.name
                messages.success(request, f"Moved {appointment.patient.full_name} to {when} with {who}.")
                return redirect(day_url(appointment))
    return render(
        request,
        "bookings/staff/move.html",
        {"appointment": appointment, "form": form, "slots": slots, "chosen_start": chosen_start},
    )


# Phone bookings


REVIEW_AFTER = timedelta(days=14)


def _review_origin(request: HttpRequest, data) -> Appointment | None:
    """The completed visit a two-week review is being booked after (`review_of`), if any.

    Front desk may book it like any booking; an injector may book it only after their own visit.
    """
    reference = data.get("review_of")
    if not reference:
        return None
    appointment = staff_appointment(reference)
    require_action(request, appointment, "book-review")
    if appointment.status != AppointmentStatus.COMPLETED:
        raise PermissionDenied
    return appointment


def _review_defaults(appointment: Appointment, service) -> dict:
    """The review: same patient, provider and location, two weeks after the visit."""
    return {
        "service": str(service.pk),
        "location": str(appointment.location_id),
        "provider": str(appointment.provider_id),
        "date": (appointment.local_start.date() + REVIEW_AFTER).isoformat(),
        "patient": str(appointment.patient_id),
        "review_of": appointment.reference,
    }


@staff_required
def book(request: HttpRequest) -> HttpResponse:
    """Book by phone: choose service, where, who and day; pick a free time; find or add the patient.

    With `review_of`, the two-week review after that visit, preselected; an injector (who may
    not book otherwise) books only that: the review service, with themselves, for that patient.
    """
    data = request.POST if request.method == "POST" else request.GET
    review_of = _review_origin(request, data)
    desk = request.user.has_perm(CAN_ACT)
    if review_of is None:
        require(request, CAN_ACT)
    review = review_service() if review_of is not None else None
    if review_of is not None and review is None:
        raise Http404("The catalog has no review service.")
    if review_of is not None and not data.get("service"):
        data = _review_defaults(review_of, review)
    locations = locations_active()
    initial = {
        "date": parse_date(data.get("date"), timezone.localdate()),
        "location": next((loc for loc in locations if str(loc.pk) == data.get("location")), None)
        or (locations[0] if locations else None),
        "provider": data.get("provider") or None,
    }
    form = DeskBookingForm(data if data.get("service") else None, initial=initial)
    if review_of is not None and not desk:
        form.fields["service"].queryset = Service.objects.filter(pk=review.pk)
        provider_field = form.fields["provider"]
        provider_field.queryset = Provider.objects.filter(pk=review_of.provider_id).select_related("user")
        provider_field.required, provider_field.empty_label = True, None
    query = data.get("q", "")
    found = patients_search(query) if query else []
    chosen_patient = None
    if review_of is not None and not desk:
        chosen_patient = review_of.patient
    elif (patient_id := parse_id(data.get("patient"))) is not None:
        chosen_patient = Patient.objects.filter(pk=patient_id).first()
    new_patient = NewPatientForm(request.POST if request.method == "POST" and not chosen_patient else None,
                                 prefix="new")  # fmt: skip
    slots: list = []
    chosen_start = None
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
        # The time picked stays picked when the page comes back with an error to fix.
        chosen_start = form.cleaned_data.get("start")
    return render(
        request,
        "bookings/staff/book.html",
        {
            "form": form,
            "ready": ready,
            "slots": slots,
            "chosen_start": chosen_start,
            "query": query,
            "found": found,
            "chosen_patient": chosen_patient,
            "patient_fixed": review_of is not None and not desk,
            "review_of": review_of,
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
        errors_to_form(form, exc.errors)
    except BookingError as exc:
        messages.error(request, exc.detail)
    return None
