"""Patients (contact and attendance, never medical answers) and the waitlist."""

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from medspa.staff import errors_to_form, object_or_404, require, staff_required

from ..access import CAN_ACT
from ..forms import (
    PatientContactForm,
    WaitlistForm,
)
from ..models import ContactProposal, Patient, ProposalStatus, Source, WaitlistEntry
from ..schedules import patient_record, patients_search, waitlist_open
from ..services import (
    BookingInvalid,
    contact_proposal_decide,
    patient_details_update,
    waitlist_add,
    waitlist_remove,
)


@staff_required
def patients(request: HttpRequest) -> HttpResponse:
    require(request, "bookings.view_patient")
    query = request.GET.get("q", "")
    return render(request, "bookings/staff/patients.html", {"query": query, "found": patients_search(query)})


@staff_required
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Contact details, consent and attendance; never medical answers or charts."""
    require(request, "bookings.view_patient")
    patient = get_object_or_404(Patient, pk=pk)
    form = PatientContactForm(request.POST or None, instance=patient)
    if request.method == "POST":
        require(request, "bookings.change_patient")
        if form.is_valid():
            patient_details_update(patient=patient, details=form.cleaned_data)
            messages.success(request, "Contact details saved.")
            return redirect("bookings:staff-patient", pk=patient.pk)
    proposals = [
        proposal
        for proposal in patient.contact_proposals.filter(status=ProposalStatus.PENDING).select_related("appointment")
        if proposal.changes()
    ]
    return render(
        request,
        "bookings/staff/patient.html",
        {
            "patient": patient,
            "form": form,
            "record": patient_record(patient=patient, now=timezone.now()),
            "proposals": proposals,
        },
    )


@require_POST
@staff_required
def contact_proposal_decide_view(request: HttpRequest, pk: int, proposal_pk: int) -> HttpResponse:
    """Details given through an unproven booking link: front desk calls the number on file, then decides."""
    require(request, "bookings.change_patient")
    proposal = get_object_or_404(ContactProposal, pk=proposal_pk, patient_id=pk)
    accept = request.POST.get("decision") == "accept"
    contact_proposal_decide(proposal=proposal, accept=accept, actor=request.user, now=timezone.now())
    messages.success(request, "Details updated." if accept else "Proposed details dismissed.")
    return redirect("bookings:staff-patient", pk=pk)


# The waitlist


@staff_required
def waitlist(request: HttpRequest) -> HttpResponse:
    require(request, "bookings.view_appointment")
    if request.method == "POST":
        require(request, CAN_ACT)
        entry = object_or_404(WaitlistEntry.objects.select_related("patient"), request.POST.get("remove"))
        waitlist_remove(entry=entry)
        messages.success(request, f"Removed {entry.patient.full_name} from the waitlist.")
        return redirect("bookings:staff-waitlist")
    return render(request, "bookings/staff/waitlist.html", {"entries": waitlist_open()})


@staff_required
def waitlist_add_view(request: HttpRequest, patient_pk: int) -> HttpResponse:
    require(request, CAN_ACT)
    patient = get_object_or_404(Patient, pk=patient_pk)
    today = timezone.localdate()
    form = WaitlistForm(request.POST or None, initial={"earliest": today, "latest": today + timedelta(days=14)})
    if request.method == "POST" and form.is_valid():
        try:
            waitlist_add(patient=patient, source=Source.DESK, today=today, actor=request.user, **form.cleaned_data)
        except BookingInvalid as exc:
            errors_to_form(form, exc.errors)
        else:
            messages.success(request, f"{patient.full_name} is on the waitlist.")
            return redirect("bookings:staff-waitlist")
    return render(request, "bookings/staff/waitlist_add.html", {"patient": patient, "form": form})
