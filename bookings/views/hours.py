"""Provider hours and time off (managers)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from medspa.staff import errors_to_form, object_or_404, require, staff_required

from ..forms import (
    HoursFormSet,
    TimeOffForm,
)
from ..models import Appointment, Location, Provider
from ..schedules import provider_home_location, provider_week
from ..services import (
    AppointmentsOrphaned,
    BookingInvalid,
    HoursRow,
    time_off_add,
    time_off_remove,
    working_hours_replace,
)

# The value of the "Save anyway" / "Add anyway" buttons: go ahead although booked appointments
# would fall outside the provider's time (they are listed, to move or cancel afterwards).
KEEP = "keep"


@staff_required
def providers(request: HttpRequest) -> HttpResponse:
    require(request, "bookings.change_workinghours")
    return render(
        request,
        "bookings/staff/providers.html",
        {"providers": Provider.objects.filter(is_active=True).select_related("user")},
    )


@staff_required
def provider_hours(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "bookings.change_workinghours")
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
                    provider=provider, rows=rows, now=now, keep_orphans=request.POST["save-hours"] == KEEP
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
    time_off_form = TimeOffForm(
        request.POST if "add-time-off" in request.POST else None,
        prefix="away",
        initial={"location": provider_home_location(provider)},  # entered in the zone they work in
    )
    if request.method == "POST" and "add-time-off" in request.POST and time_off_form.is_valid():
        data = time_off_form.cleaned_data
        try:
            _, inside = time_off_add(
                provider=provider,
                start=data["start"],
                end=data["end"],
                reason=data["reason"],
                now=now,
                keep_orphans=request.POST["add-time-off"] == KEEP,
            )
        except AppointmentsOrphaned as exc:
            orphans = exc.appointments
            messages.warning(request, exc.detail)
        except BookingInvalid as exc:
            errors_to_form(time_off_form, exc.errors)
        else:
            note = f" {len(inside)} appointment(s) fall inside it: move or cancel them." if inside else ""
            messages.success(request, f"Time off added.{note}")
            return redirect("bookings:staff-provider-hours", pk=provider.pk)
    if request.method == "POST" and "remove-time-off" in request.POST:
        time_off_remove(time_off=object_or_404(provider.time_off.all(), request.POST["remove-time-off"]))
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
            "home": provider_home_location(provider),  # time off is shown in that zone
            "orphans": orphans,
            "resubmit": "save-hours" if "save-hours" in request.POST else "add-time-off",
            "locations": Location.objects.filter(is_active=True),
        },
    )
