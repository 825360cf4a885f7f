"""The Manager's audit pages: the change history and the access log, a patient's complete record
(the right of access) and erasure. Every response holds health data: none is cached."""

import json

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from bookings.models import Patient
from medspa.exports import csv_response
from medspa.staff import require, staff_required

from .forms import EraseForm, TrailFilterForm
from .records import patient_record, readable
from .selectors import Change, access_entries, change_history
from .services import ErasureRefused, erasure_blockers, patient_erase, patient_record_read

VIEW_TRAIL = "audit.view_audit_trail"
EXPORT_RECORD = "audit.export_patient_record"
ERASE = "audit.erase_patient"
PAGE_ROWS = 200


def _filters(request: HttpRequest) -> TrailFilterForm:
    return TrailFilterForm(request.GET or None)


def _log_clinical_reads(request: HttpRequest, changes: list[Change]) -> None:
    """A hold's reason or a decision's note shown in the history is a read of health data."""
    patients = {c.patient_id for c in changes if c.clinical and c.patient_id}
    for patient in Patient.objects.filter(pk__in=patients):
        patient_record_read(request=request, patient=patient, what="change history")


@never_cache
@staff_required
def trail(request: HttpRequest) -> HttpResponse:
    require(request, VIEW_TRAIL)
    form = _filters(request)
    changes, reads, status = [], [], 200
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        criteria = form.cleaned_data if form.is_bound else {}
        changes = change_history(**criteria, limit=PAGE_ROWS)
        reads = list(access_entries(**criteria)[:PAGE_ROWS])
        _log_clinical_reads(request, changes)
    query = request.GET.urlencode()
    return render(
        request,
        "audit/trail.html",
        {
            "form": form,
            "changes": changes,
            "reads": reads,
            "query": query,
            "page_rows": PAGE_ROWS,
            "zone": settings.TIME_ZONE,
        },
        status=status,
    )


def _criteria_or_400(request: HttpRequest) -> dict | HttpResponse:
    form = _filters(request)
    if form.is_bound and not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
    return form.cleaned_data if form.is_bound else {}


@never_cache
@staff_required
def changes_csv(request: HttpRequest) -> HttpResponse:
    require(request, VIEW_TRAIL)
    criteria = _criteria_or_400(request)
    if isinstance(criteria, HttpResponse):
        return criteria
    changes = change_history(**criteria, limit=100_000)
    _log_clinical_reads(request, changes)
    rows = (
        [c.at.isoformat(), c.user, c.record, c.object_id, c.patient_id or "", c.action, name, before, after, c.reason]
        for c in changes
        for name, before, after in (c.fields or [("", "", "")])
    )
    header = ["at (UTC)", "staff", "record", "record id", "patient id", "action", "field", "before", "after", "reason"]
    return csv_response("change-history.csv", header, rows)


@never_cache
@staff_required
def reads_csv(request: HttpRequest) -> HttpResponse:
    require(request, VIEW_TRAIL)
    criteria = _criteria_or_400(request)
    if isinstance(criteria, HttpResponse):
        return criteria
    rows = (
        [e.at.isoformat(), e.actor.get_username(), e.patient_id, e.patient.full_name, e.what, e.object_id,
         e.ip_address or "", e.path]
        for e in access_entries(**criteria).iterator()
    )  # fmt: skip
    header = ["at (UTC)", "staff", "patient id", "patient", "what", "record", "ip", "path"]
    return csv_response("access-log.csv", header, rows)


@never_cache
@staff_required
def patient_record_page(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, EXPORT_RECORD)
    patient = get_object_or_404(Patient, pk=pk)
    patient_record_read(request=request, patient=patient, what="complete record")
    return render(
        request,
        "audit/patient_record.html",
        {"patient": patient, "record": patient_record(patient=patient, when=readable),
         "generated": readable(timezone.now(), timezone.get_default_timezone())},
    )  # fmt: skip


@never_cache
@staff_required
def patient_record_json(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, EXPORT_RECORD)
    patient = get_object_or_404(Patient, pk=pk)
    patient_record_read(request=request, patient=patient, what="complete record export")
    record = {"exported_at": timezone.now().isoformat(), **patient_record(patient=patient)}
    response = HttpResponse(json.dumps(record, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="patient-{patient.pk}-record.json"'
    return response


@never_cache
@staff_required
def patient_erase_view(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, ERASE)
    patient = get_object_or_404(Patient, pk=pk)
    form = EraseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                patient_erase(patient=patient, actor=request.user, now=timezone.now())
            except ErasureRefused as exc:
                form.add_error(None, exc.reasons)
                status = 409
            else:
                messages.success(request, f"Patient {patient.pk}'s personal data was erased.")
                return redirect("audit:patient-record", pk=patient.pk)
        else:
            status = 400
    return render(
        request,
        "audit/patient_erase.html",
        {"patient": patient, "form": form, "blockers": erasure_blockers(patient=patient)},
        status=status,
    )
