"""The day grid, a provider's week and the printable day sheet."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from medspa.staff import parse_date, staff_required

from ..access import own_provider
from ..models import Provider
from ..schedules import day_grid, day_sheet, provider_colours, provider_week, week_grid
from ..selectors import locations_active


@staff_required
def day(request: HttpRequest) -> HttpResponse:
    locations = locations_active()
    if not locations:
        return render(request, "bookings/staff/empty.html")
    location = next((loc for loc in locations if loc.slug == request.GET.get("location")), locations[0])
    now = timezone.now()
    today = now.astimezone(location.zone).date()
    the_day = parse_date(request.GET.get("date"), today)
    own = own_provider(request)
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
    own = own_provider(request)
    providers = list(Provider.objects.filter(is_active=True).select_related("user"))
    if own is not None:
        providers = [own]
    if not providers:
        return render(request, "bookings/staff/empty.html")
    chosen = request.GET.get("provider")
    provider = next((p for p in providers if str(p.pk) == chosen), providers[0])
    now = timezone.now()
    hours = provider_week(provider)
    home = hours[0].location.zone if hours else ZoneInfo(settings.CLINIC_TIME_ZONE)
    the_day = parse_date(request.GET.get("date"), now.astimezone(home).date())
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


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@staff_required
def sheet(request: HttpRequest) -> HttpResponse:
    """A printable day sheet for one provider."""
    own = own_provider(request)
    provider = own or get_object_or_404(Provider.objects.select_related("user"), pk=_int(request.GET.get("provider")))
    hours = provider_week(provider)
    home = hours[0].location.zone if hours else ZoneInfo(settings.CLINIC_TIME_ZONE)
    the_day = parse_date(request.GET.get("date"), timezone.now().astimezone(home).date())
    # The day is in the wall-clock time of where the provider works that day.
    zone = next((block.location.zone for block in hours if block.weekday == the_day.weekday()), home)
    appointments = day_sheet(provider=provider, day=the_day, zone=zone)
    return render(
        request, "bookings/staff/sheet.html", {"provider": provider, "day": the_day, "appointments": appointments}
    )


@staff_required
def schedule_css(request: HttpRequest) -> HttpResponse:
    """Each provider's colour as a class for the time grid (no style attributes under the CSP)."""
    rules = "".join(f".accent-{pk}{{--accent:{color}}}\n" for pk, color in provider_colours())
    return HttpResponse(rules, content_type="text/css; charset=utf-8")
