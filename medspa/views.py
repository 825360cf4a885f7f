from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .roles import roles_of


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """Where staff land after signing in: who they are and where their work is."""
    return render(request, "staff/home.html", {"roles": roles_of(request.user)})
