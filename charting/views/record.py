"""The chart page of one appointment: the gate, the treatment record's lots and sites with the face
map, warnings with a reason each, sign, not treated, addenda.

Injectors and managers only (charting's permissions); front desk gets 403 on every URL here.
Every render of the chart is written to the access log through intake's service.
"""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bookings.access import CAN_ACT, own_provider, staff_appointment
from bookings.models import Appointment
from intake.selectors import treatment_gate
from intake.services import access_log_record
from medspa.staff import require, staff_required
from treatments.models import Product, TreatmentArea

from ..face_map import face_map
from ..forms.record import ADD_ROWS, AddendumForm, ChartForm, NotTreatedForm, initial_from
from ..models import TreatmentRecord
from ..selectors import record_check_for, record_entries, record_totals, touch_up_candidates
from ..services import ChartingError, addendum_add, record_not_treated, record_save, record_sign, record_start

VIEW = "charting.view_treatmentrecord"
CHANGE = "charting.change_treatmentrecord"


def _require_writer(request: HttpRequest, appointment: Appointment) -> None:
    """Writing the record (start, save, sign, not treated) is for the appointment's own provider or a
    manager; any injector may read it. Front desk never gets here (no charting permission)."""
    require(request, CHANGE)
    if request.user.has_perm(CAN_ACT):
        return
    if own_provider(request).pk != appointment.provider_id:
        raise PermissionDenied


def _change_view(view):
    """Signed-in staff with the change permission, then POST only: front desk gets 403 on every method."""

    @wraps(view)
    def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        require(request, CHANGE)
        return view(request, *args, **kwargs)

    return staff_required(checked)


def _record(appointment: Appointment) -> TreatmentRecord | None:
    return (
        TreatmentRecord.objects.select_related("signed_by", "started_by", "touch_up_of__appointment__location")
        .filter(appointment=appointment)
        .first()
    )


def _rows(request: HttpRequest, saved: int) -> int:
    try:
        asked = int(request.GET.get("rows", 0))
    except ValueError:
        asked = 0
    return max(asked, saved + 3)


def _page(request, appointment, *, form=None, not_treated=None, addendum=None, errors=(), status=200) -> HttpResponse:
    """The chart as it is stored, with the bound forms of a refused post; written to the access log."""
    record = _record(appointment)
    lots, sites, warnings, overrides, addenda = [], [], [], [], []
    if record is not None:
        lots = list(record.lots.select_related("product").order_by("pk"))
        sites = list(record.sites.select_related("area", "lot__product").order_by("pk"))
        overrides = list(record.overrides.select_related("by"))
        addenda = list(record.addenda.select_related("author"))
    candidates = touch_up_candidates(appointment) if record is not None and not record.is_locked else []
    if record is not None and not record.is_locked and sites:
        lot_entries, site_entries = record_entries(record)
        warnings = record_check_for(
            appointment=appointment, lots=lot_entries, sites=site_entries, touch_up_of=record.touch_up_of_id
        ).warnings
    if record is not None and not record.is_locked and form is None:
        form = ChartForm(
            products=Product.objects.filter(is_active=True),
            areas=TreatmentArea.objects.active(),
            candidates=candidates,
            lot_rows=len(lots) + 1,
            site_rows=_rows(request, len(sites)),
            initial=initial_from(record, lots, sites),
        )
    totals = record_totals(sites)
    access_log_record(
        request=request, patient=appointment.patient, what="chart", object_id=record.pk if record else appointment.pk
    )
    reasons = {w.code: request.POST.get(f"reason-{w.code}", "") for w in warnings}
    reason_errors = errors if isinstance(errors, dict) else {}
    return render(
        request,
        "charting/record.html",
        {
            "appointment": appointment,
            "record": record,
            "gate": treatment_gate(appointment) if record is None else None,
            "lots": lots,
            "sites": sites,
            "totals": totals,
            "face_map": face_map(totals.map_labels, dict(TreatmentArea.objects.values_list("slug", "pk"))),
            "warnings": [(w, reasons.get(w.code, ""), reason_errors.get(f"reason-{w.code}", [])) for w in warnings],
            "overrides": overrides,
            "addenda": addenda,
            "form": form,
            "not_treated_form": not_treated or NotTreatedForm(),
            "addendum_form": addendum or AddendumForm(),
            "errors": [e for e in errors if isinstance(e, str)] if not isinstance(errors, dict) else [],
            "can_change": request.user.has_perm(CHANGE),
        },
        status=status,
    )


