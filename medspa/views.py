from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from .http import client_ip
from .middleware import body_too_large


def api_not_found(request: HttpRequest) -> JsonResponse:
    """Any other path under /api/: a JSON 404, so API clients never get an HTML page."""
    return JsonResponse({"error": "not_found", "detail": "No such API endpoint."}, status=404)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: a body Django found too large while parsing it (a multipart form, say) is a 413."""
    if isinstance(exception, RequestDataTooBig):
        return body_too_large(request)
    return defaults.bad_request(request, exception)


class ThrottledLoginView(LoginView):
    """Staff sign-in that stops guessing: after 5 failures for one username from one address,
    15 minutes' pause (counted in the cache; set CACHE_URL to Redis when running several web processes)."""

    redirect_authenticated_user = True
    max_failures = 5
    pause_seconds = 15 * 60

    def _key(self) -> str:
        username = self.request.POST.get("username", "").strip().lower()
        return f"login-failures:{client_ip(self.request)}:{username}"

    def post(self, request: HttpRequest, *args, **kwargs):
        if cache.get(self._key(), 0) >= self.max_failures:
            form = self.get_form()
            form.add_error(None, "Too many attempts. Please wait 15 minutes, or ask a manager to reset your password.")
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        key = self._key()
        cache.add(key, 0, self.pause_seconds)
        cache.incr(key)
        return super().form_invalid(form)

    def form_valid(self, form):
        cache.delete(self._key())
        return super().form_valid(form)
