from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from .roles import roles_of


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """Where staff land after signing in: who they are and where their work is."""
    return render(request, "staff/home.html", {"roles": roles_of(request.user)})


def api_not_found(request: HttpRequest) -> JsonResponse:
    """Any other path under /api/: a JSON 404, so API clients never get an HTML page."""
    return JsonResponse({"error": "not_found", "detail": "No such API endpoint."}, status=404)
