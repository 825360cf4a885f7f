"""The front desk's screens: the day, a provider's week, phone bookings, the visit, patients,
provider hours and the waitlist. Each action calls one service and says what happened."""

from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ..forms import (
    CancelForm,
    DeskBookingForm,
    HoursFormSet,
    MoveForm,
    NewPatientForm,
    PatientContactForm,
    TimeOffForm,
    WaitlistForm,
)
from ..models import Appointment, Location, Patient, Provider, Source, TimeOff, WaitlistEntry
from ..schedules import day_grid, day_sheet, patient_record, patients_search, provider_week, waitlist_open, week_grid
from ..selectors import locations_active, slots_available
from ..services import (
    AppointmentsOrphaned,
    BookingError,
    BookingInvalid,
    HoursRow,
    PatientDetails,
    SlotUnavailable,
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_complete,
    appointment_confirm,
    appointment_no_show,
    appointment_reschedule,
    time_off_add,
    time_off_remove,
    waitlist_add,
    waitlist_remove,
    working_hours_replace,
)

CAN_ACT = "bookings.change_appointment"


def staff_required(view: Callable) -> Callable:
    """Signed-in staff only; anyone else signed in gets 403."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _own_provider(request: HttpRequest) -> Provider | None:
    """An injector without front-desk rights sees only their own schedule."""
    if request.user.has_perm(CAN_ACT):
        return None
    provider = Provider.objects.filter(user=request.user).first()
    if provider is None:
        raise PermissionDenied
    return provider


def _date(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect(fallback)


def _day_url(appointment: Appointment) -> str:
    return f"{reverse('bookings:staff-day')}?location={appointment.location.slug}&date={appointment.local_start.date()}"


# The day and the week


@staff_required
def day(request: HttpRequest) -> HttpResponse:
    locations = locations_active()
    if not locations:
        return render(request, "bookings/staff/empty.html")
    location = next((loc for loc in locations if loc.slug == request.GET.get("location")), locations[0])
    now = timezone.now()
    today = now.astimezone(location.zone).date()
    the_day = _date(request.GET.get("date"), today)
    own = _own_provider(request)
    show_cancelled = request.GET.get("cancelled") == "1"
    grid = day_grid(
        location=location,
        day=the_day,
        now=now,
        provider_ids=None if own is None else [own.pk],
        show_cancelled=show_cancelled,
    )
    context = {
        "grid": grid,
        "locations": locations,
        "location": location,
        "day": the_day,
        "today": today,
        "previous": the_day - timedelta(days=1),
        "next": the_day + timedelta(days=1),
        "show_cancelled": show_cancelled,
        "can_act": own is None,
    }
    template = "bookings/staff/_day_grid.html" if request.GET.get("partial") == "1" else "bookings/staff/day.html"
    return render(request, template, context)


@staff_required
def week(request: HttpRequest) -> HttpResponse:
    own = _own_provider(request)
    providers = list(Provider.objects.filter(is_active=True).select_related("user"))
    if own is not None:
        providers = [own]
    if not providers:
        return render(request, "bookings/staff/empty.html")
    chosen = request.GET.get("provider")
    provider = next((p for p in providers if str(p.pk) == chosen), providers[0])
    now = timezone.now()
    the_day = _date(request.GET.get("date"), timezone.localdate())
    monday = the_day - timedelta(days=the_day.weekday())
    grid = week_grid(provider=provider, monday=monday, now=now)
    return render(
        request,
        "bookings/staff/week.html",
        {
            "grid": grid,
            "providers": providers,
            "provider": provider,
            "monday": monday,
            "previous": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
            "can_act": own is None,
        },
    )


@staff_required
def sheet(request: HttpRequest) -> HttpResponse:
    """A printable day sheet for one provider."""
    own = _own_provider(request)
    provider = own or get_object_or_404(Provider.objects.select_related("user"), pk=request.GET.get("provider"))
    location = next(iter(locations_active()), None)
    zone = location.zone if location else timezone.get_current_timezone()
    if provider.working_hours.exists():
        zone = provider.working_hours.select_related("location").first().location.zone
    the_day = _date(request.GET.get("date"), timezone.now().astimezone(zone).date())
    appointments = day_sheet(provider=provider, day=the_day, zone=zone)
    return render(
        request, "bookings/staff/sheet.html", {"provider": provider, "day": the_day, "appointments": appointments}
    )


# One appointment


def _appointment(reference: str) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related("patient", "service", "provider__user", "location"), reference=reference
    )


@staff_required
def appointment_detail(request: HttpRequest, reference: str) -> HttpResponse:
    appointment = _appointment(reference)
    own = _own_provider(request)
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
            "day_url": _day_url(appointment),
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
    _require(request, CAN_ACT)
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
    return _back(request, _day_url(appointment))


@require_POST
@staff_required
def appointment_cancel_view(request: HttpRequest, reference: str) -> HttpResponse:
    _require(request, CAN_ACT)
    appointment = _appointment(reference)
    form = CancelForm(request.POST)
    if not form.is_valid():
        events = appointment.events.select_related("actor")
        return render(
            request,
            "bookings/staff/appointment.html",
            {"appointment": appointment, "events": events, "cancel_form": form, "can_act": True,
             "day_url": _day_url(appointment), "started": timezone.now() >= appointment.start},
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
    return redirect(_day_url(appointment))


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
    _require(request, CAN_ACT)
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
                messages.success(
                    request, f"Moved {appointment.patient.full_name} to {appointment.local_start:%a %b %-d, %-I:%M %p}."
                )
                return redirect(_day_url(appointment))
    return render(request, "bookings/staff/move.html", {"appointment": appointment, "form": form, "slots": slots})


# Phone bookings


@staff_required
def book(request: HttpRequest) -> HttpResponse:
    """Book by phone: choose service, where, who and day; pick a free time; find or add the patient."""
    _require(request, CAN_ACT)
    data = request.POST if request.method == "POST" else request.GET
    locations = locations_active()
    initial = {
        "date": _date(data.get("date"), timezone.localdate()),
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
                        f"{result.local_start:%a %b %-d, %-I:%M %p}.",
                    )
                    return redirect(_day_url(result))
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


# Patients


@staff_required
def patients(request: HttpRequest) -> HttpResponse:
    _require(request, "bookings.view_patient")
    query = request.GET.get("q", "")
    return render(request, "bookings/staff/patients.html", {"query": query, "found": patients_search(query)})


@staff_required
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Contact details, consent and attendance; never medical answers or charts."""
    _require(request, "bookings.view_patient")
    patient = get_object_or_404(Patient, pk=pk)
    form = PatientContactForm(request.POST or None, instance=patient)
    if request.method == "POST":
        _require(request, "bookings.change_patient")
        if form.is_valid():
            form.save()
            messages.success(request, "Contact details saved.")
            return redirect("bookings:staff-patient", pk=patient.pk)
    return render(
        request,
        "bookings/staff/patient.html",
        {"patient": patient, "form": form, "record": patient_record(patient=patient, now=timezone.now())},
    )


