"""Lot recall: every patient treated with a lot (and product), with how to reach them, as a page and CSV.

Managers only (charting.recall_lot). The list shows who was treated with what: one access-log
entry per patient listed, on the page and in the CSV alike.
"""

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from intake.services import access_log_record
from medspa.exports import csv_response
from medspa.staff import require, staff_required
from medspa.templatetags.clinic_time import wallclock, zone_of

from ..forms.recall import RecallForm
from ..selectors import RecallHit, lot_recall

RECALL = "charting.recall_lot"


def _areas_text(hit: RecallHit) -> str:
    parts = []
    for row in hit.areas:
        sides = [f"{units.normalize():f} {label}" for units, label in ((row.left, "L"), (row.right, "R"),
                 (row.centre, "")) if units]  # fmt: skip
        parts.append(f"{row.area.name} {' / '.join(s.strip() for s in sides)}")
    return "; ".join(parts)


@never_cache
@staff_required
def recall(request: HttpRequest) -> HttpResponse:
    require(request, RECALL)
    searched = "lot" in request.GET or "product" in request.GET
    form = RecallForm(request.GET if searched else None)
    if not form.is_valid():
        return render(request, "charting/recall.html", {"form": form}, status=400 if searched else 200)
    hits = lot_recall(lot_number=form.cleaned_data["lot"], product=form.cleaned_data["product"])
    for patient in {hit.patient.pk: hit.patient for hit in hits}.values():
        access_log_record(request=request, patient=patient, what="lot recall", object_id=form.cleaned_data["lot"])
    if request.GET.get("format") == "csv":
        return csv_response(
            f"recall-{re.sub(r'[^A-Za-z0-9_-]', '_', form.cleaned_data['lot'])}.csv",
            ["patient", "email", "phone", "date of birth", "visit", "location", "product", "lot", "expiry", "areas"],
            (
                [hit.patient.full_name, hit.patient.email, hit.patient.phone, hit.patient.date_of_birth.isoformat(),
                 wallclock(hit.appointment.start.astimezone(zone_of(hit.appointment.location)), "Y-m-d H:i T"),
                 hit.appointment.location.name, hit.lot.product.brand, hit.lot.lot_number, hit.lot.expiry.isoformat(),
                 _areas_text(hit)]
                for hit in hits
            ),
        )  # fmt: skip
    patients = len({hit.patient.pk for hit in hits})
    return render(request, "charting/recall.html", {"form": form, "hits": hits, "patients": patients})
