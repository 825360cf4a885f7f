"""Request hygiene before any view runs, and no-store on every page about a person."""

import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers

from .private_paths import NO_STORE_PATH

# C0 control characters other than tab, newline and carriage return, and DEL. NUL in particular:
# PostgreSQL refuses it in text, and nothing a person types contains it.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_MESSAGE = "Remove the control characters (such as NUL) from this value."
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def has_control_characters(value: str) -> bool:
    return CONTROL_CHARACTERS.search(value) is not None


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def refused(request: HttpRequest, status: int, code: str, heading: str, detail: str) -> HttpResponse:
    """An error before the view: `{error, detail}` for the API, a short page for people."""
    if _is_api(request):
        return JsonResponse({"error": code, "detail": detail}, status=status)
    response = TemplateResponse(request, "request_refused.html", {"heading": heading, "detail": detail}, status=status)
    return response.render()


def not_json(request: HttpRequest) -> HttpResponse:
    return refused(
        request, 415, "unsupported_media_type", "Unsupported media type",
        "Send the request body as JSON with Content-Type: application/json.",
    )  # fmt: skip


def body_too_large(request: HttpRequest) -> HttpResponse:
    limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024
    return refused(
        request, 413, "request_too_large", "That was too much to send",
        f"Requests can be at most {limit_mb:.1f} MB. Please send less and try again.",
    )  # fmt: skip


class RequestHygieneMiddleware:
    """Refuses, before any view reads it: a body over DATA_UPLOAD_MAX_MEMORY_SIZE (413) and control
    characters in the path or the query string (400, per parameter). An API write that is not JSON
    is refused by the API itself (medspa.api.json_writes_only), once it knows the method is allowed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (response := self._refusal(request)) is not None:
            return response
        return self.get_response(request)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        # Multipart file parts do not count against Django's limit (uploads have their own);
        # Django refuses an oversized multipart form while parsing it, and handler400 answers 413.
        if limit is not None and length > limit and request.content_type != "multipart/form-data":
            return body_too_large(request)
        bad = sorted({key for key, values in request.GET.lists() for v in [key, *values] if has_control_characters(v)})
        if has_control_characters(request.path):  # e.g. /staff/chart/%00/: PostgreSQL refuses NUL in a lookup
            bad.append("path")
        if bad:
            if _is_api(request):
                return JsonResponse({"errors": {key: [CONTROL_MESSAGE] for key in bad}}, status=400)
            return refused(request, 400, "bad_request", "That link isn't right", CONTROL_MESSAGE)
        return None


class NoStoreMiddleware:
    """`Cache-Control: no-store` on staff pages and exports, the admin, and every page or API
    answer opened by a patient's token: no browser or proxy cache keeps personal or health data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if NO_STORE_PATH.match(request.path):
            add_never_cache_headers(response)
        return response
