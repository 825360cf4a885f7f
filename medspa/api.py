"""The public JSON API, v1 (DESIGN.md). Each app adds its router here."""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from .middleware import BODY_METHODS, body_too_large, not_json

api = NinjaAPI(
    title="Med spa booking API",
    version="1",
    description=(
        "The catalog, availability and bookings of the clinic. The booking page, the "
        "embeddable widget and outside clients all use it. Times are ISO 8601 with offset."
    ),
    urls_namespace="api-v1",
    openapi_url="/schema",
    docs_url="/docs",
)


FRIENDLY = {
    "missing": "This field is required.",
    "extra_forbidden": "Unknown field.",
    "int_parsing": "Enter a whole number.",
    "date_from_datetime_parsing": "Enter a date as YYYY-MM-DD.",
    "date_parsing": "Enter a date as YYYY-MM-DD.",
    "datetime_from_date_parsing": "Enter a date and time as ISO 8601 with offset, like 2027-03-15T09:00:00-04:00.",
    "datetime_parsing": "Enter a date and time as ISO 8601 with offset, like 2027-03-15T09:00:00-04:00.",
    "bool_parsing": "Enter true or false.",
    "bool_type": "Enter true or false.",
    "string_too_short": "This field can't be empty.",
}


def validation_errors(exc: ValidationError) -> dict[str, list[str]]:
    """Pydantic's error list as {field: [message, …]}, the field named by its dotted path."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        # loc starts with where the value came from ("body", "query", "path"); then the field.
        loc = [str(part) for part in error.get("loc", ())[1:] if part != "payload"]
        field = ".".join(loc) or "__all__"
        message = FRIENDLY.get(error.get("type", ""), str(error.get("msg", "Invalid value.")))
        message = message.removeprefix("Value error, ")
        if field == "__all__" and error.get("type") == "missing":  # no body at all
            message = "Send a JSON object in the request body."
        errors.setdefault(field, []).append(message)
    return errors


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"errors": validation_errors(exc)}, status=400)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:  # a body that is not JSON: same shape as any other bad input
        return api.create_response(
            request, {"errors": {"__all__": ["Send a JSON object in the request body."]}}, status=400
        )
    return api.create_response(request, {"error": "http_error", "detail": str(exc)}, status=exc.status_code)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"error": "not_found", "detail": "Not found."}, status=404)


@api.exception_handler(RequestDataTooBig)
def on_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return body_too_large(request)


def json_writes_only(run: Callable) -> Callable:
    """Every API write must be JSON (415 otherwise): a cross-site HTML form cannot send JSON, so it
    cannot book or cancel for a visitor. Applied to every operation once its method is known to be
    allowed, so a method a path does not take is a 405 whatever its body."""

    @wraps(run)
    def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method in BODY_METHODS and request.content_type != "application/json":
            return not_json(request)
        return run(request, *args, **kwargs)

    return checked


api.add_decorator(json_writes_only, mode="view")


def add_routers() -> None:
    from bookings.api import router as bookings_router
    from treatments.api import router as treatments_router

    api.add_router("", treatments_router)
    api.add_router("", bookings_router)


add_routers()
