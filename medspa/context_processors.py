from typing import Any

from django.conf import settings
from django.http import HttpRequest


def phone_href(phone: str) -> str:
    return "tel:" + "".join(ch for ch in phone if ch.isdigit() or ch == "+")


def clinic_details(location=None) -> dict[str, Any]:
    """The clinic's name and contact details; a location's own phone and address when given."""
    phone = location.contact_phone if location is not None else settings.CLINIC_PHONE
    return {
        "name": settings.CLINIC_NAME,
        "phone": phone,
        "phone_href": phone_href(phone),
        "email": settings.CLINIC_EMAIL,
        "location": location,
    }


def clinic_location_set(request: HttpRequest, location) -> None:
    """A page about one appointment: its header, footer and text give that location's phone."""
    request.clinic_location = location


def clinic(request: HttpRequest) -> dict[str, Any]:
    """The clinic's name and contact details, for every page's header and footer.

    A page about an appointment names its location first (clinic_location_set), so a patient of
    the Scottsdale clinic is given Scottsdale's number, not the group's.
    """
    return {"clinic": clinic_details(getattr(request, "clinic_location", None))}


def staff(request: HttpRequest) -> dict[str, Any]:
    """The signed-in staff member's roles, for the staff pages' header (kept in the session at sign-in)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return {}
    roles = request.session.get("staff_roles")
    if roles is None:
        from .roles import roles_of

        roles = request.session["staff_roles"] = roles_of(user)
    from .staff import banners

    return {"staff_roles": roles, "staff_banners": banners(request)}
