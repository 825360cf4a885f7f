from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from .middleware import body_too_large


def api_not_found(request: HttpRequest) -> JsonResponse:
    """Any other path under /api/: a JSON 404, so API clients never get an HTML page."""
    return JsonResponse({"error": "not_found", "detail": "No such API endpoint."}, status=404)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: a body Django found too large while parsing it (a multipart form, say) is a 413."""
    if isinstance(exception, RequestDataTooBig):
        return body_too_large(request)
    return defaults.bad_request(request, exception)
