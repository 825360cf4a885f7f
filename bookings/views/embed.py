"""The booking embedded in the clinic's own website (static/embed.js puts it in an iframe), its
demo page, and the managers' list of the websites allowed to frame it.

Only the embed's pages may be framed, and only by the listed origins (and this site itself, for
the demo page): they answer with `frame-ancestors` naming them and without X-Frame-Options; every
other page keeps `frame-ancestors 'none'` and `X-Frame-Options: DENY` (settings).
"""

import re

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_POST

from medspa.staff import errors_to_form, object_or_404, require, staff_required

from ..forms import EmbedOriginForm
from ..models import EmbedOrigin
from ..selectors import embed_origins
from ..services import BookingInvalid, embed_origin_add, embed_origin_remove
from .public import book_page_config, book_page_extra

MANAGE_ORIGINS = "bookings.change_embedorigin"
ACCENT = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


def frame_allow(response: HttpResponse) -> HttpResponse:
    """Lets the listed origins (and this site) frame `response`, and nobody else."""
    response._csp_replace = {"frame-ancestors": ["'self'", *embed_origins()]}  # read by django-csp's middleware
    response.xframe_options_exempt = True  # read by Django's XFrameOptionsMiddleware
    return response


def accent_colour(value: str | None) -> str:
    """A colour given as hex (#0f5257, 0f5257, #abc) as "#rrggbb"; anything else: "" (the site's own)."""
    match = ACCENT.fullmatch((value or "").strip())
    if not match:
        return ""
    digits = match.group(1).lower()
    return "#" + (digits if len(digits) == 6 else "".join(c * 2 for c in digits))


def book_embed(request: HttpRequest) -> HttpResponse:
    """/book/'s flow in an iframe: no header or footer, its height and outcome told to the page
    around it by postMessage (static/bookings/embed-frame.js), booked with the source "embed"."""
    config = book_page_config(request)
    config["source"] = "embed"
    # The pages it may talk to: this site and the listed ones; the script picks its own parent's.
    config["embed"] = {
        "origins": [request.build_absolute_uri("/").rstrip("/"), *embed_origins()],
        "accent": accent_colour(request.GET.get("accent")),
        "mode": "popup" if request.GET.get("mode") == "popup" else "inline",
    }
    context = {"config": config, "embed": True, **book_page_extra()}
    return frame_allow(render(request, "bookings/embed_book.html", context))


def embed_demo(request: HttpRequest) -> HttpResponse:
    """A plain "clinic website" with the snippet pasted in: inline, and as a popup button."""
    context = {
        "embed_js": request.build_absolute_uri(static("embed.js")),
        "demo_js": request.build_absolute_uri(static("bookings/embed-demo.js")),
        "demo_css": request.build_absolute_uri(static("bookings/embed-demo.css")),
    }
    return render(request, "bookings/embed_demo.html", context)


@staff_required
def embed_origins_page(request: HttpRequest) -> HttpResponse:
    """Managers list the websites that may show the booking embedded."""
    require(request, MANAGE_ORIGINS)
    form = EmbedOriginForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                added = embed_origin_add(actor=request.user, **form.cleaned_data)
            except BookingInvalid as exc:
                errors_to_form(form, exc.errors)
            else:
                messages.success(request, f"{added.origin} may now show the booking embedded.")
                return redirect("bookings:staff-embed-origins")
        status = 400
    context = {
        "form": form,
        "origins": EmbedOrigin.objects.select_related("added_by"),
        "embed_js": request.build_absolute_uri(static("embed.js")),
    }
    return render(request, "bookings/staff/embed_origins.html", context, status=status)


@staff_required
@require_POST
def embed_origin_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, MANAGE_ORIGINS)
    origin = object_or_404(EmbedOrigin.objects.all(), pk)
    embed_origin_remove(origin=origin)
    messages.success(request, f"{origin.origin} can no longer show the booking embedded.")
    return redirect("bookings:staff-embed-origins")
