"""Photos of a visit: the set taken before and at the review, each photo's file, the comparison of
one expression across two visits, and the Manager's export of photos allowed for marketing.

Photos are health data: injectors and managers only (charting.view_photo), every showing of a
page or a file written to the access log, files never cached and never at a public URL: they are
read from the private storage by `photo_file`, after the permission check.
"""

import io
import zipfile

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from bookings.models import Appointment, Patient
from intake.models import PhotoUse
from intake.services import access_log_record
from medspa.staff import require, staff_required

from ..forms.photos import PhotoSetForm
from ..models import Expression
from ..photo_models import Phase, Photo, photo_storage
from ..selectors import marketing_photos, photo_comparison, photo_sets, photo_use_of
from ..services import photos_add

VIEW, ADD, EXPORT = "charting.view_photo", "charting.add_photo", "charting.export_marketing_photo"
SIZES = ("thumb", "screen", "full")
PHASE_CHOICES = [(Phase.BEFORE, "Before"), (Phase.AFTER, "After (review)")]  # short, for the choosers


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, private, max-age=0"
    response["Pragma"] = "no-cache"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@never_cache
@staff_required
def visit_photos(request: HttpRequest, reference: str) -> HttpResponse:
    """The visit's photo sets, and the camera form to add to them (several photos in one go)."""
    require(request, VIEW)
    appointment = get_object_or_404(
        Appointment.objects.select_related("patient", "location", "service", "provider__user"), reference=reference
    )
    can_add = request.user.has_perm(ADD)
    sets = photo_sets(appointment)
    status = 200
    if request.method == "POST":
        require(request, ADD)
        form = PhotoSetForm(request.POST, request.FILES)
        if form.is_valid():
            added = photos_add(appointment=appointment, phase=form.cleaned_data["phase"], photos=form.photos(),
                               actor=request.user, now=timezone.now())  # fmt: skip
            messages.success(request, f"{len(added)} photo{'s' if len(added) != 1 else ''} added "
                             f"({Phase(form.cleaned_data['phase']).label.lower()}).")  # fmt: skip
            return redirect("charting:photos", reference=appointment.reference)
        status = 400
    else:
        before = next(s for s in sets if s.phase == Phase.BEFORE)
        form = PhotoSetForm(initial={"phase": Phase.AFTER if before.complete else Phase.BEFORE})
    access_log_record(request=request, patient=appointment.patient, what="photos", object_id=appointment.reference)
    return _no_store(
        render(
            request,
            "charting/photos.html",
            {
                "appointment": appointment,
                "sets": sets,
                "form": form,
                "can_add": can_add,
                "photo_use": PhotoUse(photo_use_of(appointment.patient, appointment)),
            },
            status=status,
        )
    )


@never_cache
@staff_required
def photo_file(request: HttpRequest, pk: int, size: str) -> HttpResponse:
    """One photo's JPEG (thumbnail, screen size or the stored image), after the permission check."""
    require(request, VIEW)
    if size not in SIZES:
        raise Http404("No such size.")
    photo = get_object_or_404(Photo.objects.select_related("appointment__patient"), pk=pk)
    # Until the worker has made a rendition, the stored image stands in (it is as clean).
    name = {"thumb": photo.thumb.name, "screen": photo.screen.name}.get(size) or photo.image.name
    storage = photo_storage()
    try:
        file = storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("The file is missing.") from None
    access_log_record(request=request, patient=photo.appointment.patient, what=f"photo ({size})", object_id=photo.pk)
    response = FileResponse(file, content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="photo-{photo.pk}-{size}.jpg"'
    return _no_store(response)


@never_cache
@staff_required
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    """One expression at two visits side by side, with an overlay slider, units and left–right scores."""
    require(request, VIEW)
    patient = get_object_or_404(Patient, pk=pk)
    q = request.GET
    comparison = photo_comparison(
        patient, first=q.get("a"), second=q.get("b"), first_phase=q.get("a_phase", ""),
        second_phase=q.get("b_phase", ""), expression=q.get("expression", ""),
    )  # fmt: skip
    access_log_record(request=request, patient=patient, what="photo comparison", object_id=patient.pk)
    return _no_store(
        render(
            request,
            "charting/photo_compare.html",
            {"patient": patient, "cmp": comparison, "expressions": Expression.choices, "phases": PHASE_CHOICES},
        )
    )


@never_cache
@staff_required
def marketing(request: HttpRequest) -> HttpResponse:
    """Managers: the photos patients allowed for marketing (and only those), to download as a ZIP."""
    require(request, EXPORT)
    photos = marketing_photos()
    for patient in {photo.appointment.patient_id: photo.appointment.patient for photo in photos}.values():
        access_log_record(request=request, patient=patient, what="photos (marketing list)", object_id=patient.pk)
    return _no_store(render(request, "charting/photo_marketing.html", {"photos": photos}))


@never_cache
@staff_required
def marketing_zip(request: HttpRequest) -> HttpResponse:
    """The ZIP of those photos: screen-size JPEGs named by photo, no names of patients, no metadata."""
    require(request, EXPORT)
    photos = marketing_photos()
    storage = photo_storage()
    buffer = io.BytesIO()
    lines = ["photo,visit date,phase,expression"]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for photo in photos:
            try:
                with storage.open(photo.screen.name or photo.image.name, "rb") as file:
                    data = file.read()
            except (FileNotFoundError, OSError):
                continue
            name = f"photo-{photo.pk}-{photo.phase}-{photo.expression or 'free'}.jpg"
            archive.writestr(name, data)
            day = photo.appointment.start.astimezone(photo.appointment.location.zone).date().isoformat()
            lines.append(f"{photo.pk},{day},{photo.phase},{photo.expression or 'free'}")
        archive.writestr("photos.csv", "\n".join(lines) + "\n")
    for patient in {photo.appointment.patient_id: photo.appointment.patient for photo in photos}.values():
        access_log_record(request=request, patient=patient, what="photos (marketing export)", object_id=patient.pk)
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="marketing-photos-{timezone.localdate():%Y-%m-%d}.zip"'
    return _no_store(response)
