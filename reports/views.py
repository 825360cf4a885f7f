"""The Manager's reports page and its CSV export: the same form, the same numbers."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from medspa.exports import csv_response
from medspa.staff import require, staff_required

from .export import HEADER, report_rows
from .figures import charts
from .forms import ReportFilterForm
from .selectors import Report, report_build

VIEW_REPORTS = "reports.view_reports"


def _report(request: HttpRequest) -> tuple[ReportFilterForm, Report | None]:
    today = timezone.localdate()  # the clinic's zone (settings.TIME_ZONE)
    form = ReportFilterForm(request.GET or None, today=today)
    if form.is_bound and not form.is_valid():
        return form, None
    if form.is_bound:
        data = form.cleaned_data
        first, last, location, provider = data["since"], data["until"], data["location"], data["provider"]
    else:
        (first, last), location, provider = ReportFilterForm.default_period(today), None, None
        form = ReportFilterForm(initial={"since": first, "until": last}, today=today)
    return form, report_build(first=first, last=last, location=location, provider=provider, now=timezone.now())


@never_cache
@staff_required
def reports_page(request: HttpRequest) -> HttpResponse:
    require(request, VIEW_REPORTS)
    form, report = _report(request)
    context = {"form": form, "report": report, "query": request.GET.urlencode(), "zone": settings.TIME_ZONE}
    if report is not None:
        drawn = charts(report)
        context |= {
            "charts": drawn,
            "totals": report.totals,
            "units": list(zip(report.units, drawn["units"], strict=True)),
        }
    return render(request, "reports/reports.html", context, status=200 if report is not None else 400)


@never_cache
@staff_required
def reports_csv(request: HttpRequest) -> HttpResponse:
    require(request, VIEW_REPORTS)
    form, report = _report(request)
    if report is None:
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
    period = report.period
    return csv_response(f"reports-{period.first:%Y-%m-%d}-to-{period.last:%Y-%m-%d}.csv", HEADER, report_rows(report))
