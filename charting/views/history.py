"""The patient's chart history (a timeline of visits, the last two assessments compared) and its print copy.

Injectors and managers only; every showing is written to the access log.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from bookings.models import Patient
from intake.services import access_log_record
from medspa.staff import require, staff_required

from ..selectors import patient_history

VIEW = "charting.view_treatmentrecord"


def _history(request: HttpRequest, pk: int, *, template: str, what: str) -> HttpResponse:
    require(request, VIEW)
    patient = get_object_or_404(Patient, pk=pk)
    history = patient_history(patient)
    access_log_record(request=request, patient=patient, what=what, object_id=patient.pk)
    return render(request, template, {"patient": patient, "history": history, "printed_at": timezone.now()})


@never_cache
@staff_required
def history(request: HttpRequest, pk: int) -> HttpResponse:
    return _history(request, pk, template="charting/history.html", what="chart history")


@never_cache
@staff_required
def history_print(request: HttpRequest, pk: int) -> HttpResponse:
    return _history(request, pk, template="charting/history_print.html", what="chart history (print)")
