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
