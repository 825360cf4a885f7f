"""The staff shell: who may open a staff screen, and the helpers every app's staff views share.

Every app's staff pages use these and extend `staff/base.html`. This module imports no app: the
apps plug into the shell (a banner, a nav link by `{% url %}`), never the other way round.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

M = TypeVar("M", bound=Model)


def staff_required(view: Callable) -> Callable:
    """Signed-in staff only; anyone else signed in gets 403."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


# Dates the staff screens accept from a query string; anything else means "the default day".
# Far enough either way for any diary, and clear of date.min/date.max, where a day ± 1 overflows.
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2999, 12, 31)
# The largest id a database column holds (PostgreSQL bigint); a bigger number is no id at all.
LARGEST_ID = 2**63 - 1


def parse_date(value: str | None, default: date) -> date:
    """A day from a query string, or `default` when it is missing, malformed or out of range."""
    try:
        parsed = date.fromisoformat(value) if value else default
    except ValueError:
        return default
    return parsed if EARLIEST_DAY <= parsed <= LATEST_DAY else default


def parse_id(value: Any) -> int | None:
    """A database id from a query string or post: a positive whole number a column can hold, else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    else:
        return None
    return number if 0 < number <= LARGEST_ID else None


class IdConverter:
    """`<id:pk>` in a URL: a database id (1 to LARGEST_ID); anything else matches nothing, so a 404.

    Django's `<int:...>` takes any run of digits, and a number no column holds makes the database
    raise instead of find nothing. Registered by MedspaConfig.ready().
    """

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 0 < number <= LARGEST_ID:
            raise ValueError(value)  # the resolver's "no match"
        return number

    def to_url(self, value: int | str) -> str:
        return str(value)


class DayField(forms.DateField):
    """A date a staff or patient form accepts: a real day between EARLIEST_DAY and LATEST_DAY.

    2026-02-30 is refused by DateField itself; 0001-01-01 and 9999-12-31 parse, and then the day
    before or after them, or their time in another zone, does not exist.
    """

    def validate(self, value: date | None) -> None:
        super().validate(value)
        _within_range(value)


class MomentField(forms.DateTimeField):
    """A date and time on a day DayField would accept."""

    def validate(self, value: datetime | None) -> None:
        super().validate(value)
        _within_range(value.date() if value is not None else None)


def _within_range(day: date | None) -> None:
    if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValidationError(f"Enter a date between {EARLIEST_DAY.year} and {LATEST_DAY.year}.", code="out_of_range")


def object_or_404(queryset: QuerySet[M], value: Any, *, field: str = "pk") -> M:
    """The row whose integer `field` is `value`; 404 for a missing row and for anything not an id."""
    number = parse_id(value)
    if number is None:
        raise Http404("No such record.")
    try:
        return queryset.get(**{field: number})
    except queryset.model.DoesNotExist:
        raise Http404("No such record.") from None


def errors_to_form(form: forms.BaseForm, errors: Mapping[str, Sequence[str]]) -> None:
    """A service's field errors onto the form that sent them; a field the form lacks goes on top."""
    for field, messages in errors.items():
        form.add_error(field if field in form.fields else None, list(messages))


def safe_next(request: HttpRequest) -> str | None:
    """The page to return to, when the request names one on this site by its path ("/staff/…").

    Only a path: `redirect()` would take "abc" for the name of a view (and fail), and a full URL
    could lead off the site.
    """
    target = request.POST.get("next") or request.GET.get("next")
    if target and local_path(request, target):
        return target
    return None


def local_path(request: HttpRequest, target: str) -> bool:
    """`target` is a path on this site: it starts with one slash, and names no other host or scheme."""
    return (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    )


def back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Redirect to the page the request came from (`next`, on this site only), else `fallback`."""
    return redirect(safe_next(request) or fallback)


@dataclass(frozen=True)
class Banner:
    """A notice across the top of every staff page, e.g. an urgent symptom reported after treatment."""

    text: str
    level: str = "danger"  # a Bootstrap alert colour
    strong: str = ""
    link: str = ""
    link_text: str = "Open"


BannerSource = Callable[[HttpRequest], Banner | None]
_banner_sources: list[BannerSource] = []


def banner_register(source: BannerSource) -> BannerSource:
    """An app adds a staff banner from its AppConfig.ready(); the shell never imports the app."""
    if source not in _banner_sources:
        _banner_sources.append(source)
    return source


def banners(request: HttpRequest) -> list[Banner]:
    """Every registered banner that has something to say to this signed-in staff member."""
    found = (source(request) for source in _banner_sources)
    return [banner for banner in found if banner is not None]
