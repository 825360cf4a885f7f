"""The assessment screen: how each muscle pulls, left and right, beside last visit's values.

Injectors and managers only (charting's assessment permissions); front desk gets 403. Every
showing of the page is written to the access log (this visit's and the last visit's assessment).
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from bookings.models import Appointment
from intake.services import access_log_record
from medspa.staff import require, staff_required
from treatments.models import TreatmentArea

from ..forms.assessment import SHORT, AssessmentForm, Muscle, muscles_posted
from ..models import Expression
from ..selectors import assessment_muscles, assessment_of, assessment_previous, rows_by_muscle
from ..services import AssessmentError, assessment_locked, assessment_save

VIEW, CHANGE = "charting.view_assessment", "charting.change_assessment"


def _added(form: AssessmentForm, muscles: list[Muscle]) -> list[Muscle]:
    """The muscles "Add" asks for: one named muscle, or every muscle of the chosen area."""
    area, name = form.cleaned_data.get("add_area"), form.cleaned_data.get("add_muscle", "").strip()
    have = {m.name.lower() for m in muscles}
    wanted = [Muscle(name, area)] if name else [Muscle(m, area) for m in area.muscle_list] if area else []
    return [m for m in wanted if m.name.lower() not in have]


@never_cache
@staff_required
def assessment(request: HttpRequest, reference: str) -> HttpResponse:
    require(request, VIEW)
    appointment = get_object_or_404(
        Appointment.objects.select_related("patient", "location", "service", "provider__user"), reference=reference
    )
    current, previous = assessment_of(appointment), assessment_previous(appointment)
    locked = assessment_locked(appointment)
    last = rows_by_muscle(previous)
    can_change = request.user.has_perm(CHANGE) and not locked
    status = 200
    if request.method == "POST":
        require(request, CHANGE)
        areas = {area.slug: area for area in TreatmentArea.objects.all()}
        muscles, grid_errors = muscles_posted(request.POST, areas)
        form = AssessmentForm(request.POST, muscles=muscles, last=last)
        valid = form.is_valid() and not grid_errors
        for error in grid_errors:
            form.add_error(None, error)
        if request.POST.get("action") == "add" and form.is_valid():
            added = _added(form, muscles)
            if added:  # the grid keeps what was entered; nothing is saved until "Save"
                form = AssessmentForm(request.POST, muscles=muscles + added, last=last)
                form.is_valid()
            else:
                form.add_error("add_muscle", "Choose an area or name a muscle that isn't on the grid yet.")
                status = 400
        elif valid:
            try:
                assessment_save(appointment=appointment, rows=form.rows(), notes=form.cleaned_data["notes"],
                                actor=request.user, now=timezone.now())  # fmt: skip
            except AssessmentError as exc:
                for message in exc.errors.values():
                    form.add_error(None, message)
                status = 400
            else:
                messages.success(request, f"Assessment saved for {appointment.patient.full_name}.")
                return redirect("charting:assessment", reference=appointment.reference)
        else:
            status = 400
    else:
        muscles = [Muscle(name, area) for area, name in assessment_muscles(appointment, current, previous)]
        initial = {"notes": current.notes if current else ""}
        mine = rows_by_muscle(current)
        for index, muscle in enumerate(muscles):
            for (key, side), row in mine.items():
                if key == muscle.name.lower():
                    initial |= {f"m{index}-{side}-{e}": getattr(row, e) for e in Expression.values}
                    initial[f"m{index}-{side}-dominant"] = row.dominant
        form = AssessmentForm(muscles=muscles, initial=initial, last=last)
        if not can_change:
            for field in form.fields.values():
                field.disabled = True
    for shown in (current, previous):
        if shown is not None:
            access_log_record(request=request, patient=appointment.patient, what="assessment", object_id=shown.pk)
    return render(
        request,
        "charting/assessment.html",
        {
            "appointment": appointment,
            "form": form,
            "blocks": form.blocks(),
            "expressions": [(value, label, SHORT[value]) for value, label in Expression.choices],
            "current": current,
            "previous": previous,
            "locked": locked,
            "can_change": can_change,
        },
        status=status,
    )
