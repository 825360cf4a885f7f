from typing import Any

from django.conf import settings
from django.http import HttpRequest


def clinic(request: HttpRequest) -> dict[str, Any]:
    """The clinic's name and contact details, for every page's header and footer."""
    phone = settings.CLINIC_PHONE
    return {
        "clinic": {
            "name": settings.CLINIC_NAME,
            "phone": phone,
            "phone_href": "tel:" + "".join(ch for ch in phone if ch.isdigit() or ch == "+"),
            "email": settings.CLINIC_EMAIL,
        }
    }


def staff(request: HttpRequest) -> dict[str, Any]:
    """The signed-in staff member's roles, for the staff pages' header (kept in the session at sign-in)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return {}
    roles = request.session.get("staff_roles")
    if roles is None:
        from .roles import roles_of

        roles = request.session["staff_roles"] = roles_of(user)
    return {"staff_roles": roles}
