from django.http import HttpRequest, JsonResponse


def api_not_found(request: HttpRequest) -> JsonResponse:
    """Any other path under /api/: a JSON 404, so API clients never get an HTML page."""
    return JsonResponse({"error": "not_found", "detail": "No such API endpoint."}, status=404)
