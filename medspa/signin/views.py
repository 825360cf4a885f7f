"""The sign-in pages: password (throttled), then a code or the app's set-up when the role needs it.

The admin has no sign-in of its own: /admin/login/ sends people here.
"""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import LoginView, redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django_otp.plugins.otp_static.models import StaticDevice

from medspa.http import client_ip
from medspa.staff import local_path

from . import two_factor
from .forms import CodeForm, EnrolCodeForm, SignInForm
from .throttle import SignInThrottle, normalise, remember_device, trusted_usernames, wait_message


def _too_many(response: HttpResponse, seconds: int) -> HttpResponse:
    response.status_code = 429
    response["Retry-After"] = str(max(1, seconds))
    return response


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and local_path(request, target):  # a path: redirect() would take "abc" for a view's name
        return target
    return reverse("bookings:staff-day")


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


class SignInView(LoginView):
    """Username and password, counted by SignInThrottle (per username, per address, overall)."""

    redirect_authenticated_user = True
    form_class = SignInForm

    def throttle(self) -> SignInThrottle:
        username = self.request.POST.get("username", "")
        return SignInThrottle(
            ip=client_ip(self.request),
            username=username,
            now=timezone.now().timestamp(),
            trusted=normalise(username) in trusted_usernames(self.request),
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        throttle = self.throttle()
        if wait := throttle.wait_seconds():
            # No password is checked while the pause lasts: the form is shown again unbound.
            form = self.get_form_class()(request, initial={"username": request.POST.get("username", "")[:150]})
            context = self.get_context_data(form=form, refused=wait_message(wait))
            return _too_many(self.render_to_response(context), wait)
        form = self.get_form()
        if form.is_valid():
            throttle.succeeded()
            return self.form_valid(form)
        if form.data.get("username") and form.data.get("password"):
            throttle.failed()
        return self.form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)  # signs in with the password
        step = two_factor.pending_step(self.request)
        if step == "verify":
            return redirect(_with_next("two-factor-verify", self.get_success_url()))
        if step == "enrol":
            return redirect(_with_next("two-factor-enrol", self.get_success_url()))
        remember_device(self.request, response, form.get_user().get_username())
        return response


def _signed_in_or_login(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the app, or one of the recovery codes."""
    if response := _signed_in_or_login(request):
        return response
    next_url = _next_url(request)
    step = two_factor.pending_step(request)
    if step is None:
        return redirect(next_url)
    if step == "enrol":
        return redirect(_with_next("two-factor-enrol", next_url))
    form = CodeForm(request.POST or None)
    context = {"form": form, "next": next_url}
    if request.method == "POST":
        if until := two_factor.locked_until(user=request.user):
            wait = int((until - timezone.now()).total_seconds()) + 1
            context["refused"] = wait_message(wait)
            return _too_many(render(request, "registration/two_factor_verify.html", context), wait)
        if form.is_valid():
            device = two_factor.code_verify(request=request, token=form.cleaned_data["code"])
            if device is not None:
                if isinstance(device, StaticDevice):
                    left = two_factor.recovery_codes_left(user=request.user)
                    messages.warning(
                        request,
                        f"You signed in with a recovery code; {left} left. "
                        "Ask a manager to reset your authenticator app if it is lost.",
                    )
                response = redirect(next_url)
                remember_device(request, response, request.user.get_username())
                return response
            form.add_error("code", "That code is not right. Enter the 6 digits your app shows now.")
        return render(request, "registration/two_factor_verify.html", context, status=400)
    return render(request, "registration/two_factor_verify.html", context)


def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan or type the key, confirm with a code, keep the recovery codes."""
    if response := _signed_in_or_login(request):
        return response
    next_url = _next_url(request)
    if two_factor.has_device(request.user):
        # Someone with an app proves it before anything changes; setting up a new one is a manager's reset.
        return redirect(_with_next("two-factor-verify", next_url) if not two_factor.is_verified(request) else next_url)
    device = two_factor.app_device_start(user=request.user)
    form = EnrolCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        allowed, details = device.verify_is_allowed()
        if not allowed and (until := (details or {}).get("locked_until")):
            wait = max(1, int((until - timezone.now()).total_seconds()) + 1)
            context = {"refused": wait_message(wait), **_enrol_context(request, device, form, next_url)}
            return _too_many(render(request, "registration/two_factor_enrol.html", context), wait)
        if form.is_valid():
            codes = two_factor.app_device_confirm(request=request, device=device, token=form.cleaned_data["code"])
            if codes is not None:
                response = render(
                    request, "registration/two_factor_recovery_codes.html", {"codes": codes, "next": next_url}
                )
                response["Cache-Control"] = "no-store"
                remember_device(request, response, request.user.get_username())
                return response
            form.add_error("code", "That code is not right. Check the key and enter the 6 digits your app shows now.")
        status = 400
    response = render(
        request, "registration/two_factor_enrol.html", _enrol_context(request, device, form, next_url), status=status
    )
    response["Cache-Control"] = "no-store"
    return response


def _enrol_context(request: HttpRequest, device: Any, form: CodeForm, next_url: str) -> dict[str, Any]:
    return {
        "form": form,
        "next": next_url,
        "qr": mark_safe(two_factor.qr_svg(device)),  # noqa: S308 -- drawn by qrcode, no user text
        "secret": two_factor.secret_text(device),
        "required": two_factor.two_factor_required(request.user),
    }


def admin_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin's sign-in is the staff sign-in (one throttle, one second step)."""
    if request.user.is_authenticated:  # signed in, but the admin refused them
        raise PermissionDenied
    return redirect(_with_next("login", request.GET.get("next") or reverse("admin:index")))
