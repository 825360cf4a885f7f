"""The WSGI application bench/ceiling.py serves with gunicorn: the app exactly as `make run` serves
it (medspa.wsgi), plus one empty JSON view at /bench/empty/ that goes through the same middleware
and touches nothing else, to measure the framework's ceiling on this machine. Never deployed."""

from importlib import import_module

from django.http import HttpRequest, JsonResponse
from django.urls import clear_url_caches, path

from medspa.wsgi import application

urls = import_module("medspa.urls")  # after the application, which sets Django up


def empty(request: HttpRequest) -> JsonResponse:
    return JsonResponse({})


urls.urlpatterns.insert(0, path("bench/empty/", empty))
clear_url_caches()

__all__ = ["application"]
