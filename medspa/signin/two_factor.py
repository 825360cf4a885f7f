"""Two-factor sign-in with an authenticator app (TOTP) and single-use recovery codes (django-otp).

Who must use it: Injectors, Managers and superusers always; Front desk when
OTP_REQUIRED_FOR_FRONT_DESK is on; anyone who has set up an app. The devices are django-otp's
`TOTPDevice` (the app) and `StaticDevice` (ten recovery codes, each deleted when used).
"""

import base64
import re
from datetime import datetime

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from medspa.roles import FRONT_DESK, INJECTOR, MANAGER, roles_of

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def two_factor_required(user: AbstractBaseUser) -> bool:
    """Whether this person's role obliges them to sign in with a code."""
    if user.is_superuser:
        return True
    roles = set(roles_of(user))
    if roles & {INJECTOR, MANAGER}:
        return True
    return FRONT_DESK in roles and settings.OTP_REQUIRED_FOR_FRONT_DESK


def has_device(user: AbstractBaseUser) -> bool:
    return user_has_device(user, confirmed=True)


def is_verified(request: HttpRequest) -> bool:
    """This session proved a code (OTPMiddleware sets `otp_device` from the session)."""
    return getattr(request.user, "otp_device", None) is not None


# A session that owes no second step is re-checked this often, not on every request (three
# queries); a role given mid-session (or an app added by someone else) counts within this time.
RECHECK_SECONDS = 5 * 60
CLEAR_SESSION_KEY = "two_factor_clear"


def pending_step(request: HttpRequest) -> str | None:
    """What a signed-in session still owes before any staff page: "verify", "enrol" or None."""
    user = request.user
    if not user.is_authenticated or is_verified(request):
        return None
    now = timezone.now().timestamp()
    checked = request.session.get(CLEAR_SESSION_KEY)
    if checked and checked[0] == user.pk and 0 <= now - checked[1] < RECHECK_SECONDS:
        return None
    if has_device(user):
        return "verify"
    if two_factor_required(user):
        return "enrol"
    request.session[CLEAR_SESSION_KEY] = [user.pk, now]
    return None


def app_device_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """The unconfirmed authenticator-app device being set up (the same one until it is confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def app_device_confirm(*, request: HttpRequest, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the app with its first code: the session is verified and ten recovery codes are
    made (returned, to be shown once). None if the code is wrong."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=request.user, confirmed=False)
        if not device.verify_token(_clean(token)):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = recovery_codes_replace(user=request.user)
    otp_login(request, device)
    request.session.cycle_key()
    return codes


def recovery_codes_replace(*, user: AbstractBaseUser) -> list[str]:
    """A new set of recovery codes; any earlier set stops working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    device.token_set.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def code_verify(*, request: HttpRequest, token: str) -> Device | None:
    """Check a code from the app, or a recovery code (used up by this); verify the session on success."""
    token = _clean(token)
    app_code = token.isdigit() and len(token) == 6
    with transaction.atomic():
        for device in devices_for_user(request.user, confirmed=True, for_verify=True):
            if isinstance(device, StaticDevice) == app_code:
                continue  # six digits are for the app, anything else is a recovery code
            if device.verify_token(token):
                break
        else:
            return None
    otp_login(request, device)
    request.session.cycle_key()
    return device


def locked_until(*, user: AbstractBaseUser) -> datetime | None:
    """When wrong codes have paused checking (django-otp doubles the pause after each), else None."""
    until = None
    for device in devices_for_user(user, confirmed=True):
        allowed, details = device.verify_is_allowed()
        if not allowed and details and details.get("locked_until"):
            until = max(until, details["locked_until"]) if until else details["locked_until"]
    return until if until and until > timezone.now() else None


def recovery_codes_left(*, user: AbstractBaseUser) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def secret_text(device: TOTPDevice) -> str:
    """The key as people type it into an app: base32 in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The app's set-up link as a QR code, an SVG element for the page itself (drawn here: no
    outside service ever sees the key, and a Content-Security-Policy needs no data: images)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    return re.sub(r'^<svg width="[^"]*" height="[^"]*"', '<svg width="240" height="240" role="img" class="qr"', svg)


def _clean(token: str) -> str:
    return "".join(token.split()).replace("-", "").lower()[:16]