# Provider hours (Manager)


@staff_required
def providers(request: HttpRequest) -> HttpResponse:
    _require(request, "bookings.change_workinghours")
    return render(
        request,
        "bookings/staff/providers.html",
        {"providers": Provider.objects.filter(is_active=True).select_related("user")},
    )


@staff_required
def provider_hours(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "bookings.change_workinghours")
    provider = get_object_or_404(Provider.objects.select_related("user"), pk=pk)
    now = timezone.now()
    orphans: list[Appointment] = []
    if request.method == "POST" and "save-hours" in request.POST:
        formset = HoursFormSet(request.POST, prefix="hours")
        if formset.is_valid():
            rows = [
                HoursRow(f.cleaned_data["weekday"], f.cleaned_data["location"], f.cleaned_data["start"],
                         f.cleaned_data["end"])
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]  # fmt: skip
            try:
                kept = working_hours_replace(
                    provider=provider, rows=rows, now=now, keep_orphans=request.POST.get("keep") == "1"
                )
            except AppointmentsOrphaned as exc:
                orphans = exc.appointments
                messages.warning(request, exc.detail)
            except BookingInvalid as exc:
                live = [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
                for key, errors in exc.errors.items():
                    live[int(key.removeprefix("row-"))].add_error(None, errors)
            else:
                note = f" {len(kept)} appointment(s) are now outside them: move or cancel them." if kept else ""
                messages.success(request, f"Hours saved for {provider.name}.{note}")
                return redirect("bookings:staff-provider-hours", pk=provider.pk)
    else:
        formset = HoursFormSet(
            prefix="hours",
            initial=[
                {"weekday": b.weekday, "location": b.location, "start": b.start, "end": b.end}
                for b in provider_week(provider)
            ],
        )
    time_off_form = TimeOffForm(request.POST if "add-time-off" in request.POST else None, prefix="away")
    if request.method == "POST" and "add-time-off" in request.POST and time_off_form.is_valid():
        data = time_off_form.cleaned_data
        try:
            _, inside = time_off_add(
                provider=provider,
                start=data["start"],
                end=data["end"],
                reason=data["reason"],
                now=now,
                keep_orphans=request.POST.get("keep") == "1",
            )
        except AppointmentsOrphaned as exc:
            orphans = exc.appointments
            messages.warning(request, exc.detail)
        except BookingInvalid as exc:
            for field, errors in exc.errors.items():
                time_off_form.add_error(field if field in time_off_form.fields else None, errors)
        else:
            note = f" {len(inside)} appointment(s) fall inside it: move or cancel them." if inside else ""
            messages.success(request, f"Time off added.{note}")
            return redirect("bookings:staff-provider-hours", pk=provider.pk)
    if request.method == "POST" and "remove-time-off" in request.POST:
        time_off_remove(time_off=get_object_or_404(TimeOff, pk=request.POST["remove-time-off"], provider=provider))
        messages.success(request, "Time off removed.")
        return redirect("bookings:staff-provider-hours", pk=provider.pk)
    away = provider.time_off.filter(end__gte=now).order_by("start")
    return render(
        request,
        "bookings/staff/provider_hours.html",
        {
            "provider": provider,
            "formset": formset,
            "time_off_form": time_off_form,
            "away": away,
            "orphans": orphans,
            "resubmit": "save-hours" if "save-hours" in request.POST else "add-time-off",
            "locations": Location.objects.filter(is_active=True),
        },
    )


# The waitlist


@staff_required
def waitlist(request: HttpRequest) -> HttpResponse:
    _require(request, "bookings.view_appointment")
    if request.method == "POST":
        _require(request, CAN_ACT)
        entry = get_object_or_404(WaitlistEntry, pk=request.POST.get("remove"))
        waitlist_remove(entry=entry)
        messages.success(request, f"Removed {entry.patient.full_name} from the waitlist.")
        return redirect("bookings:staff-waitlist")
    return render(request, "bookings/staff/waitlist.html", {"entries": waitlist_open()})


@staff_required
def waitlist_add_view(request: HttpRequest, patient_pk: int) -> HttpResponse:
    _require(request, CAN_ACT)
    patient = get_object_or_404(Patient, pk=patient_pk)
    today = timezone.localdate()
    form = WaitlistForm(request.POST or None, initial={"earliest": today, "latest": today + timedelta(days=14)})
    if request.method == "POST" and form.is_valid():
        try:
            waitlist_add(patient=patient, source=Source.DESK, today=today, actor=request.user, **form.cleaned_data)
        except BookingInvalid as exc:
            for field, errors in exc.errors.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"{patient.full_name} is on the waitlist.")
            return redirect("bookings:staff-waitlist")
    return render(request, "bookings/staff/waitlist_add.html", {"patient": patient, "form": form})