@never_cache
@staff_required
def chart(request: HttpRequest, reference: str) -> HttpResponse:
    """GET: the chart. POST (action save / sign / add-rows): the draft's form, saved or signed in one step."""
    require(request, VIEW)
    appointment = staff_appointment(reference)
    if request.method != "POST":
        return _page(request, appointment)
    _require_writer(request, appointment)
    record = _record(appointment)
    if record is None:
        messages.error(request, "Start the record first.")
        return redirect("charting:chart", reference)
    action = request.POST.get("action", "save")
    form = ChartForm(
        request.POST,
        products=Product.objects.filter(is_active=True),
        areas=TreatmentArea.objects.active(),
        candidates=touch_up_candidates(appointment),
        lot_rows=_int(request.POST.get("lot_rows")),
        site_rows=_int(request.POST.get("site_rows")),
    )
    if not form.is_valid():
        return _page(request, appointment, form=form, errors=["Nothing was saved: correct the fields marked below."],
                     status=400)  # fmt: skip
    now = timezone.now()
    try:
        if action == "sign":
            reasons = {key.removeprefix("reason-"): value for key, value in request.POST.items()
                       if key.startswith("reason-")}  # fmt: skip
            record_sign(record=record, reasons=reasons, actor=request.user, now=now, content=form.content())
            messages.success(request, "Record signed.")
            return redirect("charting:chart", reference)
        record_save(record=record, content=form.content(), actor=request.user, now=now)
    except ChartingError as exc:
        if any(key.startswith("reason-") for key in exc.errors):
            # The draft was saved; only reasons are missing: show the stored draft and its warnings.
            messages.error(request, exc.detail)
            return _page(request, appointment, errors=exc.errors, status=400)
        left = form.add_errors(exc.errors)
        return _page(request, appointment, form=form, errors=[exc.detail, *left], status=400)
    messages.success(request, "Draft saved.")
    target = reverse("charting:chart", args=[reference])
    if action == "add-rows":
        return redirect(f"{target}?rows={form.site_rows + ADD_ROWS}#sites")
    return redirect(target)


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


@_change_view
@require_POST
def start(request: HttpRequest, reference: str) -> HttpResponse:
    appointment = staff_appointment(reference)
    _require_writer(request, appointment)
    try:
        record_start(appointment=appointment, actor=request.user, now=timezone.now())
    except ChartingError as exc:
        messages.error(request, exc.detail)
        return _page(request, appointment, status=409)
    return redirect("charting:chart", reference)


@_change_view
@require_POST
def not_treated(request: HttpRequest, reference: str) -> HttpResponse:
    appointment = staff_appointment(reference)
    _require_writer(request, appointment)
    form = NotTreatedForm(request.POST)
    if not form.is_valid():
        return _page(request, appointment, not_treated=form, status=400)
    try:
        record_not_treated(
            appointment=appointment, reason=form.cleaned_data["reason"], actor=request.user, now=timezone.now()
        )
    except ChartingError as exc:
        messages.error(request, exc.detail)
        return _page(request, appointment, not_treated=form, status=409)
    messages.success(request, "Marked not treated.")
    return redirect("charting:chart", reference)


@_change_view
@require_POST
def addendum(request: HttpRequest, reference: str) -> HttpResponse:
    appointment = staff_appointment(reference)
    record = _record(appointment)
    form = AddendumForm(request.POST)
    if record is None:
        messages.error(request, "There is no record to add to yet.")
        return _page(request, appointment, status=409)
    if not form.is_valid():
        return _page(request, appointment, addendum=form, status=400)
    try:
        addendum_add(record=record, text=form.cleaned_data["text"], actor=request.user, now=timezone.now())
    except ChartingError as exc:
        messages.error(request, exc.detail)
        return _page(request, appointment, addendum=form, status=409)
    messages.success(request, "Addendum added.")
    return redirect("charting:chart", reference)
